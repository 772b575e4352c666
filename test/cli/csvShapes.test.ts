// The CLI on CSV shapes real admins produce: a row over 8 MiB (rejected with its size, every later row
// read and counted), a quote never closed (the rest of the file counted and measured), Excel's `;` CSV
// (UTF-8 and Windows-1252) and "Unicode text" (UTF-16LE, TAB).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { excelUnicodeText, generatedCsv, windows1252, withHugeRow, withSeparator } from '../audit/csvShapes.fixture.js';
import { MAIN, type RunResult } from './run.fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-csv-shapes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  writeFileSync(join(dir, name), content);
  return name;
}

function run(args: readonly string[]): RunResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The numbers of a file's accounting line: rows read, accepted, duplicates, skipped, rejected. */
function accounting(stderr: string, label: string): number[] {
  const m = new RegExp(
    `${label.replace(/\./g, '\\.')}: (\\d+) rows read = (\\d+) accepted \\+ (\\d+) duplicates \\+ (\\d+) skipped \\+ (\\d+) rejected`,
  ).exec(stderr);
  assert.ok(m, `no accounting line for ${label} in:\n${stderr}`);
  return m.slice(1).map(Number);
}

const { text } = generatedCsv({ records: 1999 });
const plain = write('plain.csv', text);

test('a 20 MB row at row 11 of a 2,000-row export: that row rejected with its size, the other 1,999 read; record view too', () => {
  const huge = write('huge-row.csv', withHugeRow(text, 11, 20_000_000));
  const expected = run(['-d', plain]);
  assert.equal(expected.status, 0);
  const [rows, accepted, duplicates, skipped, rejected] = accounting(expected.stderr, plain);
  const r = run(['-d', huge]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, expected.stdout, 'the same disconnections');
  assert.match(
    r.stderr,
    /WARNING: huge-row\.csv:11: CSV: this row is 20,000,\d{3} bytes \(19\.1 MiB\) long, more than the 8 MiB a row may have, so it was not read; the rows after it were read\n/,
  );
  assert.deepEqual(accounting(r.stderr, huge), [rows! + 1, accepted, duplicates, skipped, rejected! + 1]);
  assert.doesNotMatch(r.stderr, /reading stopped/);
  // The record view (every row as read): the row's rejection, then the rows after it.
  const view = run([huge]);
  assert.equal(view.status, 0, view.stderr);
  assert.deepEqual(accounting(view.stderr, huge).slice(0, 1), [2000]);
  assert.match(view.stderr, /huge-row\.csv:11: CSV: this row is 20,000,/);
  assert.match(view.stdout, /^Line #2000$/m);
});

test('a quote never closed at row 11: the rest of the file is one rejected row, with its lines and bytes named', () => {
  const lines = text.split('\r\n');
  lines.splice(11, 0, 'x,y,25,MeetingParticipantDetail,u,"{no closing quote');
  // Row 11 and the 1,989 rows after it, without quotes: nothing closes the quote.
  // Each padded to 5 kB (a 10 MB file).
  const rest = lines.slice(12).map((l) => (l === '' ? l : `${l.replace(/"/g, '')},${'p'.repeat(4000)}`));
  const broken = write('stray-quote.csv', [...lines.slice(0, 12), ...rest].join('\r\n'));
  const r = run(['-d', broken]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /stray-quote\.csv:11: CSV: a quoted field opened in this row is never closed, so this row and the rest of the file cannot be read \(1,990 lines, [\d,]+ bytes \([\d.]+ MiB\), from the start of this row to the end of the file\); look for a stray double quote/,
  );
  assert.match(r.stderr, /stray-quote\.csv: reading stopped at row 11/);
  const [rowsRead, ...parts] = accounting(r.stderr, broken);
  assert.equal(rowsRead, 11);
  assert.equal(
    parts.reduce((a, b) => a + b, 0),
    11,
  );
});

test('Excel `;` CSV (UTF-8 and Windows-1252) and "Unicode text" (UTF-16, TAB): read like the comma export', () => {
  const expected = run(['-d', plain]);
  const counts = accounting(expected.stderr, plain);
  for (const [name, content] of [
    ['semicolons.csv', withSeparator(text, ';')],
    ['unicode.txt', excelUnicodeText(text)],
  ] as const) {
    const r = run(['-d', write(name, content)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected.stdout);
    assert.deepEqual(accounting(r.stderr, name), counts);
    assert.doesNotMatch(r.stderr, /WARNING|ERROR/);
  }
  const cp1252 = run(['-d', write('windows-1252.csv', windows1252(withSeparator(text, ';')))]);
  assert.equal(cp1252.status, 0, cp1252.stderr);
  assert.deepEqual(accounting(cp1252.stderr, 'windows-1252.csv'), counts);
  assert.match(cp1252.stderr, /WARNING: windows-1252\.csv: the file is not valid UTF-8/);
});

test('a `;` file that is not an audit export: exit 2, and the message names the separator', () => {
  const r = run(['-d', write('people.csv', 'Name;Email;Department\r\nAnna;x;IT\r\n')]);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /ERROR: people\.csv: not a recognised audit export: .*Columns found: "Name", "Email", "Department" \(separated by semicolons\)/,
  );
});
