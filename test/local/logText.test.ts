// Host log lines: outside text on one line, unambiguous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeForLog } from '../../src/local/logText.js';

test('line breaks, controls, separators and bidi overrides are escaped; a backslash is doubled', () => {
  assert.equal(escapeForLog('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(escapeForLog('\u0000\u001b[31m\u007f\u0085'), '\\u0000\\u001b[31m\\u007f\\u0085');
  assert.equal(escapeForLog('x\u2028y\u2029z'), 'x\\u2028y\\u2029z');
  assert.equal(escapeForLog('report\u202Evsc.exe\u2066'), 'report\\u202evsc.exe\\u2066');
  assert.equal(escapeForLog('C:\\temp\\n.csv'), 'C:\\\\temp\\\\n.csv', 'a literal backslash-n is not a newline');
});

test('ordinary text, Unicode and emoji are kept', () => {
  for (const text of ['export.csv', 'Export März 2026 – Teams ü 📊.csv', 'it\'s "quoted" #1 %20 ?&'])
    assert.equal(escapeForLog(text), text);
});
