// The parallel reader's plan of a CSV file: what its first bytes say (the header, its layout and record
// delimiter, where the data starts), and record boundaries guessed near split points.
import { readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { csvLayout, csvParserOptions, type CsvLayout, type CsvRecordDelimiter } from './csvExport.js';

const HEADER_PIECE = 64 * 1024;
const BOUNDARY_WINDOW = 64 * 1024;
const BINARY_CHECK_BYTES = 4096;

/** Blank space that may come before the header. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What the start of the file says, when it is a CSV the parallel reader can split; else why not. */
export interface CsvPlan {
  header: string[];
  layout: CsvLayout;
  hadTypeLine: boolean;
  recordDelimiter: CsvRecordDelimiter;
  /** Bytes skipped before the header (BOM, blank space, `#TYPE` line): where the UTF-8 check starts. */
  skipped: number;
  /** Offset of the first data byte (after the header record and its delimiter). */
  dataStart: number;
}

/**
 * The same sniffing as readExport (BOM, leading blank space, format, NUL bytes, `#TYPE` line), then the
 * header record read with csv-parse (commas only: a file with `;` or TAB between fields gives a reason).
 * Anything unusual gives a reason, and readExport handles the file.
 */
export function planCsv(head: Buffer, file: string): CsvPlan | string {
  let p = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3;
  else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'UTF-16 text';
  while (p < head.length && isSpace(head[p]!)) p++;
  const first = head[p];
  if (first === undefined) return 'no text in the first MiB';
  if (first === 0x5b || first === 0x7b) return 'JSON, not CSV';
  if (head.subarray(p, p + BINARY_CHECK_BYTES).indexOf(0) >= 0) return 'NUL bytes';
  const hadTypeLine = head.toString('latin1', p, p + 5) === '#TYPE';
  if (hadTypeLine) {
    const nl = head.indexOf(0x0a, p);
    if (nl < 0) return 'a #TYPE line longer than 1 MiB';
    p = nl + 1;
  }
  const skipped = p;

  let header: string[] | undefined;
  let headerBytes = 0;
  // Loaded here: a sequential read (the usual case on small machines) never needs it.
  const { Parser } = require('csv-parse') as typeof import('csv-parse');
  const parser = new Parser({
    ...csvParserOptions(),
    on_record: (record: string[], context: { bytes: number }) => {
      if (header === undefined) {
        header = record;
        headerBytes = context.bytes;
      }
      return null;
    },
  });
  parser.on('error', () => { /* no header: the sequential reader reports it */ });
  for (let at = p; at < head.length && header === undefined && parser.errored === null; at += HEADER_PIECE) {
    parser.write(head.subarray(at, Math.min(head.length, at + HEADER_PIECE)));
  }
  parser.destroy();
  if (header === undefined) return 'no complete header record in the first MiB';
  const dataStart = p + headerBytes;
  if (head[dataStart - 1] !== 0x0a) return 'records not ended by LF or CRLF';
  const recordDelimiter: CsvRecordDelimiter = head[dataStart - 2] === 0x0d ? '\r\n' : '\n';
  if (!isUtf8(head.subarray(skipped, dataStart))) return 'a header that is not UTF-8';
  let layout: CsvLayout;
  try {
    layout = csvLayout(header, file, hadTypeLine);
  } catch {
    return 'not a recognised header';
  }
  return { header, layout, hadTypeLine, recordDelimiter, skipped, dataStart };
}

/** The first offset ≥ `from` that directly follows `delimiter` (or `size`). */
export function nextBoundary(fd: number, from: number, size: number, delimiter: CsvRecordDelimiter): number {
  const back = delimiter.length;
  let at = from - back;
  const window = Buffer.allocUnsafe(BOUNDARY_WINDOW);
  while (at < size) {
    const n = readSync(fd, window, 0, Math.min(BOUNDARY_WINDOW, size - at), at);
    if (n === 0) break;
    const found = window.subarray(0, n).indexOf(delimiter, 0, 'latin1');
    if (found >= 0) return at + found + back;
    at += Math.max(1, n - (back - 1));
  }
  return size;
}
