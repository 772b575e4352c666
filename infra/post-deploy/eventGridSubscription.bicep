// Second deployment, run after the code deploy (infra/hooks/postdeploy.sh / .ps1, or by hand): the BlobCreated
// subscription that delivers complete uploads in the exports container to the ingestExport blob trigger's webhook.
// It reads the blob extension's system key, which the Functions host creates only once it has started with the
// deployed blob trigger; run earlier, the key is missing and Event Grid's validation handshake fails.
targetScope = 'resourceGroup'

@description('Name of the Function App (main.bicep output AZURE_FUNCTION_APP_NAME).')
param functionAppName string

@description('Name of the Event Grid system topic on the storage account (main.bicep output EVENTGRID_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Name the blob-trigger function is registered under in src/functions/ingestExport.ts.')
param functionName string = 'ingestExport'

@description('Name of the event subscription.')
param eventSubscriptionName string = 'exports-blob-created'

var names = loadJsonContent('../../src/names.json')

// Only writes that leave a complete blob; a block-by-block upload also raises events for intermediate calls.
var completeWriteApis = [
  'PutBlob'
  'PutBlockList'
  'CopyBlob'
  'FlushWithClose'
]

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

// The key stays inside this deployment: it is part of the (write-only) endpoint URL and never an output.
var webhookUrl = 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${functionApp.id}/host/default', functionApp.apiVersion).systemKeys.blobs_extension}'

resource blobCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: eventSubscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: webhookUrl
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${names.containers.exports}/blobs/'
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: completeWriteApis
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output eventSubscriptionName string = blobCreated.name
output subjectBeginsWith string = blobCreated.properties.filter.subjectBeginsWith
