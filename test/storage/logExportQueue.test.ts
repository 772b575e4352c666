// The Log Analytics export queue: one entry per meeting, re-queueing replaces it, an entry queued again after it was
// read survives its removal, failures are counted, and the last status is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogExportQueue } from '../../src/storage/logExportQueue.js';
import { freshStore } from './testStore.js';

async function queue(): Promise<LogExportQueue> {
  const store = await freshStore('lq');
  return new LogExportQueue(store.clients.table(store.names.tables.logExports));
}

const entry = (meetingId: string, run: string) => ({
  meetingId,
  run,
  analysedAt: run,
  configFingerprint: 'f1',
  queuedAt: run,
});

test('a meeting queued twice is one entry with the newer analysis', async () => {
  const q = await queue();
  await q.add(entry('m/1 with spaces', '2026-03-01T00:00:00.000Z'));
  await q.add(entry('m2', '2026-03-01T00:00:00.000Z'));
  await q.add(entry('m/1 with spaces', '2026-03-02T00:00:00.000Z'));
  const listed = await q.list(10);
  assert.deepEqual(listed.map((e) => [e.meetingId, e.run, e.attempts]).sort(), [
    ['m/1 with spaces', '2026-03-02T00:00:00.000Z', 0],
    ['m2', '2026-03-01T00:00:00.000Z', 0],
  ]);
  assert.equal((await q.list(1)).length, 1, 'the limit holds');
});

test('an entry queued again after it was read is not removed, and a failure is counted on the entry read', async () => {
  const q = await queue();
  await q.add(entry('m', '2026-03-01T00:00:00.000Z'));
  const [read] = await q.list(10);
  await q.recordFailure(read!);
  const [failed] = await q.list(10);
  assert.equal(failed!.attempts, 1);
  await q.add(entry('m', '2026-03-02T00:00:00.000Z'));
  assert.equal(await q.remove(failed!), false, 'queued again meanwhile');
  const [again] = await q.list(10);
  assert.equal(again!.run, '2026-03-02T00:00:00.000Z');
  assert.equal(await q.remove(again!), true);
  assert.equal(await q.remove(again!), true, 'already gone counts as removed');
  assert.deepEqual(await q.list(10), []);
});

test('the export status and the time the site drop rates were sent are kept', async () => {
  const q = await queue();
  assert.equal(await q.lastStatus(), undefined);
  assert.equal(await q.siteRatesSentAt(), undefined);
  const status = {
    startedAt: 'a',
    finishedAt: 'b',
    meetingsSent: 3,
    rowsSent: 20,
    meetingsLeft: 1,
    meetingsGone: 0,
    siteRatesSent: 4,
    lastError: 'HTTP 429: x'.padEnd(3000, 'x'),
  };
  await q.recordStatus(status);
  const kept = await q.lastStatus();
  assert.equal(kept?.lastError?.length, 2000, 'a long error is cut');
  assert.deepEqual({ ...kept, lastError: undefined }, { ...status, lastError: undefined });
  await q.recordSiteRatesSent('2026-03-17T01:00:00.000Z');
  assert.equal(await q.siteRatesSentAt(), '2026-03-17T01:00:00.000Z');
});
