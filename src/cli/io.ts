// The process streams a command works with (injectable for tests), and input opening.
import { closeSync, createReadStream, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isFileSystemError, plainFileError } from './fileErrors.js';
import { readExport, type ExportStream, type ReadExportOptions } from '../audit/readExport.js';
import { readFileChunks } from '../audit/fileChunks.js';
import { SNIFF_BYTES, compressionOf, describeBinary } from '../audit/archive.js';
import { readAnyExport, readZipFileExport } from '../audit/archiveExport.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** `isTTY` when it is a terminal (a hint is then printed before waiting for input). */
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
}

export const STDIN_NAME = '<stdin>';

/**
 * One input: a file name (or stdin) and how to read it. `missing` when it cannot be read: `reason` says
 * why in plain words; `notRegularFile` when it does not exist or is not a regular file (tala's
 * "not a file name"), as opposed to a file that exists but cannot be opened (permissions).
 */
export type InputSource =
  | {
      name: string;
      missing: false;
      open: () => AsyncIterable<Uint8Array | string>;
      file?: { path: string; size: number };
    }
  | { name: string; missing: true; reason: string; notRegularFile: boolean };

function notRegularKind(stat: Stats): string {
  if (stat.isDirectory()) return 'is a folder, not a file';
  if (stat.isFIFO())
    return 'is a named pipe, not a regular file (send it to standard input instead: teams-audit … < FILE)';
  if (stat.isSocket()) return 'is a socket, not a regular file';
  return 'is a device, not a regular file (send it to standard input instead: teams-audit … < FILE)';
}

/** Whether `name` is a regular file that can be opened for reading, and if not, why. */
function checkInputFile(name: string): { size: number } | { reason: string; notRegularFile: boolean } {
  let stat: Stats;
  try {
    stat = statSync(name);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    return { reason: plainFileError(e), notRegularFile: e.code === 'ENOENT' || e.code === 'ENOTDIR' };
  }
  if (!stat.isFile()) return { reason: notRegularKind(stat), notRegularFile: true };
  try {
    // Opening is the only honest test (permissions, ACLs, read-only mounts, root's privileges).
    closeSync(openSync(name, 'r'));
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    return { reason: plainFileError(e), notRegularFile: false };
  }
  return { size: stat.size };
}

/** Files as given, or stdin when there is none (tala: `-` is a file name, not stdin). */
export function inputSources(files: readonly string[], io: CliIo): InputSource[] {
  if (files.length === 0) return [{ name: STDIN_NAME, missing: false, open: () => io.stdin }];
  return files.map((name) => {
    const checked = checkInputFile(name);
    if ('reason' in checked) return { name, missing: true as const, ...checked };
    const size = checked.size;
    return {
      name,
      missing: false as const,
      open: () => createReadStream(name, { highWaterMark: 1 << 20 }),
      file: { path: name, size },
    };
  });
}

/** Passes chunks through and records whether any byte was seen (an empty input is not an error). */
export class ByteCounter implements AsyncIterable<Uint8Array | string> {
  bytes = 0;
  constructor(private readonly input: AsyncIterable<Uint8Array | string>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array | string> {
    for await (const chunk of this.input) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }
}

/** The first bytes of a file, or undefined when they cannot be read (the reader then reports why). */
function fileHead(path: string): Buffer | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(SNIFF_BYTES);
      return head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * The export stream of an input: a regular text file through readExport, in reused chunks; a zip file through its entries, read from the file; a gzip file, another binary file and standard
 * input through readAnyExport (decompressed as read; a zip on standard input is held in memory, within a
 * limit). `empty()` tells, after an ExportReadError, whether the input had no bytes at all (an empty
 * input is not an error).
 */
export function openExport(
  source: Extract<InputSource, { missing: false }>,
  options: ReadExportOptions,
): { stream: ExportStream; empty: () => boolean } {
  if (source.file !== undefined) {
    const { path, size } = source.file;
    const head = size === 0 ? undefined : fileHead(path);
    const empty = (): boolean => size === 0;
    if (head === undefined || describeBinary(head) === undefined)
      return { stream: readExport(readFileChunks(path), options), empty };
    if (compressionOf(head) === 'zip') return { stream: readZipFileExport(path, options), empty };
    return { stream: readAnyExport(createReadStream(path, { highWaterMark: 1 << 20 }), options), empty };
  }
  const input = new ByteCounter(source.open());
  return { stream: readAnyExport(input, options), empty: () => input.bytes === 0 };
}

/** The onProgress of reading one input in a CLI run: the young-generation check, then the progress line. */
export function readingProgress(
  msg: { progress(label: string, rowsRead: number, startedAt: number): void },
  label: string,
  capYoungGeneration: () => void,
): (rowsRead: number) => void {
  const startedAt = Date.now();
  return (rowsRead) => {
    capYoungGeneration();
    msg.progress(label, rowsRead, startedAt);
  };
}
