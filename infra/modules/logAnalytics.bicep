// Analysis results in Log Analytics (docs/log-analytics.md): the custom tables of src/pipeline/logAnalytics/tables.json
// in the existing workspace, a data collection rule of kind Direct (its own logs ingestion endpoint, no separate data
// collection endpoint) with one stream per table, the workbook, and the site drop-rate alert with an optional e-mail
// action group. The app's identity gets Monitoring Metrics Publisher on the rule in rbac.bicep. With enabled = false
// nothing is deployed and the settings are empty (the export is then off).

@description('Deploy the tables, the rule, the workbook and the alert.')
param enabled bool = true

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object = {}

@description('Name of the existing Log Analytics workspace (modules/monitoring.bicep).')
param workspaceName string

@description('Name of the data collection rule.')
param ruleName string

@description('Send user ids (participants\' and organisers\' UPNs): include, or omit to leave them out.')
@allowed([
  'include'
  'omit'
])
param userIds string = 'include'

@description('The alert fires for a site whose drop rate over the last 7 days is above this percentage ...')
@minValue(1)
@maxValue(100)
param alertDropRatePercent int = 5

@description('... with at least this many eligible sessions in those 7 days ...')
@minValue(1)
param alertMinSessions int = 20

@description('... and at least this many times its drop rate of the 4 weeks before.')
@minValue(1)
@maxValue(100)
param alertBaselineFactor int = 2

@description('E-mail address the alert notifies through an action group. Empty: no action group (alerts show in Azure Monitor only).')
param alertEmail string = ''

@description('Days the tables with per-meeting rows (meetings, disconnections: they name people) keep them: the deployment\'s retentionResultsDays. Log Analytics keeps a table\'s rows 4 days at least: a shorter period is raised to 4.')
@minValue(1)
@maxValue(3650)
param resultsRetentionDays int = 180

@description('Days the site drop-rate table (no personal data) keeps its rows: the deployment\'s retentionAggregatesDays, raised to 4 days at least.')
@minValue(1)
@maxValue(3650)
param aggregatesRetentionDays int = 730

@description('Let erasures purge the person\'s rows from the tables (Workspace Purge API): the workspace\'s resource id goes to the app, whose identity gets Data Purger on the workspace (rbac.bicep).')
param purge bool = true

var tables = loadJsonContent('../../src/pipeline/logAnalytics/tables.json').tables
var tableKinds = map(items(tables), entry => entry.key)
// Retention per table (docs/privacy.md): each table follows the period tables.json names for it (results:
// the rows name people; aggregates: site rates). Log Analytics accepts an analytics retention of 4 to 730 days and
// a total retention of up to 4383 days (12 years): the analytics part is the period up to 730 days, the rest of
// the period is long-term retention, and a period under 4 days is raised to 4.
var minTableRetentionDays = 4
var maxAnalyticsRetentionDays = 730
var retentionDays = {
  results: max(resultsRetentionDays, minTableRetentionDays)
  aggregates: max(aggregatesRetentionDays, minTableRetentionDays)
}
var destinationName = 'workspace'
// Every workbook query starts with the preamble that keeps the latest analysis of each meeting.
var preamble = loadTextContent('../log-analytics/queries/latestResults.kql')
var alertQuery = 'let DropRateThreshold = ${alertDropRatePercent} / 100.0;\nlet MinEligibleSessions = ${alertMinSessions};\nlet BaselineFactor = ${alertBaselineFactor};\n${loadTextContent('../log-analytics/queries/siteDropRateAlert.kql')}'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

// Log Analytics names the datetime type dateTime in table definitions and datetime in stream declarations.
resource customTables 'Microsoft.OperationalInsights/workspaces/tables@2025-02-01' = [
  for kind in (enabled ? tableKinds : []): {
    parent: workspace
    name: tables[kind].table
    properties: {
      plan: 'Analytics'
      retentionInDays: min(retentionDays[tables[kind].retention], maxAnalyticsRetentionDays)
      totalRetentionInDays: retentionDays[tables[kind].retention]
      schema: {
        name: tables[kind].table
        description: tables[kind].description
        columns: map(tables[kind].columns, column => {
          name: column.name
          type: column.type == 'datetime' ? 'dateTime' : column.type
          description: column.description
        })
      }
    }
  }
]

resource rule 'Microsoft.Insights/dataCollectionRules@2024-03-11' = if (enabled) {
  name: ruleName
  location: location
  tags: tags
  kind: 'Direct'
  properties: {
    description: 'Teams meeting analysis results sent by the Function App (Logs Ingestion API).'
    streamDeclarations: toObject(tableKinds, kind => tables[kind].stream, kind => {
      columns: map(tables[kind].columns, column => {
        name: column.name
        type: column.type
      })
    })
    destinations: {
      logAnalytics: [
        {
          name: destinationName
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      for kind in tableKinds: {
        streams: [
          tables[kind].stream
        ]
        destinations: [
          destinationName
        ]
        transformKql: 'source'
        outputStream: 'Custom-${tables[kind].table}'
      }
    ]
  }
  // The rule's output streams must name existing tables.
  dependsOn: [
    customTables
  ]
}

var workbookQuery = {
  version: 'KqlItem/1.0'
  queryType: 0
  resourceType: 'microsoft.operationalinsights/workspaces'
  // The queries filter on MeetingStart; rows are stamped when sent, so 90 days of them are read.
  timeContext: {
    durationMs: 7776000000
  }
}
var workbook = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'title'
      content: {
        json: '## Teams meeting drops\nDrop rate = counted drops per eligible human session. Each meeting counts with its latest analysis (docs/log-analytics.md).'
      }
    }
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        style: 'pills'
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        parameters: [
          {
            id: guid(workspace.id, 'TimeRange')
            version: 'KqlParameterItem/1.0'
            name: 'TimeRange'
            label: 'Meetings started'
            type: 4
            isRequired: true
            value: {
              durationMs: 2592000000
            }
            typeSettings: {
              selectableValues: [
                {
                  durationMs: 604800000
                }
                {
                  durationMs: 1209600000
                }
                {
                  durationMs: 2592000000
                }
                {
                  durationMs: 7776000000
                }
              ]
            }
          }
          {
            id: guid(workspace.id, 'MinSessions')
            version: 'KqlParameterItem/1.0'
            name: 'MinSessions'
            label: 'Minimum eligible session count'
            type: 1
            isRequired: true
            value: string(alertMinSessions)
          }
        ]
      }
    }
    {
      type: 3
      name: 'dropRateByDay'
      content: union(workbookQuery, {
        title: 'Drop rate by day (%)'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/dropRateByDay.kql')}'
        visualization: 'timechart'
        size: 0
      })
    }
    {
      type: 3
      name: 'dropRateBySite'
      content: union(workbookQuery, {
        title: 'Drop rate by site (%)'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/dropRateBySite.kql')}'
        visualization: 'table'
        size: 0
      })
      customWidth: '50'
    }
    {
      type: 3
      name: 'worstSitesThisWeek'
      content: union(workbookQuery, {
        title: 'Worst sites this week against their previous four weeks'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/worstSitesThisWeek.kql')}'
        visualization: 'table'
        size: 0
      })
      customWidth: '50'
    }
    {
      type: 3
      name: 'gapHistogram'
      content: union(workbookQuery, {
        title: 'Time between leaving and rejoining (human participants)'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/gapHistogram.kql')}'
        visualization: 'barchart'
        size: 0
      })
      customWidth: '50'
    }
    {
      type: 3
      name: 'topAffectedUsers'
      content: union(workbookQuery, {
        title: 'Most affected people'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/topAffectedUsers.kql')}'
        visualization: 'table'
        size: 0
      })
      customWidth: '50'
    }
    {
      type: 3
      name: 'meetingList'
      content: union(workbookQuery, {
        title: 'Meetings with the most drops (select one for its drop details)'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/meetingList.kql')}'
        visualization: 'table'
        size: 0
        exportFieldName: 'MeetingId'
        exportParameterName: 'MeetingId'
      })
    }
    {
      type: 3
      name: 'meetingDrillDown'
      conditionalVisibility: {
        parameterName: 'MeetingId'
        comparison: 'isNotEqualTo'
      }
      content: union(workbookQuery, {
        title: 'Disconnections of the selected meeting'
        query: '${preamble}\n${loadTextContent('../log-analytics/queries/meetingDrillDown.kql')}'
        visualization: 'table'
        size: 0
      })
    }
  ]
  fallbackResourceIds: [
    workspace.id
  ]
}

resource workbookResource 'Microsoft.Insights/workbooks@2023-06-01' = if (enabled) {
  name: guid(resourceGroup().id, workspace.id, 'teams-disconnections-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Teams meeting drops'
    category: 'workbook'
    sourceId: workspace.id
    serializedData: string(workbook)
  }
  dependsOn: [
    customTables
  ]
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (enabled && !empty(alertEmail)) {
  name: 'ag-${ruleName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'teamsdrops'
    enabled: true
    emailReceivers: [
      {
        name: 'email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Evaluated every 6 hours on the latest site drop rates (sent every 6 hours); one alert per site (dimension Site).
resource siteAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = if (enabled) {
  name: 'alert-site-drop-rate-${ruleName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Teams meeting drop rate of a site above its baseline'
    description: 'A site\'s drop rate over the last 7 days is above ${alertDropRatePercent} % with at least ${alertMinSessions} eligible session(s) and at least ${alertBaselineFactor} times its rate of the 4 weeks before (docs/log-analytics.md).'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT6H'
    windowSize: 'PT12H'
    criteria: {
      allOf: [
        {
          query: alertQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'Site'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: empty(alertEmail) ? [] : [
        actionGroup.id
      ]
    }
  }
  dependsOn: [
    customTables
  ]
}

// The export's settings (functionApp.bicep names them from src/names.json); empty when disabled.
output settings object = {
  endpoint: enabled ? rule!.properties.endpoints.logsIngestion : ''
  ruleId: enabled ? rule!.properties.immutableId : ''
  userIds: userIds
  purgeWorkspaceId: enabled && purge ? workspace.id : ''
}
output ruleName string = enabled ? rule.name : ''
// The workspace erasures purge from (Data Purger for the app's identity in rbac.bicep); empty when the purge is off.
output purgeWorkspaceName string = enabled && purge ? workspace.name : ''
output workbookId string = enabled ? workbookResource.id : ''
