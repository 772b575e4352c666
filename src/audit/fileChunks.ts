// Reading a file (or a byte range of it) in chunks through one reused buffer: no garbage per chunk.
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes per read: large enough for few calls, small enough to stay in the CPU caches. */
export const FILE_CHUNK_BYTES = 256 * 1024;

/**
 * The bytes of [start, end) of the open file `fd` (end defaults to the end of the file), one chunk at
 * a time. Every chunk is a view of the same buffer: it is overwritten when the next one is requested,
 * so a consumer must copy what it keeps (readExport and CsvTokenizer do).
 */
export function* fileRangeChunks(fd: number, start = 0, end = Number.POSITIVE_INFINITY, chunkBytes = FILE_CHUNK_BYTES): Generator<Buffer> {
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let position = start;
  while (position < end) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
    if (n === 0) return;
    position += n;
    yield buffer.subarray(0, n);
  }
}

/** The whole file at `path` as fileRangeChunks gives it; the file is closed when iteration stops. */
export async function* readFileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    yield* fileRangeChunks(fd, 0, Number.POSITIVE_INFINITY, chunkBytes);
  } finally {
    closeSync(fd);
  }
}
