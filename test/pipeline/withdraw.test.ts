// Replacing an export with a new version of the same blob, and withdrawing exports (DELETE
// /api/uploads/{name}): after each, the reports equal the CLI's on the remaining files, and the stored
// records equal those of a store that only ever ingested the remaining files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerReport, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { answerWithdrawal } from '../../src/pipeline/http/withdrawRoute.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import { meetingRow } from '../../src/reports/meetings.js';
import { summarise, summariseMeeting } from '../../src/analysis/metrics.js';
import type { UploadEntry } from '../../src/storage/ledger.js';
import type { WithdrawalResult } from '../../src/pipeline/withdraw.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { jsonBody, type ErrorBody, type PageBody } from '../support/jsonBody.js';
import type { SummaryBody } from './http/reportBodies.js';
import {
  analyseInMemory,
  countRows,
  DETAILS_ONLY,
  dumpTable,
  generated,
  ndjson,
  ndjsonLines,
} from './pipelineFixtures.js';

type ExportFile = { name: string; content: Buffer };

const FAR = () => Date.now() + 600_000;

/** Uploads `file` to the exports container (a new version when the name exists) and ingests it under its ETag. */
async function upload(store: Store, file: ExportFile): Promise<{ etag: string; entry: UploadEntry }> {
  const response = await store.exports.getBlockBlobClient(file.name).upload(file.content, file.content.length);
  const etag = response.etag!;
  const result = await ingestExport({ blobName: file.name, etag, content: file.content }, { store });
  assert.equal(result.outcome, 'completed');
  return { etag, entry: result.entry };
}

async function allItems(deps: ReportDeps, route: string, query: Record<string, string> = {}): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | null = null;
  do {
    const r = await answerReport(
      {
        route,
        params: {},
        query: token === null ? { limit: '1000', ...query } : { limit: '1000', ...query, continuationToken: token },
      },
      deps,
    );
    assert.equal(r.status, 200, r.body);
    const body = jsonBody<PageBody<unknown>>(r);
    items.push(...body.items);
    token = body.continuationToken;
  } while (token !== null);
  return items;
}

/** Analyses what is marked, then checks the reports against the CLI on `files` and the records against a store of only `files`. */
async function assertMatchesRemainingFiles(store: Store, files: ExportFile[]): Promise<void> {
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.failed + run.remaining, 0);
  const deps: ReportDeps = { store, config: new CachedConfig(store.config) };
  const expected = await analyseInMemory(files);

  const meetings = (await allItems(deps, 'meetings')) as Array<{ meetingId: string }>;
  const byId = (a: { meetingId: string }, b: { meetingId: string }) =>
    a.meetingId < b.meetingId ? -1 : a.meetingId > b.meetingId ? 1 : 0;
  assert.deepEqual(
    [...meetings].sort(byId),
    expected.map((e) => ({ ...meetingRow(e), organizerName: '' })).sort(byId),
    'meeting rows = the CLI (no Graph names here)',
  );

  const key = (d: { meetingId: string; participantKey: string; gapSeconds: number; band: string }) =>
    `${d.meetingId}|${d.participantKey}|${d.gapSeconds}|${d.band}`;
  const disconnections = (await allItems(deps, 'disconnections', { band: 'all' })) as Array<{
    meetingId: string;
    participantKey: string;
    gapSeconds: number;
    band: string;
  }>;
  assert.deepEqual(
    disconnections.map(key).sort(),
    expected
      .flatMap((e) => e.analysis.disconnections)
      .map(key)
      .sort(),
    'disconnections = the CLI',
  );

  const summary = await answerReport({ route: 'summary', params: {}, query: {} }, deps);
  assert.deepEqual(
    jsonBody<SummaryBody>(summary).totals,
    summarise(expected.map((e) => summariseMeeting(e.analysis, e.meeting))),
    'summary totals = the CLI',
  );
  const site = await allItems(deps, 'summary', { groupBy: 'platform' });
  const fresh = await freshStore('cmp');
  for (const f of files) await ingestExport({ blobName: f.name, content: f.content }, { store: fresh });
  await analyseMarkedMeetings({ store: fresh }, { deadline: FAR() });
  assert.deepEqual(
    site,
    await allItems({ store: fresh, config: new CachedConfig(fresh.config) }, 'summary', { groupBy: 'platform' }),
    'aggregates = a store of the remaining files',
  );

  // Records: the same sessions and MeetingDetail records as a store that only ingested the remaining files.
  assert.deepEqual(await dumpTable(store.sessions.client), await dumpTable(fresh.sessions.client), 'sessions');
  const details = async (s: Store) => (await dumpTable(s.meetings.client)).filter((e) => String(e.rowKey) < '~~b|');
  assert.deepEqual(await details(store), await details(fresh), 'MeetingDetail records');
}

/** Slices of one generated export: lines [from, to). */
function exportOf(name: string, lines: string[]): ExportFile {
  return { name, content: ndjson(lines) };
}

async function sessionIds(store: Store): Promise<Set<string>> {
  return new Set((await dumpTable(store.sessions.client)).map((e) => `${String(e.partitionKey)}|${String(e.rowKey)}`));
}

test('a new version of a blob replaces the old one: what only the old version brought disappears, shared records stay', async () => {
  const store = await freshStore('repl');
  const first = ndjsonLines(generated({ records: 600, seed: 21 }).text);
  const second = ndjsonLines(generated({ records: 500, seed: 22 }).text);
  // v2 keeps the first 300 records of v1 and adds another export's records (other meetings).
  const v1 = exportOf('ow.ndjson', first);
  const v2 = exportOf('ow.ndjson', [...first.slice(0, 200), ...second]);
  const old = await upload(store, v1);
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  const before = await sessionIds(store);
  const replaced = await upload(store, v2);
  assert.notEqual(old.etag, replaced.etag);

  await assertMatchesRemainingFiles(store, [v2]);
  const after = await sessionIds(store);
  const removed = [...before].filter((k) => !after.has(k)).length;
  assert.ok(removed > 100, 'the old version had records the new one has not');

  const versions = await store.ledger.listForBlob('ow.ndjson');
  assert.equal(versions.length, 2, 'the ledger keeps both versions');
  const oldEntry = versions.find((e) => e.etag === old.etag)!;
  const newEntry = versions.find((e) => e.etag === replaced.etag)!;
  assert.equal(newEntry.status, 'completed');
  assert.equal(oldEntry.status, 'replaced');
  assert.equal(oldEntry.rowsRead, old.entry.rowsRead, 'the old version keeps its accounting');
  assert.equal(oldEntry.removal?.reason, 'replaced');
  assert.equal(oldEntry.removal?.replacedBy, replaced.etag);
  assert.ok(oldEntry.removal?.finishedAt !== undefined && oldEntry.removal.finishedAt >= oldEntry.removal.startedAt);
  assert.equal(oldEntry.removal?.sessionsRemoved, removed);
  assert.ok((oldEntry.removal?.detailsRemoved ?? 0) > 0, 'MeetingDetail records only v1 brought are removed');
  assert.ok((oldEntry.removal?.meetingsRemarked ?? 0) > 0);

  // The old version triggering again (a rescan) changes nothing; nor does the new one.
  assert.equal(
    (await ingestExport({ blobName: 'ow.ndjson', etag: old.etag, content: v1.content }, { store })).outcome,
    'skipped',
  );
  assert.equal(
    (await ingestExport({ blobName: 'ow.ndjson', etag: replaced.etag, content: v2.content }, { store })).outcome,
    'skipped',
  );
  assert.equal((await store.marks.listPending()).length, 0);
  assert.deepEqual(await sessionIds(store), after);
});

test('withdrawing one of two overlapping exports keeps the shared records; withdrawing the other empties every table', async () => {
  const store = await freshStore('wd');
  const lines = ndjsonLines(generated({ records: 900, seed: 31 }).text);
  const a = exportOf('a.ndjson', lines.slice(0, 600));
  const b = exportOf('b.ndjson', lines.slice(400));
  await upload(store, a);
  await upload(store, b);
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  const before = await sessionIds(store);
  const deps = { store, log: { info() {}, warn() {}, error() {} } };

  const response = await answerWithdrawal({ name: 'b.ndjson', query: {} }, deps);
  assert.equal(response.status, 200, response.body);
  const body = jsonBody<WithdrawalResult>(response);
  assert.equal(body.alreadyWithdrawn, false);
  assert.equal(body.versions.length, 1);
  assert.equal(body.versions[0]!.status, 'withdrawn');
  assert.equal(body.versions[0]!.removal?.sessionsRemoved, body.sessionsRemoved);
  assert.equal(await store.exports.getBlobClient('b.ndjson').exists(), false, 'the blob is deleted');
  await assertMatchesRemainingFiles(store, [a]);
  const after = await sessionIds(store);
  assert.equal(body.sessionsRemoved, before.size - after.size);
  assert.ok(body.sessionsRemoved > 0 && after.size > 0);

  // Idempotent: again, nothing to do; an unknown name is a 404; parameters are refused.
  const again = await answerWithdrawal({ name: 'b.ndjson', query: {} }, deps);
  assert.equal(again.status, 200);
  assert.deepEqual(
    (({ alreadyWithdrawn, sessionsRemoved, detailsRemoved, meetingsRemarked }) => ({
      alreadyWithdrawn,
      sessionsRemoved,
      detailsRemoved,
      meetingsRemarked,
    }))(jsonBody<WithdrawalResult>(again)),
    { alreadyWithdrawn: true, sessionsRemoved: 0, detailsRemoved: 0, meetingsRemarked: 0 },
  );
  const unknown = await answerWithdrawal({ name: 'never.ndjson', query: {} }, deps);
  assert.equal(unknown.status, 404);
  assert.equal(jsonBody<ErrorBody>(unknown).error.code, 'UploadNotFound');
  const withQuery = await answerWithdrawal({ name: 'a.ndjson', query: { force: 'yes' } }, deps);
  assert.equal(withQuery.status, 400);
  assert.equal(jsonBody<ErrorBody>(withQuery).error.parameter, 'force');
  assert.equal((await answerWithdrawal({ name: '', query: {} }, deps)).status, 400);

  // The last export withdrawn: meetings left with no records lose their results too.
  assert.equal((await answerWithdrawal({ name: 'a.ndjson', query: {} }, deps)).status, 200);
  await assertMatchesRemainingFiles(store, []);
  for (const client of [
    store.sessions.client,
    store.meetings.client,
    store.meetingResults.client,
    store.disconnections.client,
    store.aggregates.client,
  ]) {
    assert.equal(await countRows(client), 0, `${client.tableName} is empty`);
  }
  const ledger = await allItems({ store, config: new CachedConfig(store.config) }, 'uploads');
  assert.deepEqual(
    (ledger as UploadEntry[]).map((e) => `${e.blobName}:${e.status}`).sort(),
    ['a.ndjson:withdrawn', 'b.ndjson:withdrawn'],
    'the ledger keeps the history',
  );
  const csv = await answerReport(
    { route: 'uploads', params: {}, query: { format: 'csv' } },
    { store, config: new CachedConfig(store.config) },
  );
  assert.match(csv.body.split('\r\n')[0]!, /,removal$/);
  assert.match(csv.body, /""reason"":""withdrawn""/, 'the removal as JSON text in one CSV column');
});

test('a withdrawal cut short is finished by sending it again, with exact counts', async () => {
  const store = await freshStore('wdc');
  const lines = ndjsonLines(generated({ records: 1500, seed: 41 }).text);
  const a = exportOf('keep.ndjson', lines.slice(0, 900));
  const b = exportOf('cut.ndjson', lines.slice(600));
  await upload(store, a);
  await upload(store, b);
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  const before = await sessionIds(store);
  const detailsBefore = await countRows(store.meetings.client, DETAILS_ONLY);

  let done = 0;
  const crashing = {
    store,
    onMeetingDone: () => {
      if (++done === 3) throw new Error('simulated crash');
    },
  };
  const cut = await answerWithdrawal({ name: 'cut.ndjson', query: {} }, crashing);
  assert.equal(cut.status, 500);
  assert.match(jsonBody<ErrorBody>(cut).error.message, /sending the same request again finishes it/);
  const midway = (await store.ledger.listForBlob('cut.ndjson'))[0]!;
  assert.equal(midway.status, 'withdrawing');
  assert.ok(midway.removal!.meetingsRemarked > 0, 'progress is recorded');
  assert.ok((await store.marks.countPending()) > 0);
  // An analysis run in between sees a consistent, partly withdrawn store.
  await analyseMarkedMeetings({ store }, { deadline: FAR() });

  const rerun = await answerWithdrawal({ name: 'cut.ndjson', query: {} }, { store });
  assert.equal(rerun.status, 200, rerun.body);
  await assertMatchesRemainingFiles(store, [a]);
  const entry = (await store.ledger.listForBlob('cut.ndjson'))[0]!;
  assert.equal(entry.status, 'withdrawn');
  assert.equal(
    entry.removal?.sessionsRemoved,
    before.size - (await sessionIds(store)).size,
    'sessions removed over both runs',
  );
  assert.equal(entry.removal?.detailsRemoved, detailsBefore - (await countRows(store.meetings.client, DETAILS_ONLY)));
});

test('an export withdrawn while it is being ingested takes back, when it ends, what it wrote after the withdrawal', async () => {
  const store = await freshStore('wdi');
  const lines = ndjsonLines(generated({ records: 600, seed: 51 }).text);
  const keep = exportOf('keep.ndjson', lines.slice(0, 200));
  await upload(store, keep);
  const late = lines.slice(100);
  let withdrawal: { status: number; body: string } | undefined;
  // The export arrives in two parts; between them, DELETE /api/uploads/late.ndjson runs to its end.
  const content = (async function* () {
    yield late.slice(0, 250).join('\n') + '\n';
    withdrawal = await answerWithdrawal({ name: 'late.ndjson', query: {} }, { store });
    yield late.slice(250).join('\n') + '\n';
  })();
  const result = await ingestExport({ blobName: 'late.ndjson', etag: '"0xLATE"', content }, { store });
  assert.equal(withdrawal?.status, 200, withdrawal?.body);
  assert.equal(result.entry.status, 'withdrawing', 'the ingestion kept the withdrawal');
  assert.ok(result.removed.sessionsRemoved > 0, 'it took back what it wrote after the withdrawal');
  const entry = (await store.ledger.listForBlob('late.ndjson'))[0]!;
  assert.equal(entry.status, 'withdrawn');
  assert.equal(entry.rowsRead, late.length, 'the accounting of the ingestion is kept');
  await assertMatchesRemainingFiles(store, [keep]);
});

test('a version whose ingestion failed part-way is withdrawn too, and its retry does not bring it back', async () => {
  const store = await freshStore('wdf');
  const lines = ndjsonLines(generated({ records: 800, seed: 61 }).text);
  const keep = exportOf('keep.ndjson', lines.slice(0, 300));
  await upload(store, keep);
  const broken = exportOf('broken.ndjson', lines.slice(200));
  let transactions = 0;
  await assert.rejects(
    ingestExport(
      { blobName: broken.name, etag: '"0xB"', content: broken.content },
      {
        store,
        writeConcurrency: 1,
        onTransaction: () => {
          if (++transactions === 4) throw new Error('storage went away');
        },
      },
    ),
  );
  assert.equal((await store.ledger.listForBlob(broken.name))[0]!.status, 'failed');
  assert.ok((await countRows(store.sessions.client)) > 0);
  const withdrawn = await answerWithdrawal({ name: broken.name, query: {} }, { store });
  assert.equal(withdrawn.status, 200, withdrawn.body);
  const retry = await ingestExport({ blobName: broken.name, etag: '"0xB"', content: broken.content }, { store });
  assert.equal(retry.outcome, 'skipped');
  await assertMatchesRemainingFiles(store, [keep]);
});
