// Retention (src/pipeline/retention.ts) on Azurite: with the clock moved past each period, nothing older than
// its retention remains, IP addresses of older results are cut to their networks, the site/platform/day
// aggregates answer as before, reports say what is gone, and a second run finds nothing to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRetention } from '../../src/pipeline/retention.js';
import { readRetentionPeriods, RetentionSettingsError } from '../../src/pipeline/retentionSettings.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { answerReport, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import { num } from '../../src/storage/tableEntities.js';
import { PURGED_ROW } from '../../src/storage/meetingsTable.js';
import type { Store } from '../../src/storage/store.js';
import { dumpTable, ndjson, sessionLine } from './pipelineFixtures.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { freshStore } from '../storage/testStore.js';
import { analysedStore, FAR } from './privacyFixtures.js';

const DAY = 86_400_000;
const PERIODS = { recordsDays: 30, resultsDays: 180, aggregatesDays: 730 };

async function report(
  deps: ReportDeps,
  route: string,
  query: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  const r = await answerReport({ route, params: {}, query: { limit: '1000', ...query } }, deps);
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown>, headers: r.headers };
}

async function latestRecordTime(store: Store): Promise<number> {
  let latest = 0;
  for (const e of await dumpTable(store.sessions.client))
    latest = Math.max(latest, num(e, 'leaveTime') ?? 0, num(e, 'joinTime') ?? 0, num(e, 'creationTime') ?? 0);
  for (const e of await dumpTable(store.meetings.client))
    latest = Math.max(latest, num(e, 'endTime') ?? 0, num(e, 'creationTime') ?? 0);
  return latest;
}

const FULL_IP = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]*:[0-9a-f:]*$/i;

test('retention: records, then results, then aggregates go as the clock passes each period; aggregates answer unchanged', async () => {
  const { store } = await analysedStore('ret');
  const deps = (now: Date): ReportDeps => ({ store, config: new CachedConfig(store.config), now: () => now });
  const t = await latestRecordTime(store);
  assert.ok(t > 0);
  const base = deps(new Date(t));
  const meetingsBefore = (await report(base, 'meetings')).body.items as unknown[];
  const disconnectionsBefore = (await report(base, 'disconnections', { band: 'all' })).body.items as Array<
    Record<string, unknown>
  >;
  const bySite = (await report(base, 'summary', { groupBy: 'site' })).body;
  const byPlatform = (await report(base, 'summary', { groupBy: 'platform' })).body;
  const byDay = (await report(base, 'summary', { groupBy: 'day' })).body;
  assert.ok(meetingsBefore.length > 0 && disconnectionsBefore.length > 0, 'the export has meetings and disconnections');
  assert.equal((await report(base, 'meetings')).body['purged'], undefined, 'nothing purged yet: no note');

  // 1. Past the records period: records, exports and rejects go; results stay, with IP addresses cut.
  const afterRecords = new Date(t + 31 * DAY);
  const run1 = await applyRetention({ store, now: () => afterRecords }, PERIODS, FAR());
  assert.ok(run1.counts.sessions! > 0 && run1.counts.meetingRecords! > 0 && run1.counts.bundlesDeleted! > 0);
  assert.equal((await dumpTable(store.sessions.client)).length, 0, 'no session record remains');
  const meetingRows = await dumpTable(store.meetings.client);
  assert.deepEqual(
    meetingRows.filter((e) => e.rowKey !== PURGED_ROW),
    [],
    'no MeetingDetail record, bundle or copy remains',
  );
  const disconnections = await dumpTable(store.disconnections.client);
  assert.equal(disconnections.length, disconnectionsBefore.length, 'results stay');
  for (const d of disconnections) {
    assert.equal(d['ipCut'], true);
    for (const ip of [d['lostClientIp'], d['ipBefore']])
      assert.ok(typeof ip === 'string' && !FULL_IP.test(ip), `only a network is kept: ${String(ip)}`);
    assert.doesNotMatch(
      String(d['data']),
      /"(ipBefore|ipAfter|lostClientIp)":"(\d{1,3}\.){3}\d{1,3}"/,
      'no full IPv4 address in the stored disconnection',
    );
  }
  const later = deps(afterRecords);
  assert.deepEqual((await report(later, 'meetings')).body.items, meetingsBefore, 'the meetings report is unchanged');
  // Re-marking (as after a config change) keeps the results of a meeting whose records are past retention.
  const meetingIds = (meetingsBefore as Array<{ meetingId: string }>).map((m) => m.meetingId);
  await store.marks.mark(meetingIds, afterRecords);
  await analyseMarkedMeetings({ store, now: () => afterRecords }, { deadline: FAR() });
  assert.deepEqual(
    (await report(later, 'meetings')).body.items,
    meetingsBefore,
    'analysis keeps results whose records were purged',
  );
  const again = await applyRetention({ store, now: () => afterRecords }, PERIODS, FAR());
  assert.ok(
    Object.values(again.counts).every((n) => n === 0),
    `a second run finds nothing: ${JSON.stringify(again.counts)}`,
  );

  // 2. Past the results period: per-meeting results and per-user aggregates go; the others answer as before.
  const afterResults = new Date(t + 181 * DAY + DAY);
  const run2 = await applyRetention({ store, now: () => afterResults }, PERIODS, FAR());
  assert.ok(run2.counts.disconnections! > 0 && run2.counts.meetingListings! > 0 && run2.counts.userAggregates! > 0);
  assert.equal((await dumpTable(store.disconnections.client)).length, 0);
  const resultRows = await dumpTable(store.meetingResults.client);
  assert.equal(resultRows.length, meetingsBefore.length, 'one summary-only row per meeting');
  for (const row of resultRows) {
    assert.ok(String(row.partitionKey).startsWith('sum|'), 'no listing or location remains');
    assert.deepEqual(Object.keys(row).sort(), ['end', 'meetingId', 'partitionKey', 'rowKey', 'start', 'summary']);
    const summary = JSON.parse(String(row['summary'])) as { organizerUpn: string; organizerId: string };
    assert.equal(summary.organizerUpn + summary.organizerId, '', 'the organiser is left out');
  }
  assert.equal((await dumpTable(store.aggregates.client)).filter((e) => e['dimension'] === 'user').length, 0);
  assert.equal(
    (await dumpTable(store.users.client)).filter((e) => String(e.partitionKey).startsWith('user-')).length,
    0,
    'learned users go with the results',
  );
  const purgedDeps = deps(afterResults);
  const meetingsNow = await report(purgedDeps, 'meetings');
  assert.deepEqual(meetingsNow.body.items, []);
  const note = meetingsNow.body['purged'] as { resultsBefore: string; warning: string };
  assert.equal(note.resultsBefore, new Date(afterResults.getTime() - 180 * DAY).toISOString().slice(0, 10));
  assert.match(note.warning, /deleted by the retention policy/);
  assert.equal(meetingsNow.headers['x-purged-before'], note.resultsBefore);
  const strip = (b: Record<string, unknown>) => {
    const { purged: _p, ...rest } = b;
    return rest;
  };
  assert.deepEqual(
    strip((await report(purgedDeps, 'summary', { groupBy: 'site' })).body),
    bySite,
    'site aggregates unchanged',
  );
  assert.deepEqual(
    strip((await report(purgedDeps, 'summary', { groupBy: 'platform' })).body),
    byPlatform,
    'platform aggregates unchanged',
  );
  assert.deepEqual(
    strip((await report(purgedDeps, 'summary', { groupBy: 'day' })).body),
    byDay,
    'day aggregates unchanged',
  );
  const fromAfter = await report(purgedDeps, 'meetings', { from: afterResults.toISOString() });
  assert.equal(fromAfter.body['purged'], undefined, 'a period after the purge has no note');

  // /api/health shows the last run's counts and the purged days.
  const health = await report(purgedDeps, 'health');
  const retention = health.body['retention'] as {
    lastRun: { counts: Record<string, number>; purgedBefore: Record<string, string> };
  };
  assert.equal(retention.lastRun.counts.disconnections, run2.counts.disconnections);
  assert.equal(retention.lastRun.purgedBefore.results, note.resultsBefore);

  // 3. Past the aggregates period: nothing of the period remains.
  const afterAggregates = new Date(t + 731 * DAY + DAY);
  const run3 = await applyRetention({ store, now: () => afterAggregates }, PERIODS, FAR());
  assert.ok(run3.counts.aggregates! > 0);
  assert.equal((await dumpTable(store.aggregates.client)).length, 0);
  assert.equal(
    (await dumpTable(store.meetingResults.client)).length,
    0,
    'the summary-only rows go with the aggregates',
  );
  assert.equal((await applyRetention({ store, now: () => afterAggregates }, PERIODS, FAR())).counts.aggregates, 0);
});

test('retention: a run stopped by its deadline leaves the rest to the next run, which finishes it', async () => {
  const { store } = await analysedStore('retd', { records: 300, seed: 5 });
  const t = await latestRecordTime(store);
  const when = new Date(t + 800 * DAY);
  const cut = await applyRetention({ store, now: () => when }, PERIODS, Date.now() - 1);
  assert.equal(cut.stoppedByDeadline, true);
  assert.ok((await dumpTable(store.sessions.client)).length > 0, 'nothing deleted past the deadline');
  const done = await applyRetention({ store, now: () => when }, PERIODS, FAR());
  assert.equal(done.stoppedByDeadline, false);
  for (const table of [store.sessions, store.disconnections, store.aggregates, store.meetingResults, store.users]) {
    assert.equal((await dumpTable(table.client)).length, 0);
  }
  assert.deepEqual(done.purgedBefore, {
    records: new Date(when.getTime() - 30 * DAY).toISOString().slice(0, 10),
    results: new Date(when.getTime() - 180 * DAY).toISOString().slice(0, 10),
    aggregates: new Date(when.getTime() - 730 * DAY).toISOString().slice(0, 10),
  });
});

test('retention: export and rejects blobs go RETENTION_RECORDS_DAYS after their upload', async () => {
  const { store } = await analysedStore('retb', { records: 200, seed: 9 });
  await store.rejects.write('p.ndjson', undefined, [{ file: 'p.ndjson', line: 3, field: 'AuditData', reason: 'test' }]);
  const blobs = async (): Promise<number> => {
    let n = 0;
    for (const c of [store.exports, store.rejects.container]) for await (const _ of c.listBlobsFlat()) n++;
    return n;
  };
  assert.equal(await blobs(), 2);
  const kept = await applyRetention({ store, now: () => new Date(Date.now() + 29 * DAY) }, PERIODS, FAR());
  assert.equal(kept.counts.exportBlobs, 0);
  assert.equal(await blobs(), 2, 'younger than the records period: kept');
  const gone = await applyRetention({ store, now: () => new Date(Date.now() + 31 * DAY) }, PERIODS, FAR());
  assert.equal(gone.counts.exportBlobs, 1);
  assert.equal(gone.counts.rejectsBlobs, 1);
  assert.equal(await blobs(), 0);
});

test('retention settings: defaults 30/180/730; a wrong value or an order that would outlive its basis is refused by name', () => {
  assert.deepEqual(readRetentionPeriods({}), PERIODS);
  assert.deepEqual(
    readRetentionPeriods({ RETENTION_RECORDS_DAYS: '7', RETENTION_RESULTS_DAYS: '7', RETENTION_AGGREGATES_DAYS: '7' }),
    { recordsDays: 7, resultsDays: 7, aggregatesDays: 7 },
  );
  assert.throws(
    () => readRetentionPeriods({ RETENTION_RECORDS_DAYS: '0' }),
    (e: unknown) => e instanceof RetentionSettingsError && /RETENTION_RECORDS_DAYS/.test(e.message),
  );
  assert.throws(
    () => readRetentionPeriods({ RETENTION_RESULTS_DAYS: '1.5' }),
    /RETENTION_RESULTS_DAYS must be a whole number/,
  );
  assert.throws(
    () => readRetentionPeriods({ RETENTION_RECORDS_DAYS: '200' }),
    /RETENTION_RESULTS_DAYS \(180\) must be at least RETENTION_RECORDS_DAYS \(200\)/,
  );
  assert.throws(
    () => readRetentionPeriods({ RETENTION_AGGREGATES_DAYS: '90' }),
    /RETENTION_AGGREGATES_DAYS \(90\) must be at least/,
  );
});

test('retention: a session that ends after the cut-off stays, with its meeting; older sessions of other meetings go', async () => {
  const store = await freshStore('rets');
  const lines = [
    sessionLine('r-1', 'a-meeting', 'ann', '2026-03-01T08:00:00', '2026-03-20T08:00:00'),
    sessionLine('r-2', 'b-meeting', 'bob', '2026-03-01T08:00:00', '2026-03-01T09:00:00'),
    sessionLine('r-3', 'b-meeting', 'cat', '2026-03-01T08:00:00', '2026-03-01T09:30:00'),
  ];
  await ingestExport({ blobName: 's.ndjson', content: ndjson(lines) }, { store, pseudonymizer: null });
  const run = await applyRetention({ store, now: () => new Date('2026-04-05T00:00:00Z') }, PERIODS, FAR());
  assert.equal(run.counts.sessions, 2);
  assert.deepEqual(
    (await dumpTable(store.sessions.client)).map((e) => e.rowKey),
    ['r-1'],
  );
  const bundled = (await dumpTable(store.meetings.client)).filter((e) => String(e.rowKey).startsWith('~~b|'));
  assert.deepEqual(
    bundled.map((e) => e.partitionKey),
    ['a-meeting'],
    "only the spanning session's bundle is left",
  );
  assert.equal(await store.meetings.recordsPurged('b-meeting'), true);
  assert.equal(await store.meetings.recordsPurged('a-meeting'), false);
});

test('retention: a user named by a recent export stays when an older export naming it is ingested after it', async () => {
  const store = await freshStore('retu');
  const recent = [sessionLine('r-new', 'n-meeting', 'ann', '2026-06-10T08:00:00', '2026-06-10T09:00:00')];
  const old = [
    sessionLine('r-old', 'o-meeting', 'ann', '2026-01-10T08:00:00', '2026-01-10T09:00:00'),
    sessionLine('r-bob', 'o-meeting', 'bob', '2026-01-10T08:00:00', '2026-01-10T09:00:00'),
  ];
  await ingestExport({ blobName: 'recent.ndjson', content: ndjson(recent) }, { store, pseudonymizer: null });
  await ingestExport({ blobName: 'old.ndjson', content: ndjson(old) }, { store, pseudonymizer: null });
  // Results cut-off 2026-03-22: after the old export's latest time (its creation time, 2026-03-03), before the recent one's.
  const run = await applyRetention({ store, now: () => new Date('2026-09-18T00:00:00Z') }, PERIODS, FAR());
  assert.equal(run.counts.users, 1, 'only bob, named by the old export alone, goes');
  assert.equal(await store.users.get('oid-bob'), undefined);
  assert.deepEqual(await store.users.get('oid-ann'), { uuid: 'oid-ann', email: 'ann@contoso.com', origin: 'attendee' });
  assert.ok(await store.users.get('org-id'), 'the organiser, named by both, stays');
});
