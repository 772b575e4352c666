// The logpurges table (src/storage/logPurgeQueue.ts) on Azurite: an erasure stays open, with its identifiers, until
// an operation covers every target; then its identifiers are cleared and it keeps the operation ids. Operations keep
// their status; the throttle state round-trips; an operation id that is not a valid row key is still stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogPurgeQueue } from '../../src/storage/logPurgeQueue.js';
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
});

test('an erasure keeps its identifiers until every target has an operation', async () => {
  const q = await queue();
  await q.add({
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: ['a@x.com', 'oid-1'],
    targets: ['T1.c', 'T2.c'],
  });
  let [open] = await q.open();
  assert.deepEqual(open, {
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: ['a@x.com', 'oid-1'],
    targets: { 'T1.c': '', 'T2.c': '' },
    attempts: 0,
  });
  await q.recordSubmitted([open], 'T1.c', op('op-1', 'T1.c'));
  [open] = await q.open();
  assert.deepEqual(open?.identifiers, ['a@x.com', 'oid-1'], 'one target left: still open with its identifiers');
  await q.recordFailure([open]);
  await q.recordSubmitted([open], 'T2.c', op('op-2', 'T2.c'));
  assert.deepEqual(await q.open(), []);
  assert.deepEqual(await q.get('e1'), {
    id: 'e1',
    queuedAt: '2026-03-02T09:00:00.000Z',
    identifiers: [],
    targets: { 'T1.c': 'op-1', 'T2.c': 'op-2' },
    attempts: 1,
  });
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
