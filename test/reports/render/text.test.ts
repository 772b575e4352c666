import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  TableText,
  displayWidth,
  renderBlock,
  renderTable,
  textCell,
  visible,
} from '../../../src/reports/render/text.js';
import { renderJson } from '../../../src/reports/render/json.js';

test('control characters become visible escapes (no terminal escape sequences)', () => {
  assert.equal(visible('a\x1b[31mred'), 'a\\u001b[31mred');
  assert.equal(visible('tab\there'), 'tab\\u0009here');
  assert.equal(visible('c1\u009bx'), 'c1\\u009bx');
  assert.equal(visible('plain é 日本'), 'plain é 日本');
});

test('cells: missing → empty, booleans → yes/no', () => {
  assert.equal(textCell(undefined), '');
  assert.equal(textCell(true), 'yes');
  assert.equal(textCell(false), 'no');
  assert.equal(textCell(3), '3');
});

test('width counts code points, not UTF-16 units', () => {
  assert.equal(displayWidth('😀a'), 2);
  assert.equal(displayWidth('abc'), 3);
});

test('tables align columns, right-align numbers and have no trailing spaces', () => {
  const rows = [
    { k: 'alpha', n: 5 },
    { k: 'b', n: 123 },
  ];
  const out = renderTable(rows, [
    { header: 'key', value: (r) => r.k },
    { header: 'n', value: (r) => r.n, right: true },
  ]);
  assert.equal(out, ['key      n', '-----  ---', 'alpha    5', 'b      123', ''].join('\n'));
});

test('an empty table says (none)', () => {
  assert.equal(renderTable([], [{ header: 'x', value: () => '' }]), 'x\n-\n(none)\n');
});

test('blocks pad labels to one width', () => {
  assert.equal(
    renderBlock([
      ['A', 1],
      ['Longer', 'x'],
    ]),
    'A:      1\nLonger: x\n',
  );
});

test('JSON is indented and newline-terminated, undefined fields left out', () => {
  assert.equal(renderJson({ a: 1, b: undefined, c: [1] }), '{\n  "a": 1,\n  "c": [\n    1\n  ]\n}\n');
});

test('a table measured row by row, then written in pieces, is renderTable of the same rows', () => {
  const columns = [
    { header: 'name', value: (r: { name: string; n: number }) => r.name },
    { header: 'n', value: (r: { name: string; n: number }) => r.n, right: true },
    { header: 'last', value: (r: { name: string; n: number }) => r.name.toUpperCase() },
  ];
  fc.assert(
    fc.property(
      fc.array(fc.record({ name: fc.string(), n: fc.integer() })),
      fc.integer({ min: 1, max: 5 }),
      (rows, linesPerChunk) => {
        const table = new TableText(columns, '  ');
        for (const row of rows) table.measure(row);
        const chunks = [...table.chunks(rows, linesPerChunk)];
        assert.equal(chunks.join(''), renderTable(rows, columns, '  '));
        assert.ok(chunks.every((c) => c.endsWith('\n')));
      },
    ),
    { numRuns: 200 },
  );
});
