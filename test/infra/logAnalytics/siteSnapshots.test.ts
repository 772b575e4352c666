// The worst-sites part and the alert read only the latest site drop-rate snapshot (the rows one export run sends
// share one TimeGenerated): a site that was in an earlier snapshot and is no longer sent (taken out of the site
// map, or without meetings for five weeks) is neither listed nor alerted on with its old rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateKql, toJson } from './kqlEvaluator.js';
import { readAlertQuery, readWorkbookLayout } from './workbookLayout.js';
import { runPart, workspaceTables } from './workbookRun.js';

const NOW = new Date('2026-03-20T12:00:00Z');
const HOUR = 3_600_000;

function siteRow(sentAt: number, site: string, drops: number): Record<string, unknown> {
  return {
    TimeGenerated: new Date(sentAt).toISOString(),
    Site: site,
    WeekStart: '2026-03-14T00:00:00.000Z',
    WeekEnd: '2026-03-21T00:00:00.000Z',
    Meetings: 10,
    EligibleSessions: 100,
    Drops: drops,
    DropRate: drops / 100,
    LostSeconds: 60 * drops,
    BaselineEligibleSessions: 400,
    BaselineDrops: 4,
    BaselineDropRate: 0.01,
  };
}

// Three hours ago both sites were sent; an hour ago only HQ was (Old Branch left the site map).
const rows = {
  TeamsSiteDropRates_CL: [
    siteRow(NOW.getTime() - 3 * HOUR, 'HQ', 8),
    siteRow(NOW.getTime() - 3 * HOUR, 'Old Branch', 30),
    siteRow(NOW.getTime() - HOUR, 'HQ', 9),
  ],
};

test('the worst sites this week list the sites of the latest snapshot only, with its rates', () => {
  const part = readWorkbookLayout().parts.find((p) => p.name === 'worstSitesThisWeek');
  assert.ok(part);
  const result = runPart(part, rows, { now: NOW, timeRangeMs: 30 * 24 * HOUR, minSessions: 20 });
  assert.deepEqual(
    result.rows.map((r) => [r['Site'], r['Drops'], r['WeekDropRatePct']]),
    [['HQ', 9, 9]],
  );
});

test('the alert fires for the sites of the latest snapshot only', () => {
  const tables = workspaceTables(rows, NOW, 12 * HOUR);
  const result = evaluateKql(readAlertQuery({ alertBaselineFactor: 2 }), tables, NOW);
  assert.deepEqual(
    result.rows.map((r) => [toJson(r['Site'] ?? null), toJson(r['Drops'] ?? null)]),
    [['HQ', 9]],
  );
});
