import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { SessionRecord } from '../../src/audit/records.js';
import { entityToSession, sessionToEntity, SessionsTable } from '../../src/storage/sessionsTable.js';
import { MAX_BATCH_OPERATIONS, type TransactionInfo } from '../../src/storage/batchWriter.js';
import { keyProblem } from '../../src/storage/keys.js';
import { freshStore, testConnectionString } from './testStore.js';
import type { Store } from '../../src/storage/store.js';
import { listPage } from '../../src/storage/tableEntities.js';

let store: Store;
before(async () => {
  store = await freshStore('sess');
});

function session(meetingId: string, recordId: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    kind: 'session',
    recordId,
    meetingId,
    creationTime: Date.UTC(2024, 4, 1, 10, 30),
    organizerUpn: 'org@contoso.com',
    organizerId: 'org-id',
    organizerOrganizationId: 'tenant',
    meetingType: 'ScheduledMeeting,RecurringMeeting',
    attendee: {
      userObjectId: 'u1',
      upn: 'user@contoso.com',
      displayName: 'User, One',
      recipientType: 'User',
      organizationId: 'tenant',
      role: 'Attendee',
    },
    joinTime: Date.UTC(2024, 4, 1, 10, 0),
    leaveTime: Date.UTC(2024, 4, 1, 10, 45, 30),
    joinTimeRaw: '2024-05-01T10:00:00',
    leaveTimeRaw: '2024-05-01T10:45:30',
    clientIp: '10.57.1.2',
    deviceInformation: 'Windows 10, Teams',
    deviceId: 'dev-1',
    userAgent: 'CallSignalingAgent (49/1.0)',
    isJoinedFromLobby: false,
    source: { file: 'export.csv', line: 7 },
    ...extra,
  };
}

test('the codec round-trips a session, optional fields included or absent', () => {
  const full = session('m1', 'r1');
  assert.deepEqual(entityToSession({ ...sessionToEntity(full).entity }), full);
  const sparse: SessionRecord = { ...session('m1', 'r2'), attendee: { displayName: 'Dial-in' } };
  delete sparse.creationTime;
  delete sparse.deviceId;
  delete sparse.isJoinedFromLobby;
  assert.deepEqual(entityToSession({ ...sessionToEntity(sparse).entity }), sparse);
});

test('a meeting id with forbidden key characters is stored and read back under its own id', async () => {
  const meetingId = 'weird/meeting#id?with\\chars\tand\u0001control';
  const records = [session(meetingId, 'rec/1'), session(meetingId, 'rec#2'), session('plain-meeting', 'rec3')];
  await store.sessions.upsertAll(records);
  const back = await store.sessions.listMeeting(meetingId);
  assert.deepEqual(back.map((s) => s.recordId).sort(), ['rec#2', 'rec/1']);
  assert.ok(back.every((s) => s.meetingId === meetingId));
  assert.deepEqual(
    back.find((s) => s.recordId === 'rec/1'),
    records[0],
  );
  assert.equal(keyProblem(sessionToEntity(records[0]!).entity.partitionKey), undefined);
});

test('writing the same sessions twice leaves one entity per record (upsert replace)', async () => {
  const records = Array.from({ length: 150 }, (_, i) => session('twice', `r${i}`));
  await store.sessions.upsertAll(records);
  const changed = records.map((r) => ({ ...r, clientIp: '192.0.2.9' }));
  await store.sessions.upsertAll(changed);
  const back = await store.sessions.listMeeting('twice');
  assert.equal(back.length, 150);
  assert.ok(back.every((s) => s.clientIp === '192.0.2.9'));
});

test('a meeting with thousands of sessions is written in batches of at most 100 and under 4 MiB', async () => {
  // Measure the real request bodies of the batch calls, not only our estimate.
  const bodies: number[] = [];
  type Policy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];
  const measure: Policy = {
    name: 'measureBatchBodies',
    async sendRequest(request, next) {
      if (request.url.includes('$batch') && typeof request.body === 'string')
        bodies.push(Buffer.byteLength(request.body, 'utf8'));
      return next(request);
    },
  };
  const client = TableClient.fromConnectionString(testConnectionString(), store.names.tables.sessions, {
    allowInsecureConnection: true,
    additionalPolicies: [{ policy: measure, position: 'perCall' }],
  });
  const table = new SessionsTable(client);
  const transactions: TransactionInfo[] = [];
  // 3,000 sessions with 2 × 30,000-character strings: 100 of them would be ~6 MB of JSON, so the
  // size bound, not only the count bound, has to split the batches.
  const big = 'D'.repeat(30_000);
  const records = Array.from({ length: 3000 }, (_, i) =>
    session('townhall', `r${String(i).padStart(5, '0')}`, { deviceInformation: `${big}${i}`, userAgent: `${big}${i}` }),
  );
  await table.upsertAll(records, { onTransaction: (t) => transactions.push(t) });

  assert.equal(
    transactions.reduce((n, t) => n + t.operations, 0),
    3000,
  );
  assert.ok(transactions.every((t) => t.operations <= MAX_BATCH_OPERATIONS && t.partitionKey === 'townhall'));
  assert.ok(
    transactions.some((t) => t.operations < MAX_BATCH_OPERATIONS),
    'the size bound should have cut some batches short',
  );
  assert.ok(bodies.length >= transactions.length);
  assert.ok(Math.max(...bodies) < 4 * 1024 * 1024, `largest batch body ${Math.max(...bodies)} bytes`);
  const back = await table.listMeeting('townhall');
  assert.equal(back.length, 3000);
  assert.equal(new Set(back.map((s) => s.recordId)).size, 3000);

  // A batch of plain sessions uses the full 100.
  const small: TransactionInfo[] = [];
  await table.upsertAll(
    Array.from({ length: 250 }, (_, i) => session('small', `s${i}`)),
    { onTransaction: (t) => small.push(t) },
  );
  assert.deepEqual(
    small.map((t) => t.operations).sort((a, b) => b - a),
    [100, 100, 50],
  );
});

test('entities that are too large are truncated and counted, not refused', async () => {
  const huge = session('huge', 'h1', { deviceInformation: 'x'.repeat(40_000), userAgent: 'y'.repeat(40_000) });
  const { truncated } = await store.sessions.upsertAll([huge]);
  assert.equal(truncated, 1);
  const [back] = await store.sessions.listMeeting('huge');
  assert.equal(back?.deviceInformation.length, 32 * 1024);
});

test('deleteSessions deletes in batches and counts exactly, also when some are already gone (a re-run)', async () => {
  const meetingId = 'del/meeting#1';
  const ids = Array.from({ length: 250 }, (_, i) => `rec-${String(i).padStart(3, '0')}`);
  await store.sessions.upsertAll(ids.map((id) => session(meetingId, id)));
  assert.equal(await store.sessions.deleteSessions(meetingId, ids.slice(0, 120)), 120);
  // A re-run names sessions already deleted (every batch holding one fails) and the rest.
  assert.equal(await store.sessions.deleteSessions(meetingId, ids), 130);
  assert.equal((await store.sessions.listMeeting(meetingId)).length, 0);
  assert.equal(await store.sessions.deleteSessions(meetingId, ids), 0);
});

test('query selects by meeting, join time, organiser and attendee on the stored properties; an id that cannot be a key matches nothing', async () => {
  const meetingId = 'query-meeting';
  await store.sessions.upsertAll([
    session(meetingId, 'q1', {
      organizerUpn: 'Boss@Contoso.com',
      attendee: { userObjectId: 'ua', upn: 'Ann@Contoso.com', displayName: 'Ann' },
    }),
    session(meetingId, 'q2', {
      joinTime: Date.UTC(2024, 4, 1, 12, 0),
      attendee: { userObjectId: 'ub', displayName: 'Bob' },
    }),
    session('query-other', 'q3'),
  ]);
  const ids = async (filter: Parameters<SessionsTable['query']>[0]): Promise<string[]> => {
    const query = store.sessions.query(filter);
    assert.ok(query !== undefined);
    const page = await listPage(query.table, {
      limit: 100,
      ...(query.filter === undefined ? {} : { filter: query.filter }),
    });
    return page.items.map((e) => entityToSession(e).recordId).sort();
  };
  assert.deepEqual(await ids({ meeting: meetingId }), ['q1', 'q2']);
  assert.deepEqual(await ids({ meeting: meetingId, organizer: 'boss@contoso.COM' }), ['q1']);
  assert.deepEqual(await ids({ meeting: meetingId, user: 'ANN@contoso.com' }), ['q1']);
  assert.deepEqual(await ids({ meeting: meetingId, user: 'ub' }), ['q2']);
  assert.deepEqual(await ids({ meeting: meetingId, user: 'Bob' }), ['q2']);
  assert.deepEqual(await ids({ meeting: meetingId, from: Date.UTC(2024, 4, 1, 11, 0) }), ['q2']);
  assert.deepEqual(await ids({ meeting: meetingId, to: Date.UTC(2024, 4, 1, 11, 0) }), ['q1']);
  assert.equal(store.sessions.query({ meeting: 'x'.repeat(1000) }), undefined);
  assert.deepEqual(Object.keys(store.sessions.query({}) ?? { none: true }), ['table'], 'no filter: the whole table');
});
