// The process streams a command works with (injectable for tests), and input opening.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import type { ExportStream, ReadExportOptions } from '../audit/readExport.js';
import { readExportFile } from '../audit/parallelRead.js';
import { SNIFF_BYTES, compressionOf, describeBinary } from '../audit/archive.js';
import { readAnyExport, readZipFileExport } from '../audit/archiveExport.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: AsyncIterable<Uint8Array | string>;
}

export const STDIN_NAME = '<stdin>';

/** One input: a file name (or stdin) and how to read it; `missing` when it is not a regular file. */
export type InputSource =
  | { name: string; missing: false; open: () => AsyncIterable<Uint8Array | string>; file?: { path: string; size: number } }
  | { name: string; missing: true };

/** Files as given, or stdin when there is none (tala: `-` is a file name, not stdin). */
export function inputSources(files: readonly string[], io: CliIo): InputSource[] {
  if (files.length === 0) return [{ name: STDIN_NAME, missing: false, open: () => io.stdin }];
  return files.map((name) => {
    let size: number | undefined;
    try {
      const stat = statSync(name);
      if (stat.isFile()) size = stat.size;
    } catch {
      size = undefined;
    }
    return size !== undefined
      ? { name, missing: false as const, open: () => createReadStream(name, { highWaterMark: 1 << 20 }), file: { path: name, size } }
      : { name, missing: true as const };
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
 * The export stream of an input: a regular text file through readExportFile (worker threads for a large
 * CSV); a zip file through its entries, read from the file; a gzip file, another binary file and standard
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
    if (head === undefined || describeBinary(head) === undefined) return { stream: readExportFile(path, options), empty };
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
