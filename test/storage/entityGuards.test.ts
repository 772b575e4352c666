import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  customPropertyCount,
  EntityLimitError,
  estimateEntityBytes,
  guardEntity,
  MAX_CUSTOM_PROPERTIES,
  MAX_ENTITY_BYTES,
  MAX_STRING_CHARS,
  readSplitString,
  truncatedProperties,
  type TableEntityShape,
} from '../../src/storage/entityGuards.js';
import { KeyError } from '../../src/storage/keys.js';

test('an entity within the limits is unchanged', () => {
  const entity = { partitionKey: 'p', rowKey: 'r', a: 'text', n: 5, b: true };
  const guarded = guardEntity(entity);
  assert.deepEqual(guarded.entity, entity);
  assert.deepEqual(guarded.truncated, []);
});

test('the size estimate follows the service formula', () => {
  // 4 + 2·1 + 2·1 + (8 + 2·1 + 2·4 + 4) + (8 + 2·1 + 8)
  assert.equal(estimateEntityBytes({ partitionKey: 'p', rowKey: 'r', a: 'text', n: 5 }), 4 + 2 + 2 + 22 + 18);
});

test('an over-long string is truncated to 32 K characters and the truncation is recorded', () => {
  const guarded = guardEntity({ partitionKey: 'p', rowKey: 'r', device: 'd'.repeat(MAX_STRING_CHARS + 10) });
  assert.equal((guarded.entity.device as string).length, MAX_STRING_CHARS);
  assert.deepEqual(guarded.truncated, ['device']);
  assert.deepEqual(truncatedProperties(guarded.entity), ['device']);
});

test('a splittable string is split over several properties and reads back whole', () => {
  const text = 'abc'.repeat(40_000); // 120,000 characters
  const guarded = guardEntity({ partitionKey: 'p', rowKey: 'r', data: text }, { splittable: ['data'] });
  assert.deepEqual(guarded.split, ['data']);
  assert.deepEqual(guarded.truncated, []);
  for (const [name, value] of Object.entries(guarded.entity)) {
    if (typeof value === 'string') assert.ok(value.length <= MAX_STRING_CHARS, `${name} is ${value.length}`);
  }
  assert.equal(readSplitString(guarded.entity, 'data'), text);
});

test('splitting never cuts a surrogate pair', () => {
  const text = 'x' + '😀'.repeat(MAX_STRING_CHARS); // every part boundary falls inside a pair
  const guarded = guardEntity({ partitionKey: 'p', rowKey: 'r', data: text }, { splittable: ['data'] });
  assert.equal(readSplitString(guarded.entity, 'data'), text);
  for (const value of Object.values(guarded.entity)) {
    if (typeof value === 'string' && value.length > 0) assert.ok(!/[\ud800-\udbff]$/.test(value));
  }
});

test('an entity over 1 MiB has its longest strings cut until it fits, and says so', () => {
  const entity: TableEntityShape = { partitionKey: 'p', rowKey: 'r', small: 'keep me' };
  for (let i = 0; i < 20; i++) entity[`s${i}`] = String.fromCharCode(65 + i).repeat(MAX_STRING_CHARS); // 20 × 64 KiB
  const guarded = guardEntity(entity);
  assert.ok(estimateEntityBytes(guarded.entity) <= MAX_ENTITY_BYTES);
  assert.equal(guarded.entity.small, 'keep me');
  assert.ok(guarded.truncated.length > 0);
  assert.deepEqual(truncatedProperties(guarded.entity), guarded.truncated);
});

test('more than 252 properties is refused, 252 is accepted', () => {
  const make = (n: number): TableEntityShape => {
    const e: TableEntityShape = { partitionKey: 'p', rowKey: 'r' };
    for (let i = 0; i < n; i++) e[`p${i}`] = i;
    return e;
  };
  assert.equal(customPropertyCount(guardEntity(make(MAX_CUSTOM_PROPERTIES)).entity), MAX_CUSTOM_PROPERTIES);
  assert.throws(() => guardEntity(make(MAX_CUSTOM_PROPERTIES + 1)), EntityLimitError);
});

test('invalid keys are refused before reaching the service', () => {
  assert.throws(
    () => guardEntity({ partitionKey: 'a/b', rowKey: 'r' }),
    (e: unknown) => e instanceof KeyError && /PartitionKey/.test(e.message),
  );
  assert.throws(() => guardEntity({ partitionKey: 'p', rowKey: 'x'.repeat(600) }), KeyError);
});
