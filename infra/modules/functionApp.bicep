// The Function App on the Flex Consumption plan (FC1, Linux, Node 22): runs as the user-assigned identity, reaches
// storage and Application Insights with identity-based settings only, and optionally sits behind Entra ID
// sign-in. App-setting and container names come from src/names.json, the file the code reads too.

@description('Name of the Function App (also its host name: <name>.azurewebsites.net).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object = {}

@description('azd service name in azure.yaml; azd finds the app by this tag.')
param azdServiceName string = 'api'

@description('Storage account for host storage, the deployment package and the data.')
param storageAccountName string

@description('Name of the user-assigned managed identity the app runs as.')
param identityName string

@description('Application Insights component for telemetry.')
param appInsightsName string

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('NCRONTAB schedule (6 fields, UTC) of the analysis timer.')
param analysisSchedule string

@description('Put Entra ID authentication (App Service authentication) in front of the app.')
param enableEntraAuth bool = false

@description('Application (client) id of the Entra app registration that callers get tokens for. Required when enableEntraAuth is true.')
param entraClientId string = ''

@description('With Entra authentication: comma-separated application (client) ids of other apps allowed to call the API with their own tokens (the app registration itself, used by browser sign-in, is always allowed).')
param entraAllowedClientApplications string = ''

@description('With Entra authentication: comma-separated object ids of the groups whose members may sign in (needs the groups claim in tokens); empty for no group check.')
param entraAllowedGroups string = ''

@description('With Entra authentication: comma-separated object ids of the users, service principals or managed identities allowed in; empty for no identity check.')
param entraAllowedIdentities string = ''

@description('With Entra authentication: hours a browser session lasts before the user signs in again.')
@minValue(1)
@maxValue(24)
param entraSessionHours int = 8

@description('NCRONTAB schedule (6 fields, UTC) of the collector timer. Set even when the collector is off: the host resolves the timer\'s %COLLECTOR_SCHEDULE% when it indexes the function.')
param collectorSchedule string

@description('Run the Management Activity API collector: Key Vault references resolve with the user-assigned identity.')
param enableCollector bool = false

@description('Values of the collector settings from modules/collector.bicep (tenantId, clientId, clientSecret, clientCertificate, managedIdentityClientId, cloud); all empty when the collector is off.')
param collectorSettings object = {
  tenantId: ''
  clientId: ''
  clientSecret: ''
  clientCertificate: ''
  managedIdentityClientId: ''
  cloud: ''
}

@description('Look up names in Microsoft Graph with the app\'s identity (needs User.Read.All granted to it: docs/graph-names.md).')
param enableGraphNames bool = false

@description('Hours a name from Microsoft Graph is kept before it is looked up again.')
@minValue(1)
@maxValue(8760)
param graphNamesRefreshHours int = 168

@description('NCRONTAB schedule (6 fields, UTC) of the name lookup timer. Set even when the lookup is off: the host resolves %GRAPH_NAMES_SCHEDULE% when it indexes the function.')
param graphNamesSchedule string
@description('Values of the Log Analytics export settings from modules/logAnalytics.bicep (endpoint, ruleId, userIds, purgeWorkspaceId); endpoint, ruleId and purgeWorkspaceId empty when the export is off.')
param logAnalyticsSettings object = {
  endpoint: ''
  ruleId: ''
  userIds: 'include'
  purgeWorkspaceId: ''
}

@description('Days each kind of data is kept (docs/privacy.md): raw records, per-meeting results, aggregates.')
@minValue(1)
param retentionRecordsDays int = 30
@minValue(1)
param retentionResultsDays int = 180
@minValue(1)
param retentionAggregatesDays int = 730

@description('NCRONTAB schedule (6 fields, UTC) of the retention timer.')
param retentionSchedule string

@description('Store identities as keyed pseudonyms; the key is the Key Vault secret at pseudonymVaultReferenceUri.')
param pseudonymizeUsers bool = false

@description('Versionless URI of the Key Vault secret with the pseudonym key (resolved with the user-assigned identity).')
param pseudonymVaultReferenceUri string = ''

var names = loadJsonContent('../../src/names.json')

// How HTTP callers authenticate, read by src/pipeline/http/httpAuth.ts: 'entra' only together with the
// authsettingsV2 below (Easy Auth), else 'functionKey' (the Functions host checks a key in x-functions-key).
var httpAuthMode = enableEntraAuth ? 'entra' : 'functionKey'
var allowedClientApplications = union([entraClientId], filter(map(split(entraAllowedClientApplications, ','), id => trim(id)), id => !empty(id)))
var allowedGroups = filter(map(split(entraAllowedGroups, ','), id => trim(id)), id => !empty(id))
var allowedIdentities = filter(map(split(entraAllowedIdentities, ','), id => trim(id)), id => !empty(id))
// Easy Auth checks groups and identities only when their lists are not empty; leave out the empty ones.
var allowedPrincipals = union(empty(allowedGroups) ? {} : { groups: allowedGroups }, empty(allowedIdentities) ? {} : { identities: allowedIdentities })
var storageConnection = names.settings.storageConnection
var storageSuffix = environment().suffixes.storage

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Identity-based connections only: no connection string, no account key (the storage account refuses keys anyway).
// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENTSHARE and WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: the runtime is in functionAppConfig instead.
var appSettings = [
  {
    name: '${storageConnection}__blobServiceUri'
    value: 'https://${storageAccount.name}.blob.${storageSuffix}'
  }
  {
    name: '${storageConnection}__queueServiceUri'
    value: 'https://${storageAccount.name}.queue.${storageSuffix}'
  }
  {
    name: '${storageConnection}__tableServiceUri'
    value: 'https://${storageAccount.name}.table.${storageSuffix}'
  }
  {
    name: '${storageConnection}__credential'
    value: 'managedidentity'
  }
  {
    name: '${storageConnection}__clientId'
    value: identity.properties.clientId
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  }
  {
    name: names.settings.exportsContainer
    value: names.containers.exports
  }
  {
    // Flex Consumption runs blob triggers only with the Event Grid source.
    name: names.settings.blobTriggerSource
    value: 'EventGrid'
  }
  {
    name: names.settings.analysisSchedule
    value: analysisSchedule
  }
  {
    name: names.settings.httpAuth
    value: httpAuthMode
  }
  // The collector (modules/collector.bicep): empty values leave it off; the credential is a Key Vault reference.
  {
    name: names.settings.collectorSchedule
    value: collectorSchedule
  }
  {
    name: names.settings.o365TenantId
    value: collectorSettings.tenantId
  }
  {
    name: names.settings.o365ClientId
    value: collectorSettings.clientId
  }
  {
    name: names.settings.o365ClientSecret
    value: collectorSettings.clientSecret
  }
  {
    name: names.settings.o365ClientCertificate
    value: collectorSettings.clientCertificate
  }
  {
    name: names.settings.o365ManagedIdentityClientId
    value: collectorSettings.managedIdentityClientId
  }
  {
    name: names.settings.o365Cloud
    value: collectorSettings.cloud
  }
  // Names from Microsoft Graph (src/graph/): the app's own identity asks the cloud's Graph host; off unless enabled.
  {
    name: names.settings.graphNames
    value: enableGraphNames ? 'true' : 'false'
  }
  {
    name: names.settings.graphNamesSchedule
    value: graphNamesSchedule
  }
  {
    name: names.settings.graphNamesRefreshHours
    value: string(graphNamesRefreshHours)
  }
  {
    name: names.settings.graphBaseUrl
    value: environment().graph
  }
  {
    name: names.settings.graphManagedIdentityClientId
    value: identity.properties.clientId
  }
  // The Log Analytics export (modules/logAnalytics.bicep): empty endpoint and rule id leave it off.
  {
    name: names.settings.logsIngestionEndpoint
    value: logAnalyticsSettings.endpoint
  }
  {
    name: names.settings.logsIngestionRuleId
    value: logAnalyticsSettings.ruleId
  }
  {
    name: names.settings.logsIngestionUserIds
    value: logAnalyticsSettings.userIds
  }
  {
    name: names.settings.logsIngestionClientId
    value: identity.properties.clientId
  }
  // Erasure in Log Analytics (src/pipeline/logAnalytics/purge.ts): empty leaves it off.
  {
    name: names.settings.logAnalyticsPurgeWorkspaceId
    value: logAnalyticsSettings.purgeWorkspaceId
  }
  {
    name: names.settings.logAnalyticsPurgeSchedule
    value: names.settingDefaults[names.settings.logAnalyticsPurgeSchedule]
  }
  // Retention (src/pipeline/retention.ts) and pseudonymised mode (src/privacyMode.ts): docs/privacy.md.
  {
    name: names.settings.retentionRecordsDays
    value: string(retentionRecordsDays)
  }
  {
    name: names.settings.retentionResultsDays
    value: string(retentionResultsDays)
  }
  {
    name: names.settings.retentionAggregatesDays
    value: string(retentionAggregatesDays)
  }
  {
    name: names.settings.retentionSchedule
    value: retentionSchedule
  }
  {
    name: names.settings.pseudonymizeUsers
    value: pseudonymizeUsers ? 'true' : 'false'
  }
  {
    name: names.settings.pseudonymKey
    value: pseudonymizeUsers && !empty(pseudonymVaultReferenceUri) ? '@Microsoft.KeyVault(SecretUri=${pseudonymVaultReferenceUri})' : ''
  }
]

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (the collector's credential, the pseudonym key) resolve with the identity that has the vault role.
    keyVaultReferenceIdentity: enableCollector || pseudonymizeUsers ? identity.id : 'SystemAssigned'
    // No FTP settings: Flex Consumption has no FTP and refuses siteConfig.ftpsState (error 51021).
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: appSettings
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: 'https://${storageAccount.name}.blob.${storageSuffix}/${names.containers.deployment}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Deployments go through Entra ID (azd, az functionapp deployment); basic-auth publishing credentials are off.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// Optional Entra ID sign-in (App Service authentication, "Easy Auth") in front of every route but the blob
// extension's webhook, which Event Grid calls with its own key. A browser without a session is sent to the Entra
// sign-in page; when a session ends, the dashboard's refused API call (401 or a redirect) makes the page go to
// /.auth/login/aad itself. API callers send an access token for api://<entraClientId>. Only the app registration
// itself (browser sessions) and the listed client applications pass, and, when given, only the listed groups and
// identities. The functions then register with authLevel 'anonymous' (HTTP_AUTH=entra above) and refuse any
// request Easy Auth did not authenticate. docs/sign-in.md describes the app registration.
resource entraAuth 'Microsoft.Web/sites/config@2025-03-01' = if (enableEntraAuth) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/runtime/webhooks/blobs'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        // No client secret: sign-in uses the implicit flow with an ID token (the registration allows ID tokens).
        registration: {
          clientId: entraClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${entraClientId}'
            entraClientId
          ]
          defaultAuthorizationPolicy: {
            allowedApplications: allowedClientApplications
            allowedPrincipals: allowedPrincipals
          }
        }
      }
    }
    login: {
      // Browser sessions live in the encrypted AppServiceAuthSession cookie; no provider token is kept.
      tokenStore: {
        enabled: false
      }
      cookieExpiration: {
        convention: 'FixedTime'
        timeToExpiration: '${padLeft(string(entraSessionHours), 2, '0')}:00:00'
      }
      preserveUrlFragmentsForLogins: true
    }
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
