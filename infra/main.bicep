// Everything the pipeline needs in one resource group: storage (keyless), a user-assigned identity with
// least-privilege roles, Log Analytics + Application Insights (Entra ID only), the results export to Log Analytics with its
// workbook and alert (modules/logAnalytics.bicep, on by default), the Flex Consumption Function App and
// the Event Grid system topic. `azd up` provisions this, deploys the code, then runs infra/hooks/postdeploy.* which
// creates the BlobCreated subscription (infra/post-deploy/eventGridSubscription.bicep).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (must offer Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or reuse. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the person or pipeline deploying, given Storage Blob Data Contributor on the exports and config containers so they can upload. Empty: no assignment.')
param principalId string = ''

@description('Kind of principal principalId is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Memory of each Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on Function App instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('NCRONTAB schedule (6 fields, UTC) of the analysis timer. Empty: the default in src/names.json.')
param analysisSchedule string = ''

@description('Put Entra ID sign-in (App Service authentication) in front of the dashboard and the HTTP reports instead of function keys (needs entraClientId; docs/sign-in.md).')
param enableEntraAuth bool = false

@description('Application (client) id of the Entra app registration for the reports API; used only when enableEntraAuth is true.')
param entraClientId string = ''

@description('With Entra authentication: comma-separated client ids of other applications allowed to call the reports API (docs/sign-in.md).')
param entraAllowedClientApplications string = ''

@description('With Entra authentication: comma-separated object ids of the groups whose members may sign in; empty for no group check.')
param entraAllowedGroups string = ''

@description('With Entra authentication: comma-separated object ids of the users or service principals allowed in; empty for no identity check.')
param entraAllowedIdentities string = ''

@description('Deploy the Management Activity API collector: its settings and, for a secret or certificate, a Key Vault for the Entra app\'s credential with the Key Vault Secrets User role for the app\'s identity (README: Collecting automatically; docs/collector-credentials.md).')
param enableCollector bool = false

@description('Application (client) id of the Entra app registration granted ActivityFeed.Read on Office 365 Management APIs (admin consent); used when enableCollector is true.')
param collectorClientId string = ''

@description('Microsoft 365 tenant (directory) id to collect from. Empty: the tenant of this deployment.')
param collectorTenantId string = ''

@description('How the collector authenticates: secret (client secret) or certificate (PEM certificate and private key), stored in the collector\'s Key Vault; or managedIdentity (no vault: the app registration gets a federated credential for the Function App\'s user-assigned identity, see the COLLECTOR_FEDERATED_* outputs).')
@allowed([
  'secret'
  'certificate'
  'managedIdentity'
])
param collectorCredentialType string = 'secret'

@description('Microsoft 365 cloud of the tenant.')
@allowed([
  'commercial'
  'gcc'
  'gcchigh'
  'dod'
])
param collectorCloud string = 'commercial'

@description('Purge protection on the collector\'s Key Vault. On, a deleted vault keeps its name for 90 days and `azd up` in the same environment then needs collectorVaultNameSalt changed (or the vault recovered).')
param collectorVaultPurgeProtection bool = false

@description('Any text, to give the collector\'s Key Vault a new name when the old one is held by a soft-deleted vault. Empty: kv-<resource token>.')
param collectorVaultNameSalt string = ''

@description('NCRONTAB schedule (6 fields, UTC) of the collector timer. Empty: the default in src/names.json.')
param collectorSchedule string = ''

@description('Look up display names and UPNs of organisers and attendees in Microsoft Graph with the app\'s identity. An admin must grant that identity the Graph application permission User.Read.All (docs/graph-names.md; the APP_IDENTITY_PRINCIPAL_ID output). Off in pseudonymised mode.')
param enableGraphNames bool = false

@description('Hours a name from Microsoft Graph is kept before it is looked up again.')
@minValue(1)
@maxValue(8760)
param graphNamesRefreshHours int = 168

@description('NCRONTAB schedule (6 fields, UTC) of the name lookup timer. Empty: the default in src/names.json.')
param graphNamesSchedule string = ''
@description('Send analysis results to Log Analytics custom tables, with a workbook and a site drop-rate alert (docs/log-analytics.md). Ingestion and retention beyond 30 days are billed per GB.')
param enableLogAnalytics bool = true

@description('Log Analytics export: include participants\' and organisers\' UPNs, or omit them.')
@allowed([
  'include'
  'omit'
])
param logAnalyticsUserIds string = 'include'

@description('Let an erasure (DELETE /api/privacy/users/{id}) purge the person\'s rows from the Log Analytics tables: the app\'s identity gets the Data Purger role on the workspace (docs/privacy.md). Only with enableLogAnalytics.')
param enableLogAnalyticsPurge bool = true

@description('Alert: drop-rate percentage over the last 7 days above which a site alerts.')
@minValue(1)
@maxValue(100)
param alertDropRatePercent int = 5

@description('Alert: eligible sessions a site needs in the last 7 days before it can alert.')
@minValue(1)
param alertMinSessions int = 20

@description('Alert: how many times its drop rate of the 4 weeks before a site\'s rate must be.')
@minValue(1)
@maxValue(100)
param alertBaselineFactor int = 2

@description('Alert: e-mail address notified through an action group. Empty: no action group.')
param alertEmail string = ''

@description('Days raw session records (with IP addresses and user agents), MeetingDetail records, exports and rejects are kept (docs/privacy.md).')
@minValue(1)
@maxValue(3650)
param retentionRecordsDays int = 30

@description('Days per-meeting results, disconnections, per-user aggregates and learned users are kept. At least retentionRecordsDays. Also the retention of the Log Analytics meeting and disconnection tables (there at least 4 days; beyond 730 days as long-term retention).')
@minValue(1)
@maxValue(3650)
param retentionResultsDays int = 180

@description('Days site, subnet, platform and day aggregates are kept. At least retentionResultsDays. Also the retention of the Log Analytics site drop-rate table (there at least 4 days; beyond 730 days as long-term retention).')
@minValue(1)
@maxValue(3650)
param retentionAggregatesDays int = 730

@description('NCRONTAB schedule (6 fields, UTC) of the retention timer. Empty: the default in src/names.json.')
param retentionSchedule string = ''

@description('Store user ids, UPNs, e-mails and display names as keyed HMAC-SHA-256 pseudonyms (docs/privacy.md). Needs pseudonymVaultReferenceUri.')
param pseudonymizeUsers bool = false

@description('Versionless URI of the Key Vault secret holding the pseudonym key (at least 32 characters), read by the app\'s identity through a Key Vault reference: grant it Key Vault Secrets User on the secret (docs/privacy.md). Empty when pseudonymizeUsers is off.')
param pseudonymVaultReferenceUri string = ''

var names = loadJsonContent('../src/names.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var effectiveAnalysisSchedule = empty(analysisSchedule) ? names.settingDefaults[names.settings.analysisSchedule] : analysisSchedule
var effectiveCollectorSchedule = empty(collectorSchedule) ? names.settingDefaults[names.settings.collectorSchedule] : collectorSchedule
var effectiveGraphNamesSchedule = empty(graphNamesSchedule) ? names.settingDefaults[names.settings.graphNamesSchedule] : graphNamesSchedule
var effectiveRetentionSchedule = empty(retentionSchedule) ? names.settingDefaults[names.settings.retentionSchedule] : retentionSchedule

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-func-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
  }
}

module eventGridTopic 'modules/eventGridTopic.bicep' = {
  name: 'eventGridTopic'
  scope: rg
  params: {
    name: 'evgt-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

// Always deployed as a module; with enableLogAnalytics false it creates nothing and its settings are empty.
module logAnalytics 'modules/logAnalytics.bicep' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    enabled: enableLogAnalytics
    location: location
    tags: tags
    workspaceName: monitoring.outputs.logAnalyticsName
    ruleName: 'dcr-${resourceToken}'
    userIds: logAnalyticsUserIds
    alertDropRatePercent: alertDropRatePercent
    alertMinSessions: alertMinSessions
    alertBaselineFactor: alertBaselineFactor
    alertEmail: alertEmail
    // The custom tables keep their rows as long as the app keeps the same data (docs/privacy.md).
    resultsRetentionDays: retentionResultsDays
    aggregatesRetentionDays: retentionAggregatesDays
    purge: enableLogAnalyticsPurge
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    dataCollectionRuleName: logAnalytics.outputs.ruleName
    purgeWorkspaceName: logAnalytics.outputs.purgeWorkspaceName
  }
}

// Always deployed as a module; with enableCollector false it creates nothing and its settings are empty.
module collector 'modules/collector.bicep' = {
  name: 'collector'
  scope: rg
  params: {
    enabled: enableCollector
    vaultName: empty(collectorVaultNameSalt) ? 'kv-${resourceToken}' : 'kv-${uniqueString(resourceToken, collectorVaultNameSalt)}'
    purgeProtection: collectorVaultPurgeProtection
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
    identityClientId: identity.outputs.clientId
    tenantId: empty(collectorTenantId) ? tenant().tenantId : collectorTenantId
    clientId: collectorClientId
    credentialType: collectorCredentialType
    cloud: collectorCloud
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    identityName: identity.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    analysisSchedule: effectiveAnalysisSchedule
    enableEntraAuth: enableEntraAuth
    entraClientId: entraClientId
    entraAllowedClientApplications: entraAllowedClientApplications
    entraAllowedGroups: entraAllowedGroups
    entraAllowedIdentities: entraAllowedIdentities
    collectorSchedule: effectiveCollectorSchedule
    enableCollector: enableCollector
    // Through the module's output, the app waits for the vault role assignment.
    collectorSettings: collector.outputs.settings
    enableGraphNames: enableGraphNames
    graphNamesRefreshHours: graphNamesRefreshHours
    graphNamesSchedule: effectiveGraphNamesSchedule
    logAnalyticsSettings: logAnalytics.outputs.settings
    retentionRecordsDays: retentionRecordsDays
    retentionResultsDays: retentionResultsDays
    retentionAggregatesDays: retentionAggregatesDays
    retentionSchedule: effectiveRetentionSchedule
    pseudonymizeUsers: pseudonymizeUsers
    pseudonymVaultReferenceUri: pseudonymVaultReferenceUri
  }
  // The host starts with its storage roles in place.
  dependsOn: [
    rbac
  ]
}

// UPPER_SNAKE outputs become azd environment values (read by infra/hooks/postdeploy.*). No secrets here.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output EXPORTS_CONTAINER_NAME string = names.containers.exports
output CONFIG_CONTAINER_NAME string = names.containers.config
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGridTopic.outputs.name
output REPORTS_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
// Where to store the collector's credential (empty when the collector is off); a name, not a secret.
output COLLECTOR_VAULT_NAME string = collector.outputs.vaultName
output COLLECTOR_CREDENTIAL_NAME string = collector.outputs.credentialName
// In managedIdentity mode, the federated credential to add to the app registration (empty otherwise).
output COLLECTOR_FEDERATED_ISSUER string = collector.outputs.federatedCredential.?issuer ?? ''
output COLLECTOR_FEDERATED_SUBJECT string = collector.outputs.federatedCredential.?subject ?? ''
// The Log Analytics workbook (empty when the export is off).
output LOG_ANALYTICS_WORKBOOK_ID string = logAnalytics.outputs.workbookId
output COLLECTOR_FEDERATED_AUDIENCE string = collector.outputs.federatedCredential.?audience ?? ''
// The object id of the app's identity, for the User.Read.All grant that names from Microsoft Graph need (docs/graph-names.md).
output APP_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
