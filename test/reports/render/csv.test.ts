import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, neutraliseFormula, renderCsv, fieldColumns, CSV_EOL } from '../../../src/reports/render/csv.js';

test('cells with a comma, a quote, CR or LF are quoted, quotes doubled (RFC 4180)', () => {
  assert.equal(csvCell('ScheduledMeeting,RecurringMeeting'), '"ScheduledMeeting,RecurringMeeting"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
  assert.equal(csvCell('plain text'), 'plain text');
  assert.equal(csvCell(''), '');
});

test('missing values are empty, numbers and booleans are plain', () => {
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell(0.5), '0.5');
  assert.equal(csvCell(Number.NaN), '');
  assert.equal(csvCell(true), 'true');
  assert.equal(csvCell(false), 'false');
});

test('formula-like text gets a leading single quote', () => {
  assert.equal(neutraliseFormula('=HYPERLINK("http://x","y")'), `'=HYPERLINK("http://x","y")`);
  assert.equal(neutraliseFormula('+cmd'), "'+cmd");
  assert.equal(neutraliseFormula('-2+3'), "'-2+3");
  assert.equal(neutraliseFormula('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(neutraliseFormula('\tx'), "'\tx");
  assert.equal(neutraliseFormula('\rx'), "'\rx");
  assert.equal(neutraliseFormula('-'), "'-");
  // quoted as well when the neutralised text has a quote or comma
  assert.equal(csvCell('=1,2'), `"'=1,2"`);
  assert.equal(csvCell('\rx'), `"'\rx"`);
});

test('plain numbers and ISO dates are not neutralised', () => {
  for (const s of ['-5', '+5', '-0.25', '-1.5e3', '+.5', '2024-03-05T10:20:00Z', '2024-03-05', '12', 'a=b', ' =1']) {
    assert.equal(neutraliseFormula(s), s, s);
  }
  assert.equal(csvCell('-5'), '-5');
  assert.equal(csvCell('2024-03-05T10:20:00Z'), '2024-03-05T10:20:00Z');
});

test('renderCsv writes a header and CRLF-terminated lines', () => {
  const rows = [
    { name: 'Frank, External', n: 2 },
    { name: '=evil()', n: -1 },
  ];
  const out = renderCsv(rows, fieldColumns<(typeof rows)[number]>(['name', 'n']));
  assert.equal(CSV_EOL, '\r\n');
  assert.equal(out, 'name,n\r\n"Frank, External",2\r\n\'=evil(),-1\r\n');
});

test('renderCsv with no rows writes only the header', () => {
  assert.equal(renderCsv([], [{ header: 'a', value: () => 'x' }]), 'a\r\n');
});
