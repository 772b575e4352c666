import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonArrayElement, jsonArrayEnd, renderJson } from '../../../src/reports/render/json.js';

test('an array written element by element is byte for byte renderJson of the array', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue()), (values) => {
      const streamed = values.map((v, i) => jsonArrayElement(v, i)).join('') + jsonArrayEnd(values.length);
      assert.equal(streamed, renderJson(values));
    }),
    { numRuns: 300 },
  );
});

test('strings with line breaks, separators and controls stay on one line of the element', () => {
  const row = { a: 'two\nlines\r\u2028\u0001', b: [1, { c: null }], d: undefined };
  assert.equal(jsonArrayElement(row, 0) + jsonArrayEnd(1), renderJson([row]));
  assert.equal(jsonArrayEnd(0), '[]\n');
});
