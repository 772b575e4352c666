// The real templates under infra/: syntax, parameters, modules, Flex Consumption settings, keyless storage, role
// assignments, names from src/names.json, the post-deploy Event Grid subscription, outputs, azure.yaml and hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, listBicepFiles, parseBicep, syntaxProblems } from './bicepParser.js';
import {
  Opaque,
  evaluate,
  loadedJsonFiles,
  objectProperty,
  propertyAt,
  significantChildren,
  resourceNames,
  type BicepModel,
  type ResourceDecl,
  type Value,
} from './bicepModel.js';
import {
  appSettingsOf,
  checkFlexSettings,
  FLEX_REJECTED_SITE_CONFIG,
  checkIdentityBasedStorage,
  checkModulePaths,
  checkNoSecretSettings,
  checkOutputs,
  checkParametersFile,
  checkSecretParameters,
  guidLiterals,
  hardCodedNames,
  listCalls,
  namesToProtect,
  roleAssignmentsOf,
} from './infraLint.js';
import { restorePwsh } from './dotnetTools.js';
import { NAMES, NAMES_PATH, useInfraTemplates } from './templates.fixture.js';

const INFRA = join(REPO_ROOT, 'infra');
const names = NAMES;

const MAIN = 'infra/main.bicep';
const STORAGE = 'infra/modules/storage.bicep';
const FUNCTION_APP = 'infra/modules/functionApp.bicep';
const RBAC = 'infra/modules/rbac.bicep';
const MONITORING = 'infra/modules/monitoring.bicep';
const TOPIC = 'infra/modules/eventGridTopic.bicep';
const SUBSCRIPTION = 'infra/post-deploy/eventGridSubscription.bicep';

/**
 * Built-in role definition ids, as Microsoft's "Azure built-in roles" reference lists them (the same ids the
 * Azure-Samples rbac.bicep files use). Only the roles the deployment assigns are listed.
 */
const ROLE_GUIDS: Readonly<Record<string, string>> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Data Purger': '150f5e0c-0603-4f03-8c7f-cf70034c4e90',
};

/**
 * Roles assigned by an optional module on a resource only it creates, with the file that writes the GUID once
 * (Key Vault Secrets User: the collector's vault, infra/modules/collector.bicep; tested in collector.test.ts).
 */
const MODULE_ROLE_GUIDS: Readonly<Record<string, { guid: string; file: string }>> = {
  'Key Vault Secrets User': { guid: '4633458b-17de-408a-b874-0445c86b69e6', file: 'infra/modules/collector.bicep' },
};

const templates = useInfraTemplates();
const { template } = templates;

function onlyResource(model: BicepModel, type: string): ResourceDecl {
  const found = model.resources.filter((r) => r.type === type && !r.existing);
  assert.equal(found.length, 1, `${model.source.displayPath}: expected one ${type}, found ${found.length}`);
  return found[0]!;
}

function valueAt(model: BicepModel, resource: ResourceDecl, path: string): Value {
  const node = propertyAt(resource.body, path);
  assert.ok(node, `${model.source.displayPath}: ${resource.symbol} has no ${path}`);
  return evaluate(model, node);
}

function textAt(resource: ResourceDecl, path: string): string {
  const node = propertyAt(resource.body, path);
  assert.ok(node, `${resource.symbol} has no ${path}`);
  return node.text;
}

test('every .bicep file under infra/ parses with no ERROR or MISSING node', async () => {
  const files = listBicepFiles(INFRA);
  const expected = [MAIN, STORAGE, FUNCTION_APP, RBAC, MONITORING, TOPIC, SUBSCRIPTION, 'infra/modules/identity.bicep'];
  for (const path of expected)
    assert.ok(
      files.some((f) => f.endsWith(path)),
      `${path} is missing`,
    );
  const problems: string[] = [];
  for (const file of files) problems.push(...syntaxProblems(await parseBicep(file)));
  assert.deepEqual(problems, []);
});

test('main.parameters.json supplies only declared parameters and every required one', () => {
  const path = join(INFRA, 'main.parameters.json');
  const parameters = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  assert.deepEqual(checkParametersFile(template(MAIN), parameters, 'infra/main.parameters.json'), []);
});

test('main.bicep deploys at subscription scope and the post-deploy template at resource-group scope', () => {
  assert.equal(template(MAIN).targetScope, 'subscription');
  assert.equal(template(SUBSCRIPTION).targetScope, 'resourceGroup');
});

test('every module path exists and no module comes from a registry', () => {
  const problems = templates.all().flatMap(checkModulePaths);
  assert.deepEqual(problems, []);
  assert.ok(template(MAIN).modules.length >= 6, 'main.bicep is split into modules');
  for (const model of templates.all()) {
    assert.doesNotMatch(
      model.source.text,
      /br\/public:|br:mcr/,
      `${model.source.displayPath} references a registry module`,
    );
  }
});

test('the Function App runs on Flex Consumption (FC1) with Node 22 and parameterised scale', () => {
  const model = template(FUNCTION_APP);
  const plan = onlyResource(model, 'Microsoft.Web/serverfarms');
  assert.equal(valueAt(model, plan, 'sku.name'), 'FC1');
  assert.equal(valueAt(model, plan, 'sku.tier'), 'FlexConsumption');
  assert.equal(valueAt(model, plan, 'properties.reserved'), true);

  const site = onlyResource(model, 'Microsoft.Web/sites');
  assert.equal(valueAt(model, site, 'kind'), 'functionapp,linux');
  assert.equal(valueAt(model, site, 'properties.httpsOnly'), true);
  assert.equal(valueAt(model, site, 'properties.functionAppConfig.runtime.name'), 'node');
  assert.equal(valueAt(model, site, 'properties.functionAppConfig.runtime.version'), '22');
  // Scale settings are the module's parameters, which main.bicep passes from its own parameters.
  for (const [property, param] of [
    ['instanceMemoryMB', 'instanceMemoryMB'],
    ['maximumInstanceCount', 'maximumInstanceCount'],
  ] as const) {
    assert.equal(textAt(site, `properties.functionAppConfig.scaleAndConcurrency.${property}`), param);
    assert.ok(model.params.has(param));
    const passed = propertyAt(template(MAIN).modules.find((m) => m.symbol === 'functionApp')!.body, `params.${param}`);
    assert.equal(passed?.text, param, `main.bicep passes its ${param} parameter`);
    assert.ok(template(MAIN).params.has(param), `main.bicep declares ${param}`);
  }
});

test('the Flex site sets no siteConfig property that Flex Consumption refuses, and no FTP policy', () => {
  const model = template(FUNCTION_APP);
  const site = onlyResource(model, 'Microsoft.Web/sites');
  const siteConfig = propertyAt(site.body, 'properties.siteConfig');
  assert.ok(siteConfig, 'the site has a siteConfig (TLS version, app settings)');
  for (const key of FLEX_REJECTED_SITE_CONFIG) {
    assert.equal(objectProperty(siteConfig, key), null, `siteConfig.${key} is refused on Flex Consumption sites`);
  }
  assert.notEqual(objectProperty(siteConfig, 'alwaysOn')?.text, 'true', 'Flex scales to zero: no alwaysOn');
  const policies = model.resources.filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
  assert.deepEqual(
    policies.map((p) => evaluate(model, objectProperty(p.body, 'name')!)),
    ['scm'],
    'only the scm basic-auth policy (FTP is not a Flex feature)',
  );
});

test('the deployment package container comes from names.json and is reached with the user-assigned identity', () => {
  const model = template(FUNCTION_APP);
  const site = onlyResource(model, 'Microsoft.Web/sites');
  assert.equal(valueAt(model, site, 'properties.functionAppConfig.deployment.storage.type'), 'blobContainer');
  const url = textAt(site, 'properties.functionAppConfig.deployment.storage.value');
  assert.match(
    url,
    /^'https:\/\/\$\{storageAccount\.name\}\.blob\.\$\{storageSuffix\}\/\$\{names\.containers\.deployment\}'$/,
  );
  assert.equal(
    valueAt(model, site, 'properties.functionAppConfig.deployment.storage.authentication.type'),
    'UserAssignedIdentity',
  );
  assert.equal(
    textAt(site, 'properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId'),
    'identity.id',
  );
  assert.equal(valueAt(model, site, 'identity.type'), 'UserAssigned');
});

test('app settings: none that Flex rejects, identity-based storage only, no secrets', () => {
  const model = template(FUNCTION_APP);
  const settings = appSettingsOf(model);
  assert.ok(settings.length >= 10, `expected the full app settings, found ${settings.length}`);
  assert.deepEqual(checkFlexSettings(settings), []);
  assert.deepEqual(checkNoSecretSettings(settings, names.settings['storageConnection']!), []);
  assert.deepEqual(checkIdentityBasedStorage(settings, names.settings['storageConnection']!), []);
  const byName = new Map(settings.map((s) => [String(s.name), s]));
  assert.equal(
    byName.get('APPLICATIONINSIGHTS_CONNECTION_STRING')?.valueText,
    'appInsights.properties.ConnectionString',
  );
  // Every app setting of every template (not only this module) is checked for secrets.
  for (const other of templates.all()) {
    assert.deepEqual(checkNoSecretSettings(appSettingsOf(other), names.settings['storageConnection']!), []);
    assert.deepEqual(checkFlexSettings(appSettingsOf(other)), []);
  }
});

test('app settings carry the names the code reads: exports container, trigger source EventGrid, schedule parameter', () => {
  const model = template(FUNCTION_APP);
  const byName = new Map(appSettingsOf(model).map((s) => [String(s.name), s]));
  assert.equal(byName.get(names.settings['exportsContainer']!)?.value, names.containers['exports']);
  assert.equal(byName.get(names.settings['blobTriggerSource']!)?.value, 'EventGrid');
  assert.equal(byName.get(names.settings['analysisSchedule']!)?.valueText, 'analysisSchedule');
  // main.bicep falls back to the default the code uses when the schedule parameter is empty.
  const main = template(MAIN);
  const effective = main.vars.get('effectiveAnalysisSchedule');
  assert.ok(effective);
  assert.equal(
    evaluate(main, effective, new Map([['analysisSchedule', '']])),
    names.settingDefaults[names.settings['analysisSchedule']!],
  );
  assert.equal(evaluate(main, effective, new Map([['analysisSchedule', '0 0 * * * *']])), '0 0 * * * *');
});

test('the only list* call is listKeys on the function host, in the post-deploy template, for the blob extension key', () => {
  const calls = templates.all().flatMap((m) => listCalls(m).map((c) => ({ file: m.source.displayPath, call: c })));
  assert.equal(calls.length, 1, calls.map((c) => c.call.where).join('; '));
  const [{ file, call }] = calls as [(typeof calls)[number]];
  assert.equal(file, SUBSCRIPTION);
  assert.equal(call.fn, 'listKeys');
  // The host is named by its resource id: Microsoft.Web/sites/host has no Bicep types (BCP081 as a resource).
  assert.equal(call.idArgument, "'${functionApp.id}/host/default'");
  assert.match(call.node.text, /, functionApp\.apiVersion\)$/);
  assert.equal(call.node.parent?.parent?.text, `${call.node.text}.systemKeys.blobs_extension`);
});

test('storage account: no shared keys, TLS 1.2, HTTPS only, no anonymous blob access', () => {
  const model = template(STORAGE);
  const account = onlyResource(model, 'Microsoft.Storage/storageAccounts');
  assert.equal(valueAt(model, account, 'properties.allowSharedKeyAccess'), false);
  assert.equal(valueAt(model, account, 'properties.minimumTlsVersion'), 'TLS1_2');
  assert.equal(valueAt(model, account, 'properties.supportsHttpsTrafficOnly'), true);
  assert.equal(valueAt(model, account, 'properties.allowBlobPublicAccess'), false);
  const containers = onlyResource(model, 'Microsoft.Storage/storageAccounts/blobServices/containers');
  assert.equal(valueAt(model, containers, 'properties.publicAccess'), 'None');
});

test('the storage template creates exactly the containers and tables of names.json', () => {
  const model = template(STORAGE);
  const containers = resourceNames(
    model,
    onlyResource(model, 'Microsoft.Storage/storageAccounts/blobServices/containers'),
  );
  assert.deepEqual([...containers].sort(), Object.values(names.containers).sort());
  const tables = resourceNames(model, onlyResource(model, 'Microsoft.Storage/storageAccounts/tableServices/tables'));
  assert.deepEqual([...tables].sort(), Object.values(names.tables).sort());
  onlyResource(model, 'Microsoft.Storage/storageAccounts/queueServices');
});

test('templates read names from src/names.json and spell none of its container, table or setting names', () => {
  for (const path of [MAIN, STORAGE, FUNCTION_APP, RBAC, SUBSCRIPTION]) {
    assert.deepEqual(loadedJsonFiles(template(path)), [NAMES_PATH], `${path} loads src/names.json`);
  }
  const protectedNames = namesToProtect(names);
  assert.ok(protectedNames.tokens.size >= 12 && protectedNames.settings.size >= 4);
  const problems = templates.all().flatMap((m) => hardCodedNames(m, protectedNames));
  assert.deepEqual(problems, []);
});

test('role GUIDs equal the built-in role ids and each is written once, in rbac.bicep', () => {
  const all = templates.all().flatMap((m) => guidLiterals(m).map((g) => ({ ...g, file: m.source.displayPath })));
  const known = new Set([...Object.values(ROLE_GUIDS), ...Object.values(MODULE_ROLE_GUIDS).map((r) => r.guid)]);
  assert.deepEqual(
    all.filter((g) => !known.has(g.guid)),
    [],
    'no GUID outside the table',
  );
  for (const [role, { guid, file }] of Object.entries(MODULE_ROLE_GUIDS)) {
    const hits = all.filter((g) => g.guid === guid);
    assert.deepEqual(
      hits.map((h) => h.file),
      [file],
      `${role} (${guid}) is written once, in ${file}`,
    );
  }
  for (const [role, guid] of Object.entries(ROLE_GUIDS)) {
    const hits = all.filter((g) => g.guid === guid);
    assert.equal(
      hits.length,
      1,
      `${role} (${guid}) is written ${hits.length} times: ${hits.map((h) => h.where).join(', ')}`,
    );
    assert.equal(hits[0]!.file, RBAC);
  }
  const rbac = template(RBAC);
  const table = evaluate(rbac, rbac.vars.get('roleDefinitionIds')!);
  assert.deepEqual(table, {
    storageBlobDataOwner: ROLE_GUIDS['Storage Blob Data Owner'],
    storageBlobDataContributor: ROLE_GUIDS['Storage Blob Data Contributor'],
    storageQueueDataContributor: ROLE_GUIDS['Storage Queue Data Contributor'],
    storageTableDataContributor: ROLE_GUIDS['Storage Table Data Contributor'],
    monitoringMetricsPublisher: ROLE_GUIDS['Monitoring Metrics Publisher'],
    dataPurger: ROLE_GUIDS['Data Purger'],
  });
});

test('role assignments: least privilege, named guid(scope, principal, role), ServicePrincipal for the identity', () => {
  const rbac = template(RBAC);
  const assignments = roleAssignmentsOf(rbac);
  assert.deepEqual(
    assignments.flatMap((a) => a.formProblems),
    [],
  );
  const roleName = (id: Value): string =>
    Object.entries(ROLE_GUIDS).find(([, g]) => g === id)?.[0] ?? (typeof id === 'string' ? id : JSON.stringify(id));
  const summary = assignments.map((a) => {
    const scopeName = a.scope ? resourceNames(rbac, a.scope)[0] : undefined;
    return [
      a.principal,
      roleName(a.roleId),
      a.scope?.type ?? '(deployment scope)',
      typeof scopeName === 'string' ? scopeName : '',
      a.principalType instanceof Opaque
        ? a.principalType.text
        : typeof a.principalType === 'string'
          ? a.principalType
          : JSON.stringify(a.principalType),
      a.conditional ? 'if principal given' : 'always',
    ].join(' | ');
  });
  const storage = 'Microsoft.Storage/storageAccounts';
  const container = 'Microsoft.Storage/storageAccounts/blobServices/containers';
  assert.deepEqual(
    summary.sort(),
    [
      `deployerPrincipalId | Storage Blob Data Contributor | ${container} | ${names.containers['config']} | deployerPrincipalType | if principal given`,
      `deployerPrincipalId | Storage Blob Data Contributor | ${container} | ${names.containers['exports']} | deployerPrincipalType | if principal given`,
      `identityPrincipalId | Monitoring Metrics Publisher | Microsoft.Insights/components |  | ServicePrincipal | always`,
      // The Log Analytics export (modules/logAnalytics.bicep): on the data collection rule only, when it is deployed.
      `identityPrincipalId | Monitoring Metrics Publisher | Microsoft.Insights/dataCollectionRules |  | ServicePrincipal | if principal given`,
      // Erasure in Log Analytics: on the workspace only, when the purge is on (modules/logAnalytics.bicep).
      `identityPrincipalId | Data Purger | Microsoft.OperationalInsights/workspaces |  | ServicePrincipal | if principal given`,
      `identityPrincipalId | Storage Blob Data Owner | ${storage} |  | ServicePrincipal | always`,
      `identityPrincipalId | Storage Queue Data Contributor | ${storage} |  | ServicePrincipal | always`,
      `identityPrincipalId | Storage Table Data Contributor | ${storage} |  | ServicePrincipal | always`,
    ].sort(),
  );
  // The identity assigned is the app's: main.bicep passes the identity module's principal id, and the deployer's
  // assignment is conditional on principalId (empty by default).
  const rbacModule = template(MAIN).modules.find((m) => m.symbol === 'rbac')!;
  assert.equal(propertyAt(rbacModule.body, 'params.identityPrincipalId')?.text, 'identity.outputs.principalId');
  assert.equal(propertyAt(rbacModule.body, 'params.deployerPrincipalId')?.text, 'principalId');
  assert.equal(evaluate(template(MAIN), template(MAIN).params.get('principalId')!.defaultValue!), '');
  assert.equal(rbac.params.get('deployerPrincipalId')?.defaultValue?.text, "''");
});

test('Application Insights has local authentication disabled, on a workspace with a retention parameter', () => {
  const model = template(MONITORING);
  const appInsights = onlyResource(model, 'Microsoft.Insights/components');
  assert.equal(valueAt(model, appInsights, 'properties.DisableLocalAuth'), true);
  assert.equal(textAt(appInsights, 'properties.WorkspaceResourceId'), 'workspace.id');
  const workspace = onlyResource(model, 'Microsoft.OperationalInsights/workspaces');
  assert.equal(textAt(workspace, 'properties.retentionInDays'), 'retentionInDays');
  assert.ok(model.params.get('retentionInDays')?.decorators.includes('minValue'));
  const passed = propertyAt(
    template(MAIN).modules.find((m) => m.symbol === 'monitoring')!.body,
    'params.retentionInDays',
  );
  assert.equal(passed?.text, 'logRetentionInDays');
});

test("the Event Grid system topic publishes the storage account's events", () => {
  const model = template(TOPIC);
  const topic = onlyResource(model, 'Microsoft.EventGrid/systemTopics');
  assert.equal(valueAt(model, topic, 'properties.topicType'), 'Microsoft.Storage.StorageAccounts');
  assert.equal(textAt(topic, 'properties.source'), 'storageAccount.id');
  assert.equal(model.resources.find((r) => r.symbol === 'storageAccount')?.type, 'Microsoft.Storage/storageAccounts');
});

test('the post-deploy subscription delivers complete BlobCreated writes in the exports container to ingestExport', () => {
  const model = template(SUBSCRIPTION);
  const subscription = onlyResource(model, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
  assert.deepEqual(valueAt(model, subscription, 'properties.filter.includedEventTypes'), [
    'Microsoft.Storage.BlobCreated',
  ]);
  assert.equal(
    valueAt(model, subscription, 'properties.filter.subjectBeginsWith'),
    `/blobServices/default/containers/${names.containers['exports']}/blobs/`,
  );
  assert.deepEqual(valueAt(model, subscription, 'properties.filter.advancedFilters'), [
    { operatorType: 'StringIn', key: 'data.api', values: ['PutBlob', 'PutBlockList', 'CopyBlob', 'FlushWithClose'] },
  ]);
  assert.equal(valueAt(model, subscription, 'properties.destination.endpointType'), 'WebHook');
  const url = model.vars.get('webhookUrl')?.text ?? '';
  assert.equal(textAt(subscription, 'properties.destination.properties.endpointUrl'), 'webhookUrl');
  assert.match(
    url,
    /^'https:\/\/\$\{functionApp\.properties\.defaultHostName\}\/runtime\/webhooks\/blobs\?functionName=Host\.Functions\.\$\{functionName\}&code=\$\{listKeys\('\$\{functionApp\.id\}\/host\/default', functionApp\.apiVersion\)\.systemKeys\.blobs_extension\}'$/,
  );
  assert.equal(evaluate(model, model.params.get('functionName')!.defaultValue!), 'ingestExport');
  // Only in the second template: main.bicep and its modules create no event subscription.
  for (const other of templates.all()) {
    const path = other.source.displayPath;
    if (path === SUBSCRIPTION) continue;
    assert.ok(
      !other.resources.some((r) => r.type.startsWith('Microsoft.EventGrid/systemTopics/eventSubscriptions')),
      path,
    );
  }
});

test('outputs: app name, storage account, exports container, report base URL, resource group; no secrets anywhere', () => {
  const main = template(MAIN);
  const outputs = new Map(main.outputs.map((o) => [o.name, o]));
  for (const name of [
    'AZURE_FUNCTION_APP_NAME',
    'AZURE_STORAGE_ACCOUNT_NAME',
    'EXPORTS_CONTAINER_NAME',
    'REPORTS_BASE_URL',
    'AZURE_RESOURCE_GROUP',
    'EVENTGRID_SYSTEM_TOPIC_NAME',
  ]) {
    assert.ok(outputs.has(name), `main.bicep outputs ${name}`);
  }
  assert.equal(evaluate(main, outputs.get('EXPORTS_CONTAINER_NAME')!.value), names.containers['exports']);
  assert.equal(outputs.get('REPORTS_BASE_URL')!.value.text, "'https://${functionApp.outputs.defaultHostName}/api'");
  for (const model of templates.all()) {
    assert.deepEqual(checkOutputs(model), []);
    assert.deepEqual(checkSecretParameters(model), []);
    for (const param of model.params.values()) {
      if (!param.defaultValue) continue;
      const value = evaluate(model, param.defaultValue);
      assert.ok(
        typeof value !== 'string' || !/[A-Za-z0-9+/]{40,}={0,2}/.test(value),
        `${param.name} default looks like a key`,
      );
    }
  }
});

function entraAuth(model: BicepModel): ResourceDecl {
  const auth = model.resources.find(
    (r) =>
      r.type === 'Microsoft.Web/sites/config' && evaluate(model, objectProperty(r.body, 'name')!) === 'authsettingsV2',
  );
  assert.ok(auth, 'an authsettingsV2 resource exists');
  return auth;
}

test('Entra ID authentication is optional, behind a parameter that is off by default', () => {
  const model = template(FUNCTION_APP);
  const auth = entraAuth(model);
  assert.equal(auth.condition?.text, '(enableEntraAuth)');
  assert.equal(valueAt(model, auth, 'properties.platform.enabled'), true);
  assert.equal(valueAt(model, auth, 'properties.globalValidation.requireAuthentication'), true);
  assert.equal(
    textAt(auth, 'properties.identityProviders.azureActiveDirectory.registration.clientId'),
    'entraClientId',
  );
  const main = template(MAIN);
  assert.equal(evaluate(main, main.params.get('enableEntraAuth')!.defaultValue!), false);
  assert.equal(evaluate(model, model.params.get('enableEntraAuth')!.defaultValue!), false);
});

test('Entra sign-in: a browser without a session is sent to the Entra sign-in page; only the blob webhook is left out', () => {
  const model = template(FUNCTION_APP);
  const auth = entraAuth(model);
  assert.equal(valueAt(model, auth, 'properties.globalValidation.unauthenticatedClientAction'), 'RedirectToLoginPage');
  assert.equal(valueAt(model, auth, 'properties.globalValidation.redirectToProvider'), 'azureactivedirectory');
  // Event Grid must still reach the blob extension's webhook (it carries the extension's own key); nothing else is left out.
  assert.deepEqual(valueAt(model, auth, 'properties.globalValidation.excludedPaths'), ['/runtime/webhooks/blobs']);
  assert.equal(valueAt(model, auth, 'properties.httpSettings.requireHttps'), true);
  // The tenant's v2.0 issuer, in whichever cloud the deployment runs.
  assert.equal(
    textAt(auth, 'properties.identityProviders.azureActiveDirectory.registration.openIdIssuer'),
    "'${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'",
  );
  // No client secret: sign-in with ID tokens only, nothing to rotate or store.
  assert.equal(
    propertyAt(auth.body, 'properties.identityProviders.azureActiveDirectory.registration.clientSecretSettingName'),
    null,
  );
  const audiences = propertyAt(
    auth.body,
    'properties.identityProviders.azureActiveDirectory.validation.allowedAudiences',
  );
  assert.deepEqual(
    audiences && significantChildren(audiences).map((n) => n.text),
    ["'api://${entraClientId}'", 'entraClientId'],
    'API callers (api://…) and browser sessions (the client id)',
  );
  // Sessions: no provider tokens kept, a fixed lifetime from a bounded parameter.
  assert.equal(valueAt(model, auth, 'properties.login.tokenStore.enabled'), false);
  assert.equal(valueAt(model, auth, 'properties.login.cookieExpiration.convention'), 'FixedTime');
  const hours = model.params.get('entraSessionHours');
  assert.ok(hours, 'entraSessionHours is a parameter');
  assert.equal(evaluate(model, hours.defaultValue!), 8);
  assert.match(
    readFileSync(join(REPO_ROOT, FUNCTION_APP), 'utf8'),
    /@minValue\(1\)\n@maxValue\(24\)\nparam entraSessionHours int/,
  );
});

test('Entra sign-in: only the app itself and the listed client applications pass, and the listed groups or identities when given', () => {
  const model = template(FUNCTION_APP);
  const auth = entraAuth(model);
  const policy = 'properties.identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy';
  assert.equal(textAt(auth, `${policy}.allowedApplications`), 'allowedClientApplications');
  assert.equal(textAt(auth, `${policy}.allowedPrincipals`), 'allowedPrincipals');
  const allowedApps = model.vars.get('allowedClientApplications');
  assert.ok(allowedApps, 'allowedClientApplications is a variable');
  // The app registration itself (browser sessions) first, then each non-empty id of the comma-separated parameter.
  assert.match(
    allowedApps.text,
    /^union\(\[entraClientId\], filter\(map\(split\(entraAllowedClientApplications, ','\)/,
  );
  for (const list of ['allowedGroups', 'allowedIdentities']) {
    assert.match(
      model.vars.get(list)?.text ?? '',
      /^filter\(map\(split\(entra\w+, ','\), id => trim\(id\)\), id => !empty\(id\)\)$/,
      list,
    );
  }
  // An empty list is left out rather than sent (Easy Auth checks only lists that are there and not empty).
  assert.equal(
    model.vars.get('allowedPrincipals')?.text,
    'union(empty(allowedGroups) ? {} : { groups: allowedGroups }, empty(allowedIdentities) ? {} : { identities: allowedIdentities })',
  );
  for (const name of ['entraAllowedClientApplications', 'entraAllowedGroups', 'entraAllowedIdentities']) {
    assert.equal(evaluate(model, model.params.get(name)!.defaultValue!), '', `${name} defaults to none`);
  }
});

test('HTTP_AUTH is entra exactly when the Easy Auth resource is deployed, and the code reads the same setting and values', () => {
  const model = template(FUNCTION_APP);
  const setting = appSettingsOf(model).find((s) => s.name === names.settings['httpAuth']);
  assert.ok(setting, `the app sets ${names.settings['httpAuth']}`);
  assert.equal(setting.valueText, 'httpAuthMode');
  assert.equal(model.vars.get('httpAuthMode')?.text, "enableEntraAuth ? 'entra' : 'functionKey'");
  assert.equal(
    names.settingDefaults[names.settings['httpAuth']!],
    'functionKey',
    'function keys when the setting is missing',
  );
  const code = readFileSync(join(REPO_ROOT, 'src', 'pipeline', 'http', 'httpAuth.ts'), 'utf8');
  assert.match(code, /=== 'entra' \? 'entra' : 'functionKey'/);
});

test('main.bicep passes the Entra parameters through, and main.parameters.json reads them from the azd environment', () => {
  const main = template(MAIN);
  const app = main.modules.find((m) => m.path.endsWith('functionApp.bicep'));
  assert.ok(app, 'main.bicep deploys the function app module');
  const params = propertyAt(app.body, 'params');
  assert.ok(params);
  const parameters = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  };
  const env: Record<string, string> = {
    enableEntraAuth: '${ENABLE_ENTRA_AUTH=false}',
    entraClientId: '${ENTRA_CLIENT_ID}',
    entraAllowedClientApplications: '${ENTRA_ALLOWED_CLIENT_APPLICATIONS}',
    entraAllowedGroups: '${ENTRA_ALLOWED_GROUPS}',
    entraAllowedIdentities: '${ENTRA_ALLOWED_IDENTITIES}',
  };
  for (const [name, value] of Object.entries(env)) {
    assert.ok(main.params.has(name), `main.bicep declares ${name}`);
    assert.equal(objectProperty(params, name)?.text, name, `main.bicep passes ${name} to the function app`);
    assert.equal(parameters.parameters[name]?.value, value, `main.parameters.json: ${name}`);
  }
});

// ---------- azure.yaml and the hooks ----------

function azureYaml(): string {
  return readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
}

test('azure.yaml: a TypeScript function service from the repo root, tagged like the Function App, with postdeploy hooks', () => {
  const text = azureYaml();
  // A line-oriented reading (no YAML parser is installed): the keys this deployment depends on.
  const service = /^services:\n {2}([\w-]+):\n((?: {4}.*\n)+)/m.exec(text);
  assert.ok(service, 'azure.yaml has one service block');
  const [, serviceName, body] = service;
  assert.match(body!, /^ {4}project: \.\s*$/m);
  assert.match(body!, /^ {4}language: ts\s*$/m);
  assert.match(body!, /^ {4}host: function\s*$/m);
  const model = template(FUNCTION_APP);
  assert.equal(
    evaluate(model, model.params.get('azdServiceName')!.defaultValue!),
    serviceName,
    'azd finds the app by its azd-service-name tag',
  );
  assert.match(text, /^ {2}postdeploy:\n {4}posix:\n {6}shell: sh\n {6}run: \.\/infra\/hooks\/postdeploy\.sh$/m);
  assert.match(text, /^ {4}windows:\n {6}shell: pwsh\n {6}run: \.\/infra\/hooks\/postdeploy\.ps1$/m);
  assert.match(text, /^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main$/m);
  assert.ok(existsSync(join(REPO_ROOT, 'infra', 'hooks', 'postdeploy.sh')));
  assert.ok(existsSync(join(REPO_ROOT, 'infra', 'hooks', 'postdeploy.ps1')));
});

/** `--parameters name=value` pairs a hook passes to the post-deploy template. */
function passedParameters(script: string): string[] {
  const line = script.split('\n').find((l) => /az deployment group create/.test(l) && l.includes('--parameters'));
  assert.ok(line, 'the hook runs az deployment group create with --parameters');
  const parameters = line.slice(line.indexOf('--parameters') + '--parameters'.length).split(/\s--/)[0]!;
  return [...parameters.matchAll(/\b(\w+)=["$]/g)].map((m) => m[1]!);
}

for (const hook of ['postdeploy.sh', 'postdeploy.ps1']) {
  test(`${hook} deploys the post-deploy template with its required parameters and checks the subscription`, () => {
    const script = readFileSync(join(REPO_ROOT, 'infra', 'hooks', hook), 'utf8');
    assert.match(script, /post-deploy[/\\]eventGridSubscription\.bicep/);
    const model = template(SUBSCRIPTION);
    const passed = passedParameters(script);
    for (const name of passed) assert.ok(model.params.has(name), `${hook} passes undeclared parameter ${name}`);
    for (const param of model.params.values()) {
      if (param.defaultValue === null) assert.ok(passed.includes(param.name), `${hook} must pass ${param.name}`);
    }
    assert.match(script, /az eventgrid system-topic event-subscription show/);
    // The hook waits for the key by its name; its value never reaches the terminal.
    assert.match(script, /--query\s+["']keys\(systemKeys\)["']/);
    assert.match(script, /blobs_extension/);
    const queries = [...script.matchAll(/--query\s+("[^"]*"|'[^']*'|\S+)/g)].map((m) =>
      m[1]!.replace(/^["']|["']$/g, ''),
    );
    assert.ok(queries.length >= 3, `found --query arguments: ${queries.join(', ')}`);
    for (const query of queries)
      assert.doesNotMatch(query, /systemKeys\.|masterKey|functionKeys/, `${hook} prints a key with --query ${query}`);
  });
}

test('postdeploy.sh is valid POSIX sh and bash', (t) => {
  const path = join(REPO_ROOT, 'infra', 'hooks', 'postdeploy.sh');
  let checked = 0;
  for (const shell of ['sh', 'bash']) {
    const result = spawnSync(shell, ['-n', path], { encoding: 'utf8' });
    if (result.error) {
      t.diagnostic(`${shell} is not on PATH; its syntax check was not run`);
      continue;
    }
    assert.equal(result.status, 0, `${shell} -n: ${result.stderr}`);
    checked++;
  }
  if (checked === 0) t.skip('neither sh nor bash is on PATH');
});

/** pwsh on PATH, or PowerShell restored as a dotnet tool; a reason when neither can be had. */
function findPwsh(): { path: string } | { reason: string } {
  const probe = spawnSync('pwsh', ['-NoProfile', '-Command', '$PSVersionTable.PSVersion.ToString()'], {
    encoding: 'utf8',
  });
  if (!probe.error && probe.status === 0) return { path: 'pwsh' };
  const restored = restorePwsh();
  return 'reason' in restored ? { reason: `pwsh is not on PATH and ${restored.reason}` } : restored;
}

test('postdeploy.ps1 parses in PowerShell', (t) => {
  const path = join(REPO_ROOT, 'infra', 'hooks', 'postdeploy.ps1');
  const pwsh = findPwsh();
  if ('reason' in pwsh) {
    t.skip(`${pwsh.reason}: the PowerShell hook was not syntax-checked here`);
    return;
  }
  const command =
    `$errors = $null; [System.Management.Automation.Language.Parser]::ParseFile('${path.replace(/'/g, "''")}', [ref]$null, [ref]$errors) | Out-Null; ` +
    `if ($errors.Count) { $errors | ForEach-Object { "$($_.Extent.StartLineNumber):$($_.Extent.StartColumnNumber) $($_.Message)" }; exit 1 }`;
  const result = spawnSync(pwsh.path, ['-NoProfile', '-Command', command], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
