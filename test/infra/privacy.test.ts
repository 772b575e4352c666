// Retention and pseudonymised mode in the templates: main.bicep's parameters reach the Function App's settings
// under their names.json names (defaults 30/180/730 days, off), the pseudonym key is a Key Vault reference
// resolved with the user-assigned identity, and azd environment values feed the parameters.
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

test('the Function App sets the retention and pseudonymisation settings under their names.json names', () => {
  const model = template('infra/modules/functionApp.bicep');
  const byName = new Map(appSettingsOf(model).map((s) => [String(s.name), s.valueText]));
  assert.equal(byName.get(names.settings['retentionRecordsDays']!), 'string(retentionRecordsDays)');
  assert.equal(byName.get(names.settings['retentionResultsDays']!), 'string(retentionResultsDays)');
  assert.equal(byName.get(names.settings['retentionAggregatesDays']!), 'string(retentionAggregatesDays)');
  assert.equal(byName.get(names.settings['retentionSchedule']!), 'retentionSchedule');
  assert.equal(byName.get(names.settings['pseudonymizeUsers']!), "pseudonymizeUsers ? 'true' : 'false'");
  assert.equal(
    byName.get(names.settings['pseudonymKey']!),
    "pseudonymizeUsers && !empty(pseudonymVaultReferenceUri) ? '@Microsoft.KeyVault(SecretUri=${pseudonymVaultReferenceUri})' : ''",
  );
});

test('main.bicep passes the periods (defaults = names.json), the schedule and the pseudonym switch and secret', () => {
  const main = template('infra/main.bicep');
  const functionApp = main.modules.find((m) => m.symbol === 'functionApp')!;
  for (const p of [
    'retentionRecordsDays',
    'retentionResultsDays',
    'retentionAggregatesDays',
    'pseudonymizeUsers',
    'pseudonymVaultReferenceUri',
  ]) {
    assert.equal(propertyAt(functionApp.body, `params.${p}`)?.text, p);
    const setting = names.settings[p === 'pseudonymVaultReferenceUri' ? 'pseudonymKey' : p]!;
    if (p.startsWith('retention'))
      assert.equal(
        evaluate(main, main.params.get(p)!.defaultValue!),
        Number(names.settingDefaults[setting]),
        `${p} default`,
      );
  }
  assert.equal(evaluate(main, main.params.get('pseudonymizeUsers')!.defaultValue!), false);
  assert.equal(propertyAt(functionApp.body, 'params.retentionSchedule')?.text, 'effectiveRetentionSchedule');
  const effective = main.vars.get('effectiveRetentionSchedule')!;
  assert.equal(
    evaluate(main, effective, new Map([['retentionSchedule', '']])),
    names.settingDefaults[names.settings['retentionSchedule']!],
  );
  const parameters = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: string }>;
  };
  assert.equal(parameters.parameters['pseudonymizeUsers']?.value, '${PSEUDONYMIZE_USERS=false}');
  assert.equal(parameters.parameters['retentionRecordsDays']?.value, '${RETENTION_RECORDS_DAYS=30}');
});
