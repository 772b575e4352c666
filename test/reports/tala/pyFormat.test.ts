import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPythonFixed1 } from '../../../src/reports/tala/pyFormat.js';

// Expected values are what CPython 3.11 prints for format(x, '.1f'): correct rounding of the
// exact binary value, ties to even (only .25 and .75 are exact ties at one decimal).
test('exact .25 ties round to even (down), unlike toFixed', () => {
  assert.equal(formatPythonFixed1(0.25), '0.2');
  assert.equal((0.25).toFixed(1), '0.3'); // the JavaScript behaviour being corrected
  assert.equal(formatPythonFixed1(12.25), '12.2');
  assert.equal(formatPythonFixed1((100 * 1) / 400), '0.2');
  assert.equal(formatPythonFixed1((100 * 1) / 16), '6.2');
  assert.equal(formatPythonFixed1((100 * 5) / 16), '31.2');
  assert.equal(formatPythonFixed1(-0.25), '-0.2');
});

test('exact .75 ties round to even (up), as toFixed does', () => {
  assert.equal(formatPythonFixed1(0.75), '0.8');
  assert.equal(formatPythonFixed1(18.75), '18.8');
});

test('non-ties round to nearest from the exact binary value', () => {
  assert.equal(formatPythonFixed1((1 / 3) * 100), '33.3');
  assert.equal(formatPythonFixed1((100 * 2) / 3), '66.7');
  assert.equal(formatPythonFixed1(0.35), '0.3'); // 0.35 is 0.34999999999999997779…
  assert.equal(formatPythonFixed1(0.45), '0.5'); // 0.45 is 0.45000000000000001110…
  assert.equal(formatPythonFixed1(100), '100.0');
  assert.equal(formatPythonFixed1(0), '0.0');
  assert.equal(formatPythonFixed1(75), '75.0');
});

test('signs, zero and special values as Python prints them', () => {
  assert.equal(formatPythonFixed1(-0), '-0.0');
  assert.equal(formatPythonFixed1(-0.04), '-0.0');
  assert.equal(formatPythonFixed1(Number.NaN), 'nan');
  assert.equal(formatPythonFixed1(Infinity), 'inf');
  assert.equal(formatPythonFixed1(-Infinity), '-inf');
  assert.equal(formatPythonFixed1(1e21), '1000000000000000000000.0');
});
