// Compressed exports, recognised by their first bytes (never by name): gzip holds one export, a zip
// archive several. Yields the inner exports as byte streams, within limits that stop zip bombs.
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { ExportReadError, ExportSourceError } from './exportReadError.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface ArchiveLimits {
  /** Files a zip archive may hold. */
  entries: number;
  /** Bytes one inner export may expand to. */
  entryBytes: number;
  /** Bytes all the exports of one archive may expand to together. */
  totalBytes: number;
  /** Expansion (uncompressed / compressed) above which data larger than ratioFromBytes is refused as a zip bomb. */
  ratio: number;
  ratioFromBytes: number;
  /** Bytes of a zip archive read into memory when it does not come from a file (standard input). */
  bufferedZipBytes: number;
}

/** Audit exports compress 10 to 30 times (every record holds random ids); 200 leaves a wide margin. */
export const ARCHIVE_LIMITS: ArchiveLimits = {
  entries: 1000,
  entryBytes: 8 * GiB,
  totalBytes: 16 * GiB,
  ratio: 200,
  ratioFromBytes: 16 * MiB,
  bufferedZipBytes: 512 * MiB,
};

/** Bytes needed to recognise every format below (a tar header's "ustar" ends at byte 262). */
export const SNIFF_BYTES = 512;

export type Compression = 'gzip' | 'zip' | 'empty-zip';

export function compressionOf(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x50 && head[1] === 0x4b) {
    if ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x07 && head[3] === 0x08)) return 'zip';
    if (head[2] === 0x05 && head[3] === 0x06) return 'empty-zip';
  }
  return undefined;
}

function startsWith(head: Uint8Array, magic: readonly number[] | string, at = 0): boolean {
  const bytes = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic;
  if (head.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[at + i] !== bytes[i]) return false;
  return true;
}

/** Formats that are not exports but are recognised by their first bytes, so a message can name them. */
const OTHER_FORMATS: ReadonlyArray<{ name: string; test: (head: Uint8Array) => boolean }> = [
  { name: 'a 7-Zip archive', test: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'a RAR archive', test: (h) => startsWith(h, 'Rar!\x1a\x07') },
  { name: 'xz-compressed data', test: (h) => startsWith(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'Zstandard-compressed data', test: (h) => startsWith(h, [0x28, 0xb5, 0x2f, 0xfd]) },
  {
    name: 'bzip2-compressed data',
    test: (h) => startsWith(h, 'BZh') && startsWith(h, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4),
  },
  { name: 'a tar archive', test: (h) => startsWith(h, 'ustar', 257) },
  {
    name: 'an Excel 97-2003 workbook (.xls) or another old Office document',
    test: (h) => startsWith(h, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  { name: 'a PDF document', test: (h) => startsWith(h, '%PDF-') },
];

/** What a file that is not a text export is, from its first bytes (SNIFF_BYTES of them); undefined for text. */
export function describeBinary(head: Uint8Array): string | undefined {
  const compression = compressionOf(head);
  if (compression === 'gzip') return 'gzip-compressed data';
  if (compression !== undefined) return 'a zip archive';
  return OTHER_FORMATS.find((f) => f.test(head))?.name;
}

/** The first `n` bytes of an input (fewer if it is shorter), and the whole input again as chunks. */
export interface PeekedInput {
  head: Buffer;
  chunks: AsyncIterable<Buffer>;
  /** Closes the input when `chunks` will not be read. */
  close(): Promise<void>;
}

export async function peekHead(input: AsyncIterable<Buffer>, n: number): Promise<PeekedInput> {
  const iterator = input[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await iterator.next();
    if (r.done === true) {
      done = true;
      break;
    }
    first.push(Buffer.from(r.value)); // a copy: the input may reuse its chunks
    size += r.value.length;
  }
  const head = Buffer.concat(first);
  const close = async (): Promise<void> => {
    if (!done) {
      done = true;
      await iterator.return?.();
    }
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      while (!done) {
        const r = await iterator.next();
        if (r.done === true) done = true;
        else yield r.value;
      }
    } finally {
      await close();
    }
  }
  return { head: head.subarray(0, n), chunks: chunks(), close };
}

function sizeText(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.ceil(bytes / MiB)} MiB`;
}

function isZlibError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}

/** Checks the expansion of compressed data as it is read (a gzip stream, or a zip entry). */
class ExpansionGuard {
  compressed = 0;
  expanded = 0;
  constructor(
    private readonly file: string,
    private readonly limits: ArchiveLimits,
  ) {}

  add(bytes: number): void {
    this.expanded += bytes;
    if (this.expanded > this.limits.entryBytes) {
      throw new ExportReadError(
        this.file,
        `it expands to more than ${sizeText(this.limits.entryBytes)}, the most read from one compressed export`,
      );
    }
    if (this.expanded > this.limits.ratioFromBytes && this.expanded > this.compressed * this.limits.ratio) {
      throw new ExportReadError(
        this.file,
        `it expands more than ${this.limits.ratio} times (${sizeText(this.expanded)} from ` +
          `${sizeText(this.compressed)} so far), far more than an audit export does: a zip bomb? It was not read further`,
      );
    }
  }
}

/** The decompressed bytes of gzip data (several members one after another are read as one). */
export async function* gunzipChunks(
  input: AsyncIterable<Buffer>,
  file: string,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): AsyncGenerator<Buffer> {
  const guard = new ExpansionGuard(file, limits);
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      guard.compressed += chunk.length;
      yield Buffer.from(chunk); // a copy: the stream holds chunks, and the input may reuse them
    }
  }
  const gunzip = pipeline(Readable.from(counted(), { objectMode: false }), createGunzip(), () => {});
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      guard.add(chunk.length);
      yield chunk;
    }
  } catch (e) {
    if (!isZlibError(e)) throw e;
    throw new ExportReadError(
      file,
      e.code === 'Z_BUF_ERROR'
        ? 'the gzip-compressed file is truncated (its compressed data ends too early)'
        : `the gzip-compressed data is damaged (${e.message})`,
    );
  } finally {
    gunzip.destroy();
  }
}

/** One file of a zip archive: its bytes, or why it is not read. */
export type ArchiveEntry = { name: string; chunks: () => AsyncIterable<Buffer> } | { name: string; refused: string };

function entryRefusal(entry: yauzl.Entry, total: number, limits: ArchiveLimits): string | undefined {
  const name = entry.fileName;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (name.startsWith('__MACOSX/') || base.startsWith('._') || base === '.DS_Store')
    return 'macOS Finder metadata, not an export';
  if (entry.isEncrypted()) return 'it is encrypted (password-protected); extract it and give the export on its own';
  if (!entry.canDecodeFileData())
    return `it is compressed with method ${entry.compressionMethod}, which cannot be read (only stored and deflated files can)`;
  if (entry.uncompressedSize > limits.entryBytes) {
    return `it expands to ${sizeText(entry.uncompressedSize)}, more than the ${sizeText(limits.entryBytes)} read from one compressed export`;
  }
  if (
    entry.uncompressedSize > limits.ratioFromBytes &&
    entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.ratio
  ) {
    return (
      `it expands more than ${limits.ratio} times (${sizeText(entry.uncompressedSize)} from ${sizeText(entry.compressedSize)}), ` +
      'far more than an audit export does: a zip bomb?'
    );
  }
  if (total + entry.uncompressedSize > limits.totalBytes) {
    return `the files of the archive together expand to more than ${sizeText(limits.totalBytes)}, the most read from one archive`;
  }
  return undefined;
}

/** A message for an error of yauzl (or of inflating an entry), without the stack. */
function zipErrorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error of reading the archive as a reason the archive cannot be read, unless its bytes could not be fetched. */
function zipReadError(e: unknown, file: string, reason: string): Error {
  if (e instanceof ExportSourceError || e instanceof ExportReadError) return e;
  return new ExportReadError(file, `${reason}: ${zipErrorText(e)}`);
}

/**
 * The files of a zip archive in their order, folders left out. `open` gives the archive (yauzl.openPromise
 * for a file, fromBufferPromise for bytes in memory). Each entry's chunks must be read (or abandoned)
 * before the next entry is requested.
 */
export async function* zipEntries(
  open: () => Promise<yauzl.ZipFile>,
  archive: string,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): AsyncGenerator<ArchiveEntry> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open();
  } catch (e) {
    throw zipReadError(e, archive, 'the zip archive cannot be read (damaged or truncated?)');
  }
  try {
    if (zip.entryCount > limits.entries) {
      throw new ExportReadError(
        archive,
        `the zip archive holds ${zip.entryCount} files, more than the ${limits.entries} read from one archive`,
      );
    }
    let total = 0;
    const entries = zip.eachEntry();
    for (;;) {
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw zipReadError(e, archive, 'the zip archive cannot be read further (damaged?)');
      }
      if (next.done === true) return;
      const entry = next.value;
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (name === '[Content_Types].xml' || name.startsWith('xl/')) {
        throw new ExportReadError(
          archive,
          'the file is an Excel workbook (.xlsx), not an export: save it from Excel as "CSV UTF-8", or export the audit log again as CSV',
        );
      }
      const refused = entryRefusal(entry, total, limits);
      if (refused !== undefined) {
        yield { name, refused };
        continue;
      }
      total += entry.uncompressedSize;
      yield { name, chunks: () => entryChunks(zip, entry, `${archive}/${name}`, limits) };
    }
  } finally {
    zip.close();
  }
}

async function* entryChunks(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  file: string,
  limits: ArchiveLimits,
): AsyncGenerator<Buffer> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (e) {
    throw zipReadError(e, file, 'this file of the zip archive cannot be read');
  }
  const guard = new ExpansionGuard(file, limits);
  guard.compressed = entry.compressedSize;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      guard.add(chunk.length);
      yield chunk;
    }
  } catch (e) {
    throw zipReadError(e, file, 'this file of the zip archive is damaged');
  } finally {
    stream.destroy();
  }
}
