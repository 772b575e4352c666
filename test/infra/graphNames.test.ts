// Names from Microsoft Graph in the templates: main.bicep's switch, refresh period and schedule reach the Function
// App's settings under their names.json names; the Graph host is the cloud's and the identity the app's own; off by
// default; the principal id for the User.Read.All grant is an output. No HTTP route is added (a timer only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';
import { evaluate, propertyAt } from './bicepModel.js';
import { appSettingsOf } from './infraLint.js';
import { NAMES, useInfraTemplates } from './templates.fixture.js';

const names = NAMES;

const { template } = useInfraTemplates();

test("the Function App sets the Graph name settings under their names.json names, with the app identity and the cloud's Graph host", () => {
  const model = template('infra/modules/functionApp.bicep');
  const byName = new Map(appSettingsOf(model).map((s) => [String(s.name), s.valueText]));
  assert.equal(byName.get(names.settings['graphNames']!), "enableGraphNames ? 'true' : 'false'");
  assert.equal(byName.get(names.settings['graphNamesSchedule']!), 'graphNamesSchedule');
  assert.equal(byName.get(names.settings['graphNamesRefreshHours']!), 'string(graphNamesRefreshHours)');
  assert.equal(byName.get(names.settings['graphBaseUrl']!), 'environment().graph');
  assert.equal(byName.get(names.settings['graphManagedIdentityClientId']!), 'identity.properties.clientId');
  assert.equal(evaluate(model, model.params.get('enableGraphNames')!.defaultValue!), false);
});

test('main.bicep passes the switch, the refresh period and the schedule (names.json default when empty), and outputs the identity to grant', () => {
  const main = template('infra/main.bicep');
  const functionApp = main.modules.find((m) => m.symbol === 'functionApp')!;
  assert.equal(propertyAt(functionApp.body, 'params.enableGraphNames')?.text, 'enableGraphNames');
  assert.equal(propertyAt(functionApp.body, 'params.graphNamesRefreshHours')?.text, 'graphNamesRefreshHours');
  assert.equal(propertyAt(functionApp.body, 'params.graphNamesSchedule')?.text, 'effectiveGraphNamesSchedule');
  const effective = main.vars.get('effectiveGraphNamesSchedule')!;
  assert.equal(
    evaluate(main, effective, new Map([['graphNamesSchedule', '']])),
    names.settingDefaults[names.settings['graphNamesSchedule']!],
  );
  assert.equal(evaluate(main, effective, new Map([['graphNamesSchedule', '0 0 3 * * *']])), '0 0 3 * * *');
  assert.equal(evaluate(main, main.params.get('enableGraphNames')!.defaultValue!), false);
  assert.equal(
    evaluate(main, main.params.get('graphNamesRefreshHours')!.defaultValue!),
    Number(names.settingDefaults[names.settings['graphNamesRefreshHours']!]),
  );
  assert.equal(
    main.outputs.find((o) => o.name === 'APP_IDENTITY_PRINCIPAL_ID')?.value.text,
    'identity.outputs.principalId',
  );
  const parameters = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: string }>;
  };
  assert.equal(parameters.parameters['enableGraphNames']?.value, '${GRAPH_NAMES=false}');
});
