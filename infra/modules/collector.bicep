// The optional Management Activity API collector (README: Collecting automatically; docs/collector-credentials.md).
// With credentialType secret or certificate: a Key Vault (RBAC authorization, soft delete, purge protection only on
// request, no access policies) that holds the Entra app's client secret or PEM certificate, the Key Vault Secrets User
// role on it for the Function App's identity, and the credential setting as a Key Vault reference (never its value).
// With managedIdentity: no vault at all; the app registration trusts the Function App's user-assigned identity through
// a federated identity credential, and the setting names that identity's client id. With enabled = false nothing is
// deployed and every setting is empty.

@description('Deploy the vault and its role assignment, and fill in the collector settings.')
param enabled bool = false

@description('Name of the Key Vault (3-24 letters, digits and dashes; globally unique).')
@minLength(3)
@maxLength(24)
param vaultName string

@description('Azure region.')
param location string

@description('Purge protection: a deleted vault then cannot be purged for 90 days, and its name stays taken (a redeployment needs a new vaultName or the vault recovered). Off: `azd down --purge` removes the vault.')
param purgeProtection bool = false

@description('Tags applied to the vault.')
param tags object = {}

@description('Principal (object) id of the Function App\'s user-assigned identity: it reads the vault, or it is the federated credential\'s subject.')
param identityPrincipalId string

@description('Client id of the Function App\'s user-assigned identity, which asks for the token-exchange token in managedIdentity mode.')
param identityClientId string

@description('Microsoft 365 tenant (directory) id whose audit records are collected.')
param tenantId string

@description('Application (client) id of the Entra app registration granted ActivityFeed.Read (Office 365 Management APIs).')
param clientId string = ''

@description('How the app authenticates: secret (a client secret) or certificate (a PEM certificate with its private key), both kept in the vault; or managedIdentity (the app registration has a federated credential for the Function App\'s user-assigned identity; no vault).')
@allowed([
  'secret'
  'certificate'
  'managedIdentity'
])
param credentialType string = 'secret'

@description('Name of the vault item holding the credential. Empty: o365-collector-secret or o365-collector-certificate.')
param credentialName string = ''

@description('Microsoft 365 cloud of the tenant.')
@allowed([
  'commercial'
  'gcc'
  'gcchigh'
  'dod'
])
param cloud string = 'commercial'

var clouds = loadJsonContent('../../src/collector/clouds.json')
var useManagedIdentity = enabled && credentialType == 'managedIdentity'
// A vault only for a secret or a certificate.
var useVault = enabled && credentialType != 'managedIdentity'

// Built-in role definition id of Key Vault Secrets User (read secret values; certificates' secrets included).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var effectiveCredentialName = empty(credentialName) ? (credentialType == 'certificate' ? 'o365-collector-certificate' : 'o365-collector-secret') : credentialName
// No version in the URI: App Service resolves the current version (a rotated credential is picked up within a day, or
// at once on restart).
var credentialReference = '@Microsoft.KeyVault(SecretUri=https://${vaultName}${environment().suffixes.keyvaultDns}/secrets/${effectiveCredentialName}/)'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = if (useVault) {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access through Azure RBAC only: no access policies.
    enableRbacAuthorization: true
    accessPolicies: []
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Key Vault refuses enablePurgeProtection: false; leaving it out is how it stays off.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// The Function App resolves the Key Vault reference with its user-assigned identity (keyVaultReferenceIdentity).
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useVault) {
  name: guid(vault.id, identityPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Values of the collector's app settings (functionApp.bicep names them from src/names.json); empty when disabled.
output settings object = {
  tenantId: enabled ? tenantId : ''
  clientId: enabled ? clientId : ''
  clientSecret: enabled && credentialType == 'secret' ? credentialReference : ''
  clientCertificate: enabled && credentialType == 'certificate' ? credentialReference : ''
  managedIdentityClientId: useManagedIdentity ? identityClientId : ''
  cloud: enabled ? cloud : ''
}
output vaultName string = useVault ? vaultName : ''
output credentialName string = useVault ? effectiveCredentialName : ''
// The federated identity credential to add to the app registration in managedIdentity mode (docs/collector-credentials.md):
// the identity's tenant as issuer, its object id as subject, and the audience the code asks for in this cloud.
output federatedCredential object = useManagedIdentity ? {
  issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  subject: identityPrincipalId
  audience: clouds[cloud].tokenExchangeAudience
} : {}
