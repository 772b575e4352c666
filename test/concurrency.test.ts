import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBounded, mapBounded } from '../src/concurrency.js';

/** A call that stays in flight until the test releases it, recording how many were in flight at most. */
function gate() {
  let inFlight = 0;
  let most = 0;
  const waiting: Array<() => void> = [];
  return {
    get most() {
      return most;
    },
    async call<R>(value: R): Promise<R> {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      return value;
    },
    releaseAll(): number {
      const n = waiting.length;
      waiting.splice(0).forEach((r) => r());
      return n;
    },
  };
}

async function drain(g: ReturnType<typeof gate>, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    await new Promise((r) => setImmediate(r));
    g.releaseAll();
  }
}

test('mapBounded keeps at most `concurrency` calls in flight and returns results in input order', async () => {
  const g = gate();
  const items = Array.from({ length: 10 }, (_, i) => i);
  const result = mapBounded(items, (i) => g.call(i * 2), 3);
  await drain(g, result);
  assert.deepEqual(
    await result,
    items.map((i) => i * 2),
  );
  assert.equal(g.most, 3);
});

test('forEachBounded stops starting items once `stop` says so and returns how many started', async () => {
  const seen: number[] = [];
  const started = await forEachBounded(
    [1, 2, 3, 4, 5],
    async (item) => {
      seen.push(item);
    },
    { concurrency: 1, stop: () => seen.length >= 2 },
  );
  assert.equal(started, 2);
  assert.deepEqual(seen, [1, 2]);
});

test('forEachBounded rejects with the first failure', async () => {
  await assert.rejects(
    forEachBounded(
      ['a', 'b'],
      async (item) => {
        if (item === 'b') throw new Error('b failed');
      },
      { concurrency: 2 },
    ),
    /b failed/,
  );
});

test('forEachBounded runs one worker when concurrency is below one, and none is needed for no items', async () => {
  const seen: string[] = [];
  assert.equal(await forEachBounded(['x', 'y'], async (item) => void seen.push(item), { concurrency: 0 }), 2);
  assert.deepEqual(seen, ['x', 'y']);
  assert.equal(await forEachBounded([], async () => assert.fail('no item to run'), { concurrency: 4 }), 0);
});
