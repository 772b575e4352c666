# azd postdeploy hook (also runnable by hand): creates or updates the Event Grid subscription that sends complete
# uploads in the exports container to the ingestExport blob trigger, by deploying
# infra/post-deploy/eventGridSubscription.bicep, then checks that the subscription exists.
#
# By hand:  ./infra/hooks/postdeploy.ps1 [-ResourceGroup <rg>] [-FunctionAppName <app>] [-SystemTopicName <topic>]
# Missing values come from the environment (AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME,
# EVENTGRID_SYSTEM_TOPIC_NAME; azd sets them for its hooks) or from `azd env get-value`.
param(
    [string]$ResourceGroup,
    [string]$FunctionAppName,
    [string]$SystemTopicName,
    [int]$KeyAttempts = 30
)

# Native commands report through $LASTEXITCODE, checked after each call.
$ErrorActionPreference = 'Continue'

function Say([string]$Message) { Write-Host "postdeploy: $Message" }
function Fail([string]$Message) { Write-Host "postdeploy: ERROR: $Message" -ForegroundColor Red; exit 1 }

function From-Azd([string]$Name) {
    $fromEnv = [Environment]::GetEnvironmentVariable($Name)
    if ($fromEnv) { return $fromEnv }
    if (Get-Command azd -ErrorAction SilentlyContinue) {
        $value = & azd env get-value $Name 2>$null
        if ($LASTEXITCODE -eq 0) { return "$value".Trim() }
    }
    return ''
}

$template = Join-Path $PSScriptRoot '../post-deploy/eventGridSubscription.bicep'
if (-not (Test-Path $template)) { Fail "template not found: $template" }

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Fail "the Azure CLI (az) is not on PATH. Install it (https://aka.ms/installazurecli), run 'az login', then run this script again."
}

if (-not $ResourceGroup) { $ResourceGroup = From-Azd 'AZURE_RESOURCE_GROUP' }
if (-not $FunctionAppName) { $FunctionAppName = From-Azd 'AZURE_FUNCTION_APP_NAME' }
if (-not $SystemTopicName) { $SystemTopicName = From-Azd 'EVENTGRID_SYSTEM_TOPIC_NAME' }
$exportsContainer = From-Azd 'EXPORTS_CONTAINER_NAME'
if (-not $exportsContainer) { $exportsContainer = '<exports container>' }

if (-not $ResourceGroup) { Fail 'resource group unknown: pass -ResourceGroup or set AZURE_RESOURCE_GROUP (the main deployment''s output).' }
if (-not $FunctionAppName) { Fail 'Function App name unknown: pass -FunctionAppName or set AZURE_FUNCTION_APP_NAME.' }
if (-not $SystemTopicName) { Fail 'Event Grid system topic unknown: pass -SystemTopicName or set EVENTGRID_SYSTEM_TOPIC_NAME.' }

az account show --only-show-errors -o none 2>$null
if ($LASTEXITCODE -ne 0) { Fail "the Azure CLI is not signed in: run 'az login' (and 'az account set -s <subscription>')." }

$hostName = az functionapp show -g $ResourceGroup -n $FunctionAppName --query defaultHostName -o tsv --only-show-errors
if ($LASTEXITCODE -ne 0 -or -not $hostName) {
    Fail "Function App $FunctionAppName not found in resource group $ResourceGroup; run 'azd provision' (or the main deployment) first."
}

# The blobs_extension system key exists once the host has started with the deployed blob trigger. A request to the
# app starts an instance; the key names are polled (keys(systemKeys) lists names only, never values).
Say "waiting for the blob extension key of $FunctionAppName (it appears once the host has loaded ingestExport)..."
$attempt = 1
while ($true) {
    $keyNames = az functionapp keys list -g $ResourceGroup -n $FunctionAppName --query 'keys(systemKeys)' -o json --only-show-errors 2>$null
    if ($LASTEXITCODE -eq 0 -and $keyNames -and (($keyNames | Out-String | ConvertFrom-Json) -contains 'blobs_extension')) { break }
    if ($attempt -ge $KeyAttempts) {
        Fail "no blobs_extension key on $FunctionAppName after $KeyAttempts tries. Check that the code is deployed ('azd deploy') and that the host starts (Application Insights, or the portal's Functions list shows ingestExport), then run this script again."
    }
    try { Invoke-WebRequest -Uri "https://$hostName/" -Method Get -TimeoutSec 30 -UseBasicParsing | Out-Null } catch { }
    $attempt++
    Start-Sleep -Seconds 10
}

Say "deploying the BlobCreated subscription on topic $SystemTopicName (template $template)..."
$deploymentName = "eventgrid-subscription-$(Get-Date -Format 'yyyyMMddHHmmss')"
$subscriptionName = az deployment group create -g $ResourceGroup -n $deploymentName --template-file $template --parameters functionAppName="$FunctionAppName" systemTopicName="$SystemTopicName" --query properties.outputs.eventSubscriptionName.value -o tsv --only-show-errors
if ($LASTEXITCODE -ne 0 -or -not $subscriptionName) {
    Fail "the deployment of $template failed (see the error above). If Event Grid reports a validation failure, the host was not reachable yet: run this script again in a minute."
}

$state = az eventgrid system-topic event-subscription show -g $ResourceGroup --system-topic-name $SystemTopicName -n $subscriptionName --query provisioningState -o tsv --only-show-errors 2>$null
if ($state -ne 'Succeeded') {
    $shown = if ($state) { $state } else { 'missing' }
    Fail "event subscription $subscriptionName on $SystemTopicName is '$shown', expected Succeeded. Inspect it with: az eventgrid system-topic event-subscription show -g $ResourceGroup --system-topic-name $SystemTopicName -n $subscriptionName"
}

Say "OK: event subscription $subscriptionName is Succeeded; files uploaded to container $exportsContainer now trigger ingestExport."
Say "Try it: az storage blob upload --auth-mode login --account-name <storage account> -c $exportsContainer -f <export.csv> -n <export.csv>"
