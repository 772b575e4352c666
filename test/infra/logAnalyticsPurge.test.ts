// Retention and erasure of the Log Analytics rows in the deployment, as the real Bicep compiler evaluates it
// (`bicep snapshot` of main.bicep with parameters: the predicted resources with their properties): the custom
// tables keep their rows for the deployment's retention periods within what Log Analytics allows (analytics
// retention 4 to 730 days, total up to 4383), and the purge gives the app's identity Data Purger on the workspace
// and the app the workspace's resource id, unless it or the export is off.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';
import { findBicepCli, type BicepCli } from './bicepCompiler.js';
import names from '../../src/names.json';
import { LOG_TABLES } from '../../src/pipeline/logAnalytics/tables.js';

const DATA_PURGER = '150f5e0c-0603-4f03-8c7f-cf70034c4e90';
const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';

interface Predicted {
  type: string;
  name: string;
  properties?: Record<string, unknown>;
}

let cli: BicepCli | { reasons: string[] };
before(() => {
  cli = findBicepCli();
});

/** The resources main.bicep deploys with these parameters (besides environmentName and location). */
function snapshot(
  t: { skip(message: string): void },
  params: Record<string, string | number | boolean>,
): Predicted[] | undefined {
  if ('reasons' in cli) {
    t.skip(`no Bicep compiler: ${cli.reasons.join('; ')}`);
    return undefined;
  }
  if (cli.snapshot === undefined) {
    t.skip(`${cli.label} has no snapshot command`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bicep-snapshot-'));
  try {
    const using = relative(dir, join(REPO_ROOT, 'infra', 'main.bicep'))
      .split('\\')
      .join('/');
    const lines = [`using '${using}'`, "param environmentName = 'snap'", "param location = 'westeurope'"];
    for (const [name, value] of Object.entries(params))
      lines.push(`param ${name} = ${typeof value === 'string' ? `'${value}'` : String(value)}`);
    const file = join(dir, 'test.bicepparam');
    writeFileSync(file, lines.join('\n') + '\n');
    const result = cli.snapshot(file, [
      '--subscription-id',
      SUBSCRIPTION,
      '--tenant-id',
      SUBSCRIPTION,
      '--location',
      'westeurope',
      '--deployment-name',
      'snap',
    ]);
    assert.equal(result.status, 0, result.output);
    const parsed = JSON.parse(readFileSync(join(dir, 'test.snapshot.json'), 'utf8')) as {
      predictedResources: Predicted[];
    };
    return parsed.predictedResources;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tableRetention(resources: Predicted[]): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const r of resources.filter((x) => x.type === 'Microsoft.OperationalInsights/workspaces/tables'))
    out[r.name.split('/')[1]!] = [r.properties?.['retentionInDays'], r.properties?.['totalRetentionInDays']];
  return out;
}

function appSetting(resources: Predicted[], name: string): unknown {
  const site = resources.find((r) => r.type === 'Microsoft.Web/sites');
  const settings =
    (site?.properties?.['siteConfig'] as { appSettings?: Array<{ name: string; value: unknown }> } | undefined)
      ?.appSettings ?? [];
  return settings.find((s) => s.name === name)?.value;
}

function purgerAssignments(resources: Predicted[]): Predicted[] {
  return resources.filter(
    (r) =>
      r.type === 'Microsoft.Authorization/roleAssignments' &&
      String(r.properties?.['roleDefinitionId']).endsWith(`/${DATA_PURGER}`),
  );
}

const byKind = (results: unknown, aggregates: unknown): Record<string, [unknown, unknown]> =>
  Object.fromEntries(
    Object.values(LOG_TABLES).map((t) => [t.table, t.retention === 'results' ? results : aggregates]),
  ) as Record<string, [unknown, unknown]>;

test('defaults: the tables keep rows as long as the app keeps results and aggregates; erasures may purge the workspace', (t) => {
  const resources = snapshot(t, {});
  if (!resources) return;
  assert.deepEqual(tableRetention(resources), byKind([180, 180], [730, 730]));
  const workspace = resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces');
  assert.ok(workspace);
  const workspaceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-snap/providers/Microsoft.OperationalInsights/workspaces/${workspace.name}`;
  assert.equal(appSetting(resources, names.settings.logAnalyticsPurgeWorkspaceId), workspaceId);
  assert.equal(
    appSetting(resources, names.settings.logAnalyticsPurgeSchedule),
    names.settingDefaults.LOG_ANALYTICS_PURGE_SCHEDULE,
  );
  assert.equal(appSetting(resources, names.settings.retentionResultsDays), '180');
  const purgers = purgerAssignments(resources);
  assert.equal(purgers.length, 1, 'Data Purger for the app');
  assert.match(purgers[0]!.name, new RegExp(`workspaces/${workspace.name}'`), 'on the workspace only');
});

test('periods beyond 730 days go to long-term retention, periods under 4 days are raised to 4; the purge can be turned off', (t) => {
  const resources = snapshot(t, {
    retentionResultsDays: 1000,
    retentionAggregatesDays: 2,
    enableLogAnalyticsPurge: false,
  });
  if (!resources) return;
  assert.deepEqual(tableRetention(resources), byKind([730, 1000], [4, 4]));
  assert.equal(appSetting(resources, names.settings.retentionResultsDays), '1000');
  assert.equal(appSetting(resources, names.settings.logAnalyticsPurgeWorkspaceId), '');
  assert.deepEqual(purgerAssignments(resources), []);
});

test('with the export off there are no tables, no purge role and no purge setting', (t) => {
  const resources = snapshot(t, { enableLogAnalytics: false });
  if (!resources) return;
  assert.deepEqual(tableRetention(resources), {});
  assert.equal(appSetting(resources, names.settings.logAnalyticsPurgeWorkspaceId), '');
  assert.deepEqual(purgerAssignments(resources), []);
});
