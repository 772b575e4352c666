// Rows over the CSV size limit: the tokenizer reports each with its size and reads on after it (the
// record ends where csv-parse says it does); a quote still open at the end of the input is reported
// with what it covers. Then the reader: one 20 MB row in a generated export, read sequentially and in
// parallel, rejected with its true reason while every other row is read.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Parser } from 'csv-parse';
import {
  CSV_SEPARATORS, CsvTokenizer, type CsvExtent, type CsvRecordDelimiter, type CsvSeparator,
} from '../../src/audit/csvTokenizer.js';
import { MAX_CSV_RECORD_BYTES } from '../../src/audit/csvExport.js';
import { readExport } from '../../src/audit/readExport.js';
import { readExportFile, stopReadWorkers } from '../../src/audit/parallelRead.js';
import type { ExportItem } from '../../src/audit/records.js';
import { generateExport } from '../../src/generator/exportGenerator.js';
import { HEADERS, csvLine, csvRowFor, once, participantData } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-oversized-'));
after(async () => {
  await stopReadWorkers();
  rmSync(dir, { recursive: true, force: true });
});

type Event = { record: string[] } | { oversized: CsvExtent };
interface Outcome { events: Event[]; error: { code: string; extent: CsvExtent } | null; delimiter: CsvRecordDelimiter | undefined }

function tokenize(chunks: Buffer[], max: number, separator: CsvSeparator): Outcome {
  const events: Event[] = [];
  const t = new CsvTokenizer({ maxRecordBytes: max, separator, onOversized: (extent) => events.push({ oversized: extent }) });
  for (const c of chunks) t.write(c, (record) => events.push({ record }));
  t.end((record) => events.push({ record }));
  const e = t.errored;
  return { events, error: e === null ? null : { code: e.code, extent: e.extent }, delimiter: t.recordDelimiter };
}

function cut(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  out.push(bytes.subarray(from));
  return out;
}

function linesOf(bytes: Buffer): number {
  let lf = 0;
  for (const b of bytes) if (b === 0x0a) lf++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? lf + 1 : lf;
}

/** Records as csv-parse reads them, with the byte count after each (its delimiter included), and its error. */
function csvParseRecords(bytes: Buffer, separator: CsvSeparator): { rows: Array<{ record: string[]; bytes: number }>; failed: boolean } {
  const rows: Array<{ record: string[]; bytes: number }> = [];
  const parser = new Parser({
    relax_column_count: true, relax_quotes: true, skip_empty_lines: true, delimiter: separator,
    on_record: (record: string[], context: { bytes: number }) => {
      rows.push({ record, bytes: context.bytes });
      return record;
    },
  });
  parser.on('data', () => { /* kept by on_record */ });
  parser.on('error', () => { /* read from errored */ });
  parser.write(bytes);
  parser.end();
  return { rows, failed: parser.errored !== null };
}

/** What the tokenizer must give with the limit `max`: csv-parse's records, those over `max` as their extent. */
function expected(bytes: Buffer, max: number, separator: CsvSeparator, delimiter: CsvRecordDelimiter | undefined): Outcome {
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
    error = { code: 'CSV_QUOTE_NOT_CLOSED', extent: { bytes: bytes.length - start, lines: linesOf(bytes.subarray(start)) } };
  }
  return { events, error, delimiter };
}

const text = fc.string({
  unit: fc.constantFrom(',', ';', '\t', '"', '""', '\n', '\r', '\r\n', 'a', 'Z', ' ', '\u0000', '\u00e9', '{"k":"v"}', 'xxxxxxxxxx'),
  maxLength: 60,
});

test('records over the limit are reported with their size and lines, and the records after them are read', () => {
  fc.assert(fc.property(text, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.integer({ min: 0, max: 30 }),
    fc.constantFrom<CsvSeparator>(...CSV_SEPARATORS), (s, at, max, sep) => {
      const bytes = Buffer.from(s, 'utf8');
      const unlimited = tokenize([bytes], 1 << 20, sep);
      const limited = tokenize(cut(bytes, at), max, sep);
      assert.deepEqual(limited, expected(bytes, max, sep, unlimited.delimiter));
    }), { numRuns: 5000 });
});
