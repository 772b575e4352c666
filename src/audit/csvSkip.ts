// Finding the end of a CSV record without keeping its bytes (a record over the tokenizer's size limit):
// the tokenizer's quote rules as a resumable state machine fed chunk after chunk, counting bytes and lines.

/** How the file's records end (the first record's line end decides). */
export type CsvRecordDelimiter = '\n' | '\r\n' | '\r';

/** Where the unreadable part starts (a record's first byte) and how much of the input it covers. */
export interface CsvExtent {
  /** Bytes from the record's first byte (its delimiter excluded). */
  bytes: number;
  /** Lines: line feeds inside plus one (for the rest of a file: plus one unless it ends with a line feed). */
  lines: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** At the start of a field. */
const FIELD_START = 0;
/** Inside a quoted field. */
const QUOTED = 1;
/** Just after a quote inside a quoted field: `""`, the field's end, or text after a stray quote. */
const AFTER_QUOTE = 2;
/** In unquoted text (quotes are ordinary characters there). */
const UNQUOTED = 3;
/** After a CR outside quotes that may start a CRLF (or be the delimiter itself). */
const AFTER_CR = 4;

/** skip() found no end of the record in the bytes given. */
export const NOT_ENDED = -1;

export class RecordSkipper {
  private state = FIELD_START;
  /** Bytes of the record consumed so far (an AFTER_CR's CR included). */
  private bytes = 0;
  /** Line feeds inside the record so far. */
  private lineFeeds = 0;
  private lastByte = -1;
  /** Where the record ends, once skip() has found it. */
  ended: CsvExtent | undefined;

  /**
   * @param separator the field separator's byte
   * @param delimiter the record delimiter, or undefined: the first line end outside quotes sets it (see `delimiter`)
   */
  constructor(
    private readonly separator: number,
    public delimiter: CsvRecordDelimiter | undefined,
  ) {}

  /**
   * Scans bytes [i, n) of `buf`, which continue the record (the first call starts at its first byte).
   * Returns the index after the record's delimiter (`ended` then tells its size), or NOT_ENDED.
   */
  skip(buf: Buffer, i: number, n: number): number {
    const sep = this.separator;
    let state = this.state;
    let lineFeeds = this.lineFeeds;
    const from = i;
    /** The record's length up to `i` is this.bytes + (i - from). */
    let end = NOT_ENDED;
    let endBytes = 0;
    while (i < n) {
      if (state === QUOTED) {
        const q = buf.indexOf(QUOTE, i);
        const stop = q < 0 || q >= n ? n : q;
        for (let lf = buf.indexOf(LF, i); lf >= 0 && lf < stop; lf = buf.indexOf(LF, lf + 1)) lineFeeds++;
        i = stop;
        if (stop < n) {
          state = AFTER_QUOTE;
          i++;
        }
        continue;
      }
      const c = buf[i]!;
      if (state === AFTER_CR) {
        // The CR is the byte before i (possibly in the previous chunk).
        if (c === LF && this.delimiter !== '\r') {
          this.delimiter = '\r\n';
          end = i + 1;
          endBytes = this.bytes + (i - from) - 1;
          break;
        }
        if (this.delimiter !== '\r\n') {
          this.delimiter = '\r';
          end = i;
          endBytes = this.bytes + (i - from) - 1;
          break;
        }
        state = UNQUOTED; // a CR alone is text in a CRLF file; c is read as text below
      }
      if (state === AFTER_QUOTE && c === QUOTE) {
        state = QUOTED;
        i++;
        continue;
      }
      if (state === FIELD_START && c === QUOTE) {
        state = QUOTED;
        i++;
        continue;
      }
      if (c === sep) {
        state = FIELD_START;
        i++;
        continue;
      }
      if (c === LF) {
        if (this.delimiter === undefined || this.delimiter === '\n') {
          this.delimiter = '\n';
          end = i + 1;
          endBytes = this.bytes + (i - from);
          break;
        }
        lineFeeds++;
      } else if (c === CR) {
        if (this.delimiter === '\r') {
          end = i + 1;
          endBytes = this.bytes + (i - from);
          break;
        }
        if (this.delimiter !== '\n') {
          state = AFTER_CR;
          i++;
          continue;
        }
      }
      state = UNQUOTED;
      i++;
    }
    if (end !== NOT_ENDED) {
      this.ended = { bytes: endBytes, lines: lineFeeds + 1 };
      return end;
    }
    this.state = state;
    this.lineFeeds = lineFeeds;
    this.bytes += n - from;
    if (n > from) this.lastByte = buf[n - 1]!;
    return NOT_ENDED;
  }

  /** At the end of the input: the record's extent, and whether a quoted field is still open. */
  finish(): { extent: CsvExtent; inQuotes: boolean } {
    const inQuotes = this.state === QUOTED;
    // A CR at the very end ends the record when CR alone can be the delimiter.
    const trailingCr = this.state === AFTER_CR && this.delimiter !== '\r\n' ? 1 : 0;
    if (trailingCr === 1) this.delimiter = '\r';
    // A record's lines: its line feeds plus one; the rest of a file: plus one unless it ends with a line feed.
    const lines = this.lineFeeds + (inQuotes && this.lastByte === LF ? 0 : 1);
    return { extent: { bytes: this.bytes - trailingCr, lines }, inQuotes };
  }
}
