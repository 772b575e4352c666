// The users table on Azurite: ids learned with and without e-mails, Microsoft Graph's answers merged in beside them,
// which ids are due for a lookup, seenAt as the latest time any export named an id, and the reads reports share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnFromRecord, SHARED_READ_MS, UsersTable } from '../../src/storage/usersTable.js';
import { erasePerson } from '../../src/storage/erasure.js';
import type { UserEntry } from '../../src/analysis/userDirectory.js';
import type { AuditRecord } from '../../src/audit/records.js';
import { freshStore } from './testStore.js';
import { num } from '../../src/storage/tableEntities.js';
import { shardOf } from '../../src/storage/keys.js';

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';

function session(
  organizerId: string,
  organizerUpn: string,
  attendee: { userObjectId?: string; upn?: string },
): AuditRecord {
  return {
    kind: 'session',
    recordId: `r-${Math.random()}`,
    meetingId: 'm',
    organizerUpn,
    organizerId,
    organizerOrganizationId: 't',
    meetingType: '',
    attendee,
    joinTime: 0,
    leaveTime: 1,
    joinTimeRaw: '',
    leaveTimeRaw: '',
    clientIp: '',
    deviceInformation: '',
    userAgent: '',
    source: { file: 'f', line: 1 },
  };
}

test('learning keeps object ids without an e-mail (for the name lookup), and an e-mail seen later replaces the bare id', () => {
  const learned = new Map<string, UserEntry>();
  for (const record of [
    session('org-key', 'org@contoso.com', { userObjectId: A }),
    session('org-key', 'org@contoso.com', { userObjectId: 'not-a-guid' }),
    session('org-key', 'org@contoso.com', { userObjectId: A.toUpperCase(), upn: 'a@contoso.com' }),
    session('org-key', 'org@contoso.com', { userObjectId: B }),
  ])
    learnFromRecord(learned, record);
  assert.deepEqual(
    [...learned.values()],
    [
      { uuid: 'org-key', email: 'org@contoso.com', origin: 'organizer' },
      { uuid: A.toUpperCase(), email: 'a@contoso.com', origin: 'attendee' },
      { uuid: B, email: '', origin: 'attendee' },
    ],
    'a bare id that is no object id is not kept',
  );
});

test("a bare id never wipes an e-mail; Graph's answers sit beside the learned e-mails", async () => {
  const store = await freshStore('users');
  await store.users.upsertAll([{ uuid: A, email: 'a@contoso.com', origin: 'attendee' }]);
  await store.users.upsertAll([
    { uuid: A, email: '', origin: 'attendee' },
    { uuid: B, email: '', origin: 'attendee' },
  ]);
  assert.deepEqual(await store.users.get(A), { uuid: A, email: 'a@contoso.com', origin: 'attendee' });
  assert.deepEqual(await store.users.get(B), { uuid: B, email: '', origin: 'attendee' });

  const found = {
    status: 'found' as const,
    displayName: 'Ann',
    userPrincipalName: 'ann@contoso.com',
    mail: 'ann@contoso.com',
    userType: 'Member',
    checkedAt: '2026-12-06T10:00:00.000Z',
  };
  await store.users.recordDirectory([[A.toUpperCase(), found]]);
  assert.deepEqual(await store.users.get(A), { uuid: A, email: 'a@contoso.com', origin: 'attendee', directory: found });
  await store.users.upsertAll([{ uuid: A, email: 'a2@contoso.com', origin: 'organizer' }]);
  assert.deepEqual((await store.users.get(A))?.directory, found, 'ingestion leaves the directory answer alone');
});

test('due for a lookup: ids never asked first, then those asked before the cut-off, at most the limit; never the status row', async () => {
  const store = await freshStore('due');
  await store.users.upsertAll([A, B, C].map((uuid) => ({ uuid, email: '', origin: 'attendee' as const })));
  await store.users.upsertAll([{ uuid: 'org-key', email: 'org@contoso.com', origin: 'organizer' }]);
  const answer = (checkedAt: string) => ({
    status: 'notInTenant' as const,
    displayName: '',
    userPrincipalName: '',
    mail: '',
    userType: '',
    checkedAt,
  });
  await store.users.recordDirectory([
    [A, answer('2026-12-01T00:00:00.000Z')],
    [B, answer('2026-12-05T00:00:00.000Z')],
  ]);
  await store.users.recordNamesRun({
    startedAt: 'x',
    finishedAt: 'y',
    due: 1,
    found: 0,
    notInTenant: 1,
    failed: 0,
    stoppedByDeadline: false,
  });

  assert.deepEqual(await store.users.listDueForLookup('2026-12-03T00:00:00.000Z', 10), [C, A]);
  assert.deepEqual(await store.users.listDueForLookup('2026-12-06T00:00:00.000Z', 2), [C, A]);
  assert.deepEqual(await store.users.listDueForLookup('2026-11-01T00:00:00.000Z', 10), [C]);
  assert.equal((await store.users.listAll()).length, 4, 'the status row is not a user');
  assert.deepEqual(await store.users.lastNamesRun(), {
    startedAt: 'x',
    finishedAt: 'y',
    due: 1,
    found: 0,
    notInTenant: 1,
    failed: 0,
    stoppedByDeadline: false,
  });
});

async function seenAtOf(store: Awaited<ReturnType<typeof freshStore>>, uuid: string): Promise<number | undefined> {
  const rows = await store.users.client
    .listEntities<Record<string, unknown>>({ queryOptions: { filter: `uuid eq '${uuid}'` } })
    .byPage()
    .next();
  const row = rows.done === true ? undefined : rows.value[0];
  return row === undefined ? undefined : num(row, 'seenAt');
}

test('seenAt is the latest ever given: an older export written after a newer one does not lower it', async () => {
  const store = await freshStore('seen');
  const newer = Date.UTC(2026, 5, 10);
  const older = Date.UTC(2026, 0, 10);
  await store.users.upsertAll([{ uuid: A, email: '', origin: 'attendee' }], {}, newer);
  await store.users.upsertAll(
    [
      { uuid: A, email: 'a@contoso.com', origin: 'attendee' },
      { uuid: B, email: '', origin: 'attendee' },
    ],
    {},
    older,
  );
  assert.equal(await seenAtOf(store, A), newer, 'the older export leaves the later seenAt');
  assert.deepEqual(await store.users.get(A), { uuid: A, email: 'a@contoso.com', origin: 'attendee' }, 'and merges');
  assert.equal(await seenAtOf(store, B), older, 'a new user takes the export seenAt');
  await store.users.upsertAll([{ uuid: B, email: '', origin: 'attendee' }], {}, newer + 1);
  assert.equal(await seenAtOf(store, B), newer + 1, 'a later export raises it');
});

test('concurrent writers of seenAt end with the maximum, whatever order their writes land in', async () => {
  const store = await freshStore('seenc');
  const ids = Array.from({ length: 40 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
  const entries = ids.map((uuid) => ({ uuid, email: '', origin: 'attendee' as const }));
  const times = [9, 3, 7, 1, 8, 2, 6, 4, 5, 0].map((n) => Date.UTC(2026, 0, 1) + n * 86_400_000);
  const transactions: number[] = [];
  // The maximum starts first, so a last-writer-wins store would rarely end with it.
  await Promise.all(
    times.map((t) => store.users.upsertAll(entries, { onTransaction: (i) => transactions.push(i.operations) }, t)),
  );
  const max = Math.max(...times);
  for (const uuid of ids) assert.equal(await seenAtOf(store, uuid), max, uuid);
  assert.equal(
    transactions.reduce((a, b) => a + b, 0),
    ids.length * times.length,
    'each writer committed each row once',
  );
});

test('seenAt: a batch whose key range holds more than a page of other rows reads the rest one by one', async () => {
  const store = await freshStore('seenr');
  const low = '00000000-0000-4000-8000-000000000001';
  const partitionKey = `user-${shardOf(low)}`;
  const high = Array.from(
    { length: 256 },
    (_, i) => `ffffffff-0000-4000-8000-0000000000${i.toString(16).padStart(2, '0')}`,
  ).find((id) => shardOf(id) === shardOf(low))!;
  const t = Date.UTC(2026, 0, 1);
  await store.users.upsertAll(
    [low, high].map((uuid) => ({ uuid, email: '', origin: 'attendee' as const })),
    {},
    t,
  );
  // 1,100 rows between the two keys: the range query's first page stops before the second.
  for (let i = 0; i < 1100; i += 100)
    await store.users.client.submitTransaction(
      Array.from(
        { length: 100 },
        (_, j) => ['create', { partitionKey, rowKey: `5-filler-${String(i + j).padStart(4, '0')}` }] as const,
      ),
    );
  await store.users.upsertAll(
    [low, high].map((uuid) => ({ uuid, email: '', origin: 'attendee' as const })),
    {},
    t + 1,
  );
  assert.equal(await seenAtOf(store, low), t + 1);
  assert.equal(await seenAtOf(store, high), t + 1, 'the row past the first page is updated, not inserted again');
  await store.users.upsertAll([{ uuid: high, email: '', origin: 'attendee' }], {}, t);
  assert.equal(await seenAtOf(store, high), t + 1);
});

test('shared reads: the same answer within SHARED_READ_MS, a fresh one after it, and none after a write here', async () => {
  const store = await freshStore('usershared');
  const other = new UsersTable(store.users.client); // another instance writing the same table
  await store.users.upsertAll([{ uuid: A, email: 'a@contoso.com', origin: 'attendee' }]);
  const t0 = 1_000_000;
  assert.equal((await store.users.getShared(A, t0))?.email, 'a@contoso.com');
  assert.equal(await store.users.getShared(B, t0), undefined, 'an unknown id is shared too');
  const found = {
    status: 'found' as const,
    displayName: 'Ann',
    userPrincipalName: 'a@contoso.com',
    mail: 'a@contoso.com',
    userType: 'Member',
    checkedAt: '2026-12-06T10:00:00.000Z',
  };
  await other.recordDirectory([[A, found]]);
  await other.upsertAll([{ uuid: B, email: 'b@contoso.com', origin: 'attendee' }]);
  assert.equal((await store.users.getShared(A, t0 + 1_000))?.directory, undefined, 'within the window');
  assert.equal(await store.users.getShared(B.toUpperCase(), t0 + 1_000), undefined, 'ids compared in lower case');
  assert.deepEqual((await store.users.getShared(A, t0 + SHARED_READ_MS))?.directory, found, 'read again after it');

  // A write through this table forgets every shared read at once.
  assert.equal(await store.users.getShared(B, t0 + SHARED_READ_MS - 1), undefined, 'still shared');
  await other.deleteKeys([]);
  assert.equal(await store.users.getShared(B, t0 + SHARED_READ_MS - 1), undefined, "another table's write is not seen");
  await store.users.recordDirectory([]);
  assert.equal((await store.users.getShared(B, t0 + SHARED_READ_MS - 1))?.email, 'b@contoso.com');
});

test('an erasure forgets the shared reads: the erased person is not served from one', async () => {
  const store = await freshStore('usererase');
  await store.users.upsertAll([{ uuid: A, email: 'ann@contoso.com', origin: 'attendee' }]);
  assert.equal((await store.users.getShared(A))?.email, 'ann@contoso.com');
  await erasePerson({ store, pseudonymizer: undefined, exports: { mode: 'keep' } }, A);
  assert.equal(await store.users.getShared(A), undefined);
});
