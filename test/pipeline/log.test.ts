// Log lines the pipeline writes cannot be broken or disguised by what they quote (blob names are chosen by uploaders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeForLog, singleLineLog } from '../../src/pipeline/log.js';

test('line breaks, controls, DEL, C1, line separators and bidi overrides are escaped; other text is kept', () => {
  assert.equal(escapeForLog('a\nb\r\tc'), 'a\\nb\\r\\tc');
  assert.equal(
    escapeForLog('\u0000\u0007\u001b[31m\u007f\u0085\u009b'),
    '\\u0000\\u0007\\u001b[31m\\u007f\\u0085\\u009b',
  );
  assert.equal(escapeForLog('x\u2028y\u2029z'), 'x\\u2028y\\u2029z');
  assert.equal(
    escapeForLog('invoice-\u202ecod.exe \u2066i\u2069 \u200e\u200f\u061c'),
    'invoice-\\u202ecod.exe \\u2066i\\u2069 \\u200e\\u200f\\u061c',
  );
  const plain = 'Export März 2026 – Teams ü 📊 #?%20 =@ "q" \\ .csv';
  assert.equal(escapeForLog(plain), plain);
});

test('singleLineLog escapes every message at every level', () => {
  const lines: string[] = [];
  const log = singleLineLog({
    info: (m) => lines.push(`I ${m}`),
    warn: (m) => lines.push(`W ${m}`),
    error: (m) => lines.push(`E ${m}`),
  });
  log.info('a\nExecuted');
  log.warn('b\r\n');
  log.error('c\u2028');
  assert.deepEqual(lines, ['I a\\nExecuted', 'W b\\r\\n', 'E c\\u2028']);
});
