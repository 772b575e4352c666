// The process streams a command works with (injectable for tests), and input opening.
import { createReadStream, statSync } from 'node:fs';
import { readExport, type ExportStream, type ReadExportOptions } from '../audit/readExport.js';
import { readExportFile } from '../audit/parallelRead.js';

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

/**
 * The export stream of an input: a regular file through readExportFile (worker threads for a large
 * CSV), standard input through readExport. `empty()` tells, after an ExportReadError, whether the input
 * had no bytes at all (an empty input is not an error).
 */
export function openExport(
  source: Extract<InputSource, { missing: false }>,
  options: ReadExportOptions,
): { stream: ExportStream; empty: () => boolean } {
  if (source.file !== undefined) {
    const size = source.file.size;
    return { stream: readExportFile(source.file.path, options), empty: () => size === 0 };
  }
  const input = new ByteCounter(source.open());
  return { stream: readExport(input, options), empty: () => input.bytes === 0 };
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
