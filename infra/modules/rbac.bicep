// Role assignments, least privilege: the app's identity on the storage account, Application Insights, the data
// collection rule (when the Log Analytics export is on) and the workspace (Data Purger, when erasures purge), and
// optionally the deploying person on the exports and config containers only. Role GUIDs are written here once.

@description('Storage account the app uses.')
param storageAccountName string

@description('Application Insights component the app sends telemetry to.')
param appInsightsName string

@description('Principal (object) id of the app\'s user-assigned managed identity.')
param identityPrincipalId string

@description('Data collection rule the app sends analysis results to (modules/logAnalytics.bicep). Empty: the export is off, no assignment.')
param dataCollectionRuleName string = ''

@description('Log Analytics workspace erasures purge rows from (modules/logAnalytics.bicep). Empty: the purge is off, no assignment.')
param purgeWorkspaceName string = ''

@description('Object id of the person or pipeline running the deployment, to let them upload exports and config files. Empty: no assignment.')
param deployerPrincipalId string = ''

@description('Kind of principal deployerPrincipalId is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

var names = loadJsonContent('../../src/names.json')

// Built-in role definition ids (Microsoft's "Azure built-in roles" reference).
var roleDefinitionIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  dataPurger: '150f5e0c-0603-4f03-8c7f-cf70034c4e90'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storageAccount
  name: 'default'
}

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: names.containers.exports
}

resource configContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: names.containers.config
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2024-03-11' existing = if (!empty(dataCollectionRuleName)) {
  name: dataCollectionRuleName
}

// Host storage (blob leases, receipts, keys), the deployment package container, and the data containers.
resource appBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, identityPrincipalId, roleDefinitionIds.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageBlobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The blob trigger's internal queues (Event Grid deliveries and poison messages go through them).
resource appQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, identityPrincipalId, roleDefinitionIds.storageQueueDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageQueueDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Sessions, meetings, ledger, marks and result tables.
resource appTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, identityPrincipalId, roleDefinitionIds.storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageTableDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry to Application Insights, which accepts Entra ID tokens only (DisableLocalAuth).
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roleDefinitionIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Analysis results to Log Analytics through the rule's logs ingestion endpoint (the role on the rule only).
resource appRulePublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(dataCollectionRuleName)) {
  name: guid(dataCollectionRule.id, identityPrincipalId, roleDefinitionIds.monitoringMetricsPublisher)
  scope: dataCollectionRule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource purgeWorkspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = if (!empty(purgeWorkspaceName)) {
  name: purgeWorkspaceName
}

// Erasure: purge the person's rows from the workspace's tables (Workspace Purge API, GDPR requests only).
resource appDataPurger 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(purgeWorkspaceName)) {
  name: guid(purgeWorkspace.id, identityPrincipalId, roleDefinitionIds.dataPurger)
  scope: purgeWorkspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.dataPurger)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deploying person uploads exports (az storage blob upload --auth-mode login) ...
resource deployerExportsUploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(exportsContainer.id, deployerPrincipalId, roleDefinitionIds.storageBlobDataContributor)
  scope: exportsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// ... and the site map and users file.
resource deployerConfigUploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(configContainer.id, deployerPrincipalId, roleDefinitionIds.storageBlobDataContributor)
  scope: configContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}
