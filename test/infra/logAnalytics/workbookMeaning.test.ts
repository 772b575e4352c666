// The workbook's KQL means what docs/log-analytics.md says: its parts, run by the test-side evaluator on the rows
// the export really sent (workbookSample.ts: every meeting analysed twice, a throttled upload sent again), give the
// report API's numbers on the same store: drop rate by site and by day, the gap histogram, the most affected
// people, the meetings and one meeting's disconnections, and the worst sites against their baseline. A copy of the
// preamble that keeps every row, or the first analysis instead of the latest, does not: the comparison sees it.
// The alert query too, on the site drop-rate rows. Last, the renderer of the docs' picture runs on the same sample
// (the sample takes a minute or two to build).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerReport } from '../../../src/pipeline/answerReport.js';
import type { DisconnectionRow } from '../../../src/reports/disconnections.js';
import type { NamedMeetingRow } from '../../../src/reports/meetings.js';
import type { RankingRow } from '../../../src/reports/summary.js';
import { jsonBody, present, type PageBody } from '../../support/jsonBody.js';
import type { SummaryBody } from '../../pipeline/http/reportBodies.js';
import { findBrowser } from '../../dashboard/browser.js';
import { renderWorkbook, workbookResults } from './renderWorkbook.js';
import { evaluateKql, toJson } from './kqlEvaluator.js';
import { readAlertQuery, readWorkbookLayout, type WorkbookPart } from './workbookLayout.js';
import { runPart, workspaceTables, type PartResult, type WorkbookSettings } from './workbookRun.js';
import { sampleWorkspace, SAMPLE_NOW, type SampleWorkspace } from './workbookSample.js';

const DAY = 86_400_000;
const layout = readWorkbookLayout();
const SETTINGS: WorkbookSettings = { now: SAMPLE_NOW, timeRangeMs: 30 * DAY, minSessions: 20 };
const FROM = new Date(SAMPLE_NOW.getTime() - SETTINGS.timeRangeMs).toISOString();
const TO = SAMPLE_NOW.toISOString();

let sample: SampleWorkspace;
before(async () => {
  sample = await sampleWorkspace();
});
after(async () => {
  await sample?.close();
});

function partNamed(name: string): WorkbookPart {
  const part = layout.parts.find((p) => p.name === name);
  assert.ok(part, `the workbook has a part ${name}`);
  return part;
}

function run(name: string, settings: Partial<WorkbookSettings> = {}, query?: string): PartResult {
  return runPart(partNamed(name), sample.tables, { ...SETTINGS, ...settings }, query);
}

async function api<T>(route: string, query: Record<string, string>): Promise<T> {
  const response = await answerReport({ route, params: {}, query }, sample.deps);
  assert.equal(response.status, 200, response.body);
  return jsonBody<T>(response);
}

/** Every page of a listing route. */
async function all<T>(route: string, query: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await api<PageBody<T>>(route, {
      ...query,
      limit: '1000',
      ...(token ? { continuationToken: token } : {}),
    });
    out.push(...page.items);
    token = page.continuationToken ?? undefined;
  } while (token !== undefined);
  return out;
}

const pct = (drops: number, eligible: number): number => Math.round((10_000 * drops) / eligible) / 100;

test('the sample holds what the preamble must undo: two analyses per meeting and rows sent twice', () => {
  const meetings = sample.tables['TeamsMeetingResults_CL']!.filter((r) => r['Dimension'] === 'meeting');
  const ids = new Set(meetings.map((r) => r['MeetingId']));
  assert.ok(ids.size >= 100, `${ids.size} meetings`);
  assert.equal(new Set(meetings.map((r) => r['AnalysedAt'])).size, 2, 'two analyses');
  assert.ok(meetings.length > 2 * ids.size, 'some meetings were sent twice by the same analysis (the retry)');
});

test("drop rate by site: the report API's summary by site over the same period", async () => {
  const workbook = run('dropRateBySite');
  const summary = await api<SummaryBody>('summary', { groupBy: 'site', from: FROM, to: TO, limit: '1000' });
  const expected = summary.items.filter((r) => r.eligibleSessions >= SETTINGS.minSessions);
  assert.ok(expected.length >= 3, JSON.stringify(summary.items));
  assert.deepEqual(
    workbook.rows.map((r) => ({
      Site: r['Site'],
      Drops: r['Drops'],
      EligibleSessions: r['EligibleSessions'],
      DropRatePct: r['DropRatePct'],
    })),
    expected.map((r) => ({
      Site: r.key,
      Drops: r.drops,
      EligibleSessions: r.eligibleSessions,
      DropRatePct: pct(r.drops, r.eligibleSessions),
    })),
  );
  for (const r of workbook.rows) {
    const s = present(
      expected.find((e) => e.key === r['Site']),
      `site ${String(r['Site'])} in the API`,
    );
    assert.equal(r['LostMinutes'], Math.round(s.lostSeconds / 6) / 10, String(r['Site']));
  }
  // A higher minimum leaves out the sites below it.
  const strict = run('dropRateBySite', { minSessions: 1_000_000 });
  assert.deepEqual(strict.rows, []);
});

test("drop rate by day: the report API's summary by day", async () => {
  const workbook = run('dropRateByDay');
  const summary = await api<SummaryBody>('summary', { groupBy: 'day', from: FROM, to: TO, limit: '1000' });
  const byDay = [...summary.items].sort((a, b) => (a.key < b.key ? -1 : 1));
  assert.equal(byDay.length, 13, 'the 13 days with meetings');
  // Drops and EligibleSessions are compared when the query shows them (a chart may keep only the rate).
  const shown = ['Drops', 'EligibleSessions'].filter((c) => workbook.columns.includes(c));
  assert.deepEqual(
    workbook.rows.map((r) => [String(r['Day']).slice(0, 10), r['DropRatePct'], ...shown.map((c) => r[c])]),
    byDay.map((r) => [
      r.key,
      pct(r.drops, r.eligibleSessions),
      ...shown.map((c) => (c === 'Drops' ? r.drops : r.eligibleSessions)),
    ]),
  );
});

test("the gap histogram: the summary's buckets", async () => {
  const workbook = run('gapHistogram');
  const summary = await api<SummaryBody>('summary', { from: FROM, to: TO });
  const expected = (summary.totals.gapHistogram as Array<{ label: string; count: number }>).filter((b) => b.count > 0);
  assert.deepEqual(
    workbook.rows.map((r) => [String(r['Bucket']).replace(/^\d: /, '').replace('-', '–'), r['Disconnections']]),
    expected.map((b) => [b.label, b.count]),
  );
});

test('the most affected people: counted drops per UPN as the report API lists them', async () => {
  const workbook = run('topAffectedUsers');
  const counted = (await all<DisconnectionRow>('disconnections', { from: FROM, to: TO })).filter(
    (d) => d.counted && d.participantClass === 'human' && d.upn !== '',
  );
  const byUser = new Map<string, DisconnectionRow[]>();
  for (const d of counted) byUser.set(d.upn, [...(byUser.get(d.upn) ?? []), d]);
  assert.equal(workbook.rows.length, Math.min(25, byUser.size));
  for (const r of workbook.rows) {
    const mine = byUser.get(String(r['UserPrincipalName'])) ?? [];
    const lost = mine.reduce((n, d) => n + Math.max(0, d.gapSeconds), 0);
    assert.deepEqual(
      [r['Drops'], r['Meetings'], r['LostMinutes']],
      [mine.length, new Set(mine.map((d) => d.meetingId)).size, Math.round(lost / 6) / 10],
      String(r['UserPrincipalName']),
    );
  }
  const shown = new Set(workbook.rows.map((r) => r['UserPrincipalName']));
  const least = Math.min(...workbook.rows.map((r) => Number(r['Drops'])));
  for (const [user, mine] of byUser)
    if (!shown.has(user)) assert.ok(mine.length <= least, `${user} has more drops than those shown`);
});

test("the meetings grid and the drill-down of the selected meeting: the API's meetings and disconnections", async () => {
  const list = run('meetingList');
  const meetings = await all<NamedMeetingRow>('meetings', { from: FROM, to: TO });
  const byId = new Map(meetings.map((m) => [m.meetingId, m]));
  assert.equal(list.rows.length, Math.min(200, meetings.length));
  for (const r of list.rows) assert.equal(r['Drops'], byId.get(String(r['MeetingId']))?.drops, String(r['MeetingId']));
  const maxDrops = Math.max(...meetings.map((m) => m.drops));
  assert.equal(list.rows[0]!['Drops'], maxDrops, 'most drops first');

  const selected = String(list.rows[0]!['MeetingId']);
  const drill = run('meetingDrillDown', { meetingId: selected });
  const disconnections = await all<DisconnectionRow>('disconnections', { meeting: selected });
  assert.ok(drill.rows.length > 0);
  assert.deepEqual(
    drill.rows.map((r) => [r['LeaveTime'], r['GapSeconds'], r['Band'], r['Counted']]),
    disconnections
      .map((d) => [new Date(d.leaveTime).toISOString(), d.gapSeconds, d.band, d.counted])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
});

test('worst sites this week: the summary by site of the last 7 days, against the 4 weeks before', async () => {
  const workbook = run('worstSitesThisWeek');
  assert.ok(workbook.rows.length >= 3, JSON.stringify(workbook.rows));
  const weekStart = Date.parse(String(workbook.rows[0]!['WeekStart']));
  assert.ok(Number.isFinite(weekStart));
  const summary = async (from: number, to: number): Promise<Map<string, RankingRow>> => {
    const page = await api<SummaryBody>('summary', {
      groupBy: 'site',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      limit: '1000',
    });
    return new Map(page.items.map((r) => [r.key, r]));
  };
  const week = await summary(weekStart, SAMPLE_NOW.getTime());
  const baseline = await summary(weekStart - 28 * DAY, weekStart);
  for (const r of workbook.rows) {
    const site = String(r['Site']);
    const w = present(week.get(site), `site ${site} in the week's summary`);
    const b = baseline.get(site);
    assert.deepEqual(
      [
        r['Drops'],
        r['EligibleSessions'],
        r['WeekDropRatePct'],
        r['BaselineEligibleSessions'],
        r['BaselineDropRatePct'],
      ],
      [
        w.drops,
        w.eligibleSessions,
        pct(w.drops, w.eligibleSessions),
        b?.eligibleSessions ?? 0,
        b ? pct(b.drops, b.eligibleSessions) : null,
      ],
      site,
    );
    assert.ok(Number(r['EligibleSessions']) >= SETTINGS.minSessions);
  }
  // Worst first.
  const rates = workbook.rows.map((r) => Number(r['WeekDropRatePct']));
  assert.deepEqual(
    rates,
    [...rates].sort((a, b) => b - a),
  );
});

test('the alert fires for the sites the report API says are over the threshold and their baseline', async () => {
  // The rule reads the last 12 hours (windowSize PT12H) of site drop-rate rows.
  const tables = workspaceTables(sample.tables, SAMPLE_NOW, 12 * 3_600_000);
  const week = (
    await api<SummaryBody>('summary', { groupBy: 'site', from: '2026-03-25T00:00:00.000Z', to: TO, limit: '1000' })
  ).items;
  const baseline = (
    await api<SummaryBody>('summary', {
      groupBy: 'site',
      from: '2026-02-25T00:00:00.000Z',
      to: '2026-03-25T00:00:00.000Z',
      limit: '1000',
    })
  ).items;
  const fired: string[][] = [];
  for (const factor of [2, 1]) {
    const result = evaluateKql(readAlertQuery({ alertBaselineFactor: factor }), tables, SAMPLE_NOW);
    const sites = result.rows.map((r) => String(toJson(r['Site'] ?? null))).sort();
    const expected = week
      .filter((w) => {
        const b = baseline.find((x) => x.key === w.key);
        const rate = w.drops / w.eligibleSessions;
        const base = b && b.eligibleSessions > 0 ? b.drops / b.eligibleSessions : undefined;
        return w.eligibleSessions >= 20 && rate > 0.05 && (base === undefined || rate >= factor * base);
      })
      .map((w) => String(w.key))
      .sort();
    assert.deepEqual(sites, expected, `baseline factor ${factor}`);
    fired.push(sites);
  }
  assert.ok(fired[0]!.length >= 1 && fired[1]!.length > fired[0]!.length, JSON.stringify(fired));
});

test('the preamble matters: keeping every row, or the first analysis, gives other numbers', () => {
  const part = partNamed('dropRateBySite');
  const right = run('dropRateBySite');
  const everyRow = part.query.replace(
    /\| join kind=leftsemi LatestAnalysis on MeetingId, AnalysedAt\n\s*\| summarize arg_max\(TimeGenerated, \*\) by MeetingId, Dimension, DimensionKey;/,
    ';',
  );
  assert.notEqual(everyRow, part.query);
  assert.notDeepEqual(runPart(part, sample.tables, SETTINGS, everyRow).rows, right.rows);
  const first = part.query.replace('AnalysedAt = max(AnalysedAt)', 'AnalysedAt = min(AnalysedAt)');
  assert.notDeepEqual(runPart(part, sample.tables, SETTINGS, first).rows, right.rows);
  const noDedupe = part.query.replace(
    '| summarize arg_max(TimeGenerated, *) by MeetingId, Dimension, DimensionKey',
    '',
  );
  assert.notDeepEqual(runPart(part, sample.tables, SETTINGS, noDedupe).rows, right.rows, 'the retry sent rows twice');
});

// The renderer of docs/log-analytics-workbook.png (npm run render:workbook) on the same sample, into a temp folder.
const browser = findBrowser();
test(
  'the rendered page shows every part in order, the selected meeting and its drill-down',
  { skip: browser.found ? false : browser.reason },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'workbook-'));
    try {
      const png = join(folder, 'workbook.png');
      const rendered = await renderWorkbook(sample, png, join(folder, 'workbook.html'));
      assert.ok(rendered.pngBytes > 10_000 && rendered.pngBytes < 300_000, `${rendered.pngBytes} bytes`);
      assert.deepEqual(readFileSync(png).subarray(1, 4).toString(), 'PNG');
      const titles = [...rendered.html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
      assert.deepEqual(
        titles,
        layout.parts.map((p) => p.title),
      );
      const halves = [...rendered.html.matchAll(/class="part (half|full)" data-part="(\w+)"/g)].map((m) => [
        m[2],
        m[1],
      ]);
      assert.deepEqual(
        halves,
        layout.parts.map((p) => [p.name, p.customWidth === '50' ? 'half' : 'full']),
      );
      const { settings, results } = workbookResults(sample);
      assert.equal(settings.meetingId, run('meetingList').rows[0]!['MeetingId']);
      assert.equal((rendered.html.match(/<tr class="selected">/g) ?? []).length, 1);
      assert.equal(
        results.get('meetingDrillDown')?.rows.length,
        run('meetingDrillDown', { meetingId: settings.meetingId }).rows.length,
      );
      // The time chart: a line per numeric column after the day, as Azure draws it.
      const lines = (rendered.html.match(/<path d="M[^"]+" class="line"/g) ?? []).length;
      assert.equal(lines, run('dropRateByDay').columns.length - 1);
      assert.equal(
        (rendered.html.match(/class="bar"/g) ?? []).length,
        run('gapHistogram').rows.length,
        'one bar per bucket',
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
