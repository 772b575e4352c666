// The dashboard in a real browser (the one browser.ts finds, via playwright-core) against the local host with
// three generated exports ingested and analysed: the numbers it shows are the API's and the ground
// truth's, filters change them and live in the URL, the meeting timeline marks the planted drops, CSV
// downloads are the API's CSV, and it runs under its CSP. Screenshots go to test-output/dashboard/.
import {
  newWatchedPage,
  ready,
  useDemoDashboard,
  DEMO_PARTS,
  SCREENSHOTS,
  type PageElement,
  type PageGlobals,
  type Watched,
} from './dashboardFixture.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatIsoUtc } from '../../src/audit/time.js';
import type { PlantedDrop } from '../../src/generator/exportGenerator.js';
import type { Ranking, TenantSummary } from '../../src/analysis/metrics.js';

const README_SCREENSHOT = join(__dirname, '..', '..', '..', 'docs', 'dashboard.png');
/** The default rule's re-join window: planted drops with longer gaps are "possible" and never counted. */
const REJOIN_WINDOW_SECONDS = 300;

const dashboard = useDemoDashboard();

interface Summary {
  totals: TenantSummary;
  minSessions: number;
  items: Array<Ranking & { dimension: string }>;
  focus?: {
    dimension: string;
    key: string;
    eligibleSessions: number;
    drops: number;
    dropRatePct: number;
    lostSeconds: number;
    meetings: number;
    meetingsAffected: number;
    participants: number;
  };
  continuationToken: string | null;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${dashboard.base}/api/${path}`);
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return (await response.json()) as T;
}

/** What the page shows for a count and a percentage (en-US, two decimals). */
const count = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (n: number): string =>
  `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} %`;

/** The expected numbers of a set of planted drops (what the generator says the analysis must find). */
function expectedFromTruth(drops: readonly PlantedDrop[]) {
  const counted = drops.filter((d) => d.massEventId === undefined && d.gapSeconds <= REJOIN_WINDOW_SECONDS);
  return {
    drops: counted.length,
    meetingsAffected: new Set(counted.map((d) => d.meetingId)).size,
    participantMeetingsAffected: new Set(counted.map((d) => `${d.meetingId}|${d.participantKey}`)).size,
    lostSeconds: counted.reduce((sum, d) => sum + Math.max(0, d.gapSeconds), 0),
  };
}

async function open(w: Watched, query: string): Promise<void> {
  await w.page.goto(`${dashboard.base}/api/dashboard${query}`);
  await ready(w.page);
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function columnTexts(page: Page, tableId: string, column: number): Promise<string[]> {
  return page.$$eval(
    `#${tableId} tbody tr`,
    (rows: PageElement[], i) => rows.map((r) => (r.children[i]?.textContent ?? '').trim()),
    column,
  );
}

async function assertHeadline(page: Page, totals: TenantSummary): Promise<void> {
  assert.equal(await text(page, '#kpi-drop-rate'), pct(totals.dropRatePct));
  assert.equal(
    await text(page, '#kpi-denominator'),
    `${count(totals.drops)} drops ÷ ${count(totals.eligibleHumanSessions)} eligible human sessions`,
  );
  assert.equal(await text(page, '#kpi-meetings'), `${count(totals.meetingsAffected)} of ${count(totals.meetings)}`);
  assert.equal(
    await text(page, '#kpi-attendees'),
    `${count(totals.participantMeetingsAffected)} of ${count(totals.participantMeetings)}`,
  );
  assert.equal(Number(await page.getAttribute('#kpi-lost', 'data-value')), totals.lostSeconds);
}

describe('the dashboard in a browser', { skip: dashboard.skip }, () => {
  dashboard.startAndStop();

  test('the overview shows the API summary, and it matches the ground truth of the generated exports', async () => {
    const summary = await api<Summary>('summary');
    const t = summary.totals;
    const truths = dashboard.fixture.truths.map((p) => p.truth);
    const expected = expectedFromTruth(truths.flatMap((x) => x.drops));
    // The API against the generator's ground truth (default rule: counted = gap ≤ 300 s, not in a mass event).
    assert.equal(
      t.meetings,
      truths.reduce((n, x) => n + x.meetings, 0),
    );
    assert.equal(
      t.participantMeetings,
      truths.reduce((n, x) => n + x.humans, 0),
    );
    assert.equal(t.drops, expected.drops);
    assert.equal(t.meetingsAffected, expected.meetingsAffected);
    assert.equal(t.participantMeetingsAffected, expected.participantMeetingsAffected);
    assert.equal(t.lostSeconds, expected.lostSeconds);
    assert.equal(
      t.massEvents,
      truths.reduce((n, x) => n + x.massEvents, 0),
    );
    assert.ok(t.drops > 0 && t.massEvents > 0, 'the generated data has drops and a mass event to show');

    const w = await newWatchedPage(dashboard.context);
    await open(w, '');
    await assertHeadline(w.page, t);
    const lost = /^(\d+) h (\d+) min$/.exec(await text(w.page, '#kpi-lost'));
    assert.ok(lost, 'time lost in hours and minutes');
    const shownSeconds = Number(lost[1]) * 3600 + Number(lost[2]) * 60;
    assert.ok(shownSeconds <= t.lostSeconds && t.lostSeconds < shownSeconds + 60);
    const over = t.dropRatePct > 3;
    assert.equal(
      await w.page.getAttribute('.target-state', 'data-over-target'),
      String(over),
      'compared with the default 3 % target',
    );

    // Trend by day: one row per meeting day, the API's rows.
    const days = await api<Summary>('summary?groupBy=day&limit=1000');
    const dayRows = await columnTexts(w.page, 'trend-table', 0);
    assert.deepEqual(dayRows, days.items.map((r) => r.key).sort());
    assert.deepEqual(
      dayRows,
      DEMO_PARTS.map((p) => p.start.slice(0, 10)),
    );
    assert.equal(await w.page.locator('#trend-chart canvas').count(), 1, 'the trend chart is drawn');

    // Worst sites: the API's order, sample sizes shown, below-minimum rows not ranked.
    const sites = await api<Summary>('summary?groupBy=site&limit=1000');
    const shownSites = await columnTexts(w.page, 'rank-site', 1);
    assert.deepEqual(
      shownSites,
      sites.items.slice(0, shownSites.length).map((r) => r.key),
    );
    assert.deepEqual(
      await columnTexts(w.page, 'rank-site', 2),
      sites.items.slice(0, shownSites.length).map((r) => count(r.eligibleSessions)),
    );
    assert.ok(
      shownSites.includes('Zurich HQ') && shownSites.includes('Basel lab'),
      'sites come from the uploaded site map',
    );
    const users = await api<Summary>('summary?groupBy=user&limit=1000');
    const thinUsers = users.items.filter((r) => !r.enoughData).length;
    assert.ok(thinUsers > 0, 'some users have fewer sessions than the minimum');
    const userRates = await columnTexts(w.page, 'rank-user', 4);
    const userRanks = await columnTexts(w.page, 'rank-user', 0);
    userRates.forEach((rate, i) => {
      if (userRanks[i] === '–') assert.equal(rate, 'not enough data');
    });
    assert.ok(userRates.includes('not enough data'));

    // Worst subnets: the API's groupBy=subnet ranking (every eligible session and counted drop under the /24 or /48
    // of its address), shown like sites: the first 10 ranked, then up to 5 rows with not enough data.
    const subnets = await api<Summary>('summary?groupBy=subnet&limit=1000');
    const allSubnets = [...subnets.items];
    for (let token = subnets.continuationToken; token !== null;) {
      const page = await api<Summary>(
        `summary?groupBy=subnet&limit=1000&continuationToken=${encodeURIComponent(token)}`,
      );
      allSubnets.push(...page.items);
      token = page.continuationToken;
    }
    assert.equal(
      allSubnets.reduce((n, r) => n + r.eligibleSessions, 0),
      t.eligibleHumanSessions,
    );
    assert.equal(
      allSubnets.reduce((n, r) => n + r.drops, 0),
      t.drops,
    );
    const subnetsShown = [
      ...subnets.items.filter((r) => r.enoughData).slice(0, 10),
      ...subnets.items.filter((r) => !r.enoughData).slice(0, 5),
    ];
    assert.ok(subnetsShown.length > 0);
    assert.deepEqual(
      await columnTexts(w.page, 'rank-subnet', 1),
      subnetsShown.map((r) => r.key),
    );
    assert.deepEqual(
      await columnTexts(w.page, 'rank-subnet', 2),
      subnetsShown.map((r) => count(r.eligibleSessions)),
    );
    const subnetRates = await columnTexts(w.page, 'rank-subnet', 4);
    subnetsShown.forEach((r, i) => {
      if (!r.enoughData) assert.equal(subnetRates[i], 'not enough data', r.key);
      else assert.notEqual(subnetRates[i], 'not enough data', r.key);
    });

    // Gap histogram: the API's buckets, in a table behind the chart.
    assert.deepEqual(
      await columnTexts(w.page, 'gap-table', 1),
      t.gapHistogram.map((b) => count(b.count)),
    );
    assert.equal(await w.page.locator('#gap-chart canvas').count(), 1);

    await w.page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
    if (process.env['UPDATE_README_SCREENSHOT'] === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      // The headline, the trend and the top of the rankings.
      const rankings = await w.page.locator('#rankings-title').boundingBox();
      await w.page.screenshot({
        path: README_SCREENSHOT,
        fullPage: true,
        clip: { x: 0, y: 0, width: 1360, height: Math.round((rankings?.y ?? 1400) + 420) },
      });
    }
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  test('a period filter changes the numbers, lives in the URL, and survives a reload; a site focuses the headline', async () => {
    const w = await newWatchedPage(dashboard.context);
    await open(w, '');
    const before = await text(w.page, '#kpi-meetings');
    const day = DEMO_PARTS[1]!.start.slice(0, 10);
    await w.page.fill('#f-from', day);
    await w.page.fill('#f-to', day);
    await w.page.click('#filters button[type=submit]');
    await w.page.waitForURL((url) => url.searchParams.get('from') === day && url.searchParams.get('to') === day);
    await ready(w.page);

    const filtered = await api<Summary>(`summary?from=${day}&to=${day}`);
    await assertHeadline(w.page, filtered.totals);
    const part = dashboard.fixture.truths[1]!.truth;
    assert.equal(filtered.totals.meetings, part.meetings, 'only the meetings of that day');
    assert.equal(filtered.totals.drops, expectedFromTruth(part.drops).drops);
    assert.notEqual(await text(w.page, '#kpi-meetings'), before, 'the filter changed what is shown');
    assert.deepEqual(await columnTexts(w.page, 'trend-table', 0), [day]);

    await w.page.reload();
    await ready(w.page);
    assert.equal(await w.page.inputValue('#f-from'), day);
    await assertHeadline(w.page, filtered.totals);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'overview-one-day.png'), fullPage: true });

    // Following a site in the ranking focuses the headline and the trend on it.
    await w.page.click('#rank-site a:text-is("Zurich HQ")');
    await w.page.waitForURL((url) => url.searchParams.get('site') === 'Zurich HQ');
    await ready(w.page);
    const focused = await api<Summary>(`summary?from=${day}&to=${day}&site=${encodeURIComponent('Zurich HQ')}`);
    const row = (await api<Summary>(`summary?from=${day}&to=${day}&groupBy=site&limit=1000`)).items.find(
      (r) => r.key === 'Zurich HQ',
    );
    assert.ok(focused.focus && row);
    assert.equal(focused.focus.eligibleSessions, row.eligibleSessions);
    assert.equal(focused.focus.drops, row.drops);
    assert.equal(
      await text(w.page, '#kpi-denominator'),
      `${count(row.drops)} drops ÷ ${count(row.eligibleSessions)} eligible human sessions`,
    );
    assert.equal(await text(w.page, '#kpi-drop-rate'), row.enoughData ? pct(row.dropRatePct) : 'not enough data');
    assert.equal(
      await w.page.locator('#rank-site tr.focus').count(),
      1,
      'the focused site is highlighted in the ranking',
    );
    assert.equal(await w.page.inputValue('#f-site'), 'Zurich HQ');
    await w.page.screenshot({ path: join(SCREENSHOTS, 'overview-site.png'), fullPage: true });
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  test('the meeting timeline marks the planted drops of a meeting, with their evidence', async () => {
    const drops = dashboard.fixture.truths.flatMap((p) => p.truth.drops);
    const byMeeting = new Map<string, PlantedDrop[]>();
    for (const d of drops) byMeeting.set(d.meetingId, [...(byMeeting.get(d.meetingId) ?? []), d]);
    const [meetingId, planted] = [...byMeeting]
      .filter(([, ds]) => ds.every((d) => d.massEventId === undefined))
      .sort((a, b) => b[1].length - a[1].length)[0]!;
    assert.ok(planted.length >= 3, 'a meeting with several drops');
    const detail = await api<{
      disconnections: Array<{ participantKey: string; leaveTime: string; counted: boolean }>;
      notes: Array<{ kind: string }>;
      massEvents: unknown[];
    }>(`meetings/${encodeURIComponent(meetingId)}?include=all&limit=1000`);

    const w = await newWatchedPage(dashboard.context);
    await open(w, `?view=meeting&meeting=${encodeURIComponent(meetingId)}`);
    const markers = await w.page.$$eval('svg.timeline g.drop', (gs: PageElement[]) =>
      gs.map((g) => ({
        participant: g.getAttribute('data-participant'),
        leave: g.getAttribute('data-leave'),
        counted: g.classList.contains('counted'),
      })),
    );
    assert.equal(markers.length, detail.disconnections.length, 'one marker per disconnection of the meeting');
    for (const d of planted) {
      const marker = markers.find((m) => m.participant === d.participantKey && m.leave === formatIsoUtc(d.leaveTime));
      assert.ok(marker, `planted drop of ${d.participantKey} at ${formatIsoUtc(d.leaveTime)} is marked`);
      assert.equal(
        marker.counted,
        d.gapSeconds <= REJOIN_WINDOW_SECONDS,
        `counted as the rule says (gap ${d.gapSeconds} s)`,
      );
    }
    assert.equal(
      Number(await w.page.getAttribute('#meeting-drops', 'data-value')),
      planted.filter((d) => d.gapSeconds <= REJOIN_WINDOW_SECONDS).length,
    );
    assert.equal(
      await w.page.locator('svg.timeline circle.handoff').count(),
      detail.notes.filter((n) => n.kind === 'device-handoff').length,
    );

    // Evidence: one row per disconnection with gap, IPs and sites; a marker leads to its row by keyboard.
    assert.equal(await w.page.locator('#evidence-table tbody tr').count(), detail.disconnections.length);
    const first = w.page.locator('svg.timeline g.drop').first();
    await first.focus();
    await w.page.keyboard.press('Enter');
    const index = await first.getAttribute('data-index');
    assert.equal(
      await w.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id),
      `drop-${index}`,
    );
    const row = await text(w.page, `#drop-${index}`);
    const planted0 = planted.find((d) => d.participantKey === (markers[Number(index)]?.participant ?? ''));
    assert.ok(planted0 === undefined || row.includes(`${planted0.gapSeconds} s`), row);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'meeting.png'), fullPage: true });
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  test('a mass event is drawn as a band and its drops are marked as not counted', async () => {
    const mass = dashboard.fixture.truths.flatMap((p) => p.truth.drops).filter((d) => d.massEventId !== undefined);
    assert.ok(mass.length > 0);
    const meetingId = mass[0]!.meetingId;
    const detail = await api<{ massEvents: unknown[] }>(
      `meetings/${encodeURIComponent(meetingId)}?include=all&limit=1000`,
    );
    assert.ok(detail.massEvents.length >= 1);
    const w = await newWatchedPage(dashboard.context);
    await open(w, `?view=meeting&meeting=${encodeURIComponent(meetingId)}`);
    assert.equal(await w.page.locator('svg.timeline rect.mass-event').count(), detail.massEvents.length);
    for (const d of mass.filter((x) => x.meetingId === meetingId)) {
      const cls = await w.page.getAttribute(
        `svg.timeline g.drop[data-participant="${d.participantKey}"][data-leave="${formatIsoUtc(d.leaveTime)}"]`,
        'class',
      );
      assert.match(cls ?? '', /\bmass\b/);
    }
    await w.page.screenshot({ path: join(SCREENSHOTS, 'meeting-mass-event.png'), fullPage: true });
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  test('the meetings list links to the timeline; CSV downloads are the API CSV', async () => {
    const w = await newWatchedPage(dashboard.context);
    await open(w, '?view=meetings');
    const listed = await api<{ items: Array<{ meetingId: string }> }>('meetings?limit=100');
    assert.equal(await w.page.locator('#meetings-table tbody tr').count(), listed.items.length);
    await w.page.screenshot({ path: join(SCREENSHOTS, 'meetings.png'), fullPage: true });
    const firstId = listed.items[0]!.meetingId;
    await w.page.click(`#meetings-table a[data-meeting="${firstId}"]`);
    await w.page.waitForURL(
      (url) => url.searchParams.get('view') === 'meeting' && url.searchParams.get('meeting') === firstId,
    );
    await ready(w.page);
    assert.match(await text(w.page, '#meeting-title'), new RegExp(firstId));
    await w.page.goBack();
    await ready(w.page);
    assert.equal(await w.page.locator('#meetings-table').count(), 1, 'back returns to the list');

    await open(w, '');
    const [download] = await Promise.all([
      w.page.waitForEvent('download'),
      w.page.click('#rank-site-title ~ .csv-download button.csv'),
    ]);
    const file = readFileSync(await download.path());
    // The download is the API's CSV with bom=1: a UTF-8 byte order mark, then the CSV text.
    const expected = Buffer.from(
      await (await fetch(`${dashboard.base}/api/summary?groupBy=site&format=csv&limit=1000&bom=1`)).arrayBuffer(),
    );
    assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.ok(file.equals(expected));
    const note = await w.page.locator('#rank-site-title ~ .csv-download .csv-help').textContent();
    assert.match(note ?? '', /Excel/);
    assert.match(download.suggestedFilename(), /^worst-sites-all\.csv$/);
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  test('served with a strict CSP, content types and caching', async () => {
    const page = await fetch(`${dashboard.base}/api/dashboard`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    assert.doesNotMatch(
      html,
      /<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i,
      'no inline script, style or handler',
    );
    const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script && !script.includes('?'), `asset URLs carry no query: ${script}`);
    const asset = await fetch(`${dashboard.base}${script}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.equal((await fetch(`${dashboard.base}/api/dashboard/nothing.js`)).status, 404);

    const w = await newWatchedPage(dashboard.context);
    await open(w, '');
    assert.ok(w.apiRequests.length >= 5);

    // Basics of accessibility: labelled fields, captioned tables with header cells, a skip link first.
    const unlabelled = await w.page.$$eval('input, select', (fields: PageElement[]) =>
      fields.filter((f) => !(f as unknown as { labels: { length: number } | null }).labels?.length).map((f) => f.id),
    );
    assert.deepEqual(unlabelled, []);
    const tables = await w.page.$$eval('table', (ts: PageElement[]) =>
      ts.map((t) => ({
        data: t.classList.contains('data'),
        caption: !!t.querySelector('caption'),
        headers: t.querySelectorAll('thead th[scope=col]').length,
        hidden: !!t.closest('[aria-hidden=true]'),
      })),
    );
    assert.equal(tables.filter((t) => t.data).length, 6, 'trend, four rankings, gaps');
    assert.deepEqual(
      tables.filter((t) => !(t.data && t.caption && t.headers > 0)).map((t) => t.hidden),
      [true, true],
      "only the charts' own legends, hidden with their charts, are not data tables",
    );
    await w.page.keyboard.press('Tab');
    assert.equal(
      await w.page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className),
      'skip-link',
    );
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });
});
