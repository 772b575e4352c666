// The lint helpers themselves, on small broken templates: each rule must catch what it claims to catch, so that a
// clean result on the real templates (templates.test.ts) means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBicep, syntaxProblems } from './bicepParser.js';
import { Opaque, evaluate, modelOf, resourceNames, type BicepModel } from './bicepModel.js';
import {
  appSettingsOf,
  checkFlexSettings,
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

const dir = mkdtempSync(join(tmpdir(), 'infra-lint-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = {
  containers: { exports: 'audit-exports', config: 'audit-config' },
  tables: { ledger: 'uploads' },
  settings: { storageConnection: 'AzureWebJobsStorage', exportsContainer: 'EXPORTS_CONTAINER' },
  settingDefaults: {},
};
writeFileSync(join(dir, 'names.json'), JSON.stringify(NAMES));

async function model(name: string, text: string): Promise<BicepModel> {
  const path = join(dir, name);
  writeFileSync(path, text);
  return modelOf(await parseBicep(path));
}

test('syntaxProblems reports an unclosed object at the line and column where the parser gave up', async () => {
  const path = join(dir, 'broken.bicep');
  // Line 3 has "name:" with no value; the parser cannot complete the property there.
  const text = "param a string\nresource r 'A/b@2020-01-01' = {\n  name:\n}\n";
  writeFileSync(path, text);
  const problems = syntaxProblems(await parseBicep(path));
  assert.ok(problems.length > 0, 'a syntax error must be reported');
  for (const problem of problems) assert.match(problem, /broken\.bicep:\d+:\d+: (ERROR|MISSING)/);
  assert.ok(
    problems.some((p) => p.includes('broken.bicep:3:')),
    `expected a problem on line 3, got ${problems.join('; ')}`,
  );
});

test('syntaxProblems reports the 1-based position of a stray token', async () => {
  const path = join(dir, 'stray.bicep');
  writeFileSync(path, 'var ok = 1\nvar = 2\n');
  const problems = syntaxProblems(await parseBicep(path));
  assert.ok(
    problems.some((p) => p.includes('stray.bicep:2:1: ERROR')),
    problems.join('; '),
  );
});

test('syntaxProblems is empty for a valid file', async () => {
  const path = join(dir, 'valid.bicep');
  writeFileSync(path, "param a string = 'x'\nvar b = toLower(a)\noutput c string = b\n");
  assert.deepEqual(syntaxProblems(await parseBicep(path)), []);
});

test('evaluate resolves interpolation, loadJsonContent, member access, items() and loop names', async () => {
  const m = await model(
    'eval.bicep',
    [
      "var names = loadJsonContent('names.json')",
      'var prefix = names.settings.storageConnection',
      "var url = '${prefix}__blob/${names.containers.exports}'",
      'param runtime string',
      "var mixed = 'x-${runtime}'",
      "resource c 'A/b@2020-01-01' = [for x in items(names.containers): {",
      '  name: x.value',
      '}]',
      '',
    ].join('\n'),
  );
  assert.equal(evaluate(m, m.vars.get('url')!), 'AzureWebJobsStorage__blob/audit-exports');
  const mixed = evaluate(m, m.vars.get('mixed')!);
  assert.ok(mixed instanceof Opaque, 'a parameter is an input, not a known value');
  assert.deepEqual(resourceNames(m, m.resources[0]!).sort(), ['audit-config', 'audit-exports']);
});

test('checkParametersFile reports undeclared and unsupplied parameters', async () => {
  const m = await model('params.bicep', "param required string\nparam optional string = 'x'\n");
  assert.deepEqual(checkParametersFile(m, { parameters: { required: { value: 'a' } } }, 'p.json'), []);
  const problems = checkParametersFile(m, { parameters: { optional: { value: 'a' }, extra: { value: 1 } } }, 'p.json');
  assert.equal(problems.length, 2, problems.join('; '));
  assert.ok(problems.some((p) => p.includes('"extra" is not declared')));
  assert.ok(problems.some((p) => p.includes('required parameter "required" is not supplied')));
});

test('checkModulePaths reports missing files and registry modules', async () => {
  mkdirSync(join(dir, 'modules'), { recursive: true });
  writeFileSync(join(dir, 'modules', 'there.bicep'), '');
  const m = await model(
    'modules.bicep',
    [
      "module a 'modules/there.bicep' = {\n  name: 'a'\n}",
      "module b 'modules/missing.bicep' = {\n  name: 'b'\n}",
      "module c 'br/public:avm/res/web/site:0.15.1' = {\n  name: 'c'\n}",
      '',
    ].join('\n'),
  );
  const problems = checkModulePaths(m);
  assert.equal(problems.length, 2, problems.join('; '));
  assert.ok(problems.some((p) => p.includes('modules/missing.bicep') && p.includes('does not exist')));
  assert.ok(problems.some((p) => p.includes('registry reference')));
});

const BAD_SITE = `
var names = loadJsonContent('names.json')
resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: 'x'
}
resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'app'
  properties: {
    siteConfig: {
      appSettings: [
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: names.settings.storageConnection, value: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=\${stg.listKeys().keys[0].value}' }
        { name: 'SOME_CONNECTION_STRING', value: 'x' }
        { name: '\${names.settings.storageConnection}__credential', value: 'managedidentity' }
      ]
    }
  }
}
`;

test('app-setting rules catch Flex-rejected settings, connection strings, account keys and list* calls', async () => {
  const m = await model('badsite.bicep', BAD_SITE);
  const settings = appSettingsOf(m);
  assert.deepEqual(
    settings.map((s) => s.name),
    ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'SOME_CONNECTION_STRING', 'AzureWebJobsStorage__credential'],
  );
  const flex = checkFlexSettings(settings);
  assert.equal(flex.length, 1);
  assert.match(flex[0]!, /FUNCTIONS_WORKER_RUNTIME is rejected by Flex Consumption/);

  const secrets = checkNoSecretSettings(settings, 'AzureWebJobsStorage');
  assert.ok(
    secrets.some((p) => p.includes('AzureWebJobsStorage set directly')),
    secrets.join('; '),
  );
  assert.ok(secrets.some((p) => p.includes('an account key')));
  assert.ok(secrets.some((p) => p.includes('a storage connection string')));
  assert.ok(secrets.some((p) => p.includes('list*')));
  assert.ok(secrets.some((p) => p.includes('SOME_CONNECTION_STRING is a connection-string setting')));

  const identity = checkIdentityBasedStorage(settings, 'AzureWebJobsStorage');
  assert.ok(identity.some((p) => p.includes('missing app setting AzureWebJobsStorage__blobServiceUri')));
  assert.ok(identity.some((p) => p.includes('__clientId')));
  assert.ok(!identity.some((p) => p.includes('__credential')), 'credential is set correctly in the fixture');

  const calls = listCalls(m);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.fn, 'listKeys');
  assert.equal(calls[0]!.target?.type, 'Microsoft.Storage/storageAccounts');
});

test('listCalls finds the function form listKeys(<id>, <version>) too', async () => {
  const m = await model(
    'listfn.bicep',
    "output storageKey string = listKeys(resourceId('Microsoft.Storage/storageAccounts', 'x'), '2023-05-01').keys[0].value\n",
  );
  const calls = listCalls(m);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.fn, 'listKeys');
  assert.match(calls[0]!.idArgument ?? '', /^resourceId\(/);
  assert.equal(checkOutputs(m).length, 2, 'the output name says key and the value is a list call');
});

test('hardCodedNames flags names.json names in strings but not in @description', async () => {
  const m = await model(
    'hard.bicep',
    [
      "@description('Uploads go to audit-exports.')",
      "param p string = ''",
      "var a = '/blobServices/default/containers/audit-exports/blobs/'",
      "var b = 'EXPORTS_CONTAINER'",
      "var c = 'uploads-archive'",
      '',
    ].join('\n'),
  );
  const problems = hardCodedNames(m, namesToProtect(NAMES));
  assert.equal(problems.length, 2, problems.join('; '));
  assert.ok(problems.some((p) => p.includes('hard.bicep:3:') && p.includes('"audit-exports"')));
  assert.ok(problems.some((p) => p.includes('hard.bicep:4:') && p.includes('"EXPORTS_CONTAINER"')));
});

test('roleAssignmentsOf checks the guid(scope, principal, role) name and reads the role id', async () => {
  const m = await model(
    'roles.bicep',
    [
      'param principal string',
      "var roles = { reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' }",
      "resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {\n  name: 'x'\n}",
      "resource good 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      '  name: guid(stg.id, principal, roles.reader)',
      '  scope: stg',
      "  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.reader)",
      "    principalId: principal\n    principalType: 'ServicePrincipal'\n  }\n}",
      "resource bad 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      "  name: guid(principal, 'x')",
      '  scope: stg',
      "  properties: {\n    roleDefinitionId: '/providers/x'\n    principalId: principal\n  }\n}",
      '',
    ].join('\n'),
  );
  const [good, bad] = roleAssignmentsOf(m);
  assert.deepEqual(good!.formProblems, []);
  assert.equal(good!.roleId, 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
  assert.equal(good!.scope?.type, 'Microsoft.Storage/storageAccounts');
  assert.equal(good!.principalType, 'ServicePrincipal');
  assert.equal(bad!.formProblems.length, 2, bad!.formProblems.join('; '));
  assert.deepEqual(
    guidLiterals(m).map((g) => g.guid),
    ['acdd72a7-3385-48ef-bd42-f606fba81ae7'],
  );
});

test('checkSecretParameters wants secret-looking parameters @secure() and without a default', async () => {
  const m = await model(
    'secret.bicep',
    "param apiKey string = 'abc'\n@secure()\nparam clientSecret string\nparam plain string = 'x'\n",
  );
  const problems = checkSecretParameters(m);
  assert.equal(problems.length, 2, problems.join('; '));
  assert.ok(problems.every((p) => p.includes('apiKey')));
});
