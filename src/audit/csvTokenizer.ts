// A streaming CSV tokenizer for audit exports: `,` `;` or TAB between fields, `"` quotes, `""` inside quotes.
// Same records as csv-parse with the reader's options (relax_quotes, relax_column_count,
// skip_empty_lines, record delimiter found from the first line end outside quotes); the property test
// test/audit/csvTokenizer.property.test.ts holds it to that. It works on the bytes as csv-parse does,
// but in one tight loop per field, and decodes each field once (Latin-1 fast path for ASCII fields).
// A record longer than the limit is not kept: its end is found by scanning on with the quote state
// (csvSkip.ts), it is reported with its size, and reading goes on after it.
import { NOT_ENDED, RecordSkipper, type CsvExtent, type CsvRecordDelimiter } from './csvSkip.js';

export type { CsvExtent, CsvRecordDelimiter };

/** The characters that can separate fields. */
export const CSV_SEPARATORS = [',', ';', '\t'] as const;
export type CsvSeparator = (typeof CSV_SEPARATORS)[number];

export type CsvStructureErrorCode = 'CSV_QUOTE_NOT_CLOSED';

export class CsvStructureError extends Error {
  constructor(
    readonly code: CsvStructureErrorCode,
    message: string,
    readonly extent: CsvExtent,
  ) {
    super(message);
    this.name = 'CsvStructureError';
  }
}

export interface CsvTokenizerOptions {
  /** A record longer than this (bytes, its delimiter excluded) is not delivered: onOversized gets its size. */
  maxRecordBytes: number;
  /** Called, in record order, for each record longer than maxRecordBytes (its text is never kept). */
  onOversized: (extent: CsvExtent) => void;
  /** The record delimiter when known (else found from the first line end outside quotes). */
  recordDelimiter?: CsvRecordDelimiter;
  /** The field separator (default `,`). */
  separator?: CsvSeparator;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0;
/** Bytes a decision needs after the current one: the closing quote's follower and a CRLF's LF. */
const LOOKAHEAD = 2;

/** Needs more bytes before the record that starts at `recordStart` can be read. */
const MORE = -1;

/** Lines that bytes [start, end) of `buf` touch: line feeds, plus one unless the last byte is one. */
export function linesIn(buf: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = buf.indexOf(LF, start); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) lines++;
  return end > start && buf[end - 1] !== LF ? lines + 1 : lines;
}

/** Node's Buffer methods behind toString(), without its argument checks. */
interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Decodes bytes [start, end) of `buf`; `high` is the OR of those bytes (below 0x80: ASCII, one-byte string). */
function decode(buf: Buffer, start: number, end: number, high: number): string {
  if (start === end) return '';
  const fast = buf as unknown as FastSlices;
  return high < 0x80 ? fast.latin1Slice(start, end) : fast.utf8Slice(start, end);
}

export class CsvTokenizer {
  /**
   * work[0, pendingLength): bytes not yet turned into records (they start at a record boundary). They
   * are copied here, so a caller may reuse a chunk's buffer once write() has returned.
   */
  private work: Buffer = Buffer.allocUnsafe(0);
  private pendingLength = 0;
  /** Where quoted fields are unescaped; index 0 is kept for the quote csv-parse puts back on a stray quote. */
  private scratch: Buffer = Buffer.allocUnsafe(64 * 1024);
  private delimiter: CsvRecordDelimiter | undefined;
  private error: CsvStructureError | null = null;
  private readonly maxRecordBytes: number;
  private readonly separator: number;
  private readonly onOversized: (extent: CsvExtent) => void;
  /** wanted[i] = 1: field i is decoded; other fields come back as '' (undefined: all are decoded). */
  private wanted: Uint8Array | undefined;
  /** Set while the input is inside a record over the size limit: its bytes are scanned, not kept. */
  private skipper: RecordSkipper | undefined;

  constructor(options: CsvTokenizerOptions) {
    this.maxRecordBytes = options.maxRecordBytes;
    this.onOversized = options.onOversized;
    this.delimiter = options.recordDelimiter;
    this.separator = (options.separator ?? ',').charCodeAt(0);
  }

  /**
   * From the next record on, decodes only the fields at these indices; the others come back as ''
   * (records keep their number of fields). Saves decoding columns nobody reads. undefined: all fields.
   */
  keepOnly(indices: readonly number[] | undefined): void {
    if (indices === undefined) {
      this.wanted = undefined;
      return;
    }
    const wanted = new Uint8Array(Math.max(0, ...indices) + 1);
    for (const i of indices) if (i >= 0) wanted[i] = 1;
    this.wanted = wanted;
  }

  /** The structure error that stopped reading, or null. Input after it is ignored. */
  get errored(): CsvStructureError | null {
    return this.error;
  }

  /** The record delimiter in use (undefined until the first line end outside quotes). */
  get recordDelimiter(): CsvRecordDelimiter | undefined {
    return this.delimiter;
  }

  /** Feeds bytes (UTF-8); calls `onRecord` for every record completed by them. Keeps no reference to `chunk`. */
  write(chunk: Uint8Array, onRecord: (fields: string[]) => void): void {
    if (this.error !== null || chunk.length === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pendingLength === 0) {
      this.parse(bytes, false, onRecord);
      return;
    }
    const total = this.pendingLength + bytes.length;
    this.reserve(total);
    bytes.copy(this.work, this.pendingLength);
    this.parse(this.work.subarray(0, total), false, onRecord);
  }

  /** Ends the input: the last record (without a final line end) is delivered. */
  end(onRecord: (fields: string[]) => void): void {
    if (this.error !== null) return;
    this.parse(this.work.subarray(0, this.pendingLength), true, onRecord);
    this.pendingLength = 0;
    const skipper = this.skipper;
    if (skipper !== undefined) {
      this.skipper = undefined;
      const { extent, inQuotes } = skipper.finish();
      this.delimiter = skipper.delimiter;
      if (inQuotes) this.quoteNotClosed(extent);
      else this.onOversized(extent);
    }
  }

  /** Makes `work` at least `size` bytes long, keeping the pending bytes. */
  private reserve(size: number): void {
    if (this.work.length >= size) return;
    const bigger = Buffer.allocUnsafe(Math.max(size, this.work.length * 2, 64 * 1024));
    this.work.copy(bigger, 0, 0, this.pendingLength);
    this.work = bigger;
  }

  private parse(buf: Buffer, final: boolean, onRecord: (fields: string[]) => void): void {
    const n = buf.length;
    if (this.scratch.length < n + 2) this.scratch = Buffer.allocUnsafe(Math.max(n + 2, this.scratch.length * 2));
    let pos = 0;
    for (;;) {
      const skipper = this.skipper;
      if (skipper !== undefined) {
        const next = skipper.skip(buf, pos, n);
        this.delimiter = skipper.delimiter;
        if (next === NOT_ENDED) {
          this.pendingLength = 0; // every byte belonged to the oversized record (end() finishes it)
          return;
        }
        this.skipper = undefined;
        this.onOversized(skipper.ended!);
        pos = next;
      }
      while (pos < n) {
        const next = this.record(buf, pos, n, final, onRecord);
        if (next === MORE) break;
        if (this.error !== null) {
          this.pendingLength = 0;
          return;
        }
        pos = next;
        if (this.skipper !== undefined) break; // the record at `pos` is over the limit
      }
      // An unfinished record over the limit (the look-ahead may hold 2 bytes of the next one) is skipped.
      if (this.skipper === undefined && !final && n - pos > this.maxRecordBytes + LOOKAHEAD)
        this.skipper = this.newSkipper();
      if (this.skipper === undefined) break;
    }
    const rest = n - pos;
    // Keep the unfinished record at the start of `work` (it may be there already).
    if (rest > 0 && buf.buffer === this.work.buffer && buf.byteOffset === this.work.byteOffset) {
      this.work.copyWithin(0, pos, n);
    } else if (rest > 0) {
      this.pendingLength = 0;
      this.reserve(rest);
      buf.copy(this.work, 0, pos, n);
    }
    this.pendingLength = rest;
  }

  private newSkipper(): RecordSkipper {
    return new RecordSkipper(this.separator, this.delimiter);
  }

  /** Length of the record delimiter at `i` (0 if none); finds the delimiter at the first line end. */
  private delimiterAt(buf: Buffer, i: number): number {
    const c = buf[i];
    if (c !== LF && c !== CR) return 0;
    const d = this.delimiter;
    if (d === undefined) {
      if (c === CR && buf[i + 1] === LF) this.delimiter = '\r\n';
      else this.delimiter = c === LF ? '\n' : '\r';
      return this.delimiter.length;
    }
    if (d === '\n') return c === LF ? 1 : 0;
    if (d === '\r') return c === CR ? 1 : 0;
    return c === CR && buf[i + 1] === LF ? 2 : 0;
  }

  /** Reads the record at `start`; returns where the next one starts, or MORE. */
  private record(buf: Buffer, start: number, n: number, final: boolean, onRecord: (fields: string[]) => void): number {
    // A line end right at the start is an empty line: skipped.
    if (!final && start + LOOKAHEAD > n) return MORE;
    const empty = this.delimiterAt(buf, start);
    if (empty > 0) return start + empty;

    const scratch = this.scratch;
    const wanted = this.wanted;
    const sep = this.separator;
    const fields: string[] = [];
    let p = start;
    for (;;) {
      /** Bytes of this field in scratch (from index 1, or 0 with a put-back quote), or -1: the field is buf[p, i). */
      let w = -1;
      let from = 1;
      let high = 0;
      const keep = wanted === undefined || wanted[fields.length] === 1;
      if (buf[p] === QUOTE) {
        let q = p + 1;
        w = 1;
        if (keep) {
          for (;;) {
            if (q >= n) return this.more(buf, start, n, final);
            const c = buf[q]!;
            if (c === QUOTE) {
              if (!final && q + LOOKAHEAD >= n) return MORE;
              if (buf[q + 1] === QUOTE) {
                scratch[w++] = QUOTE;
                q += 2;
                continue;
              }
              break;
            }
            high |= c;
            scratch[w++] = c;
            q++;
          }
        } else {
          // The same scan without keeping the text.
          for (;;) {
            if (q >= n) return this.more(buf, start, n, final);
            if (buf[q] === QUOTE) {
              if (!final && q + LOOKAHEAD >= n) return MORE;
              if (buf[q + 1] === QUOTE) {
                q += 2;
                continue;
              }
              break;
            }
            q++;
          }
        }
        p = q + 1;
        const after = buf[p];
        // A quote closes the field before a separator, a line end or the end; elsewhere it is kept as text.
        if (after === undefined || after === sep || this.delimiterAt(buf, p) > 0) {
          if (p - start > this.maxRecordBytes) return this.skipFrom(start);
          fields.push(keep ? decode(scratch, 1, w, high) : '');
          const end = this.fieldEnd(buf, p, n, fields, onRecord);
          if (end === 0) {
            p++;
            continue;
          }
          return end;
        }
        // csv-parse: a NUL after the quote ends quoting; any other character keeps both quotes.
        if (after !== NUL) {
          scratch[0] = QUOTE;
          scratch[w++] = QUOTE;
          from = 0;
        }
      }
      // Unquoted text (quotes in it are ordinary characters) up to a comma or a line end.
      let i = p;
      for (;;) {
        if (i >= n) {
          if (!final) return MORE;
          break;
        }
        const c = buf[i]!;
        if (c === sep) break;
        if (c === LF || c === CR) {
          if (!final && i + LOOKAHEAD > n) return MORE;
          if (this.delimiterAt(buf, i) > 0) break;
        }
        high |= c;
        i++;
      }
      if (i - start > this.maxRecordBytes) return this.skipFrom(start);
      if (!keep) {
        fields.push('');
      } else if (w < 0) {
        fields.push(decode(buf, p, i, high));
      } else {
        buf.copy(scratch, w, p, i);
        fields.push(decode(scratch, from, w + i - p, high));
      }
      const end = this.fieldEnd(buf, i, n, fields, onRecord);
      if (end === 0) {
        p = i + 1;
        continue;
      }
      return end;
    }
  }

  /**
   * After a field that ends at `i` (a separator, a line end or the end of the bytes): 0 when a separator starts
   * another field; else delivers the record and returns where the next one starts.
   */
  private fieldEnd(buf: Buffer, i: number, n: number, fields: string[], onRecord: (fields: string[]) => void): number {
    if (i < n && buf[i] === this.separator) return 0;
    onRecord(fields);
    return i >= n ? n : i + this.delimiterAt(buf, i);
  }

  private more(buf: Buffer, start: number, n: number, final: boolean): number {
    if (final) {
      this.quoteNotClosed({ bytes: n - start, lines: linesIn(buf, start, n) });
      return n;
    }
    return MORE;
  }

  /** The record at `start` is over the limit: parse() hands it to a RecordSkipper from its first byte. */
  private skipFrom(start: number): number {
    this.skipper = this.newSkipper();
    return start;
  }

  private quoteNotClosed(extent: CsvExtent): void {
    if (this.error === null)
      this.error = new CsvStructureError('CSV_QUOTE_NOT_CLOSED', 'the input ends inside a quoted field', extent);
  }
}
