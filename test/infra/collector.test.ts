// The optional collector in the templates: infra/modules/collector.bicep (Key Vault with RBAC authorization, purge
// protection only on request, Key Vault Secrets User for the app's identity, settings with a Key Vault reference; or, in
// managedIdentity mode, no vault and the identity's client id), all behind enableCollector (default false), and the
// Function App side (settings named from names.json, keyVaultReferenceIdentity).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';
import { evaluate, objectProperty, propertyAt, type ResourceDecl, type Value } from './bicepModel.js';
import { appSettingsOf, checkSecretParameters, roleAssignmentsOf } from './infraLint.js';
import { NAMES, useInfraTemplates } from './templates.fixture.js';

const names = NAMES;
const clouds = JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'collector', 'clouds.json'), 'utf8')) as Record<
  string,
  { tokenExchangeAudience: string }
>;
const KEY_VAULT_SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

const { template } = useInfraTemplates();

/** The values of a parameter's @allowed([...]) decorator, read from the file text. */
function allowedValues(path: string, param: string): string[] {
  const source = readFileSync(join(REPO_ROOT, path), 'utf8');
  const match = new RegExp(`@allowed\\(\\[([^\\]]*)\\]\\)\\s*param ${param} `).exec(source);
  assert.ok(match, `${path}: ${param} has an @allowed list`);
  return [...match[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

function text(resource: ResourceDecl, path: string): string {
  const node = propertyAt(resource.body, path);
  assert.ok(node, `${resource.symbol} has no ${path}`);
  return node.text;
}

test('the Key Vault uses RBAC authorization and no access policies, purge protection only on request, and exists only when enabled', () => {
  const model = template('infra/modules/collector.bicep');
  const vaults = model.resources.filter((r) => r.type === 'Microsoft.KeyVault/vaults' && !r.existing);
  assert.equal(vaults.length, 1);
  const vault = vaults[0]!;
  assert.equal(vault.condition?.text, '(useVault)');
  // A vault only for a secret or a certificate (the model's evaluator has no binary operators: the text is checked).
  assert.equal(model.vars.get('useVault')?.text, "enabled && credentialType != 'managedIdentity'");
  assert.equal(evaluate(model, propertyAt(vault.body, 'properties.enableRbacAuthorization')!), true);
  // Off by default, so that `azd down --purge` then `azd up` works; Key Vault refuses an explicit false.
  const purge = propertyAt(vault.body, 'properties.enablePurgeProtection')!;
  assert.equal(evaluate(model, purge, new Map([['purgeProtection', true]])), true);
  assert.equal(evaluate(model, purge, new Map([['purgeProtection', false]])), null);
  assert.equal(evaluate(model, model.params.get('purgeProtection')!.defaultValue!), false);
  assert.equal(evaluate(model, propertyAt(vault.body, 'properties.enableSoftDelete')!), true);
  assert.deepEqual(evaluate(model, propertyAt(vault.body, 'properties.accessPolicies')!), []);
  assert.equal(text(vault, 'properties.tenantId'), 'tenant().tenantId');
  assert.equal(evaluate(model, model.params.get('enabled')!.defaultValue!), false);
});

test('main.bicep names the vault from the resource token, and a salt gives a new name for a redeployment', () => {
  const main = template('infra/main.bicep');
  const module = main.modules.find((m) => m.symbol === 'collector')!;
  const name = propertyAt(module.body, 'params.vaultName')!;
  const named = (salt: string) =>
    evaluate(
      main,
      name,
      new Map<string, Value>([
        ['collectorVaultNameSalt', salt],
        ['resourceToken', 'abc123'],
      ]),
    );
  assert.equal(named(''), 'kv-abc123');
  assert.notEqual(named('2'), 'kv-abc123');
  assert.equal(propertyAt(module.body, 'params.purgeProtection')?.text, 'collectorVaultPurgeProtection');
  assert.equal(evaluate(main, main.params.get('collectorVaultPurgeProtection')!.defaultValue!), false);
});

test("the app's identity gets Key Vault Secrets User on the vault only, when enabled", () => {
  const model = template('infra/modules/collector.bicep');
  const assignments = roleAssignmentsOf(model);
  assert.equal(assignments.length, 1);
  const [assignment] = assignments as [(typeof assignments)[number]];
  assert.deepEqual(assignment.formProblems, []);
  assert.equal(assignment.roleId, KEY_VAULT_SECRETS_USER);
  assert.equal(assignment.principal, 'identityPrincipalId');
  assert.equal(assignment.principalType, 'ServicePrincipal');
  assert.equal(assignment.scope?.type, 'Microsoft.KeyVault/vaults');
  assert.equal(model.resources.find((r) => r.symbol === 'appSecretsUser')?.condition?.text, '(useVault)');
  const main = template('infra/main.bicep');
  const collector = main.modules.find((m) => m.symbol === 'collector');
  assert.ok(collector, 'main.bicep deploys modules/collector.bicep');
  assert.equal(collector.path, 'modules/collector.bicep');
  assert.equal(propertyAt(collector.body, 'params.enabled')?.text, 'enableCollector');
  assert.equal(propertyAt(collector.body, 'params.identityPrincipalId')?.text, 'identity.outputs.principalId');
  assert.equal(evaluate(main, main.params.get('enableCollector')!.defaultValue!), false);
});

test('the settings carry the credential as a Key Vault reference (never a value), and are empty when disabled', () => {
  const model = template('infra/modules/collector.bicep');
  assert.deepEqual(checkSecretParameters(model), []);
  for (const param of model.params.values())
    assert.doesNotMatch(param.name, /secret|password|key/i, 'no parameter takes the credential itself');
  const reference = model.vars.get('credentialReference')?.text;
  assert.equal(
    reference,
    "'@Microsoft.KeyVault(SecretUri=https://${vaultName}${environment().suffixes.keyvaultDns}/secrets/${effectiveCredentialName}/)'",
  );
  const settings = model.outputs.find((o) => o.name === 'settings');
  assert.ok(settings);
  const values = new Map(
    ['tenantId', 'clientId', 'clientSecret', 'clientCertificate', 'managedIdentityClientId', 'cloud'].map((k) => [
      k,
      objectProperty(settings.value, k)?.text ?? '',
    ]),
  );
  for (const [key, value] of values)
    assert.match(value, /^(enabled|useManagedIdentity)( &&|\s\?)/, `${key} is empty unless enabled: ${value}`);
  assert.equal(values.get('clientSecret'), "enabled && credentialType == 'secret' ? credentialReference : ''");
  assert.equal(
    values.get('clientCertificate'),
    "enabled && credentialType == 'certificate' ? credentialReference : ''",
  );
});

test('the Function App sets the collector settings under their names.json names and resolves Key Vault references with its identity', () => {
  const model = template('infra/modules/functionApp.bicep');
  const byName = new Map(appSettingsOf(model).map((s) => [String(s.name), s.valueText]));
  const expected: Record<string, string> = {
    [names.settings['collectorSchedule']!]: 'collectorSchedule',
    [names.settings['o365TenantId']!]: 'collectorSettings.tenantId',
    [names.settings['o365ClientId']!]: 'collectorSettings.clientId',
    [names.settings['o365ClientSecret']!]: 'collectorSettings.clientSecret',
    [names.settings['o365ClientCertificate']!]: 'collectorSettings.clientCertificate',
    [names.settings['o365ManagedIdentityClientId']!]: 'collectorSettings.managedIdentityClientId',
    [names.settings['o365Cloud']!]: 'collectorSettings.cloud',
  };
  for (const [setting, value] of Object.entries(expected)) assert.equal(byName.get(setting), value, setting);
  const site = model.resources.find((r) => r.type === 'Microsoft.Web/sites' && !r.existing)!;
  assert.equal(
    text(site, 'properties.keyVaultReferenceIdentity'),
    "enableCollector || pseudonymizeUsers ? identity.id : 'SystemAssigned'",
  );

  const main = template('infra/main.bicep');
  const functionApp = main.modules.find((m) => m.symbol === 'functionApp')!;
  assert.equal(propertyAt(functionApp.body, 'params.collectorSettings')?.text, 'collector.outputs.settings');
  assert.equal(propertyAt(functionApp.body, 'params.enableCollector')?.text, 'enableCollector');
  assert.equal(propertyAt(functionApp.body, 'params.collectorSchedule')?.text, 'effectiveCollectorSchedule');
  // The schedule is always set (the host must resolve %COLLECTOR_SCHEDULE% to index the timer), defaulting to names.json.
  const effective = main.vars.get('effectiveCollectorSchedule')!;
  assert.equal(
    evaluate(main, effective, new Map([['collectorSchedule', '']])),
    names.settingDefaults[names.settings['collectorSchedule']!],
  );
  assert.equal(evaluate(main, effective, new Map([['collectorSchedule', '0 30 6 * * *']])), '0 30 6 * * *');
});

test('main.parameters.json lets azd switch the collector on and leaves it off by default', () => {
  const parameters = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: string }>;
  };
  assert.equal(parameters.parameters['enableCollector']?.value, '${ENABLE_COLLECTOR=false}');
  assert.equal(parameters.parameters['collectorClientId']?.value, '${COLLECTOR_CLIENT_ID}');
});

test("managedIdentity mode: the setting carries the user-assigned identity's client id, and the outputs name the federated credential to add", () => {
  const model = template('infra/modules/collector.bicep');
  assert.deepEqual(allowedValues('infra/modules/collector.bicep', 'credentialType'), [
    'secret',
    'certificate',
    'managedIdentity',
  ]);
  const settings = model.outputs.find((o) => o.name === 'settings')!;
  assert.equal(
    objectProperty(settings.value, 'managedIdentityClientId')?.text,
    "useManagedIdentity ? identityClientId : ''",
  );
  assert.equal(model.vars.get('useManagedIdentity')?.text, "enabled && credentialType == 'managedIdentity'");
  assert.equal(model.vars.get('clouds')?.text, "loadJsonContent('../../src/collector/clouds.json')");
  assert.deepEqual(
    allowedValues('infra/modules/collector.bicep', 'cloud'),
    Object.keys(clouds),
    'the clouds the code knows',
  );
  assert.deepEqual(allowedValues('infra/main.bicep', 'collectorCloud'), Object.keys(clouds));

  const federated = model.outputs.find((o) => o.name === 'federatedCredential')!;
  const body = federated.value.text.replace(/\s+/g, ' ');
  assert.match(body, /^useManagedIdentity \? \{/);
  assert.ok(body.includes("issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'"), body);
  assert.ok(body.includes('subject: identityPrincipalId'), body);
  assert.ok(body.includes('audience: clouds[cloud].tokenExchangeAudience'), body);
  assert.match(body, /\} : \{\}$/, 'empty in the other modes');
  for (const [cloud, audience] of [
    ['commercial', 'api://AzureADTokenExchange'],
    ['gcc', 'api://AzureADTokenExchange'],
    ['gcchigh', 'api://AzureADTokenExchangeUSGov'],
    ['dod', 'api://AzureADTokenExchangeUSGov'],
  ]) {
    assert.equal(clouds[cloud!]?.tokenExchangeAudience, audience, cloud);
  }

  const main = template('infra/main.bicep');
  const collector = main.modules.find((m) => m.symbol === 'collector')!;
  assert.equal(propertyAt(collector.body, 'params.identityClientId')?.text, 'identity.outputs.clientId');
  assert.deepEqual(allowedValues('infra/main.bicep', 'collectorCredentialType'), [
    'secret',
    'certificate',
    'managedIdentity',
  ]);
  const outputs = new Map(main.outputs.map((o) => [o.name, o.value.text]));
  assert.equal(outputs.get('COLLECTOR_FEDERATED_ISSUER'), "collector.outputs.federatedCredential.?issuer ?? ''");
  assert.equal(outputs.get('COLLECTOR_FEDERATED_SUBJECT'), "collector.outputs.federatedCredential.?subject ?? ''");
  assert.equal(outputs.get('COLLECTOR_FEDERATED_AUDIENCE'), "collector.outputs.federatedCredential.?audience ?? ''");
  const parameters = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: string }>;
  };
  assert.equal(parameters.parameters['collectorCredentialType']?.value, '${COLLECTOR_CREDENTIAL_TYPE=secret}');
});
