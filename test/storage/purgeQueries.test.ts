// The table modules' purge queries (what retention deletes or rewrites, src/pipeline/retention.ts) on Azurite: each
// finds exactly the rows past its cut-off, and the delete-as-you-go queries give the first page again until it is gone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionRecord } from '../../src/audit/records.js';
import { sessionToEntity } from '../../src/storage/sessionsTable.js';
import { bundleEntity, meetingDetailToEntity, PURGED_ROW } from '../../src/storage/meetingsTable.js';
import { listingKeys } from '../../src/storage/meetingResultsTable.js';
import { listingsBefore, retireListings, summaryOnlyRowsBefore } from '../../src/storage/summaryOnlyRows.js';
import { blobsModifiedBefore, deleteBlobs, firstPagesOf, type EntityKey } from '../../src/storage/purge.js';
import { double } from '../../src/storage/tableEntities.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from './testStore.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 2, 1, 8);

let store: Store;
before(async () => {
  store = await freshStore('purge');
});

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

/** The first page of a query that gives it again until it is deleted (then closed). */
async function firstPage<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const first = await pages.next();
  await pages.return(undefined);
  return first.done === true ? [] : first.value;
}

const keys = (items: EntityKey[]): string[] => items.map((k) => `${k.partitionKey}/${k.rowKey}`).sort();

function session(meetingId: string, recordId: string, join: number, leave: number): SessionRecord {
  return {
    kind: 'session',
    recordId,
    meetingId,
    creationTime: leave,
    organizerUpn: 'org@contoso.com',
    organizerId: 'org-id',
    organizerOrganizationId: 'tenant',
    meetingType: '',
    attendee: { userObjectId: 'u1' },
    joinTime: join,
    leaveTime: leave,
    joinTimeRaw: '',
    leaveTimeRaw: '',
    clientIp: '10.1.2.3',
    deviceInformation: '',
    userAgent: '',
    source: { file: 'f', line: 1 },
  };
}

test('sessions.olderThan: the sessions whose latest time is before the cut-off, not one spanning it; deleteKeys counts what it deleted', async () => {
  const old = session('m-old', 'r-1', T, T + 3_600_000);
  const spanning = session('m-span', 'r-2', T, T + 20 * DAY);
  const young = session('m-young', 'r-3', T + 20 * DAY, T + 20 * DAY + 60_000);
  await store.sessions.upsertAll([old, spanning, young]);
  const cutoff = T + 10 * DAY;
  const found = await all(store.sessions.olderThan(cutoff));
  assert.deepEqual(keys(found), ['m-old/r-1']);
  assert.equal(await store.sessions.deleteKeys(found), 1);
  assert.equal(await store.sessions.deleteKeys(found), 0, 'a row already gone counts 0');
  assert.deepEqual((await all(store.sessions.olderThan(T + 30 * DAY))).map((k) => k.rowKey).sort(), ['r-2', 'r-3']);
});

test('meetings: details and detail copies past the cut-off are found (never bundles or the purged row); bundles lose their old sessions', async () => {
  const detailOf = (meetingId: string, start: number) =>
    meetingDetailToEntity({
      kind: 'meeting',
      recordId: 'd-1',
      meetingId,
      organizerUpn: 'org@contoso.com',
      organizerId: 'org-id',
      organizerOrganizationId: 'tenant',
      startTimeRaw: '',
      endTimeRaw: '',
      meetingType: '',
      startTime: start,
      endTime: start + 3_600_000,
      source: { file: 'f', line: 1 },
    }).entity;
  const detail = detailOf('m-b', T);
  const youngDetail = detailOf('m-c', T + 20 * DAY);
  const copy = { ...detail, rowKey: `~~d|src|${detail.rowKey}` };
  const mixed = bundleEntity('m-b', 'src', [
    sessionToEntity(session('m-b', 'r-old', T, T + 60_000)).entity,
    sessionToEntity(session('m-b', 'r-new', T, T + 20 * DAY)).entity,
  ]);
  const allOld = bundleEntity('m-b', 'src2', [sessionToEntity(session('m-b', 'r-x', T, T + 60_000)).entity]);
  for (const e of [detail, youngDetail, copy, mixed, allOld]) await store.meetings.client.upsertEntity(e, 'Replace');
  await store.meetings.markRecordsPurged('m-b', new Date(T));

  const cutoff = T + 10 * DAY;
  const found = await all(store.meetings.detailsOlderThan(cutoff));
  assert.deepEqual(keys(found), ['m-b/d-1', `m-b/~~d|src|d-1`]);

  assert.deepEqual(await store.meetings.dropBundledSessionsBefore('m-b', cutoff), { rewritten: 1, deleted: 1 });
  assert.deepEqual(
    (await store.meetings.readBundles('m-b', [mixed.rowKey])).map((s) => s.recordId),
    ['r-new'],
  );
  await assert.rejects(store.meetings.readBundles('m-b', [allOld.rowKey]), /missing/);
  assert.deepEqual(await store.meetings.dropBundledSessionsBefore('m-b', cutoff), { rewritten: 0, deleted: 0 });
  assert.equal(await store.meetings.deleteKeys(found), 2);
  assert.equal(await store.meetings.recordsPurged('m-b'), true, `${PURGED_ROW} stays`);
});

test('disconnections: uncut rows of older days have their addresses cut to networks once; daysBefore gives the first page until it is deleted', async () => {
  const data = (ip: string) =>
    JSON.stringify({
      lostClientIp: ip,
      site: 'HQ',
      disconnection: { network: { ipBefore: ip, ipAfter: '2001:db8:1:2::5' } },
    });
  const row = (partitionKey: string, rowKey: string, ip: string) => ({
    partitionKey,
    rowKey,
    lostClientIp: ip,
    ipBefore: ip,
    site: 'HQ',
    data: data(ip),
  });
  for (const e of [
    row('2026-03-01', 'a', '10.1.2.3'),
    row('2026-03-02', 'b', '10.9.8.7'),
    row('2026-03-09', 'c', '10.5.5.5'),
  ])
    await store.disconnections.client.upsertEntity(e, 'Replace');

  const uncut = await all(store.disconnections.uncutBefore('2026-03-05'));
  assert.deepEqual(keys(uncut), ['2026-03-01/a', '2026-03-02/b']);
  for (const k of uncut) await store.disconnections.cutIps(k);
  const cut = await store.disconnections.client.getEntity<Record<string, unknown>>('2026-03-01', 'a');
  assert.equal(cut['ipCut'], true);
  assert.equal(cut['lostClientIp'], '10.1.2.0/24');
  assert.equal(cut['ipBefore'], '10.1.2.0/24');
  assert.equal(cut['site'], 'HQ', 'the site stays');
  assert.deepEqual(JSON.parse(String(cut['data'])), {
    lostClientIp: '10.1.2.0/24',
    site: 'HQ',
    disconnection: { network: { ipBefore: '10.1.2.0/24', ipAfter: '2001:db8:1::/48' } },
  });
  assert.deepEqual(
    await all(store.disconnections.uncutBefore('2026-03-05')),
    [],
    'rows already cut are not found again',
  );

  let pages = 0;
  for await (const page of store.disconnections.daysBefore('2026-03-05')) {
    pages++;
    assert.deepEqual(keys(page), ['2026-03-01/a', '2026-03-02/b']);
    assert.equal(await store.disconnections.deleteKeys(page), 2);
  }
  assert.equal(pages, 1, 'once deleted, nothing matches');
  assert.deepEqual(keys(await firstPage(store.disconnections.daysBefore('2026-03-10'))), ['2026-03-09/c']);
});

test('firstPagesOf: the first page again from the start each time, until nothing matches', async () => {
  for (let i = 0; i < 5; i++)
    await store.aggregates.client.upsertEntity({ partitionKey: '2020-01-01', rowKey: `x|${i}` });
  const seen: string[][] = [];
  for await (const page of firstPagesOf(store.aggregates.client, "PartitionKey eq '2020-01-01'", { pageSize: 2 })) {
    seen.push(page.map((e) => e.rowKey));
    if (seen.length === 1) continue; // not deleted: the same page comes again
    await store.aggregates.deleteKeys(page);
  }
  assert.deepEqual(seen, [['x|0', 'x|1'], ['x|0', 'x|1'], ['x|2', 'x|3'], ['x|4']]);
});

test('aggregates: per-user rows of older days, then every row of older days', async () => {
  const rows = [
    { partitionKey: '2026-03-01', rowKey: 'user|m|0000' },
    { partitionKey: '2026-03-01', rowKey: 'site|m|0000' },
    { partitionKey: '2026-03-01', rowKey: 'userz|m|0000' },
    { partitionKey: '2026-03-09', rowKey: 'user|m|0000' },
  ];
  for (const e of rows) await store.aggregates.client.upsertEntity(e);
  const users: EntityKey[] = [];
  for await (const page of store.aggregates.userRowsBefore('2026-03-05')) {
    users.push(...page);
    await store.aggregates.deleteKeys(page);
  }
  assert.deepEqual(keys(users), ['2026-03-01/user|m|0000']);
  const older: EntityKey[] = [];
  for await (const page of store.aggregates.daysBefore('2026-03-05')) {
    older.push(...page);
    await store.aggregates.deleteKeys(page);
  }
  assert.deepEqual(keys(older), ['2026-03-01/site|m|0000', '2026-03-01/userz|m|0000']);
  assert.deepEqual(keys(await firstPage(store.aggregates.daysBefore('2026-03-10'))), ['2026-03-09/user|m|0000']);
});

test('meeting results: older listings are retired to summary-only rows without the organiser, which go in their turn', async () => {
  const summary = { meetingId: 'm-1', start: T, end: T + 1000, organizerUpn: 'org@contoso.com', organizerId: 'org-id' };
  const listing = (day: string) => ({
    ...listingKeys('m-1', day, T),
    meetingId: 'm-1',
    start: double(T),
    end: double(T + 1000),
    summary: JSON.stringify(summary),
    row: '{}',
  });
  for (const e of [listing('2026-03-01'), listing('2026-03-09')])
    await store.meetingResults.client.upsertEntity(e, 'Replace');
  let retired = 0;
  for await (const page of listingsBefore(store.meetingResults, '2026-03-05'))
    retired += await retireListings(store.meetingResults, page);
  assert.equal(retired, 1);
  const sums = await firstPage(summaryOnlyRowsBefore(store.meetingResults, '2026-03-05'));
  assert.deepEqual(keys(sums), [`sum|2026-03-01/${listing('2026-03-01').rowKey}`]);
  const kept = await store.meetingResults.client.getEntity<Record<string, unknown>>('sum|2026-03-01', sums[0]!.rowKey);
  assert.deepEqual(JSON.parse(String(kept['summary'])), { ...summary, organizerUpn: '', organizerId: '' });
  assert.equal(await store.meetingResults.deleteKeys(sums), 1);
  assert.deepEqual(await firstPage(summaryOnlyRowsBefore(store.meetingResults, '2026-03-05')), []);
  assert.ok(await store.meetingResults.getListing('m-1', '2026-03-09', T), 'a younger listing stays');
});

test('users.notSeenSince: by seenAt, and by the row time for rows written before seenAt existed; never the status row', async () => {
  const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
  const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
  const C = 'cccccccc-0000-4000-8000-00000000000c';
  const entry = (uuid: string) => ({ uuid, email: '', origin: 'attendee' as const });
  await store.users.upsertAll([entry(A)], {}, T);
  await store.users.upsertAll([entry(B)], {}, T + 20 * DAY);
  await store.users.upsertAll([entry(C)]); // no seenAt: its Timestamp (now) counts
  await store.users.recordNamesRun({
    startedAt: 'x',
    finishedAt: 'y',
    due: 0,
    found: 0,
    notInTenant: 0,
    failed: 0,
    stoppedByDeadline: false,
  });
  const uuids = async (cutoff: number): Promise<string[]> =>
    (await all(store.users.notSeenSince(cutoff))).map((k) => k.rowKey).sort();
  assert.deepEqual(await uuids(T + 10 * DAY), [A]);
  assert.deepEqual(await uuids(T + 30 * DAY), [A, B]);
  assert.deepEqual(await uuids(Date.now() + DAY), [A, B, C]);
  const gone = await all(store.users.notSeenSince(T + 10 * DAY));
  assert.equal(await store.users.deleteKeys(gone), 1);
  assert.equal(await store.users.get(A), undefined);
  assert.ok(await store.users.lastNamesRun(), 'the status row is no user');
});

test('blobsModifiedBefore / deleteBlobs: the blobs last modified before the cut-off, with their snapshots', async () => {
  const blob = store.exports.getBlockBlobClient('a.ndjson');
  await blob.upload('x', 1);
  await blob.createSnapshot();
  assert.deepEqual(await all(blobsModifiedBefore(store.exports, Date.now() - DAY)), []);
  const names = await all(blobsModifiedBefore(store.exports, Date.now() + DAY));
  assert.deepEqual(names, ['a.ndjson']);
  assert.equal(await deleteBlobs(store.exports, names), 1);
  assert.equal(await deleteBlobs(store.exports, names), 0, 'a blob already gone counts 0');
});
