import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisConfigState } from '../../src/storage/marks.js';
import { freshStore } from './testStore.js';

test('the config state is read back as written, and is absent before the first record', async () => {
  const store = await freshStore('mcfg');
  assert.equal(await store.marks.configState(), undefined);
  const first: AnalysisConfigState = { fingerprint: 'a'.repeat(64), recordedAt: '2026-03-01T00:00:00.000Z' };
  await store.marks.recordConfigState(first);
  assert.deepEqual(await store.marks.configState(), first);

  const remarking: AnalysisConfigState = {
    ...first,
    remarking: {
      fingerprint: 'b'.repeat(64),
      startedAt: '2026-03-02T00:00:00.000Z',
      cursor: 'meeting|~b.abc',
      meetings: 2000,
    },
    lastRemark: {
      fingerprint: 'a'.repeat(64),
      previousFingerprint: 'c'.repeat(64),
      startedAt: '2026-02-01T00:00:00.000Z',
      finishedAt: '2026-02-01T00:01:00.000Z',
      meetings: 7,
    },
  };
  await store.marks.recordConfigState(remarking);
  assert.deepEqual(await store.marks.configState(), remarking);

  // Replaced as a whole: a finished re-marking leaves no progress behind.
  const finished: AnalysisConfigState = {
    fingerprint: 'b'.repeat(64),
    recordedAt: '2026-03-02T00:05:00.000Z',
    lastRemark: {
      fingerprint: 'b'.repeat(64),
      previousFingerprint: 'a'.repeat(64),
      startedAt: '2026-03-02T00:00:00.000Z',
      finishedAt: '2026-03-02T00:05:00.000Z',
      meetings: 4000,
    },
  };
  await store.marks.recordConfigState(finished);
  assert.deepEqual(await store.marks.configState(), finished);
  // The state is not a mark.
  assert.equal(await store.marks.countPending(), 0);
  assert.deepEqual(await store.marks.listPending(), []);
});
