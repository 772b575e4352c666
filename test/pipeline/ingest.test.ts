import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { rejectsBlobName } from '../../src/storage/rejects.js';
import type { TransactionInfo } from '../../src/storage/batchWriter.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { DETAILS_ONLY, countRows, dumpTable, generated, ndjson, ndjsonLines } from './pipelineFixtures.js';

let store: Store;
before(async () => {
  store = await freshStore('ing');
});

test('an export with bad rows lands its good rows, and the ledger and rejects blob account for every row', async () => {
  const { text, truth } = generated({
    records: 1500,
    format: 'purview-v2',
    badRowShare: 0.03,
    duplicateShare: 0.02,
    otherOperationsShare: 0.02,
  });
  assert.ok(
    truth.badRows > 10 && truth.duplicates > 5 && truth.otherOperations > 5,
    'the generated file should hold every kind of row',
  );
  const { outcome, entry } = await ingestExport(
    { blobName: 'bad-rows.csv', etag: '"0x1"', content: Buffer.from(text) },
    { store },
  );
  assert.equal(outcome, 'completed');
  assert.equal(entry.status, 'completed');
  assert.equal(entry.rowsRead, truth.rows);
  assert.equal(entry.rowsRead, entry.accepted + entry.duplicates + entry.skipped + entry.rejected);
  assert.equal(entry.rejected, truth.badRows);
  assert.equal(entry.skipped, truth.otherOperations);
  assert.equal(entry.duplicates, truth.duplicates);
  assert.equal(entry.sessions, truth.sessionRecords);
  assert.equal(entry.meetingDetails, truth.meetingDetailRecords);
  assert.equal(entry.meetingsTouched, truth.meetings);
  assert.equal(await countRows(store.sessions.client), truth.sessionRecords);
  assert.equal(await countRows(store.meetings.client, DETAILS_ONLY), truth.meetingDetailRecords);
  assert.equal((await store.marks.listPending()).length, truth.meetings);

  // The ledger entry as stored says the same, with the first rejections inline.
  const stored = await store.ledger.get('bad-rows.csv', '"0x1"');
  assert.equal(stored?.rejected, truth.badRows);
  assert.equal(stored?.firstRejections.length, Math.min(20, truth.badRows));
  assert.equal(stored?.rejectsBlob, rejectsBlobName('bad-rows.csv'));
  // The rejects blob has every rejected row with its line and a reason.
  const rejects = await store.rejects.read('bad-rows.csv');
  assert.equal(rejects?.count, truth.badRows);
  assert.equal(rejects?.rejections.length, truth.badRows);
  for (const r of rejects?.rejections ?? []) {
    assert.equal(r.file, 'bad-rows.csv');
    assert.ok(Number.isInteger(r.line) && r.line >= 1 && r.line <= truth.rows);
    assert.ok(r.reason.length > 0 && r.field.length > 0);
  }
  assert.equal(new Set(rejects?.rejections.map((r) => r.line)).size, truth.badRows, 'one rejection per bad row');
});

test('the same blob version twice is skipped; a new version of the same data changes nothing', async () => {
  const { text } = generated({ records: 400, seed: 11 });
  const content = Buffer.from(text);
  const first = await ingestExport({ blobName: 'twice.ndjson', etag: '"0xA"', content }, { store });
  const before = await dumpTable(store.sessions.client);
  const again = await ingestExport({ blobName: 'twice.ndjson', etag: '"0xA"', content }, { store });
  assert.equal(again.outcome, 'skipped');
  assert.equal(again.entry.startedAt, first.entry.startedAt);
  const reuploaded = await ingestExport({ blobName: 'twice.ndjson', etag: '"0xB"', content }, { store });
  assert.equal(reuploaded.outcome, 'completed');
  assert.deepEqual(await dumpTable(store.sessions.client), before);
  assert.equal((await store.ledger.listForBlob('twice.ndjson')).length, 2);
});

test('two overlapping exports store each record once, as one export of their union does', async () => {
  const { text, truth } = generated({ records: 900, seed: 21, duplicateShare: 0 });
  const lines = ndjsonLines(text);
  const a = lines.slice(0, 600);
  const b = lines.slice(300);
  const separate = await freshStore('ovl');
  await ingestExport({ blobName: 'a.ndjson', etag: '"1"', content: ndjson(a) }, { store: separate });
  const second = await ingestExport({ blobName: 'b.ndjson', etag: '"1"', content: ndjson(b) }, { store: separate });
  assert.equal(second.entry.rowsRead, b.length);
  const union = await freshStore('uni');
  await ingestExport({ blobName: 'all.ndjson', etag: '"1"', content: ndjson(lines) }, { store: union });
  assert.equal(await countRows(separate.sessions.client), truth.sessionRecords);
  const drop = ['sourceFile', 'sourceLine'];
  assert.deepEqual(await dumpTable(separate.sessions.client, drop), await dumpTable(union.sessions.client, drop));
  // The MeetingDetail records are the same; the session bundles and detail copies differ (each ingestion keeps its own).
  const details = async (store: typeof union) =>
    (await dumpTable(store.meetings.client, drop)).filter((e) => String(e.rowKey) < '~~b|');
  assert.deepEqual(await details(separate), await details(union));
});

test('a file that cannot be read at all ends failed, not thrown: the ledger says why and that it is not retried', async () => {
  const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0xff, 0x00]);
  const { outcome, entry } = await ingestExport({ blobName: 'archive.zip', etag: '"z"', content: binary }, { store });
  assert.equal(outcome, 'failed');
  assert.match(
    entry.error ?? '',
    /^The export "archive\.zip" cannot be read: the zip archive cannot be read \(damaged or truncated\?\): .*\. It is not retried \(the same file fails the same way\): upload a corrected file$/,
  );
  const stored = await store.ledger.get('archive.zip', '"z"');
  assert.equal(stored?.status, 'failed');
  assert.equal(stored?.permanent, true);
  assert.equal(stored?.error, entry.error);
  const empty = await ingestExport({ blobName: 'empty.csv', content: Buffer.alloc(0) }, { store });
  assert.equal(empty.outcome, 'failed');
  assert.equal(
    empty.entry.error,
    'The export "empty.csv" cannot be read: the file is empty. It is not retried (the same file fails the same way): upload a corrected file',
  );
});

test('records whose ids cannot be Table keys are rejected with the field and reason', async () => {
  const longId = 'm'.repeat(500);
  const line = JSON.stringify({
    Id: 'rec-long',
    RecordType: 25,
    CreationTime: '2026-03-02T09:00:00',
    Operation: 'MeetingParticipantDetail',
    Workload: 'MicrosoftTeams',
    UserId: 'org@contoso.com',
    UserKey: 'org-id',
    OrganizationId: 'tenant',
    MeetingDetailId: longId,
    ItemName: 'ScheduledMeeting',
    Attendees: [{ UserObjectId: 'u1', DisplayName: 'U', RecipientType: 'User' }],
    JoinTime: '2026-03-02T09:00:00',
    LeaveTime: '2026-03-02T09:30:00',
  });
  const { entry } = await ingestExport({ blobName: 'long-id.ndjson', content: ndjson([line]) }, { store });
  assert.equal(entry.rowsRead, 1);
  assert.equal(entry.rejected, 1, JSON.stringify(entry.firstRejections));
  assert.equal(entry.firstRejections[0]?.field, 'AuditData.MeetingDetailId');
  assert.match(entry.firstRejections[0]?.reason ?? '', /too long/);
});

test('a session whose record Id cannot be a Table key is rejected naming AuditData.Id, whatever the message says', async () => {
  const line = JSON.stringify({
    Id: 'r'.repeat(500),
    RecordType: 25,
    CreationTime: '2026-03-02T09:00:00',
    Operation: 'MeetingParticipantDetail',
    Workload: 'MicrosoftTeams',
    UserId: 'org@contoso.com',
    UserKey: 'org-id',
    OrganizationId: 'tenant',
    MeetingDetailId: 'meeting-fine',
    ItemName: 'ScheduledMeeting',
    Attendees: [{ UserObjectId: 'u1', DisplayName: 'U', RecipientType: 'User' }],
    JoinTime: '2026-03-02T09:00:00',
    LeaveTime: '2026-03-02T09:30:00',
  });
  const { entry } = await ingestExport({ blobName: 'long-record-id.ndjson', content: ndjson([line]) }, { store });
  assert.equal(entry.rejected, 1, JSON.stringify(entry.firstRejections));
  assert.equal(entry.firstRejections[0]?.field, 'AuditData.Id');
  assert.match(entry.firstRejections[0]?.reason ?? '', /^record Id is too long/);
});

test('a town hall of thousands of sessions is ingested in batches of at most 100 operations under 4 MiB', async () => {
  const { text, truth } = generated({ records: 4000, seed: 41, scenario: 'townhall' });
  assert.equal(truth.meetings, 1);
  const transactions: TransactionInfo[] = [];
  const { entry } = await ingestExport(
    { blobName: 'townhall.ndjson', content: Buffer.from(text) },
    { store, onTransaction: (t) => transactions.push(t) },
  );
  assert.equal(entry.sessions, truth.sessionRecords);
  assert.ok(truth.sessionRecords > 3000);
  assert.ok(transactions.every((t) => t.operations <= 100 && t.payloadBytes < 4 * 1024 * 1024));
  const sessionOps = transactions
    .filter((t) => t.partitionKey === transactions[0]!.partitionKey)
    .reduce((n, t) => n + t.operations, 0);
  assert.ok(sessionOps >= truth.sessionRecords, 'every session went through a bounded batch');
  const [pending] = (await store.marks.listPending()).filter(
    (p) =>
      p.index.bundles.some((b) => b.includes('|')) &&
      p.meetingId === (JSON.parse(text.split('\n')[0]!) as { MeetingDetailId: string }).MeetingDetailId,
  );
  assert.ok(pending, 'the town hall is marked with its bundles');
  assert.equal(
    (await store.meetings.readBundles(pending.meetingId, pending.index.bundles)).length,
    truth.sessionRecords,
  );
});
