// Exports that start with "{": NDJSON (one record per line), records written over several lines
// (pretty-printed), or objects holding an array of records under "value" or "records" (Microsoft Graph
// audit log pages, ConvertTo-Json output), one after another. Scanned as bytes arrive and never parsed
// whole: each record is parsed on its own, so a wrapper of any size streams.
import {
  arrayElementItems,
  emptyArrayElement,
  incompleteElement,
  incompleteObject,
  oversizedElement,
  oversizedObject,
  startsPretty,
  textAfterEnd,
  unreadableObject,
  wrapperLinksNextPage,
} from './jsonDocumentItems.js';
import { MAX_JSON_RECORD_BYTES, NdjsonReader, type JsonChunkReader } from './jsonExport.js';
import {
  isRecordArrayKey,
  isRecordLike,
  NEXT_LINK_WARNING,
  unknownObjectShape,
  valueItems,
  wrappedRecords,
} from './jsonRecords.js';
import type { ExportFormat, ExportItem } from './records.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  Capture,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  isJsonSpace as isSpace,
} from './jsonBytes.js';

/** Where the scanner is among the members of a top-level object. */
const KEY = 0;
const IN_KEY = 1;
const AFTER_KEY = 2;
const VALUE = 3;
const AFTER_VALUE = 4;

/**
 * Reads a file that starts with "{". The first object decides: a wrapper (it has a "value" or "records"
 * array) or pretty-printed record(s) are scanned here; a record on one line means NDJSON, read line by
 * line from there on (a broken line then costs only that line). Records in arrays are numbered by their
 * place among all array elements of the file, other records by the line they start on.
 */
export class JsonDocumentReader implements JsonChunkReader {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A top-level object is open (its members are at depth 1). */
  private objectOpen = false;
  private member = KEY;
  /** The key being read could still be "value" or "records" (compared without case). */
  private keyLength = 0;
  private keyMayMatch = false;
  private keyText = '';
  private recordsKey = false;
  /** Depth of the elements of the array of records being read (1: a top-level array, 2: in an object); 0 = none. */
  private recordsDepth = 0;
  private inElement = false;
  private afterComma = false;
  /** The open top-level object held an array of records. */
  private wrapper = false;
  private objectStartLine = 0;
  private readonly object = new Capture();
  private readonly element = new Capture();
  /** No top-level value has been completed yet. */
  private first = true;
  private elementCount = 0;
  private recordCount = 0;
  private sawWrapper = false;
  /** Whether the last page read had an @odata.nextLink. */
  private nextLink = false;
  private stoppedFlag = false;
  private ndjson: NdjsonReader | undefined;
  /** Line number at `countedTo` in the current chunk. */
  private line = 1;
  private countedTo = 0;
  private readonly ownWarnings: string[] = [];

  constructor(private readonly file: string) {}

  get rows(): number {
    return this.recordCount + (this.ndjson?.rows ?? 0);
  }
  get stopped(): boolean {
    return this.stoppedFlag;
  }
  get warnings(): readonly string[] {
    return this.ndjson ? [...this.ownWarnings, ...this.ndjson.warnings] : this.ownWarnings;
  }
  get format(): ExportFormat {
    if (this.ndjson) return 'ndjson';
    return this.sawWrapper ? 'json-wrapper' : 'json-records';
  }

  write(buf: Buffer, out: ExportItem[]): void {
    if (this.ndjson) {
      this.ndjson.write(buf, out);
      return;
    }
    if (this.stoppedFlag) return;
    this.countedTo = 0;
    let { inString, escaped } = this;
    let inKey = this.member === IN_KEY;
    let watchNewline = this.watchingNewlines();
    const len = buf.length;
    for (let i = 0; i < len; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escaped) {
          escaped = false;
          if (inKey) this.keyMayMatch = false;
        } else if (c === BACKSLASH) {
          escaped = true;
          if (inKey) this.keyMayMatch = false;
        } else if (c === QUOTE) {
          inString = false;
          if (inKey) {
            inKey = false;
            this.member = AFTER_KEY;
            this.recordsKey = this.keyMayMatch && isRecordArrayKey(this.keyText);
          }
        } else if (inKey) {
          this.keyByte(c);
        } else if (c === NEWLINE && watchNewline) {
          // A line break inside a string: not JSON written over several lines but a broken NDJSON line.
          this.replayAsNdjson(this.object.take(buf, len), out);
          return;
        }
        continue;
      }
      const depth = this.depth;
      if (depth === this.recordsDepth && depth !== 0) {
        if (!this.inElement) {
          if (isSpace(c)) continue;
          if (c === COMMA || c === CLOSE_BRACKET) {
            if (c === COMMA || this.afterComma) this.emptyElement(out);
            this.afterComma = c === COMMA;
            if (c === CLOSE_BRACKET) this.closeRecords(i);
            continue;
          }
          this.inElement = true;
          this.element.begin(i);
        } else if (c === COMMA || c === CLOSE_BRACKET) {
          this.finishElement(buf, i, out);
          this.afterComma = c === COMMA;
          if (c === CLOSE_BRACKET) this.closeRecords(i);
          if (this.stoppedFlag) break;
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        continue;
      }
      if (depth > 1) {
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.depth--;
        continue;
      }
      if (depth === 1) {
        // the members of a top-level object
        const member = this.member;
        if (c === QUOTE) {
          inString = true;
          if (member === KEY) {
            this.member = IN_KEY;
            inKey = true;
            this.keyLength = 0;
            this.keyText = '';
            this.keyMayMatch = true;
          } else if (member === VALUE) {
            this.member = AFTER_VALUE;
          }
          continue;
        }
        if (isSpace(c)) continue;
        if (member === AFTER_KEY) {
          if (c === COLON) this.member = VALUE;
          continue;
        }
        if (member === VALUE) {
          this.member = AFTER_VALUE;
          if (c === OPEN_BRACKET && this.recordsKey) {
            this.openRecords(buf, i);
            watchNewline = false;
          } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            this.depth++;
          }
          continue;
        }
        if (c === COMMA) {
          this.member = KEY;
        } else if (c === CLOSE_BRACE) {
          this.depth = 0;
          const switched = this.closeObject(buf, i, out);
          if (switched) {
            this.ndjson!.write(buf.subarray(i + 1), out);
            return;
          }
          if (this.ndjson !== undefined) return; // replayed: the whole chunk was passed on
          watchNewline = false;
          if (this.stoppedFlag) break;
        }
        continue;
      }
      // depth 0: between top-level values
      if (isSpace(c)) continue;
      if (c === OPEN_BRACE) {
        this.openObject(buf, i);
        watchNewline = this.watchingNewlines();
      } else if (c === OPEN_BRACKET) {
        this.depth = 1;
        this.recordsDepth = 1;
        this.inElement = false;
        this.afterComma = false;
      } else {
        this.recordCount++;
        out.push(textAfterEnd(this.file, this.lineAt(buf, i)));
        this.stoppedFlag = true;
        break;
      }
    }
    this.inString = inString;
    this.escaped = escaped;
    if (!this.stoppedFlag) this.endOfChunk(buf, out);
  }

  end(out: ExportItem[]): void {
    if (this.ndjson) {
      this.ndjson.end(out);
      return;
    }
    if (!this.stoppedFlag) {
      if (this.inElement) {
        this.elementCount++;
        this.recordCount++;
        out.push(incompleteElement(this.file, this.elementCount));
      }
      if (this.objectOpen && !this.wrapper) {
        const text = this.object.take(Buffer.alloc(0), 0);
        if (this.first && !startsPretty(text)) {
          this.replayAsNdjson(text, out);
          this.ndjson!.end(out);
          return;
        }
        this.recordCount++;
        out.push(incompleteObject(this.file, this.objectStartLine));
      } else if (this.depth > 0) {
        this.ownWarnings.push('the JSON is not closed (a missing "]" or "}"): the file is probably truncated');
      }
    }
    if (this.nextLink) this.ownWarnings.push(NEXT_LINK_WARNING);
  }

  /** Until the first object is known to be a wrapper or pretty-printed, a line break in a string means NDJSON. */
  private watchingNewlines(): boolean {
    return this.first && this.objectOpen && !this.wrapper;
  }

  private keyByte(c: number): void {
    if (this.keyMayMatch && this.keyLength < 8) this.keyText += String.fromCharCode(c);
    else this.keyMayMatch = false;
    this.keyLength++;
  }

  private lineAt(buf: Buffer, i: number): number {
    for (;;) {
      const nl = buf.indexOf(NEWLINE, this.countedTo);
      if (nl < 0 || nl >= i) return this.line;
      this.line++;
      this.countedTo = nl + 1;
    }
  }

  private openObject(buf: Buffer, i: number): void {
    this.depth = 1;
    this.objectOpen = true;
    this.member = KEY;
    this.wrapper = false;
    this.objectStartLine = this.lineAt(buf, i);
    this.object.begin(i);
  }

  private openRecords(buf: Buffer, i: number): void {
    this.object.pause(buf, i + 1);
    this.wrapper = true;
    this.sawWrapper = true;
    this.depth = 2;
    this.recordsDepth = 2;
    this.inElement = false;
    this.afterComma = false;
  }

  private closeRecords(i: number): void {
    this.depth--;
    if (this.recordsDepth === 2) this.object.resume(i);
    this.recordsDepth = 0;
  }

  /** The end of a top-level object; returns true when the rest of the file is NDJSON. */
  private closeObject(buf: Buffer, i: number, out: ExportItem[]): boolean {
    this.objectOpen = false;
    const first = this.first;
    this.first = false;
    const text = this.object.take(buf, i + 1);
    if (this.wrapper) {
      this.sawWrapper = true;
      this.nextLink = wrapperLinksNextPage(text);
      return false;
    }
    const line = this.objectStartLine;
    const singleLine = this.lineAt(buf, i) === line;
    let data: unknown;
    try {
      data = JSON.parse(text.toString('utf8'));
    } catch (e) {
      if (first && !startsPretty(text)) {
        this.replayAsNdjson(text, out);
        this.ndjson!.write(buf.subarray(i + 1), out);
        return false;
      }
      this.recordCount++;
      out.push(unreadableObject(this.file, line, e, text.length));
      return false;
    }
    if (first && typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const v = data as Record<string, unknown>;
      if (!isRecordLike(v) && wrappedRecords(v) === undefined) throw unknownObjectShape(this.file, v, 'top');
    }
    this.recordCount++;
    const kind = valueItems(data, { file: this.file, line }, out);
    if (kind !== undefined) {
      this.sawWrapper = true;
      this.nextLink = kind === 'more-pages';
    }
    if (first && singleLine) {
      this.ndjson = new NdjsonReader(this.file);
      return true;
    }
    return false;
  }

  private finishElement(buf: Buffer, i: number, out: ExportItem[]): void {
    this.inElement = false;
    const text = this.element.take(buf, i).toString('utf8');
    const element = ++this.elementCount;
    this.recordCount++;
    arrayElementItems(this.file, text, element, this.recordsDepth === 2 ? 'wrapper' : 'array', out);
  }

  private emptyElement(out: ExportItem[]): void {
    this.elementCount++;
    this.recordCount++;
    out.push(emptyArrayElement(this.file, this.elementCount));
  }

  /** Reads everything from the start of the file as NDJSON: `head` is every byte so far. */
  private replayAsNdjson(head: Buffer, out: ExportItem[]): void {
    this.ndjson = new NdjsonReader(this.file);
    this.ndjson.write(head, out);
  }

  private endOfChunk(buf: Buffer, out: ExportItem[]): void {
    this.lineAt(buf, buf.length + 1);
    this.countedTo = 0;
    this.object.carry(buf);
    this.element.carry(buf);
    if (this.inElement && this.element.bytes > MAX_JSON_RECORD_BYTES) {
      this.elementCount++;
      this.recordCount++;
      this.stop(out, oversizedElement(this.file, this.elementCount));
    } else if (this.objectOpen && this.object.bytes > MAX_JSON_RECORD_BYTES) {
      if (this.watchingNewlines()) {
        this.replayAsNdjson(this.object.take(buf, 0), out);
        return;
      }
      this.recordCount++;
      this.stop(out, oversizedObject(this.file, this.objectStartLine));
    }
  }

  private stop(out: ExportItem[], rejection: ExportItem): void {
    out.push(rejection);
    this.stoppedFlag = true;
    this.element.take(Buffer.alloc(0), 0);
    this.object.take(Buffer.alloc(0), 0);
  }
}
