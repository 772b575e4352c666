// The header row tells the field separator: Excel's `;` CSV (UTF-8 or Windows-1252) and its "Unicode
// text" (UTF-16LE, TAB-separated) read as the comma export they came from; a header that is still not
// an audit export's gets a message naming the separator seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportReadError, readExport } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';
import { excelUnicodeText, generatedCsv, windows1252, withSeparator } from './csvShapes.fixture.js';
import { collect, once, readAll, recordsOf } from './helpers.js';

const json = (items: readonly ExportItem[]): string[] => items.map((i) => JSON.stringify(i));

const base = generatedCsv({ records: 600, badRowShare: 0.02, duplicateShare: 0.02, otherOperationsShare: 0.03 });

test('Excel `;` CSV and TAB-separated text read as the comma export they came from, whatever the chunking', async () => {
  const comma = await readAll(base.text, 'export.csv');
  assert.ok(comma.items.some((i) => i.type === 'rejected') && comma.items.some((i) => i.type === 'skipped'));
  for (const shape of [withSeparator(base.text, ';'), withSeparator(base.text, '\t'), excelUnicodeText(base.text)]) {
    for (const sizes of [undefined, [1 << 16], [7, 1000, 3]]) {
      const read = await readAll(shape, 'export.csv', sizes);
      assert.deepEqual(json(read.items), json(comma.items));
      assert.deepEqual(read.info, comma.info);
    }
  }
});

test('quotes work the same with `;`: a cell holding `;`, quotes and a line break is one cell', async () => {
  const text =
    'RecordId;CreationDate;RecordType;Operation;UserId;AuditData;AssociatedAdminUnits;AssociatedAdminUnitsNames\r\n' +
    'x;2026-03-02;25;MessageSent;u;"{""Operation"":""MessageSent"",""Id"":""a;b""}";"unit; one";"Unit ""A""\r\nnext"\r\n' +
    'y;2026-03-02;25;FileAccessed;u;"{""Operation"":""FileAccessed""}";;\r\n';
  const read = await readAll(text, 'semicolons.csv', [5]);
  assert.deepEqual(
    read.items.map((i) => (i.type === 'skipped' ? i.operation : i.type)),
    ['MessageSent', 'FileAccessed'],
  );
  assert.equal(read.info.csvVariant, 'purview-v3');
  // A row with too few fields names the separator in its note.
  const short = await readAll('CreationDate\tUserId\tOperation\tAuditData\r\nx\ty\r\n', 'tabs.txt');
  const item = short.items[0]!;
  assert.ok(item.type === 'rejected');
  assert.match(item.rejection.reason, /check for a stray quote or an unquoted tab\)$/);
});

test('Windows-1252 `;` CSV: every row read, with the warning about the bytes that are not UTF-8', async () => {
  const comma = await readAll(base.text, 'export.csv');
  const read = await readAll(windows1252(withSeparator(base.text, ';')), 'export.csv');
  assert.deepEqual(
    read.items.map((i) => i.type),
    comma.items.map((i) => i.type),
  );
  assert.deepEqual(
    recordsOf(read.items).map((r) => r.recordId),
    recordsOf(comma.items).map((r) => r.recordId),
  );
  assert.match(
    read.info.warnings.join('\n'),
    /not valid UTF-8 \(first bad byte at byte offset \d+\).*save the file as UTF-8/,
  );
  // Accented names come through as U+FFFD (or `?` where Windows-1252 has no such letter), and only those differ.
  const names = (items: readonly ExportItem[]) =>
    recordsOf(items).flatMap((r) => (r.kind === 'session' ? [r.attendee.displayName ?? ''] : []));
  const changed = names(read.items).filter((n, i) => n !== names(comma.items)[i]);
  assert.ok(
    changed.some((n) => n.includes('\uFFFD')),
    changed.slice(0, 3).join(' | '),
  );
  assert.ok(
    changed.every((n) => /[\uFFFD?]/.test(n)),
    changed.slice(0, 3).join(' | '),
  );
});

async function refusal(text: string | Buffer, file: string): Promise<ExportReadError> {
  try {
    await collect(readExport(once(text), { file }));
  } catch (e) {
    if (e instanceof ExportReadError) return e;
    throw e;
  }
  assert.fail(`${file} was read`);
}

test("a header that is not an audit export's under any separator: the message names the separator seen", async () => {
  const semi = await refusal('Name;Email;Department\r\nAnna;x;IT\r\n', 'people.csv');
  assert.match(
    semi.message,
    /^people\.csv: not a recognised audit export: .*Columns found: "Name", "Email", "Department" \(separated by semicolons\)\.$/,
  );
  const tab = await refusal(
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name\tEmail\r\nAnna\tx\r\n', 'utf16le')]),
    'people.txt',
  );
  assert.match(tab.message, /Columns found: "Name", "Email" \(separated by tabs\)\.$/);
  const comma = await refusal('Name,Email\r\nAnna,x\r\n', 'people.csv');
  assert.match(comma.message, /Columns found: "Name", "Email" \(separated by commas\)\.$/);
  const pipes = await refusal('RecordId|CreationDate|AuditData\r\n1|2|{}\r\n', 'pipes.csv');
  assert.match(
    pipes.message,
    /Columns found: "RecordId\|CreationDate\|AuditData" \(no comma, semicolon or tab between them\)\.$/,
  );
  // A `;` header the comma reading takes for one column gets `;`, not ",": the widest split is named.
  const almost = await refusal('RecordId;CreationDate;Operation;Data\r\n', 'almost.csv');
  assert.match(almost.message, /"RecordId", "CreationDate", "Operation", "Data" \(separated by semicolons\)/);
});
