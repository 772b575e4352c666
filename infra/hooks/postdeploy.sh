#!/usr/bin/env bash
# azd postdeploy hook (also runnable by hand): creates or updates the Event Grid subscription that sends complete
# uploads in the exports container to the ingestExport blob trigger, by deploying
# infra/post-deploy/eventGridSubscription.bicep, then checks that the subscription exists.
#
# By hand:  infra/hooks/postdeploy.sh [RESOURCE_GROUP] [FUNCTION_APP_NAME] [SYSTEM_TOPIC_NAME]
# Missing arguments come from the environment (AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME,
# EVENTGRID_SYSTEM_TOPIC_NAME; azd sets them for its hooks) or from `azd env get-value`.
# Written for POSIX sh as well as bash, because azd runs posix hooks with sh.
set -eu

say() { printf 'postdeploy: %s\n' "$*"; }
fail() { printf 'postdeploy: ERROR: %s\n' "$*" >&2; exit 1; }

hook_dir=$(cd "$(dirname "$0")" && pwd)
template="$hook_dir/../post-deploy/eventGridSubscription.bicep"
[ -f "$template" ] || fail "template not found: $template"

command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is not on PATH. Install it (https://aka.ms/installazurecli), run 'az login', then run this script again."

from_azd() {
  if command -v azd >/dev/null 2>&1; then azd env get-value "$1" 2>/dev/null || true; fi
}

resource_group=${1:-${AZURE_RESOURCE_GROUP:-$(from_azd AZURE_RESOURCE_GROUP)}}
app_name=${2:-${AZURE_FUNCTION_APP_NAME:-$(from_azd AZURE_FUNCTION_APP_NAME)}}
topic_name=${3:-${EVENTGRID_SYSTEM_TOPIC_NAME:-$(from_azd EVENTGRID_SYSTEM_TOPIC_NAME)}}
exports_container=${EXPORTS_CONTAINER_NAME:-$(from_azd EXPORTS_CONTAINER_NAME)}

[ -n "$resource_group" ] || fail "resource group unknown: pass it as the first argument or set AZURE_RESOURCE_GROUP (the main deployment's output)."
[ -n "$app_name" ] || fail "Function App name unknown: pass it as the second argument or set AZURE_FUNCTION_APP_NAME."
[ -n "$topic_name" ] || fail "Event Grid system topic unknown: pass it as the third argument or set EVENTGRID_SYSTEM_TOPIC_NAME."

az account show --only-show-errors -o none 2>/dev/null || fail "the Azure CLI is not signed in: run 'az login' (and 'az account set -s <subscription>')."

host_name=$(az functionapp show -g "$resource_group" -n "$app_name" --query defaultHostName -o tsv --only-show-errors) ||
  fail "Function App $app_name not found in resource group $resource_group; run 'azd provision' (or the main deployment) first."

# The blobs_extension system key exists once the host has started with the deployed blob trigger. A request to the
# app starts an instance; the key list is polled (its value is never printed).
say "waiting for the blob extension key of $app_name (it appears once the host has loaded ingestExport)..."
attempts=${POSTDEPLOY_KEY_ATTEMPTS:-30}
attempt=1
while :; do
  # keys(systemKeys) lists the key names only.
  key_names=$(az functionapp keys list -g "$resource_group" -n "$app_name" --query "keys(systemKeys)" -o json --only-show-errors 2>/dev/null || true)
  case "$key_names" in *'"blobs_extension"'*) break ;; esac
  [ "$attempt" -ge "$attempts" ] &&
    fail "no blobs_extension key on $app_name after $attempts tries. Check that the code is deployed ('azd deploy') and that the host starts (Application Insights, or the portal's Functions list shows ingestExport), then run this script again."
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 30 "https://$host_name/" || true; fi
  attempt=$((attempt + 1))
  sleep 10
done

say "deploying the BlobCreated subscription on topic $topic_name (template $template)..."
subscription_name=$(az deployment group create -g "$resource_group" -n "eventgrid-subscription-$(date +%Y%m%d%H%M%S)" --template-file "$template" --parameters functionAppName="$app_name" systemTopicName="$topic_name" --query properties.outputs.eventSubscriptionName.value -o tsv --only-show-errors) ||
  fail "the deployment of $template failed (see the error above). If Event Grid reports a validation failure, the host was not reachable yet: run this script again in a minute."

state=$(az eventgrid system-topic event-subscription show -g "$resource_group" --system-topic-name "$topic_name" -n "$subscription_name" --query provisioningState -o tsv --only-show-errors 2>/dev/null || true)
[ "$state" = "Succeeded" ] ||
  fail "event subscription $subscription_name on $topic_name is '${state:-missing}', expected Succeeded. Inspect it with: az eventgrid system-topic event-subscription show -g $resource_group --system-topic-name $topic_name -n $subscription_name"

say "OK: event subscription $subscription_name is Succeeded; files uploaded to container ${exports_container:-<exports container>} now trigger ingestExport."
say "Try it: az storage blob upload --auth-mode login --account-name <storage account> -c ${exports_container:-<exports container>} -f <export.csv> -n <export.csv>"
