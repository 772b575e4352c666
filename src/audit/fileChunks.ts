// Reading a file (or a byte range of it) in chunks through one reused buffer: no garbage per chunk.
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes per read: large enough for few calls, small enough to stay in the CPU caches. */
const FILE_CHUNK_BYTES = 256 * 1024;

/**
 * The bytes of the file at `path`, one chunk at a time; the file is closed when iteration stops. Every
 * chunk is a view of the same buffer: it is overwritten when the next one is requested, so a consumer
 * must copy what it keeps (readExport and CsvTokenizer do).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- synchronous reads on purpose, served as the AsyncIterable readExport takes
export async function* readFileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let position = 0; ;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) return;
      position += n;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
