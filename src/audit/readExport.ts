// Streaming reader of one audit export: detects the format from the content and yields items in input order.
import { isUtf8 } from 'node:buffer';
import { CsvExportReader, truncationWarning } from './csvExport.js';
import { ExportReadError } from './exportReadError.js';
import { JsonDocumentReader } from './jsonDocument.js';
import { JsonArrayReader, type JsonChunkReader } from './jsonExport.js';
import type { CsvHeaderVariant, ExportFormat, ExportInfo, ExportItem } from './records.js';

export { ExportReadError } from './exportReadError.js';

export interface ReadExportOptions {
  /** File (or blob) name used in messages and in every SourceRef. */
  file: string;
  /** Called after each input chunk with the number of rows read so far, and once at the end. */
  onProgress?: (rowsRead: number) => void;
}

/** Items of one export in input order. Iterate once; info() is complete when iteration has finished. */
export interface ExportStream extends AsyncIterable<ExportItem> {
  info(): ExportInfo;
  /** Optional faster alternative to iterating: the same items, grouped by input chunk (use one or the other). */
  batches?(): AsyncIterable<readonly ExportItem[]>;
}

const EMPTY = Buffer.alloc(0);
const BINARY_CHECK_BYTES = 4096;
const NOT_UTF8_HINT = 'The file is not valid UTF-8 text either: is it a binary file, or text in another encoding?';

/** What a file must be to be read, for messages about files that are not. */
export const READABLE_EXPORTS =
  'Exports are read as CSV, JSON or NDJSON text (UTF-8, or UTF-16 with a byte order mark), ' +
  'plain, gzip-compressed (.gz) or in a zip archive; UTF-16 text without a byte order mark must be saved as UTF-8.';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The chunks of an input as Buffers (strings encoded as UTF-8), empty chunks left out. */
export async function* asBuffers(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buf.length > 0) yield buf;
  }
}

async function* utf16ToUtf8(chunks: AsyncIterable<Buffer>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const last = decoder.decode();
  if (last.length > 0) yield Buffer.from(last, 'utf8');
}

/** Iterates the items of a batch stream one by one; `return()` closes the batch stream. */
export function itemsOfBatches(source: AsyncIterable<readonly ExportItem[]>): AsyncIterator<ExportItem> {
  const batches = source[Symbol.asyncIterator]();
  let batch: readonly ExportItem[] = [];
  let index = 0;
  return {
    async next(): Promise<IteratorResult<ExportItem>> {
      while (index >= batch.length) {
        const r = await batches.next();
        if (r.done === true) return { done: true, value: undefined };
        batch = r.value;
        index = 0;
      }
      return { done: false, value: batch[index++]! };
    },
    async return(): Promise<IteratorResult<ExportItem>> {
      await batches.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
}

/** Length of the start of `buf` that does not end inside a UTF-8 sequence. */
function completeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1;
  const stop = Math.max(0, buf.length - 4);
  while (i > stop && (buf[i]! & 0xc0) === 0x80) i--;
  const lead = buf[i];
  if (lead === undefined || lead < 0xc0) return buf.length;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return buf.length - i >= size ? buf.length : i;
}

/** Index of the first byte of `buf` that is not part of a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const lead = buf[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const extra =
      lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (extra === 0 || i + extra >= buf.length) return i;
    let codePoint = lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = buf[i + k]!;
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    const overlong = codePoint < (extra === 1 ? 0x80 : extra === 2 ? 0x800 : 0x10000);
    if (overlong || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += extra + 1;
  }
  return -1;
}

/** Byte source with a small look-ahead, used to sniff the BOM, the format and a `#TYPE` line. */
class ByteSource {
  private pending: Buffer = EMPTY;
  private ended = false;
  /** Bytes dropped with skip() (BOM, leading blank space, `#TYPE` line). */
  skipped = 0;

  constructor(private readonly iterator: AsyncIterator<Buffer>) {}

  /** Ensures at least `n` bytes are pending unless the input ends first. */
  async fill(n: number): Promise<Buffer> {
    while (this.pending.length < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done === true) this.ended = true;
      else this.pending = Buffer.concat([this.pending, next.value]); // a copy: the input may reuse its chunks
    }
    return this.pending;
  }

  skip(n: number): void {
    this.pending = this.pending.subarray(n);
    this.skipped += n;
  }

  /** The pending bytes, then the rest of the input; closes the input if the consumer stops early. */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      if (this.pending.length > 0) {
        const first = this.pending;
        this.pending = EMPTY;
        yield first;
      }
      while (!this.ended) {
        const next = await this.iterator.next();
        if (next.done === true) this.ended = true;
        else yield next.value;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }
}

class ExportReader implements ExportStream {
  private format: ExportFormat | undefined;
  private csvVariant: CsvHeaderVariant | undefined;
  private readonly warnings: string[] = [];
  private started = false;
  /** Byte offset in the file of the first invalid UTF-8 byte, if any. */
  private invalidUtf8At: number | undefined;

  constructor(
    private readonly input: AsyncIterable<Uint8Array | string>,
    private readonly options: ReadExportOptions,
  ) {}

  info(): ExportInfo {
    if (this.format === undefined) {
      throw new Error(
        `info() of ${this.options.file} is not available before its format is known; iterate the stream first`,
      );
    }
    const info: ExportInfo = { file: this.options.file, format: this.format, warnings: [...this.warnings] };
    if (this.csvVariant !== undefined) info.csvVariant = this.csvVariant;
    return info;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportItem> {
    return itemsOfBatches(this.batches());
  }

  /** Items grouped by input chunk (cheaper to consume than one at a time). Single use. */
  async *batches(): AsyncGenerator<ExportItem[], void, undefined> {
    if (this.started) throw new Error(`the export stream of ${this.options.file} can be read only once`);
    this.started = true;
    const { file } = this.options;
    let source = new ByteSource(asBuffers(this.input)[Symbol.asyncIterator]());
    try {
      let head = await source.fill(3);
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
        source.skip(3);
      } else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
        const encoding = head[0] === 0xff ? 'utf-16le' : 'utf-16be';
        source.skip(2);
        source = new ByteSource(utf16ToUtf8(source.chunks(), encoding)[Symbol.asyncIterator]());
      }
      head = await this.skipLeadingSpace(source);
      const first = head[0];
      if (first === undefined) throw new ExportReadError(file, 'the file is empty');
      head = await source.fill(BINARY_CHECK_BYTES);
      const nul = head.subarray(0, BINARY_CHECK_BYTES).indexOf(0);
      if (nul >= 0) {
        throw new ExportReadError(file, `the file contains NUL bytes, so it is not a text export. ${READABLE_EXPORTS}`);
      }
      if (first === 0x5b) {
        this.format = 'json-array';
        yield* this.readJson(new JsonArrayReader(file), source);
      } else if (first === 0x7b) {
        this.format = 'ndjson';
        yield* this.readJson(new JsonDocumentReader(file), source);
      } else {
        this.format = 'csv';
        yield* this.readCsv(source);
      }
    } catch (e) {
      if (e instanceof ExportReadError && e.line === undefined && this.invalidUtf8At !== undefined) {
        throw new ExportReadError(file, `${e.reason} ${NOT_UTF8_HINT}`);
      }
      throw e;
    } finally {
      await source.close();
    }
  }

  private async skipLeadingSpace(source: ByteSource): Promise<Buffer> {
    for (;;) {
      const buf = await source.fill(1);
      let i = 0;
      while (i < buf.length && isSpace(buf[i]!)) i++;
      if (i < buf.length || buf.length === 0) {
        source.skip(i);
        return source.fill(1);
      }
      source.skip(i);
    }
  }

  /** Drops a PowerShell `#TYPE …` first line; returns whether there was one. */
  private async skipTypeLine(source: ByteSource): Promise<boolean> {
    const head = await source.fill(5);
    if (head.toString('latin1', 0, 5) !== '#TYPE') return false;
    for (;;) {
      const buf = await source.fill(1);
      if (buf.length === 0) return true;
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) {
        source.skip(nl + 1);
        return true;
      }
      source.skip(buf.length);
    }
  }

  /**
   * Passes chunks through, noting the first invalid UTF-8 byte (the CSV and JSON readers decode
   * bad bytes as U+FFFD). `offset` is the file position of the first chunk.
   */
  private async *checkedUtf8(chunks: AsyncIterable<Buffer>, offset: number): AsyncGenerator<Buffer> {
    /** The end of the previous chunk when it stopped inside a multi-byte sequence (at most 3 bytes). */
    let carry: Buffer = EMPTY;
    for await (const chunk of chunks) {
      if (this.invalidUtf8At === undefined) {
        const body = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        const complete = body.subarray(0, completeUtf8Length(body));
        if (!isUtf8(complete)) this.noteInvalidUtf8(offset - carry.length + firstInvalidUtf8(complete));
        carry = complete.length < body.length ? Buffer.from(body.subarray(complete.length)) : EMPTY;
      }
      offset += chunk.length;
      yield chunk;
    }
    if (this.invalidUtf8At === undefined && carry.length > 0) this.noteInvalidUtf8(offset - carry.length);
  }

  private noteInvalidUtf8(offset: number): void {
    this.invalidUtf8At = offset;
    this.warnings.push(
      `the file is not valid UTF-8 (first bad byte at byte offset ${offset}); ` +
        'bad bytes were read as the replacement character U+FFFD: save the file as UTF-8',
    );
  }

  private async *readCsv(source: ByteSource): AsyncGenerator<ExportItem[], void, undefined> {
    const hadTypeLine = await this.skipTypeLine(source);
    const reader = new CsvExportReader(this.options.file, hadTypeLine);
    const { onProgress } = this.options;
    // After a structure failure the rest is still read, unparsed, for the UTF-8 check: the warnings then
    // describe the whole file whatever the chunk sizes.
    for await (const chunk of this.checkedUtf8(source.chunks(), source.skipped)) {
      if (reader.stopped) continue;
      const out: ExportItem[] = [];
      reader.write(chunk, out);
      this.csvVariant = reader.variant;
      onProgress?.(reader.rows);
      if (out.length > 0) yield out;
    }
    const out: ExportItem[] = [];
    reader.end(out);
    this.csvVariant = reader.variant;
    if (reader.stopped) this.warnings.push(`reading stopped at row ${reader.rows}: the CSV structure is broken there`);
    const truncated = reader.variant === undefined ? undefined : truncationWarning(reader.variant, reader.rows);
    if (truncated !== undefined) this.warnings.push(truncated);
    onProgress?.(reader.rows);
    if (out.length > 0) yield out;
  }

  private async *readJson(reader: JsonChunkReader, source: ByteSource): AsyncGenerator<ExportItem[], void, undefined> {
    const { onProgress } = this.options;
    for await (const chunk of this.checkedUtf8(source.chunks(), source.skipped)) {
      const out: ExportItem[] = [];
      reader.write(chunk, out);
      onProgress?.(reader.rows);
      if (out.length > 0) yield out;
      if (reader.stopped) break;
    }
    const out: ExportItem[] = [];
    reader.end(out);
    this.format = reader.format;
    this.warnings.push(...reader.warnings);
    if (reader.stopped)
      this.warnings.push(`reading stopped at record ${reader.rows}: the JSON structure is broken there`);
    onProgress?.(reader.rows);
    if (out.length > 0) yield out;
  }
}

/**
 * Reads one uncompressed export (CSV in any known layout, a JSON array, NDJSON, or JSON objects holding
 * records), detected from the first non-blank character after an optional BOM: `[` JSON array, `{` JSON
 * objects (JsonDocumentReader), anything else CSV. Compressed input: see readAnyExport (archiveExport.ts).
 * Throws ExportReadError (while iterating) when the file as a whole is not a readable export.
 * Nothing keeps a reference to an input chunk once the next one is requested, so the producer may
 * reuse one buffer for every chunk (readFileChunks does).
 */
export function readExport(input: AsyncIterable<Uint8Array | string>, options: ReadExportOptions): ExportStream {
  return new ExportReader(input, options);
}
