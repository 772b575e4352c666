// Reading an export that is read by byte ranges (a blob in storage) without holding it in memory: plain
// and gzip exports are streamed from start to end; a zip archive, whose directory is at its end, is read
// through yauzl's random-access reader, one ranged read per file of the archive (plus small reads of
// the directory, served from a cached block).
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ARCHIVE_LIMITS, compressionOf, zipEntries } from '../audit/archive.js';
import {
  ArchiveExportReader,
  DeferredExportStream,
  readAnyExport,
  type ReadAnyExportOptions,
} from '../audit/archiveExport.js';
import type { ExportStream } from '../audit/readExport.js';
import { ExportReadError, ExportSourceError } from '../audit/exportReadError.js';

/** An export read by byte ranges. */
export interface RangedExport {
  readonly size: number;
  /** Bytes [start, end) as a stream; the whole export by default. */
  read(start?: number, end?: number): AsyncIterable<Uint8Array>;
}

export function isRangedExport(value: unknown): value is RangedExport {
  const v = value as Partial<RangedExport> | null;
  return typeof v === 'object' && v !== null && typeof v.size === 'number' && typeof v.read === 'function';
}

/** Small reads (the zip directory, local headers) are served from blocks of this size. */
const BLOCK_BYTES = 64 * 1024;

/** yauzl's view of a ranged export. */
class RangedZipReader extends yauzl.RandomAccessReader {
  private block: { start: number; bytes: Buffer } | undefined;

  constructor(private readonly source: RangedExport) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.source.read(start, end), { objectMode: false });
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    const cached = (): boolean => {
      const b = this.block;
      if (b === undefined || position < b.start || position + length > b.start + b.bytes.length) return false;
      b.bytes.copy(buffer, offset, position - b.start, position - b.start + length);
      return true;
    };
    if (cached()) {
      setImmediate(() => callback(null));
      return;
    }
    const end = Math.min(this.source.size, position + Math.max(length, BLOCK_BYTES));
    void (async () => {
      const parts: Buffer[] = [];
      for await (const chunk of this.source.read(position, end)) parts.push(Buffer.from(chunk));
      this.block = { start: position, bytes: Buffer.concat(parts) };
      if (!cached()) throw new Error(`the zip archive ended early (wanted ${length} bytes at ${position})`);
    })().then(
      () => callback(null),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}

async function headOf(source: RangedExport, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source.read(0, Math.min(n, source.size))) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/**
 * The source with its read failures (storage, network) turned into ExportSourceError, which the readers
 * pass on as they are: a failed read is never taken for a damaged file.
 */
function failingAsSource(source: RangedExport): RangedExport {
  return {
    size: source.size,
    async *read(start?: number, end?: number): AsyncGenerator<Uint8Array> {
      try {
        yield* source.read(start, end);
      } catch (error) {
        if (error instanceof ExportSourceError) throw error;
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new ExportSourceError(`reading the export from storage failed: ${reason}`, { cause: error });
      }
    },
  };
}

/** Any export (plain, gzip, zip) read from a ranged source; memory does not grow with its size. */
export function readRangedExport(source: RangedExport, options: ReadAnyExportOptions): ExportStream {
  return new RangedExportReader(failingAsSource(source), options);
}

class RangedExportReader extends DeferredExportStream {
  constructor(
    private readonly source: RangedExport,
    options: ReadAnyExportOptions,
  ) {
    super(options);
  }

  protected async open(): Promise<{ stream: ExportStream }> {
    const head = await headOf(this.source, 4);
    if (compressionOf(head) === 'zip') {
      const limits = this.options.limits ?? ARCHIVE_LIMITS;
      const open = (): Promise<yauzl.ZipFile> =>
        yauzl.fromRandomAccessReaderPromise(new RangedZipReader(this.source), this.source.size);
      return { stream: new ArchiveExportReader(() => zipEntries(open, this.options.file, limits), this.options) };
    }
    // Everything else (gzip, text, an empty zip, other binary formats) is recognised again as it streams.
    return { stream: readAnyExport(this.source.read(), this.options) };
  }
}

/** Content whose reading fails at once with `reason`: ingestion records it as an export that cannot be read (not retried). */
export function refusedContent(file: string, reason: string): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new ExportReadError(file, reason)),
    }),
  };
}
