// The logpurges table (src/storage/logPurgeQueue.ts) on Azurite: an erasure stays open until an operation covers
// every target, and keeps its identifiers until every operation is completed or unknown; then they are cleared and
// it keeps the operation ids. A target is re-opened once at most. Operations keep their status; the throttle state
// round-trips; an operation id that is not a valid row key is still stored; a claim is won by one of two claimants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogPurgeQueue, type PurgeRequest } from '../../src/storage/logPurgeQueue.js';
import { freshStore } from './testStore.js';

async function queue(): Promise<LogPurgeQueue> {
  const store = await freshStore('lp');
  const q = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  await q.ensureTable();
  return q;
}

const op = (operationId: string, target: string) => ({
  operationId,
  target,
  erasures: 1,
  identifiers: 2,
  submittedAt: '2026-03-02T10:00:00.000Z',
  status: 'pending',
  erasureIds: ['e1'],
  notFoundChecks: 0,
  resubmission: false,
});

/** An erasure entry without its ETag and claim (they change with every write). */
function plain(request: PurgeRequest | undefined): Omit<PurgeRequest, 'etag' | 'claimedBy' | 'claimedUntil'> {
  assert.ok(request);
  const { etag, claimedBy, claimedUntil, ...rest } = request;
  void etag;
  void claimedBy;
  void claimedUntil;
  return rest;
}

test('an erasure stays open until every target has an operation, and keeps its identifiers until they are done', async () => {
  const q = await queue();
  await q.add({
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: ['a@x.com', 'oid-1'],
    targets: ['T1.c', 'T2.c'],
  });
  let [open] = await q.open();
  assert.deepEqual(plain(open), {
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: ['a@x.com', 'oid-1'],
    targets: { 'T1.c': '', 'T2.c': '' },
    attempts: 0,
    resubmitted: [],
  });
  await q.recordSubmitted([open!], 'T1.c', op('op-1', 'T1.c'));
  [open] = await q.open();
  assert.deepEqual(open?.identifiers, ['a@x.com', 'oid-1'], 'one target left: still open with its identifiers');
  await q.recordFailure([open]);
  await q.recordSubmitted([open], 'T2.c', op('op-2', 'T2.c'));
  assert.deepEqual(await q.open(), []);
  assert.equal(await q.settle('e1'), false, 'operations pending: the identifiers stay');
  assert.equal(await q.reopen('e1', 'T2.c'), true, 'a forgotten operation re-opens its target once');
  assert.equal(await q.reopen('e1', 'T2.c'), false, 'not twice');
  [open] = await q.open();
  await q.recordSubmitted([open!], 'T2.c', op('op-3', 'T2.c'));
  await q.recordStatus('op-1', 'completed', '2026-03-02T11:00:00.000Z');
  await q.recordStatus('op-3', 'unknown', '2026-03-02T11:00:00.000Z');
  assert.equal(await q.settle('e1'), true);
  assert.deepEqual(plain(await q.get('e1')), {
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: [],
    targets: { 'T1.c': 'op-1', 'T2.c': 'op-3' },
    attempts: 1,
    resubmitted: ['T2.c'],
  });
  assert.equal(await q.reopen('e1', 'T1.c'), false, 'without identifiers there is nothing to send again');
});

test('of two claimants that read the same erasure, one gets it; the claim is released', async () => {
  const q = await queue();
  await q.add({ id: 'e1', queuedAt: 't', identifiers: ['a'], targets: ['T.c'] });
  const seen = await q.open();
  const now = new Date('2026-03-02T10:00:00Z');
  const until = new Date('2026-03-02T10:10:00Z');
  const [a, b] = await Promise.all([q.claim(seen, 'a', now, until), q.claim(seen, 'b', now, until)]);
  assert.equal(a.length + b.length, 1);
  assert.equal((await q.get('e1'))?.claimedBy, a.length === 1 ? 'a' : 'b');
  assert.deepEqual(await q.claim(await q.open(), 'c', now, until), [], 'held until it expires');
  await q.release([...a, ...b]);
  assert.equal((await q.get('e1'))?.claimedUntil, undefined);
});

test('operations keep their status; ids that are not row keys are stored too', async () => {
  const q = await queue();
  const odd = 'purge/with#odd?chars';
  await q.add({ id: 'e1', queuedAt: 't', identifiers: ['a'], targets: ['T.c'] });
  const [open] = await q.open();
  await q.recordSubmitted([open!], 'T.c', op(odd, 'T.c'));
  assert.equal((await q.operation(odd))?.status, 'pending');
  assert.deepEqual(
    (await q.unfinishedOperations()).map((o) => o.operationId),
    [odd],
  );
  await q.recordNotFound(odd, 2, '2026-03-02T10:30:00.000Z');
  assert.equal((await q.operation(odd))?.notFoundChecks, 2);
  await q.recordStatus(odd, 'completed', '2026-03-02T11:00:00.000Z');
  assert.deepEqual(await q.operation(odd), {
    ...op(odd, 'T.c'),
    status: 'completed',
    checkedAt: '2026-03-02T11:00:00.000Z',
  });
  assert.deepEqual(await q.unfinishedOperations(), []);
});

test('the throttle state round-trips, and its error text is bounded', async () => {
  const q = await queue();
  assert.deepEqual(await q.throttle(), {});
  await q.recordThrottle({
    notBefore: '2026-03-02T11:00:00.000Z',
    lastError: 'x'.repeat(2000),
    lastAttemptAt: '2026-03-02T10:00:00.000Z',
  });
  const state = await q.throttle();
  assert.equal(state.notBefore, '2026-03-02T11:00:00.000Z');
  assert.equal(state.lastError?.length, 500);
  await q.recordThrottle({ lastAttemptAt: '2026-03-02T12:00:00.000Z' });
  assert.deepEqual(await q.throttle(), { lastAttemptAt: '2026-03-02T12:00:00.000Z' });
});
