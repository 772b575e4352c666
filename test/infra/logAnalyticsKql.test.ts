// The KQL of the workbook and the alert (infra/log-analytics/queries/) parses and names only existing tables and
// columns, checked offline with @kusto/language-service-next against src/pipeline/logAnalytics/tables.json, the
// schema the Bicep tables, the rule's streams and the exported rows share. Workbook parameters are replaced with
// sample values first, as the workbook does; the alert gets the let statements its deployment puts before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_BUCKETS } from '../../src/analysis/metrics.js';
import { REPO_ROOT } from './bicepParser.js';
import { kqlErrors, referencedTables } from './kqlCheck.js';

const QUERIES = join(REPO_ROOT, 'infra', 'log-analytics', 'queries');
const PREAMBLE = 'latestResults.kql';
const ALERT = 'siteDropRateAlert.kql';
/** Workbook parameters and sample values of the kind the workbook substitutes. */
const WORKBOOK_PARAMETERS: Record<string, string> = {
  '{TimeRange:start}': '2026-03-01T00:00:00.000Z',
  '{TimeRange:end}': '2026-03-31T00:00:00.000Z',
  '{MinSessions}': '20',
  '{MeetingId}': 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
};
/** The let statements infra/modules/logAnalytics.bicep puts before the alert query (sample values). */
const ALERT_LETS = 'let DropRateThreshold = 5 / 100.0;\nlet MinEligibleSessions = 20;\nlet BaselineFactor = 2;\n';

function read(name: string): string {
  return readFileSync(join(QUERIES, name), 'utf8');
}

function workbookQuery(name: string): string {
  let text = `${read(PREAMBLE)}\n${read(name)}`;
  for (const [param, value] of Object.entries(WORKBOOK_PARAMETERS)) text = text.split(param).join(value);
  return text;
}

const files = readdirSync(QUERIES)
  .filter((f) => f.endsWith('.kql'))
  .sort();
const workbookFiles = files.filter((f) => f !== PREAMBLE && f !== ALERT);

test('the query folder holds the preamble, the alert and the workbook queries', () => {
  assert.ok(files.includes(PREAMBLE) && files.includes(ALERT));
  assert.ok(workbookFiles.length >= 6, workbookFiles.join(', '));
});

for (const name of workbookFiles) {
  test(`workbook query ${name} parses and names only existing tables and columns`, () => {
    const query = workbookQuery(name);
    assert.deepEqual(kqlErrors(query), []);
    assert.doesNotMatch(query, /\{[A-Za-z]+(:[a-z]+)?\}/, 'every workbook parameter has a sample value');
  });
}

test('the alert query parses with its let statements and reads only the site drop-rate table', () => {
  const query = `${ALERT_LETS}${read(ALERT)}`;
  assert.deepEqual(kqlErrors(query), []);
  assert.deepEqual(referencedTables(query), ['TeamsSiteDropRates_CL']);
  // Without the lets the names are unknown: the check sees them.
  assert.ok(kqlErrors(read(ALERT)).some((p) => p.at === 'MinEligibleSessions'));
});

test('the check finds a misspelt column, an unknown table and a syntax error', () => {
  const column = kqlErrors('TeamsDisconnections_CL | where GapSecond > 1');
  assert.deepEqual(
    column.map((p) => p.at),
    ['GapSecond'],
  );
  assert.ok(kqlErrors('TeamsDisconnection_CL | take 1').some((p) => p.at === 'TeamsDisconnection_CL'));
  assert.ok(kqlErrors('TeamsDisconnections_CL | where').length > 0);
  // A column of another table is not a column of this one.
  assert.ok(kqlErrors('TeamsDisconnections_CL | where Dimension == "site"').some((p) => p.at === 'Dimension'));
});

test("the gap histogram uses the reports' bucket edges", () => {
  const text = read('gapHistogram.kql');
  const edges = [...text.matchAll(/GapSeconds <=? (-?\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    edges,
    GAP_BUCKETS.slice(0, -1).map((b) => b.to),
  );
  const labels = [...text.matchAll(/"\d: ([^"]+)"/g)].map((m) => m[1]!.replace('-', '–'));
  assert.deepEqual(
    labels,
    GAP_BUCKETS.map((b) => b.label),
  );
});
