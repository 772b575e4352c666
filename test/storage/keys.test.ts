import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeKey,
  encodeKey,
  etagKey,
  keyComponent,
  keyProblem,
  KeyError,
  MAX_ID_KEY_CHARS,
  MAX_KEY_CHARS,
  prefixUpperBound,
  sortableNumber,
} from '../../src/storage/keys.js';

test('plain GUIDs and similar ids stay readable', () => {
  assert.equal(encodeKey('5f1c2a9e-0d4b-4a57-9a3e-1b2c3d4e5f60'), '5f1c2a9e-0d4b-4a57-9a3e-1b2c3d4e5f60');
  assert.equal(encodeKey('19:meeting_abc@thread.v2'), '19:meeting_abc@thread.v2');
});

test('ids with characters Table keys forbid are encoded and decode back', () => {
  for (const id of [
    'a/b',
    'a\\b',
    'x#1',
    'what?',
    'tab\there',
    'nl\nx',
    '\u007f',
    '\u0085',
    'naïve',
    '~b.fake',
    "o'brien",
    '%20',
    ' lead',
  ]) {
    const key = encodeKey(id);
    assert.equal(keyProblem(key), undefined, `${JSON.stringify(id)} -> ${key}`);
    assert.equal(decodeKey(key), id);
  }
  assert.ok(encodeKey('a/b').startsWith('~b.'));
});

test('encoding is reversible and always yields a valid key (property)', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), (id) => {
      const key = encodeKey(id);
      assert.equal(keyProblem(key), undefined);
      assert.equal(decodeKey(key), id);
    }),
    { numRuns: 500 },
  );
});

test('distinct ids never share a key (property)', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
      fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
      (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(encodeKey(a), encodeKey(b));
      },
    ),
  );
});

test('a KeyError carries the field its caller named, and none when it named none', () => {
  assert.throws(
    () => encodeKey('x'.repeat(MAX_ID_KEY_CHARS + 1), 'record Id', 'recordId'),
    (e: unknown) => e instanceof KeyError && e.field === 'recordId',
  );
  assert.throws(
    () => encodeKey(''),
    (e: unknown) => e instanceof KeyError && e.field === undefined,
  );
});

test('empty and over-long ids are refused with a KeyError that says why', () => {
  assert.throws(
    () => encodeKey('', 'MeetingDetailId'),
    (e: unknown) => e instanceof KeyError && /MeetingDetailId is empty/.test(e.message),
  );
  assert.throws(() => encodeKey('x'.repeat(MAX_ID_KEY_CHARS + 1)), /too long/);
  assert.equal(encodeKey('x'.repeat(MAX_ID_KEY_CHARS)).length, MAX_ID_KEY_CHARS);
});

test('keyProblem names forbidden characters and over-long keys', () => {
  assert.match(keyProblem('a#b') ?? '', /U\+0023 at position 2/);
  assert.match(keyProblem('a'.repeat(MAX_KEY_CHARS + 1)) ?? '', /limited to 512/);
  assert.equal(keyProblem('plain-key|with|pipes'), undefined);
});

test('key components never contain the | separator and long ones are hashed', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (value) => {
      const c = keyComponent(value);
      assert.ok(!c.includes('|'));
      assert.ok(c.length <= 96);
      assert.equal(keyProblem(c), undefined);
    }),
  );
  assert.equal(keyComponent(''), '~e');
  assert.ok(keyComponent('y'.repeat(200)).startsWith('~h.'));
  assert.notEqual(keyComponent('y'.repeat(200)), keyComponent('y'.repeat(201)));
});

test('prefix ranges and sortable numbers order as keys', () => {
  assert.equal(prefixUpperBound('site|'), 'site}');
  assert.ok('site|zzz' < prefixUpperBound('site|') && 'site}' >= prefixUpperBound('site|'));
  assert.equal(sortableNumber(42, 5), '00042');
  assert.ok(sortableNumber(9) < sortableNumber(10));
  assert.equal(sortableNumber(-1, 3), '000');
});

test('ETags lose their quotes and weak marker', () => {
  assert.equal(etagKey('"0x8DC1234"'), '0x8DC1234');
  assert.equal(etagKey('W/"0x8DC1234"'), '0x8DC1234');
  assert.equal(keyProblem(etagKey('"a/b"')), undefined);
});
