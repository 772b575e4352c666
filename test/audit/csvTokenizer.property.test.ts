// Property tests: the tokenizer gives csv-parse's records (with the reader's options) for any text,
// cut into any chunks, including stray quotes, mixed line ends, NUL and multi-byte characters, with
// each field separator; and with a small size limit, the same records with the long ones reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CSV_BREAKERS, textOf } from './textArbitraries.js';
import { Parser } from 'csv-parse';
import {
  CSV_SEPARATORS,
  CsvTokenizer,
  type CsvRecordDelimiter,
  type CsvSeparator,
} from '../../src/audit/csvTokenizer.js';
import { cutAt } from './helpers.js';

const MAX = 1_000_000;

interface Outcome {
  records: string[][];
  error: string | null;
}

function viaCsvParse(bytes: Buffer, recordDelimiter?: CsvRecordDelimiter, separator: CsvSeparator = ','): Outcome {
  const records: string[][] = [];
  const parser = new Parser({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX,
    delimiter: separator,
    ...(recordDelimiter !== undefined ? { record_delimiter: recordDelimiter } : {}),
  });
  parser.on('data', (r: string[]) => records.push(r));
  parser.on('error', () => {
    /* read from errored */
  });
  parser.write(bytes);
  parser.end();
  const err: (Error & { code?: string }) | null = parser.errored;
  return { records, error: err === null ? null : (err.code ?? err.message) };
}

function tokenizer(
  options: { max?: number; separator?: CsvSeparator; recordDelimiter?: CsvRecordDelimiter } = {},
): CsvTokenizer {
  return new CsvTokenizer({
    maxRecordBytes: options.max ?? MAX,
    onOversized: () => assert.fail('no record is over the limit here'),
    ...(options.separator !== undefined ? { separator: options.separator } : {}),
    ...(options.recordDelimiter !== undefined ? { recordDelimiter: options.recordDelimiter } : {}),
  });
}

function viaTokenizer(chunks: Buffer[], recordDelimiter?: CsvRecordDelimiter, separator?: CsvSeparator): Outcome {
  const records: string[][] = [];
  const t = tokenizer({
    ...(recordDelimiter !== undefined ? { recordDelimiter } : {}),
    ...(separator !== undefined ? { separator } : {}),
  });
  for (const c of chunks) t.write(c, (r) => records.push(r));
  t.end((r) => records.push(r));
  return { records, error: t.errored?.code ?? null };
}

const csvText = textOf([...CSV_BREAKERS, '\u{1f600}'], 60);
const separator = fc.constantFrom<CsvSeparator>(...CSV_SEPARATORS);
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

test('same records and errors as csv-parse for any text and any chunking', () => {
  fc.assert(
    fc.property(csvText, fractions, (text, at) => {
      const bytes = Buffer.from(text, 'utf8');
      assert.deepEqual(viaTokenizer(cutAt(bytes, at)), viaCsvParse(bytes));
    }),
    { numRuns: 5000 },
  );
});

test("same records and errors as csv-parse with `;` or TAB between fields (csv-parse's delimiter option)", () => {
  fc.assert(
    fc.property(csvText, fractions, separator, (text, at, sep) => {
      const bytes = Buffer.from(text, 'utf8');
      assert.deepEqual(viaTokenizer(cutAt(bytes, at), undefined, sep), viaCsvParse(bytes, undefined, sep));
    }),
    { numRuns: 4000 },
  );
});

test('same records as csv-parse when the record delimiter is given', () => {
  fc.assert(
    fc.property(csvText, fractions, fc.constantFrom<CsvRecordDelimiter>('\n', '\r\n'), (text, at, delimiter) => {
      const bytes = Buffer.from(text, 'utf8');
      assert.deepEqual(viaTokenizer(cutAt(bytes, at), delimiter), viaCsvParse(bytes, delimiter));
    }),
    { numRuns: 3000 },
  );
});

test('same records as csv-parse for well-formed exports cut one byte at a time', () => {
  const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', '\u00e9', '\u{1f600}'), maxLength: 12 });
  const quote = (s: string) => (/[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 5 }),
      fc.constantFrom('\n', '\r\n'),
      (rows, eol) => {
        const bytes = Buffer.from(rows.map((r) => r.map(quote).join(',')).join(eol) + eol, 'utf8');
        const oneByOne = [...bytes].map((b) => Buffer.from([b]));
        const mine = viaTokenizer(oneByOne);
        assert.deepEqual(mine, viaCsvParse(bytes));
        assert.deepEqual(mine.records, rows);
      },
    ),
    { numRuns: 1000 },
  );
});

test('keepOnly: kept fields as before, the others empty, same records and errors', () => {
  fc.assert(
    fc.property(
      csvText,
      fractions,
      fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      (text, at, kept) => {
        const bytes = Buffer.from(text, 'utf8');
        const full = viaTokenizer(cutAt(bytes, at));
        const records: string[][] = [];
        const t = tokenizer();
        t.keepOnly(kept);
        for (const c of cutAt(bytes, at)) t.write(c, (r) => records.push(r));
        t.end((r) => records.push(r));
        assert.equal(t.errored?.code ?? null, full.error);
        assert.deepEqual(
          records,
          full.records.map((r) => r.map((f, i) => (kept.includes(i) ? f : ''))),
        );
      },
    ),
    { numRuns: 3000 },
  );
});

test('an unclosed quote at the end is CSV_QUOTE_NOT_CLOSED; the record delimiter is found from the first line end', () => {
  const records: string[][] = [];
  const t = tokenizer();
  t.write(Buffer.from('h1,h2\r\nv1,"open'), (r) => records.push(r));
  t.end((r) => records.push(r));
  assert.deepEqual(records, [['h1', 'h2']]);
  assert.equal(t.errored?.code, 'CSV_QUOTE_NOT_CLOSED');
  assert.equal(t.recordDelimiter, '\r\n');
});
