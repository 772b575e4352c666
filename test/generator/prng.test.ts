import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, hashString } from '../../src/generator/prng.js';

test('a stream is reproducible and streams with other indices or labels differ', () => {
  const take = (rng: Rng): number[] => Array.from({ length: 16 }, () => rng.u32());
  assert.deepEqual(take(Rng.stream(1, 'meeting', 5)), take(Rng.stream(1, 'meeting', 5)));
  assert.notDeepEqual(take(Rng.stream(1, 'meeting', 5)), take(Rng.stream(1, 'meeting', 6)));
  assert.notDeepEqual(take(Rng.stream(1, 'meeting', 5)), take(Rng.stream(1, 'rows', 5)));
  assert.notDeepEqual(take(Rng.stream(1, 'meeting', 5)), take(Rng.stream(2, 'meeting', 5)));
});

test('the generator is sfc32: same outputs as an independent transcription of the public reference', () => {
  // The widely published JavaScript sfc32 (PractRand's small fast counting generator, 32-bit).
  function reference(a: number, b: number, c: number, d: number): () => number {
    return () => {
      a >>>= 0;
      b >>>= 0;
      c >>>= 0;
      d >>>= 0;
      let t = (a + b) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      d = (d + 1) | 0;
      t = (t + d) | 0;
      c = (c + t) | 0;
      return t >>> 0;
    };
  }
  const seeds: [number, number, number, number][] = [
    [0, 0, 0, 0],
    [0xdeadbeef, 0x12345678, 42, 0x9e3779b9],
  ];
  for (const words of seeds) {
    const ref = reference(...words);
    for (let i = 0; i < 15; i++) ref(); // Rng discards 15 outputs after seeding
    const rng = new Rng(...words);
    for (let i = 0; i < 100; i++) assert.equal(rng.u32(), ref());
  }
});

test('int stays within bounds and reaches both ends; pick and weighted follow their inputs', () => {
  const rng = Rng.stream(3, 'test');
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const v = rng.int(-2, 3);
    assert.ok(Number.isInteger(v) && v >= -2 && v <= 3);
    seen.add(v);
  }
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [-2, -1, 0, 1, 2, 3],
  );
  let heavy = 0;
  for (let i = 0; i < 10_000; i++)
    if (
      rng.weighted([
        ['a', 9],
        ['b', 1],
      ] as const) === 'a'
    )
      heavy++;
  assert.ok(heavy > 8700 && heavy < 9300, `${heavy}`);
  assert.throws(() => rng.pick([]), /empty/);
});

test('guid has the version-4 layout; shuffle is a permutation', () => {
  const rng = Rng.stream(4, 'ids');
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = rng.guid();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = rng.shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual(
    [...shuffled].sort((a, b) => a - b),
    items,
  );
});

test('hashString spreads similar labels', () => {
  assert.notEqual(hashString('a'), hashString('b'));
  assert.equal(hashString('meeting'), hashString('meeting'));
  assert.notEqual(hashString('x', 1), hashString('x', 2));
});
