// Reading exports that may be compressed: a gzip file is read as the export it holds; a zip archive as
// one stream of the records of all its exports, each named `archive.zip/inner.csv` in messages and
// SourceRefs. A file that is neither goes to readExport unchanged.
import yauzl from 'yauzl';
import {
  ARCHIVE_LIMITS,
  SNIFF_BYTES,
  compressionOf,
  describeBinary,
  gunzipChunks,
  peekHead,
  zipEntries,
  type ArchiveEntry,
  type ArchiveLimits,
  type PeekedInput,
} from './archive.js';
import { ExportReadError } from './exportReadError.js';
import type { ExportFormat, ExportInfo, ExportItem } from './records.js';
import {
  READABLE_EXPORTS,
  asBuffers,
  itemsOfBatches,
  readExport,
  type ExportStream,
  type ReadExportOptions,
} from './readExport.js';

export interface ReadAnyExportOptions extends ReadExportOptions {
  limits?: ArchiveLimits;
}

async function* batchesOf(stream: ExportStream): AsyncGenerator<readonly ExportItem[]> {
  if (stream.batches !== undefined) {
    yield* stream.batches();
    return;
  }
  for await (const item of stream) yield [item];
}

/** Formats inside an archive named in the message that refuses them (or the whole archive). */
function nestedRefusal(what: string): string {
  return `it is ${what}, not an export; extract it and give it on its own`;
}

/** The exports of a zip archive as one stream; files that cannot be read are named in the warnings. */
export class ArchiveExportReader implements ExportStream {
  private readonly warnings: string[] = [];
  private started = false;
  private finished = false;

  constructor(
    private readonly entries: () => AsyncIterable<ArchiveEntry>,
    private readonly options: ReadExportOptions,
  ) {}

  info(): ExportInfo {
    if (!this.finished)
      throw new Error(`info() of ${this.options.file} is available once the whole archive has been read`);
    return { file: this.options.file, format: 'zip' satisfies ExportFormat, warnings: [...this.warnings] };
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportItem> {
    return itemsOfBatches(this.batches());
  }

  async *batches(): AsyncGenerator<readonly ExportItem[], void, undefined> {
    if (this.started) throw new Error(`the export stream of ${this.options.file} can be read only once`);
    this.started = true;
    const { file, onProgress } = this.options;
    let rowsBefore = 0;
    let files = 0;
    let read = 0;
    for await (const entry of this.entries()) {
      files++;
      if ('refused' in entry) {
        this.warnings.push(`${entry.name}: not read: ${entry.refused}`);
        continue;
      }
      let peeked: PeekedInput | undefined;
      let rows = 0;
      try {
        peeked = await peekHead(entry.chunks(), SNIFF_BYTES);
        const binary = describeBinary(peeked.head);
        if (binary !== undefined) {
          this.warnings.push(`${entry.name}: not read: ${nestedRefusal(binary)}`);
          continue;
        }
        const inner = readExport(peeked.chunks, {
          file: `${file}/${entry.name}`,
          ...(onProgress ? { onProgress: (n: number) => onProgress(rowsBefore + n) } : {}),
        });
        for await (const batch of batchesOf(inner)) {
          rows += batch.length;
          yield batch;
        }
        for (const w of inner.info().warnings) this.warnings.push(`${entry.name}: ${w}`);
        read++;
      } catch (e) {
        if (!(e instanceof ExportReadError)) throw e;
        const where = e.line === undefined ? '' : ` (row ${e.line})`;
        this.warnings.push(
          `${entry.name}: ${rows > 0 ? `reading stopped after ${rows} rows` : 'not read'}: ${e.reason}${where}`,
        );
        if (rows > 0) read++;
      } finally {
        await peeked?.close();
        rowsBefore += rows;
      }
    }
    if (read === 0) {
      throw new ExportReadError(
        file,
        files === 0
          ? 'the zip archive holds no files'
          : `no export could be read from the zip archive: ${this.warnings.join('; ')}`,
      );
    }
    this.finished = true;
  }
}

/** The exports of the zip archive at `path`, read from the file (never loaded whole). */
export function readZipFileExport(path: string, options: ReadAnyExportOptions): ExportStream {
  const limits = options.limits ?? ARCHIVE_LIMITS;
  return new ArchiveExportReader(() => zipEntries(() => yauzl.openPromise(path), options.file, limits), options);
}

/** Bytes of an input in memory, up to `limit`; more is an ExportReadError saying `tooLarge`. */
async function collectBytes(
  chunks: AsyncIterable<Buffer>,
  limit: number,
  file: string,
  tooLarge: string,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limit) throw new ExportReadError(file, tooLarge);
    parts.push(Buffer.from(chunk)); // a copy: the input may reuse its chunks
  }
  return Buffer.concat(parts);
}

/**
 * Any export, compressed or not, recognised from its first bytes: gzip is decompressed as it is read,
 * a zip archive is read from memory (`input` as a Buffer, or collected up to limits.bufferedZipBytes),
 * other binary formats are refused by name, and text goes to readExport.
 */
export function readAnyExport(
  input: Uint8Array | AsyncIterable<Uint8Array | string>,
  options: ReadAnyExportOptions,
): ExportStream {
  return new AnyExportReader(input, options);
}

/** An export stream whose reader is chosen when reading starts, from the input's first bytes. */
export abstract class DeferredExportStream implements ExportStream {
  private inner: ExportStream | undefined;
  private started = false;

  constructor(protected readonly options: ReadAnyExportOptions) {}

  info(): ExportInfo {
    if (this.inner === undefined)
      throw new Error(
        `info() of ${this.options.file} is not available before its format is known; iterate the stream first`,
      );
    return this.inner.info();
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportItem> {
    return itemsOfBatches(this.batches());
  }

  async *batches(): AsyncGenerator<readonly ExportItem[], void, undefined> {
    if (this.started) throw new Error(`the export stream of ${this.options.file} can be read only once`);
    this.started = true;
    const opened = await this.open();
    try {
      this.inner = opened.stream;
      yield* batchesOf(opened.stream);
    } finally {
      await opened.close?.();
    }
  }

  /** The reader of this input, and what to close once reading ends. */
  protected abstract open(): Promise<{ stream: ExportStream; close?: () => Promise<void> }>;
}

class AnyExportReader extends DeferredExportStream {
  constructor(
    private readonly input: Uint8Array | AsyncIterable<Uint8Array | string>,
    options: ReadAnyExportOptions,
  ) {
    super(options);
  }

  protected async open(): Promise<{ stream: ExportStream; close: () => Promise<void> }> {
    const input = this.input;
    const peeked = await peekHead(asBuffers(input instanceof Uint8Array ? slices(input) : input), SNIFF_BYTES);
    try {
      return { stream: await this.readerFor(peeked), close: () => peeked.close() };
    } catch (e) {
      await peeked.close();
      throw e;
    }
  }

  private async readerFor(peeked: PeekedInput): Promise<ExportStream> {
    const { file } = this.options;
    const limits = this.options.limits ?? ARCHIVE_LIMITS;
    const input = this.input;
    const kind = compressionOf(peeked.head);
    if (kind === 'gzip') return readExport(checkedGunzip(peeked.chunks, file, limits), this.options);
    if (kind === 'empty-zip') throw new ExportReadError(file, 'the zip archive is empty (it holds no files)');
    if (kind === 'zip') {
      const bytes =
        input instanceof Uint8Array
          ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
          : await collectBytes(
              peeked.chunks,
              limits.bufferedZipBytes,
              file,
              `a zip archive that does not come from a file is read into memory, ` +
                `up to ${Math.round(limits.bufferedZipBytes / 1024 / 1024)} MiB, and this one is larger: give the file name instead`,
            );
      return new ArchiveExportReader(
        () => zipEntries(() => yauzl.fromBufferPromise(bytes), file, limits),
        this.options,
      );
    }
    const binary = describeBinary(peeked.head);
    if (binary !== undefined)
      throw new ExportReadError(file, `the file is ${binary}, not an export. ${READABLE_EXPORTS}`);
    return readExport(peeked.chunks, this.options);
  }
}

const SLICE_BYTES = 256 * 1024;

/** Bytes in memory as a stream of slices, so the readers work on them incrementally. */
// eslint-disable-next-line @typescript-eslint/require-await -- async only to be the AsyncIterable the readers take
async function* slices(buffer: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < buffer.length; offset += SLICE_BYTES)
    yield buffer.subarray(offset, offset + SLICE_BYTES);
}

/** gzip-decompressed bytes; a compressed or binary file inside the gzip data is refused by name. */
async function* checkedGunzip(
  chunks: AsyncIterable<Buffer>,
  file: string,
  limits: ArchiveLimits,
): AsyncGenerator<Buffer> {
  const peeked = await peekHead(gunzipChunks(chunks, file, limits), SNIFF_BYTES);
  try {
    const binary = describeBinary(peeked.head);
    if (binary !== undefined)
      throw new ExportReadError(
        file,
        `the gzip-compressed file holds ${binary}, not an export; decompress it and read what it holds`,
      );
    yield* peeked.chunks;
  } finally {
    await peeked.close();
  }
}
