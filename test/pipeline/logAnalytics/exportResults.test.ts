// The Log Analytics export against a local Logs Ingestion API (fakeLogsIngestion.ts) through the real
// @azure/monitor-ingestion client signed in at the local Entra ID stand-in: rows arrive with the schema the rule
// declares, a throttled or failed upload stays queued and is sent on the next run (repeats are what the documented
// query removes), an oversized batch is split under the 1 MB limit, user ids only when the setting allows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import { exportQueuedResults } from '../../../src/pipeline/logAnalytics/exportResults.js';
import { readCurrentResult } from '../../../src/pipeline/logAnalytics/currentResult.js';
import { logAnalyticsExport } from '../../../src/pipeline/logAnalytics/exportService.js';
import { LOG_TABLES, type TableDefinition } from '../../../src/pipeline/logAnalytics/tables.js';
import { replaceMeetingResults } from '../../../src/storage/resultsWriter.js';
import { listAll } from '../../../src/storage/tableEntities.js';
import { InvocationContext, type Timer } from '@azure/functions';
import { makeAnalyzeDisconnectionsHandler } from '../../../src/functions/analyzeDisconnections.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { servicesFor } from '../../../src/pipeline/services.js';
import { LogExportQueue } from '../../../src/storage/logExportQueue.js';
import { freshStore } from '../../storage/testStore.js';
import { generated } from '../pipelineFixtures.js';
import { MAX_CALL_BYTES } from './fakeLogsIngestion.js';
import {
  analysedStore,
  DISCONNECTIONS_STREAM,
  disconnectionIdentity,
  FAR,
  fitsType,
  latestRows,
  MEETINGS_STREAM,
  meetingIdentity,
  startIngestionWorld,
  type IngestionWorld,
} from './logsIngestionFixture.js';

let world: IngestionWorld;
before(async () => {
  world = await startIngestionWorld();
});
after(async () => {
  await world.close();
});

function schemaProblems(rows: Array<Record<string, unknown>>, table: TableDefinition): string[] {
  const declared = new Map(table.columns.map((c) => [c.name, c.type]));
  const problems = new Set<string>();
  for (const row of rows) {
    for (const name of declared.keys()) if (!(name in row)) problems.add(`${table.table}: ${name} missing`);
    for (const [name, value] of Object.entries(row)) {
      const type = declared.get(name);
      if (type === undefined) problems.add(`${table.table}: ${name} is not declared`);
      else if (!fitsType(type, value))
        problems.add(`${table.table}: ${name} = ${JSON.stringify(value)} is not a ${type}`);
    }
  }
  return [...problems];
}

function clearIngestion(): void {
  world.ingestion.accepted.clear();
  world.ingestion.calls.length = 0;
  world.ingestion.faults.length = 0;
}

test('every analysed meeting is sent once, with rows of the declared schema, and leaves the queue', async () => {
  clearIngestion();
  const { store, exporter, queue, analysed } = await analysedStore(world);
  assert.ok(analysed > 10, `analysed ${analysed} meetings`);
  assert.equal((await queue.list(1000)).length, analysed, 'the analysis queued each meeting');

  const status = await exporter.run({ deadline: FAR() });
  assert.equal(status.lastError, undefined);
  assert.equal(status.meetingsSent, analysed);
  assert.equal(status.meetingsLeft, 0);
  assert.equal((await queue.list(1000)).length, 0);
  assert.deepEqual(await queue.lastStatus(), status);

  const meetings = world.ingestion.rows(MEETINGS_STREAM);
  const disconnections = world.ingestion.rows(DISCONNECTIONS_STREAM);
  assert.deepEqual(schemaProblems(meetings, LOG_TABLES.meetings), []);
  assert.deepEqual(schemaProblems(disconnections, LOG_TABLES.disconnections), []);
  assert.deepEqual(schemaProblems(world.ingestion.rows(LOG_TABLES.siteDropRates.stream), LOG_TABLES.siteDropRates), []);
  assert.equal(meetings.filter((r) => r['Dimension'] === 'meeting').length, analysed);
  assert.equal(status.rowsSent, meetings.length + disconnections.length);

  // The rows say what the tables hold: each disconnection once, each meeting's site drops adding up to its own.
  const stored = await listAll(store.disconnections.client, undefined);
  assert.equal(disconnections.length, stored.length);
  assert.ok(disconnections.length > 20, 'the data holds disconnections');
  for (const row of meetings.filter((r) => r['Dimension'] === 'meeting')) {
    const sites = meetings.filter((r) => r['MeetingId'] === row['MeetingId'] && r['Dimension'] === 'site');
    assert.equal(
      sites.reduce((n, r) => n + Number(r['Drops']), 0),
      row['Drops'],
      `site drops of ${String(row['MeetingId'])}`,
    );
    assert.equal(
      sites.reduce((n, r) => n + Number(r['EligibleSessions']), 0),
      row['EligibleSessions'],
    );
  }
  const counted = disconnections.filter((r) => r['Counted'] === true && r['ParticipantClass'] === 'human').length;
  assert.equal(
    meetings.filter((r) => r['Dimension'] === 'meeting').reduce((n, r) => n + Number(r['Drops']), 0),
    counted,
  );
  for (const row of [...meetings, ...disconnections]) {
    assert.equal(typeof row['AnalysisRun'], 'string');
    assert.match(String(row['ConfigFingerprint']), /\S/);
  }
});

test('site drop rates: the last 7 days against the 4 weeks before, sent once per interval', async () => {
  clearIngestion();
  // Meetings on 2026-03-02 (the baseline) and 2026-03-16 (the week), the export's clock on 2026-03-17.
  const store = await freshStore('sdr');
  for (const [start, prefix, seed] of [
    ['2026-03-02T08:00:00Z', 'a', 19],
    ['2026-03-16T08:00:00Z', 'b', 20],
  ] as const) {
    const { text } = generated({ records: 400, seed, start, meetingIdPrefix: prefix });
    await ingestExport({ blobName: `${prefix}.ndjson`, content: Buffer.from(text) }, { store });
  }
  let clock = Date.parse('2026-03-17T01:00:00Z');
  const exporter = logAnalyticsExport(store, {
    client: world.client(),
    ruleId: world.ingestion.ruleId,
    includeUserIds: true,
    now: () => new Date(clock),
  });
  await analyseMarkedMeetings({ store, onStored: exporter.queue }, { deadline: FAR() });
  clearIngestion();
  const status = await exporter.run({ deadline: FAR() });
  const rows = [...world.ingestion.rows(LOG_TABLES.siteDropRates.stream)];
  assert.equal(status.lastError, undefined);
  assert.ok(rows.length > 0, 'site rows were sent');
  assert.equal(status.siteRatesSent, rows.length);
  assert.deepEqual(schemaProblems(rows, LOG_TABLES.siteDropRates), []);
  // The same sums as the stored site contributions of the two periods.
  const weekStart = new Date(clock - (clock % 86_400_000) - 6 * 86_400_000).toISOString().slice(0, 10);
  const week = await store.aggregates.list('site', weekStart);
  for (const row of rows) {
    const mine = week.filter((c) => c.key === row['Site']);
    assert.equal(
      row['EligibleSessions'],
      mine.reduce((n, c) => n + c.eligibleSessions, 0),
      String(row['Site']),
    );
    assert.equal(
      row['Drops'],
      mine.reduce((n, c) => n + c.drops, 0),
    );
    assert.equal(row['Meetings'], new Set(mine.map((c) => c.meetingId)).size);
  }
  assert.ok(
    rows.some((r) => Number(r['EligibleSessions']) > 0) && rows.some((r) => Number(r['BaselineEligibleSessions']) > 0),
    'both periods hold sessions',
  );

  clock += 3_600_000;
  assert.equal((await exporter.run({ deadline: FAR() })).siteRatesSent, 0, 'not again within 6 hours');
  clock += 6 * 3_600_000;
  assert.equal((await exporter.run({ deadline: FAR() })).siteRatesSent, rows.length, 'again after 6 hours');
});

test('no IP address is ever sent, and no user id when LOGS_INGESTION_USER_IDS is omit', async () => {
  clearIngestion();
  const { exporter } = await analysedStore(world, { includeUserIds: false, seed: 12 });
  await exporter.run({ deadline: FAR() });
  const rows = [...world.ingestion.rows(MEETINGS_STREAM), ...world.ingestion.rows(DISCONNECTIONS_STREAM)];
  assert.ok(rows.length > 0);
  const text = JSON.stringify(rows);
  assert.doesNotMatch(text, /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/, 'an IPv4 address was sent');
  assert.doesNotMatch(text, /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/, 'an e-mail address or UPN was sent');
  assert.ok(rows.every((r) => (r['UserPrincipalName'] ?? '') === '' && (r['OrganizerUpn'] ?? '') === ''));

  clearIngestion();
  const included = await analysedStore(world, { includeUserIds: true, seed: 12 });
  await included.exporter.run({ deadline: FAR() });
  const upns = world.ingestion
    .rows(DISCONNECTIONS_STREAM)
    .map((r) => String(r['UserPrincipalName']))
    .filter((u) => u !== '');
  assert.ok(upns.length > 0, "with include, participants' UPNs are sent");
  assert.doesNotMatch(
    JSON.stringify(world.ingestion.rows(DISCONNECTIONS_STREAM)),
    /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/,
  );
});

test('a throttled upload (429) stays queued without blocking the analysis, and the next run sends it', async () => {
  clearIngestion();
  const { store, exporter, queue, analysed } = await analysedStore(world, { seed: 13 });
  world.ingestion.faults.push({ status: 429, retryAfterSeconds: 1, times: 100 });
  const failed = await exporter.run({ deadline: FAR() });
  assert.match(failed.lastError ?? '', /HTTP 429/);
  assert.equal(failed.meetingsSent, 0);
  assert.equal(failed.meetingsLeft, analysed);
  assert.equal((await queue.list(1000)).length, analysed, 'every meeting stays queued');
  assert.ok(
    (await queue.list(1000)).every((e) => e.attempts === 1),
    'the failed attempt is counted',
  );
  assert.equal((await store.marks.listPending()).length, 0, 'the analysis cleared its marks all the same');
  assert.equal((await queue.lastStatus())?.lastError, failed.lastError);

  world.ingestion.faults.length = 0;
  const next = await exporter.run({ deadline: FAR() });
  assert.equal(next.lastError, undefined);
  assert.equal(next.meetingsSent, analysed);
  assert.equal((await queue.list(1000)).length, 0);
  assert.equal(
    world.ingestion.rows(MEETINGS_STREAM).filter((r) => r['Dimension'] === 'meeting').length,
    analysed,
    'each meeting once',
  );
});

test('the client waits for Retry-After and sends in the same run when the service answers 429 once', async () => {
  clearIngestion();
  const { exporter, analysed } = await analysedStore(world, { seed: 14, maxRetries: 2 });
  world.ingestion.faults.push({ status: 429, retryAfterSeconds: 1, times: 1, stream: MEETINGS_STREAM });
  const status = await exporter.run({ deadline: FAR() });
  assert.equal(status.lastError, undefined);
  assert.equal(status.meetingsSent, analysed);
  const meetingCalls = world.ingestion.calls.filter((c) => c.stream === MEETINGS_STREAM).map((c) => c.status);
  assert.deepEqual(meetingCalls, [429, 204]);
});

test('a failure of one stream (503) resends the whole meeting next run; the documented query keeps one current result', async () => {
  clearIngestion();
  const { store, exporter, queue, analysed } = await analysedStore(world, { seed: 15 });
  world.ingestion.faults.push({ status: 503, times: 100, stream: DISCONNECTIONS_STREAM });
  const first = await exporter.run({ deadline: FAR() });
  assert.match(first.lastError ?? '', /HTTP 503/);
  const withDisconnections = new Set(
    (await listAll(store.disconnections.client, undefined)).map((e) => String(e['meetingId'])),
  );
  assert.ok(withDisconnections.size > 0);
  assert.equal((await queue.list(1000)).length, withDisconnections.size, 'meetings with disconnections stay queued');
  assert.equal(first.meetingsSent, analysed - withDisconnections.size);

  world.ingestion.faults.length = 0;
  const second = await exporter.run({ deadline: FAR() });
  assert.equal(second.lastError, undefined);
  assert.equal(second.meetingsSent, withDisconnections.size);
  const meetings = world.ingestion.rows(MEETINGS_STREAM);
  const disconnections = world.ingestion.rows(DISCONNECTIONS_STREAM);
  assert.ok(
    meetings.length > latestRows(meetings, meetingIdentity).length,
    'the meeting rows of the failed meetings arrived twice',
  );
  const current = latestRows(meetings, meetingIdentity);
  assert.equal(current.filter((r) => r['Dimension'] === 'meeting').length, analysed);
  assert.equal(
    latestRows(disconnections, disconnectionIdentity).length,
    (await listAll(store.disconnections.client, undefined)).length,
  );
});

test('a re-analysis sends new rows with a later AnalysedAt; the documented query keeps only those', async () => {
  clearIngestion();
  const { store, exporter, analysed } = await analysedStore(world, { seed: 16 });
  await exporter.run({ deadline: FAR() });
  const meetingIds = [...new Set(world.ingestion.rows(MEETINGS_STREAM).map((r) => String(r['MeetingId'])))];
  await store.marks.mark(meetingIds);
  await analyseMarkedMeetings(
    { store, onStored: exporter.queue, now: () => new Date(Date.now() + 60_000) },
    { deadline: FAR() },
  );
  await exporter.run({ deadline: FAR() });
  const meetings = world.ingestion.rows(MEETINGS_STREAM);
  assert.equal(meetings.filter((r) => r['Dimension'] === 'meeting').length, 2 * analysed, 'ingestion is append-only');
  const current = latestRows(meetings, meetingIdentity).filter((r) => r['Dimension'] === 'meeting');
  assert.equal(current.length, analysed);
  const runs = new Set(current.map((r) => r['AnalysisRun']));
  assert.equal(runs.size, 1, 'the current rows all come from the second run');
  assert.ok(current.every((r) => String(r['AnalysedAt']) > String(meetings[0]!['AnalysedAt'])));
});

test('an oversized batch is split into calls under 1 MB, and a single call over 1 MB is refused with 413', async () => {
  clearIngestion();
  const { store, queue } = await analysedStore(world, { seed: 17, records: 600 });
  const withDisconnection = String((await listAll(store.disconnections.client, undefined))[0]?.['meetingId']);
  const entry = (await queue.list(1000)).find((e) => e.meetingId === withDisconnection);
  assert.ok(entry, 'a queued meeting with a disconnection');
  for (const other of await queue.list(1000))
    if (other !== entry && other.meetingId !== entry.meetingId) await queue.remove(other);
  const result = await readCurrentResult(store, entry.meetingId, ['site', 'platform']);
  assert.ok(result && result.disconnections.length > 0, 'a meeting with a disconnection');
  // One meeting with 3000 disconnections: about 1.5 MB of rows.
  const many = Array.from({ length: 3000 }, (_, i) => ({
    ...result.disconnections[i % result.disconnections.length]!,
  }));
  await replaceMeetingResults(store, {
    listing: result.listing,
    disconnections: many,
    contributions: result.contributions,
  });
  const exportDeps = {
    store,
    queue,
    client: world.client(),
    ruleId: world.ingestion.ruleId,
    includeUserIds: true,
    maxMeetings: 1,
  };
  const status = await exportQueuedResults(exportDeps, { deadline: FAR() });
  assert.equal(status.lastError, undefined);
  const calls = world.ingestion.calls.filter((c) => c.stream === DISCONNECTIONS_STREAM);
  assert.ok(calls.length >= 2, `split into ${calls.length} calls`);
  assert.ok(calls.every((c) => c.status === 204 && c.bytes <= MAX_CALL_BYTES));
  assert.equal(
    world.ingestion.rows(DISCONNECTIONS_STREAM).filter((r) => r['MeetingId'] === entry.meetingId).length,
    3000,
  );

  // The local service enforces the limit the split keeps to.
  const huge = [{ MeetingId: 'm', Note: 'x'.repeat(MAX_CALL_BYTES + 10) }];
  await assert.rejects(
    world.client().upload(world.ingestion.ruleId, DISCONNECTIONS_STREAM, huge),
    (error: Error & { errors?: Array<{ cause: { statusCode?: number } }> }) => {
      assert.equal(error.errors?.[0]?.cause.statusCode, 413);
      return true;
    },
  );
});

test('a wrong rule id or a token the service does not accept leaves the meetings queued with a message saying what to check', async () => {
  clearIngestion();
  const { store, queue, analysed } = await analysedStore(world, { seed: 18, records: 400 });
  const wrongRule = logAnalyticsExport(store, {
    client: world.client(),
    ruleId: 'dcr-ffffffffffffffffffffffffffffffff',
    includeUserIds: true,
  });
  const status = await wrongRule.run({ deadline: FAR() });
  assert.match(
    status.lastError ?? '',
    /HTTP 404: no data collection rule with this id or stream.*LOGS_INGESTION_RULE_ID/,
  );
  assert.equal((await queue.list(1000)).length, analysed);
});

test('the timer function analyses, then exports; a failing service neither fails the invocation nor keeps meetings marked', async () => {
  clearIngestion();
  const store = await freshStore('fnla');
  const { text } = generated({ records: 300, seed: 21 });
  await ingestExport({ blobName: 'e.ndjson', content: Buffer.from(text) }, { store });
  const exporter = logAnalyticsExport(store, {
    client: world.client(),
    ruleId: world.ingestion.ruleId,
    includeUserIds: true,
  });
  const handler = makeAnalyzeDisconnectionsHandler(
    () => servicesFor(store),
    600_000,
    () => exporter,
  );
  world.ingestion.faults.push({ status: 503, times: 1000 });
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: 'analyzeDisconnections',
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  const result = await handler(timer, context);
  assert.ok(result.analysed > 0);
  assert.equal((await store.marks.listPending()).length, 0);
  const queue = new LogExportQueue(store.clients.table(store.names.tables.logExports));
  assert.equal((await queue.list(1000)).length, result.analysed, 'the results wait for the next run');
  assert.ok(
    logs.some((l) => /warning: .*Log Analytics export: 0 meetings sent, \d+ left for the next run: HTTP 503/.test(l)),
    logs.join('\n'),
  );

  world.ingestion.faults.length = 0;
  await handler(timer, context);
  assert.equal((await queue.list(1000)).length, 0);
  assert.equal(
    world.ingestion.rows(MEETINGS_STREAM).filter((r) => r['Dimension'] === 'meeting').length,
    result.analysed,
  );
});
