// JSON exports: a streamed top-level array of records, or NDJSON (one record per line). Each element or
// line may also be a wrapper of records (a Graph page): see jsonRecords.ts.
import { describeJsonError, rejected } from './auditData.js';
import {
  isRecordLike,
  NEXT_LINK_WARNING,
  unknownObjectShape,
  valueItems,
  wrappedRecords,
  type PageKind,
} from './jsonRecords.js';
import type { ExportFormat, ExportItem, SourceRef } from './records.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  isJsonSpace,
} from './jsonBytes.js';

/** A single JSON record larger than this (bytes) means a broken file; reading stops there. */
export const MAX_JSON_RECORD_BYTES = 8 * 1024 * 1024;

const MiB = `${MAX_JSON_RECORD_BYTES / 1024 / 1024} MiB`;

/** Common shape of the JSON readers: bytes in, export items out, in input order. */
export interface JsonChunkReader {
  write(chunk: Buffer, out: ExportItem[]): void;
  end(out: ExportItem[]): void;
  /** Records (or lines) read so far. */
  readonly rows: number;
  readonly stopped: boolean;
  readonly warnings: readonly string[];
  /** The layout found, once known. */
  readonly format: ExportFormat;
}

/** Parses one element or line into `out`; says whether it was a wrapper (a page) of records. */
export function itemsFromText(textOf: () => string, source: SourceRef, what: string, out: ExportItem[]): PageKind {
  const text = textOf();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    out.push(rejected(source, 'AuditData', `${what} cannot be read: ${describeJsonError(e, text.length)}`));
    return undefined;
  }
  return valueItems(data, source, out);
}

/**
 * Splits a top-level JSON array into its elements while bytes arrive, tracking strings, escapes and
 * nesting depth, and parses each element on its own. Several arrays one after another are read as one.
 * Record numbers count elements from 1.
 */
export class JsonArrayReader implements JsonChunkReader {
  /** 0 = outside any array, 1 = between top-level elements, >1 = inside an element. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Parts of the current element from earlier chunks. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private inElement = false;
  private afterComma = false;
  private elementCount = 0;
  private stoppedFlag = false;
  /** Whether the last element that was a Graph page had an @odata.nextLink. */
  private nextLink = false;
  readonly warnings: string[] = [];
  readonly format: ExportFormat = 'json-array';

  constructor(private readonly file: string) {}

  get rows(): number {
    return this.elementCount;
  }
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  write(buf: Buffer, out: ExportItem[]): void {
    if (this.stoppedFlag) return;
    let { depth, inString, escaped, inElement } = this;
    let start = inElement ? 0 : -1;
    const len = buf.length;
    for (let i = 0; i < len; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth > 1) {
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
        continue;
      }
      if (depth === 1) {
        if (c === COMMA || c === CLOSE_BRACKET) {
          if (inElement) {
            this.finishElement(buf, start, i, out);
            inElement = false;
            start = -1;
          } else if (c === COMMA || this.afterComma) {
            // no element since "[" or the last ","
            this.emptyElement(out);
          }
          this.afterComma = c === COMMA;
          if (c === CLOSE_BRACKET) depth = 0;
          continue;
        }
        if (!inElement) {
          if (isJsonSpace(c)) continue;
          inElement = true;
          start = i;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        continue;
      }
      // depth 0: only whitespace or the start of another array may follow
      if (isJsonSpace(c)) continue;
      if (c === OPEN_BRACKET) {
        depth = 1;
        this.afterComma = false;
        continue;
      }
      this.elementCount++;
      out.push(
        rejected(
          { file: this.file, line: this.elementCount },
          'AuditData',
          'unexpected text after the end of the JSON array; the rest of the file was ignored',
        ),
      );
      this.stoppedFlag = true;
      return;
    }
    if (inElement) {
      const rest = Buffer.from(buf.subarray(start)); // a copy: the input may reuse its chunks
      this.parts.push(rest);
      this.partsBytes += rest.length;
      if (this.partsBytes > MAX_JSON_RECORD_BYTES) {
        this.elementCount++;
        out.push(
          rejected(
            { file: this.file, line: this.elementCount },
            'AuditData',
            `this record is larger than ${MiB}, which means the JSON structure is broken (an unclosed string or bracket); reading stopped here`,
          ),
        );
        this.stoppedFlag = true;
        this.parts = [];
        return;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.inElement = inElement;
  }

  end(out: ExportItem[]): void {
    if (this.stoppedFlag) return;
    if (this.inElement) {
      this.elementCount++;
      out.push(
        rejected(
          { file: this.file, line: this.elementCount },
          'AuditData',
          'the file ends inside this record, so it is incomplete',
        ),
      );
      this.parts = [];
    }
    if (this.depth > 0) {
      this.warnings.push('the JSON array is not closed with "]": the file is probably truncated');
    }
    if (this.nextLink) this.warnings.push(NEXT_LINK_WARNING);
  }

  private finishElement(buf: Buffer, start: number, end: number, out: ExportItem[]): void {
    const parts = this.parts;
    const source = { file: this.file, line: ++this.elementCount };
    const textOf =
      parts.length === 0
        ? () => buf.toString('utf8', start, end)
        : () => Buffer.concat([...parts, buf.subarray(0, end)]).toString('utf8');
    this.parts = [];
    this.partsBytes = 0;
    if (source.line === 1) {
      this.firstElement(textOf(), source, out);
      return;
    }
    this.notePage(itemsFromText(textOf, source, `record ${source.line} of the JSON array`, out));
  }

  private notePage(kind: PageKind): void {
    if (kind !== undefined) this.nextLink = kind === 'more-pages';
  }

  /** The first element decides the shape: an object that is neither a record nor a wrapper is not an export. */
  private firstElement(text: string, source: SourceRef, out: ExportItem[]): void {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      this.notePage(itemsFromText(() => text, source, `record ${source.line} of the JSON array`, out));
      return;
    }
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const v = data as Record<string, unknown>;
      if (!isRecordLike(v) && wrappedRecords(v) === undefined) throw unknownObjectShape(this.file, v, 'array');
    }
    this.notePage(valueItems(data, source, out));
  }

  private emptyElement(out: ExportItem[]): void {
    this.elementCount++;
    out.push(
      rejected(
        { file: this.file, line: this.elementCount },
        'AuditData',
        'empty element in the JSON array (two commas in a row, or a comma before "]")',
      ),
    );
  }
}

/** One JSON object per line; blank lines ignored; record numbers are physical line numbers from 1. */
export class NdjsonReader implements JsonChunkReader {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private lineNumber = 0;
  private recordCount = 0;
  /** True while discarding the rest of an over-long line. */
  private skippingLine = false;
  /** Whether the last line that was a Graph page had an @odata.nextLink. */
  private nextLink = false;
  readonly warnings: string[] = [];
  readonly stopped = false;
  readonly format: ExportFormat = 'ndjson';

  constructor(private readonly file: string) {}

  get rows(): number {
    return this.recordCount;
  }

  write(buf: Buffer, out: ExportItem[]): void {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      if (nl < 0) break;
      this.lineNumber++;
      if (this.skippingLine) {
        this.skippingLine = false;
      } else {
        this.finishLine(buf, start, nl, out);
      }
      start = nl + 1;
    }
    if (start < buf.length && !this.skippingLine) {
      const rest = Buffer.from(buf.subarray(start)); // a copy: the input may reuse its chunks
      this.parts.push(rest);
      this.partsBytes += rest.length;
      if (this.partsBytes > MAX_JSON_RECORD_BYTES) {
        this.recordCount++;
        out.push(
          rejected(
            { file: this.file, line: this.lineNumber + 1 },
            'AuditData',
            `this line is longer than ${MiB}; it was skipped`,
          ),
        );
        this.parts = [];
        this.partsBytes = 0;
        this.skippingLine = true;
      }
    }
  }

  end(out: ExportItem[]): void {
    if (this.parts.length > 0) {
      this.lineNumber++;
      const parts = this.parts;
      this.parts = [];
      this.lineFromText(Buffer.concat(parts).toString('utf8'), out);
    }
    if (this.nextLink) this.warnings.push(NEXT_LINK_WARNING);
  }

  private finishLine(buf: Buffer, start: number, end: number, out: ExportItem[]): void {
    let text: string;
    if (this.parts.length === 0) {
      text = buf.toString('utf8', start, end);
    } else {
      text = Buffer.concat([...this.parts, buf.subarray(start, end)]).toString('utf8');
      this.parts = [];
      this.partsBytes = 0;
    }
    this.lineFromText(text, out);
  }

  private lineFromText(text: string, out: ExportItem[]): void {
    if (text.trim() === '') return;
    this.recordCount++;
    const kind = itemsFromText(() => text, { file: this.file, line: this.lineNumber }, `line ${this.lineNumber}`, out);
    if (kind !== undefined) this.nextLink = kind === 'more-pages';
  }
}
