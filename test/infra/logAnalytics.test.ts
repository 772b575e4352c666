// The Log Analytics export in the templates (infra/modules/logAnalytics.bicep): tables and the rule's streams read
// from src/pipeline/logAnalytics/tables.json (the schema the exported rows and the KQL check use), a Direct rule,
// every workbook query from infra/log-analytics/queries, on by default, and the app settings the code reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';
import { evaluate, propertyAt } from './bicepModel.js';
import { appSettingsOf } from './infraLint.js';
import { NAMES, useInfraTemplates } from './templates.fixture.js';
import { USER_ID_MODES } from '../../src/pipeline/logAnalytics/exportService.js';

const MODULE = 'infra/modules/logAnalytics.bicep';
const names = NAMES;

const { template } = useInfraTemplates();

test('tables and streams come from tables.json; the rule is Direct and sends each stream to its table unchanged', () => {
  const model = template(MODULE);
  assert.equal(model.vars.get('tables')?.text, "loadJsonContent('../../src/pipeline/logAnalytics/tables.json').tables");
  const tables = model.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables');
  assert.ok(tables?.loop, 'one table per entry');
  assert.equal(tables.loop.iterable.text, '(enabled ? tableKinds : [])');
  assert.equal(propertyAt(tables.body, 'properties.schema.name')?.text, 'tables[kind].table');
  assert.match(propertyAt(tables.body, 'properties.schema.columns')?.text ?? '', /^map\(tables\[kind\]\.columns,/);
  const rule = model.resources.find((r) => r.type === 'Microsoft.Insights/dataCollectionRules' && !r.existing);
  assert.ok(rule);
  assert.equal(rule.condition?.text, '(enabled)');
  assert.equal(evaluate(model, propertyAt(rule.body, 'kind')!), 'Direct');
  assert.match(
    propertyAt(rule.body, 'properties.streamDeclarations')?.text ?? '',
    /^toObject\(tableKinds, kind => tables\[kind\]\.stream,/,
  );
  const flows = propertyAt(rule.body, 'properties.dataFlows')?.text ?? '';
  assert.match(flows, /transformKql: 'source'/);
  assert.match(flows, /outputStream: 'Custom-\$\{tables\[kind\]\.table\}'/);
});

test('every workbook query is a checked file, after the latest-result preamble', () => {
  const text = readFileSync(join(REPO_ROOT, MODULE), 'utf8');
  const loaded = [...text.matchAll(/loadTextContent\('([^']+)'\)/g)].map((m) => m[1]!);
  assert.ok(loaded.length >= 8);
  for (const path of loaded) assert.ok(existsSync(join(REPO_ROOT, 'infra', 'modules', path)), path);
  const queries = [...text.matchAll(/query: '\$\{preamble\}\\n\$\{loadTextContent\('([^']+)'\)\}'/g)].map((m) => m[1]!);
  assert.equal(queries.length, 7, 'seven workbook queries');
  assert.equal(
    template(MODULE).vars.get('preamble')?.text,
    "loadTextContent('../log-analytics/queries/latestResults.kql')",
  );
  // The alert gets the let statements the KQL check (logAnalyticsKql.test.ts) declares.
  const alert = template(MODULE).vars.get('alertQuery')?.text ?? '';
  for (const name of ['DropRateThreshold', 'MinEligibleSessions', 'BaselineFactor'])
    assert.match(alert, new RegExp(`let ${name} = `));
});

test("the export is on by default, its user-id modes are the code's, and main.bicep passes the parameters", () => {
  const main = template('infra/main.bicep');
  assert.equal(evaluate(main, main.params.get('enableLogAnalytics')!.defaultValue!), true);
  const module = main.modules.find((m) => m.symbol === 'logAnalytics');
  assert.ok(module);
  assert.equal(module.path, 'modules/logAnalytics.bicep');
  for (const [param, value] of [
    ['enabled', 'enableLogAnalytics'],
    ['userIds', 'logAnalyticsUserIds'],
    ['workspaceName', 'monitoring.outputs.logAnalyticsName'],
    ['alertEmail', 'alertEmail'],
    ['alertMinSessions', 'alertMinSessions'],
  ]) {
    assert.equal(propertyAt(module.body, `params.${param}`)?.text, value, param);
  }
  for (const path of ['infra/main.bicep', MODULE]) {
    const source = readFileSync(join(REPO_ROOT, path), 'utf8');
    const allowed = /@allowed\(\[([^\]]*)\]\)\s*param (?:logAnalyticsUserIds|userIds) /.exec(source);
    assert.deepEqual(
      [...(allowed?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]),
      [...USER_ID_MODES],
      path,
    );
  }
  assert.equal(names.settingDefaults[names.settings['logsIngestionUserIds']!], 'include');
  const rbac = main.modules.find((m) => m.symbol === 'rbac')!;
  assert.equal(propertyAt(rbac.body, 'params.dataCollectionRuleName')?.text, 'logAnalytics.outputs.ruleName');
});

test('the Function App gets the endpoint, the rule id, the user-id mode and its identity under the names the code reads', () => {
  const model = template('infra/modules/functionApp.bicep');
  const byName = new Map(appSettingsOf(model).map((s) => [String(s.name), s.valueText]));
  assert.equal(byName.get(names.settings['logsIngestionEndpoint']!), 'logAnalyticsSettings.endpoint');
  assert.equal(byName.get(names.settings['logsIngestionRuleId']!), 'logAnalyticsSettings.ruleId');
  assert.equal(byName.get(names.settings['logsIngestionUserIds']!), 'logAnalyticsSettings.userIds');
  assert.equal(byName.get(names.settings['logsIngestionClientId']!), 'identity.properties.clientId');
  const settings =
    template(MODULE)
      .outputs.find((o) => o.name === 'settings')
      ?.value.text.replace(/\s+/g, ' ') ?? '';
  assert.match(settings, /endpoint: enabled \? rule!\.properties\.endpoints\.logsIngestion : ''/);
  assert.match(settings, /ruleId: enabled \? rule!\.properties\.immutableId : ''/);
  const main = template('infra/main.bicep');
  assert.equal(
    propertyAt(main.modules.find((m) => m.symbol === 'functionApp')!.body, 'params.logAnalyticsSettings')?.text,
    'logAnalytics.outputs.settings',
  );
});
