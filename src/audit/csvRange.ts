// Reading one byte range of a CSV export (after its header) into items: positional reads, CsvTokenizer,
// AuditData conversion and a UTF-8 check; shared by the parallel reader's workers and its fallback.
import { isUtf8 } from 'node:buffer';
import { FILE_CHUNK_BYTES, fileRangeChunks } from './fileChunks.js';
import { CsvExportReader, type CsvLayout, type CsvRecordDelimiter } from './csvExport.js';
import { completeUtf8Length, firstInvalidUtf8 } from './readExport.js';
import type { ExportItem } from './records.js';

/** What every range of one file shares. */
export interface CsvFileSetup {
  /** File name used in messages and SourceRefs. */
  file: string;
  layout: CsvLayout;
  recordDelimiter: CsvRecordDelimiter;
}

export interface CsvRangeTask {
  /** Byte offsets in the file: [start, end). `start` is a (presumed) record boundary. */
  start: number;
  end: number;
  /** True when `end` is a guessed record boundary, not the end of the file. */
  endsAtGuessedBoundary: boolean;
  /** Rows before `start` (for line numbers; 0 in workers, which do not know it). */
  rowsBefore: number;
  /** Rows at the start of the range counted but not converted (already delivered). */
  skipRows: number;
}

export interface CsvRangeResult {
  /** Rows counted in the range (skipped ones and a structure-failure row included). */
  rows: number;
  /** The CSV structure broke in this range; nothing after it is read. */
  stopped: boolean;
  /** The range ended inside a quoted field: its end is not a record boundary. */
  endedInsideQuotes: boolean;
  /** File offset of the first byte of the range that is not valid UTF-8, or -1. */
  firstInvalidUtf8: number;
}

/** Bytes per read (one buffer, reused). */
export const RANGE_CHUNK_BYTES = FILE_CHUNK_BYTES;

/** Claim values of the parallel reader's shared claim array (one Int32 per range). */
export const UNCLAIMED = 0;
export const CLAIMED_BY_MAIN = 1;
export const CLAIMED_BY_WORKER = 2;

/** Left-to-right UTF-8 validity scan over consecutive chunks; remembers the first bad byte. */
export class Utf8Scan {
  private carry: Buffer = Buffer.alloc(0);
  /** File offset of the first invalid byte, or -1. */
  firstInvalid = -1;

  constructor(private offset: number) {}

  /** Scans `chunk`, which starts at the current offset. */
  add(chunk: Buffer): void {
    if (this.firstInvalid < 0) {
      const body = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      const bodyStart = this.offset - this.carry.length;
      const complete = completeUtf8Length(body);
      if (!isUtf8(body.subarray(0, complete))) {
        this.firstInvalid = bodyStart + firstInvalidUtf8(body.subarray(0, complete));
        this.carry = Buffer.alloc(0);
      } else {
        this.carry = complete < body.length ? Buffer.from(body.subarray(complete)) : Buffer.alloc(0);
      }
    }
    this.offset += chunk.length;
  }

  /** Call at the end of the bytes: a sequence cut off there is invalid. */
  finish(): number {
    if (this.firstInvalid < 0 && this.carry.length > 0) this.firstInvalid = this.offset - this.carry.length;
    this.carry = Buffer.alloc(0);
    return this.firstInvalid;
  }
}

/**
 * Reads the rows of [task.start, task.end) of the open file `fd` with the file's layout; yields their
 * items chunk by chunk and returns the range's result. Row numbers are task.rowsBefore + n.
 */
export async function* readCsvRange(
  fd: number,
  task: CsvRangeTask,
  setup: CsvFileSetup,
  chunkBytes = RANGE_CHUNK_BYTES,
): AsyncGenerator<ExportItem[], CsvRangeResult, undefined> {
  const reader = new CsvExportReader(setup.file, false, {
    layout: setup.layout,
    recordDelimiter: setup.recordDelimiter,
    rowsBefore: task.rowsBefore,
    skipRows: task.skipRows,
    endsAtGuessedBoundary: task.endsAtGuessedBoundary,
  });
  const utf8 = new Utf8Scan(task.start);
  let position = task.start;
  for (const chunk of fileRangeChunks(fd, task.start, task.end, chunkBytes)) {
    position += chunk.length;
    utf8.add(chunk);
    if (!reader.stopped) {
      const out: ExportItem[] = [];
      reader.write(chunk, out);
      if (out.length > 0) yield out;
    }
  }
  if (position < task.end) throw new Error(`the file ${setup.file} got shorter while it was being read`);
  const out: ExportItem[] = [];
  await reader.end(out);
  if (out.length > 0) yield out;
  return {
    rows: reader.rows - task.rowsBefore,
    stopped: reader.stopped,
    endedInsideQuotes: reader.endedInsideQuotes,
    firstInvalidUtf8: utf8.finish(),
  };
}
