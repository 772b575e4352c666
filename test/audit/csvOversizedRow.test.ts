// Rows over the CSV size limit: the tokenizer reports each with its size and reads on after it (the
// record ends where csv-parse says it does); a quote still open at the end of the input is reported
// with what it covers. Then the reader: one 20 MB row in a generated export, rejected with its true
// reason while every other row is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CSV_BREAKERS, textOf } from './textArbitraries.js';
import { Parser } from 'csv-parse';
import {
  CSV_SEPARATORS,
  CsvTokenizer,
  type CsvExtent,
  type CsvRecordDelimiter,
  type CsvSeparator,
} from '../../src/audit/csvTokenizer.js';
import { MAX_CSV_RECORD_BYTES } from '../../src/audit/csvExport.js';
import { readExport } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';
import { generatedCsv, withHugeRow } from './csvShapes.fixture.js';
import { HEADERS, csvLine, csvRowFor, participantData, cutAt } from './helpers.js';

type Event = { record: string[] } | { oversized: CsvExtent };
interface Outcome {
  events: Event[];
  error: { code: string; extent: CsvExtent } | null;
  delimiter: CsvRecordDelimiter | undefined;
}

function tokenize(chunks: Buffer[], max: number, separator: CsvSeparator): Outcome {
  const events: Event[] = [];
  const t = new CsvTokenizer({
    maxRecordBytes: max,
    separator,
    onOversized: (extent) => events.push({ oversized: extent }),
  });
  for (const c of chunks) t.write(c, (record) => events.push({ record }));
  t.end((record) => events.push({ record }));
  const e = t.errored;
  return { events, error: e === null ? null : { code: e.code, extent: e.extent }, delimiter: t.recordDelimiter };
}

function linesOf(bytes: Buffer): number {
  let lf = 0;
  for (const b of bytes) if (b === 0x0a) lf++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? lf + 1 : lf;
}

/** Records as csv-parse reads them, with the byte count after each (its delimiter included), and its error. */
function csvParseRecords(
  bytes: Buffer,
  separator: CsvSeparator,
): { rows: Array<{ record: string[]; bytes: number }>; failed: boolean } {
  const rows: Array<{ record: string[]; bytes: number }> = [];
  const parser = new Parser({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    delimiter: separator,
    on_record: (record: string[], context: { bytes: number }) => {
      rows.push({ record, bytes: context.bytes });
      return record;
    },
  });
  parser.on('data', () => {
    /* kept by on_record */
  });
  parser.on('error', () => {
    /* read from errored */
  });
  parser.write(bytes);
  parser.end();
  return { rows, failed: parser.errored !== null };
}

/** What the tokenizer must give with the limit `max`: csv-parse's records, those over `max` as their extent. */
function expected(
  bytes: Buffer,
  max: number,
  separator: CsvSeparator,
  delimiter: CsvRecordDelimiter | undefined,
): Outcome {
  const d = delimiter === undefined ? undefined : Buffer.from(delimiter);
  /** A record starts after any empty lines. */
  const startAfter = (at: number): number => {
    while (d !== undefined && at < bytes.length && bytes.subarray(at, at + d.length).equals(d)) at += d.length;
    return at;
  };
  const { rows, failed } = csvParseRecords(bytes, separator);
  const events: Event[] = [];
  let at = 0;
  for (const { record, bytes: after } of rows) {
    const start = startAfter(at);
    let end = after;
    if (d !== undefined && end - d.length >= start && bytes.subarray(end - d.length, end).equals(d)) end -= d.length;
    at = after;
    const lineFeeds = bytes.subarray(start, end).filter((b) => b === 0x0a).length;
    events.push(end - start > max ? { oversized: { bytes: end - start, lines: lineFeeds + 1 } } : { record });
  }
  let error: Outcome['error'] = null;
  if (failed) {
    const start = startAfter(at);
    error = {
      code: 'CSV_QUOTE_NOT_CLOSED',
      extent: { bytes: bytes.length - start, lines: linesOf(bytes.subarray(start)) },
    };
  }
  return { events, error, delimiter };
}

const text = textOf([...CSV_BREAKERS, 'xxxxxxxxxx'], 60);

test('records over the limit are reported with their size and lines, and the records after them are read', () => {
  fc.assert(
    fc.property(
      text,
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
      fc.integer({ min: 0, max: 30 }),
      fc.constantFrom<CsvSeparator>(...CSV_SEPARATORS),
      (s, at, max, sep) => {
        const bytes = Buffer.from(s, 'utf8');
        const unlimited = tokenize([bytes], 1 << 20, sep);
        const limited = tokenize(cutAt(bytes, at), max, sep);
        assert.deepEqual(limited, expected(bytes, max, sep, unlimited.delimiter));
      },
    ),
    { numRuns: 5000 },
  );
});

test('the tokenizer keeps none of a record over the limit: memory stays flat while 48 MiB of it pass', () => {
  const t = new CsvTokenizer({ maxRecordBytes: 64 * 1024, onOversized: (extent) => oversized.push(extent) });
  const oversized: CsvExtent[] = [];
  const records: string[][] = [];
  const chunk = Buffer.alloc(256 * 1024, 'x');
  t.write(Buffer.from('a,b\r\n"'), (r) => records.push(r));
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 192; i++) t.write(chunk, (r) => records.push(r));
  const grown = process.memoryUsage().arrayBuffers - before;
  t.write(Buffer.from('",end\r\nnext,row\r\n'), (r) => records.push(r));
  t.end((r) => records.push(r));
  assert.ok(grown < 8 * 1024 * 1024, `the tokenizer's buffers grew by ${grown} bytes`);
  assert.deepEqual(records, [
    ['a', 'b'],
    ['next', 'row'],
  ]);
  assert.deepEqual(oversized, [{ bytes: 192 * 256 * 1024 + 6, lines: 1 }]);
});

async function readSequentially(
  bytes: Buffer | string,
  file: string,
): Promise<{ items: ExportItem[]; warnings: string[] }> {
  const stream = readExport(chunks(bytes), { file });
  const items: ExportItem[] = [];
  for await (const item of stream) items.push(item);
  return { items, warnings: stream.info().warnings };
}

/** 256 KiB chunks through one reused buffer, as the CLI reads a file. */
async function* chunks(data: Buffer | string): AsyncGenerator<Buffer> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const shared = Buffer.alloc(256 * 1024);
  for (let at = 0; at < bytes.length; at += shared.length) {
    const n = bytes.copy(shared, 0, at, at + shared.length);
    yield shared.subarray(0, n);
  }
}

/** Items as JSON with the row number `shift`ed after row `after` (to compare with the file without the inserted row). */
function shifted(items: readonly ExportItem[], after: number, shift: number): string[] {
  return items.map((item) =>
    JSON.stringify(item, (key, value: unknown) =>
      key === 'line' && typeof value === 'number' && value > after ? value + shift : value,
    ),
  );
}

test('a 20 MB row at row 11 of a 2,000-row export is rejected with its size; every other row is read', async () => {
  const { text } = generatedCsv({ records: 1999 });
  const huge = withHugeRow(text, 11, 20_000_000);
  const file = 'export.csv';
  const plain = await readSequentially(text, file);
  const read = await readSequentially(huge, file);
  assert.equal(read.items.length, 2000, 'one item per row');
  const rejection = read.items[10]!;
  assert.ok(rejection.type === 'rejected', JSON.stringify(rejection).slice(0, 200));
  assert.equal(rejection.rejection.line, 11);
  assert.equal(rejection.rejection.field, 'CSV');
  assert.match(
    rejection.rejection.reason,
    /^this row is 20,000,\d{3} bytes \(19\.1 MiB\) long, more than the 8 MiB a row may have, so it was not read; the rows after it were read$/,
  );
  // Every other row gives what it gives without the huge row, one row further down.
  const others = [...read.items.slice(0, 10), ...read.items.slice(11)];
  assert.deepEqual(shifted(others, 10, 0), shifted(plain.items, 10, 1));
  assert.deepEqual(read.warnings, plain.warnings);
});

test('a huge row of many lines (a quoted cell with line breaks) is skipped whole', async () => {
  const header = HEADERS['purview-v3'];
  const rows = [csvLine(header)];
  for (let i = 0; i < 30; i++)
    rows.push(csvRowFor(header, participantData({ Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })));
  const cell = 'line of a long note\r\n'.repeat(500_000); // 10.5 MB, 500,001 lines
  rows.splice(
    5,
    0,
    csvRowFor(header, participantData({ Id: '00000000-0000-4000-8000-999999999999' })).replace(
      /,,$/,
      `,,${csvLine([cell])}`,
    ),
  );
  const text = `${rows.join('\r\n')}\r\n`;
  const read = await readSequentially(text, 'export.csv');
  assert.deepEqual(
    read.items.map((i) => i.type),
    [...Array<string>(4).fill('record'), 'rejected', ...Array<string>(30 - 4).fill('record')],
  );
  const rejection = read.items[4]!;
  assert.ok(rejection.type === 'rejected');
  assert.match(
    rejection.rejection.reason,
    /^this row is [\d,]+ bytes \(10\.\d MiB\) long over 500,001 lines, more than the 8 MiB/,
  );
});

test('a quote never closed: the rest of the file is one rejected row that says how many lines and bytes it covers', async () => {
  const header = HEADERS['purview-v2'];
  const lines = [csvLine(header)];
  for (let i = 0; i < 10; i++) lines.push(csvRowFor(header, participantData({ Id: `id-${i}` })));
  // Row 11 opens a quote; the 1,988 lines after it have no quote, so it is never closed (20 MB in all).
  lines.push('x,y,"z,{}');
  const filler = `next,row,here,{${'p'.repeat(10_000)}}`;
  for (let i = 0; i < 1988; i++) lines.push(filler);
  const text = `${lines.join('\r\n')}\r\n`;
  const rest = Buffer.byteLength(text) - Buffer.byteLength(`${lines.slice(0, 11).join('\r\n')}\r\n`);
  const read = await readSequentially(text, 'export.csv');
  assert.equal(read.items.length, 11);
  const last = read.items[10]!;
  assert.ok(last.type === 'rejected' && last.rejection.line === 11);
  assert.equal(
    last.rejection.reason,
    'a quoted field opened in this row is never closed, so this row and the rest of the file cannot be read ' +
      `(1,989 lines, ${rest.toLocaleString('en-US')} bytes (${(rest / 1024 / 1024).toFixed(1)} MiB), from the start of this row to the end of the file); ` +
      'look for a stray double quote, or a file cut off before its end',
  );
  assert.match(read.warnings.join('\n'), /reading stopped at row 11/);
});

test('a row over the limit as the header row: the file is refused with the reason', async () => {
  await assert.rejects(
    readSequentially(`"${'h'.repeat(MAX_CSV_RECORD_BYTES + 10)}",AuditData\r\nrow\r\n`, 'wide.csv'),
    /^ExportReadError: wide\.csv: the header row is longer than 8 MiB/,
  );
});
