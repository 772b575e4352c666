// Reading a large CSV export file with worker threads: the header is read here, the data is split into
// byte ranges at guessed record boundaries, each range is parsed by a worker, and the items are
// delivered in file order, exactly as the sequential reader (readExport) would deliver them.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Parser } from 'csv-parse';
import { csvLayout, csvParserOptions, truncationWarning, type CsvLayout, type CsvRecordDelimiter } from './csvExport.js';
import { readCsvRange, type CsvRangeResult, type CsvRangeTask } from './csvRange.js';
import { ItemBatchDecoder, type ItemBatch } from './itemBatch.js';
import { readExport, type ExportStream, type ReadExportOptions } from './readExport.js';
import type { CsvHeaderVariant, ExportInfo, ExportItem } from './records.js';
import type { RangeWorkerReply, RangeWorkerRequest, RangeWorkerSetup } from './csvRangeWorker.js';

export interface ReadExportFileOptions extends ReadExportOptions {
  /** Worker threads to use (default: available CPUs, at most 4); below 2 the file is read sequentially. */
  workers?: number;
  /** Files smaller than this many bytes are read sequentially (default 8 MiB). */
  minParallelBytes?: number;
  /** Target size of one byte range (default: the data split into two ranges per worker). */
  rangeBytes?: number;
  /** Rows per batch posted by a worker (default 2048). */
  batchRows?: number;
}

/** How the last file was read (for tests and diagnostics). */
export interface ParallelReadReport {
  mode: 'parallel' | 'sequential';
  /** Why the file was read sequentially. */
  reason?: string;
  ranges: number;
  workers: number;
  /** Ranges whose start turned out not to be a record boundary (re-read from the previous range). */
  rereadRanges: number;
}

export const DEFAULT_MIN_PARALLEL_BYTES = 8 * 1024 * 1024;
const MAX_WORKERS = 4;
const HEAD_BYTES = 1 << 20;
const HEADER_PIECE = 64 * 1024;
const BOUNDARY_WINDOW = 64 * 1024;
const BINARY_CHECK_BYTES = 4096;
const WORKER_SCRIPT = join(__dirname, 'csvRangeWorker.js');

/** Default number of workers: the CPUs this process may use, at most 4. */
export function defaultWorkerCount(): number {
  return Math.min(MAX_WORKERS, availableParallelism());
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What the start of the file says, when it is a CSV the parallel reader can split; else why not. */
interface CsvPlan {
  header: string[];
  layout: CsvLayout;
  hadTypeLine: boolean;
  recordDelimiter: CsvRecordDelimiter;
  /** Bytes skipped before the header (BOM, blank space, `#TYPE` line): where the UTF-8 check starts. */
  skipped: number;
  /** Offset of the first data byte (after the header record and its delimiter). */
  dataStart: number;
}

/**
 * The same sniffing as readExport (BOM, leading blank space, format, NUL bytes, `#TYPE` line), then the
 * header record read with csv-parse. Anything unusual gives a reason, and readExport handles the file.
 */
function planCsv(head: Buffer, file: string): CsvPlan | string {
  let p = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3;
  else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'UTF-16 text';
  while (p < head.length && isSpace(head[p]!)) p++;
  const first = head[p];
  if (first === undefined) return 'no text in the first MiB';
  if (first === 0x5b || first === 0x7b) return 'JSON, not CSV';
  if (head.subarray(p, p + BINARY_CHECK_BYTES).indexOf(0) >= 0) return 'NUL bytes';
  const hadTypeLine = head.toString('latin1', p, p + 5) === '#TYPE';
  if (hadTypeLine) {
    const nl = head.indexOf(0x0a, p);
    if (nl < 0) return 'a #TYPE line longer than 1 MiB';
    p = nl + 1;
  }
  const skipped = p;

  let header: string[] | undefined;
  let headerBytes = 0;
  const parser = new Parser({
    ...csvParserOptions(),
    on_record: (record: string[], context: { bytes: number }) => {
      if (header === undefined) {
        header = record;
        headerBytes = context.bytes;
      }
      return null;
    },
  });
  parser.on('error', () => { /* no header: the sequential reader reports it */ });
  for (let at = p; at < head.length && header === undefined && parser.errored === null; at += HEADER_PIECE) {
    parser.write(head.subarray(at, Math.min(head.length, at + HEADER_PIECE)));
  }
  parser.destroy();
  if (header === undefined) return 'no complete header record in the first MiB';
  const dataStart = p + headerBytes;
  if (head[dataStart - 1] !== 0x0a) return 'records not ended by LF or CRLF';
  const recordDelimiter: CsvRecordDelimiter = head[dataStart - 2] === 0x0d ? '\r\n' : '\n';
  if (!isUtf8(head.subarray(skipped, dataStart))) return 'a header that is not UTF-8';
  let layout: CsvLayout;
  try {
    layout = csvLayout(header, file, hadTypeLine);
  } catch {
    return 'not a recognised header';
  }
  return { header, layout, hadTypeLine, recordDelimiter, skipped, dataStart };
}

/** The first offset ≥ `from` that directly follows `delimiter` (or `size`). */
function nextBoundary(fd: number, from: number, size: number, delimiter: CsvRecordDelimiter): number {
  const back = delimiter.length;
  let at = from - back;
  const window = Buffer.allocUnsafe(BOUNDARY_WINDOW);
  while (at < size) {
    const n = readSync(fd, window, 0, Math.min(BOUNDARY_WINDOW, size - at), at);
    if (n === 0) break;
    const found = window.subarray(0, n).indexOf(delimiter, 0, 'latin1');
    if (found >= 0) return at + found + back;
    at += Math.max(1, n - (back - 1));
  }
  return size;
}

interface RangeState {
  task: CsvRangeTask;
  batches: ItemBatch[];
  result?: CsvRangeResult;
  failure?: Error;
}

class ParallelExportReader implements ExportStream {
  private delegate: ExportStream | undefined;
  private variant: CsvHeaderVariant | undefined;
  private readonly warnings: string[] = [];
  private done = false;
  private started = false;
  readonly report: ParallelReadReport = { mode: 'sequential', ranges: 0, workers: 0, rereadRanges: 0 };

  constructor(private readonly path: string, private readonly options: ReadExportFileOptions) {}

  info(): ExportInfo {
    if (this.delegate !== undefined) return this.delegate.info();
    if (!this.done) {
      throw new Error(`info() of ${this.options.file} is not available before the stream has been read`);
    }
    const info: ExportInfo = { file: this.options.file, format: 'csv', warnings: [...this.warnings] };
    if (this.variant !== undefined) info.csvVariant = this.variant;
    return info;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportItem> {
    const batches = this.batches()[Symbol.asyncIterator]();
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
        await batches.return(undefined);
        return { done: true, value: undefined };
      },
    };
  }

  private sequential(reason: string): ExportStream {
    this.report.mode = 'sequential';
    this.report.reason = reason;
    this.delegate = readExport(createReadStream(this.path, { highWaterMark: 1 << 20 }), this.options);
    return this.delegate;
  }

  async *batches(): AsyncGenerator<readonly ExportItem[], void, undefined> {
    if (this.started) throw new Error(`the export stream of ${this.options.file} can be read only once`);
    this.started = true;
    const workers = this.options.workers ?? defaultWorkerCount();
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (workers < 2) {
        yield* this.sequential('fewer than 2 workers').batches!();
        return;
      }
      if (size < (this.options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES)) {
        yield* this.sequential('a small file').batches!();
        return;
      }
      const head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
      const headLength = readSync(fd, head, 0, head.length, 0);
      const plan = planCsv(head.subarray(0, headLength), this.options.file);
      if (typeof plan === 'string') {
        yield* this.sequential(plan).batches!();
        return;
      }
      yield* this.readParallel(fd, size, plan, workers);
      this.done = true;
    } finally {
      closeSync(fd);
    }
  }

  private async *readParallel(fd: number, size: number, plan: CsvPlan, workerCount: number): AsyncGenerator<ExportItem[], void, undefined> {
    const { file, onProgress } = this.options;
    this.variant = plan.layout.variant;
    const dataBytes = size - plan.dataStart;
    const rangeBytes = Math.max(1, this.options.rangeBytes ?? Math.ceil(dataBytes / (2 * workerCount)));
    const nominal = Math.max(1, Math.round(dataBytes / rangeBytes));
    const starts: number[] = [plan.dataStart];
    for (let j = 1; j < nominal; j++) {
      const s = nextBoundary(fd, plan.dataStart + Math.round((j * dataBytes) / nominal), size, plan.recordDelimiter);
      if (s > starts[starts.length - 1]! && s < size) starts.push(s);
    }
    const ranges: RangeState[] = starts.map((start, j) => {
      const end = starts[j + 1] ?? size;
      return { task: { start, end, endsAtGuessedBoundary: end < size, rowsBefore: 0, skipRows: 0 }, batches: [] };
    });
    const poolSize = Math.min(workerCount, ranges.length);
    Object.assign(this.report, { mode: 'parallel', ranges: ranges.length, workers: poolSize });
    delete this.report.reason;

    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let fatal: Error | undefined;
    let nextToSend = 0;
    const setup: RangeWorkerSetup = {
      path: this.path,
      file,
      header: plan.header,
      hadTypeLine: plan.hadTypeLine,
      recordDelimiter: plan.recordDelimiter,
      batchRows: this.options.batchRows ?? 2048,
    };
    const pool: Worker[] = [];
    const sendNext = (worker: Worker): void => {
      const request: RangeWorkerRequest = nextToSend < ranges.length
        ? { type: 'range', id: nextToSend, task: ranges[nextToSend++]!.task }
        : { type: 'close' };
      worker.postMessage(request);
    };
    for (let w = 0; w < poolSize; w++) {
      const worker = new Worker(WORKER_SCRIPT, { workerData: setup });
      worker.on('message', (reply: RangeWorkerReply) => {
        const range = ranges[reply.id]!;
        if (reply.type === 'batch') range.batches.push(reply.batch);
        else if (reply.type === 'done') {
          range.result = reply.result;
          sendNext(worker);
        } else {
          const error: NodeJS.ErrnoException = new Error(reply.message);
          if (reply.code !== undefined) error.code = reply.code;
          range.failure = error;
        }
        notify();
      });
      worker.on('error', (e) => {
        fatal ??= e;
        notify();
      });
      worker.on('exit', (code) => {
        if (code !== 0) fatal ??= new Error(`a CSV reader thread stopped with exit code ${code}`);
        notify();
      });
      pool.push(worker);
      sendNext(worker);
    }
    const waitForReply = (): Promise<void> => new Promise((resolve) => { wake = resolve; });

    let rowsBefore = 0;
    let stoppedAt: number | undefined;
    const invalidUtf8: number[] = [];
    try {
      let j = 0;
      while (j < ranges.length && stoppedAt === undefined) {
        const range = ranges[j]!;
        const decoder = new ItemBatchDecoder(file, rowsBefore);
        let deliveredHere = 0;
        for (;;) {
          if (fatal !== undefined) throw fatal;
          if (range.failure !== undefined) throw range.failure;
          const batch = range.batches.shift();
          if (batch !== undefined) {
            const out: ExportItem[] = [];
            decoder.decode(batch, out);
            deliveredHere += out.length;
            onProgress?.(rowsBefore + deliveredHere);
            yield out;
            continue;
          }
          if (range.result !== undefined) break;
          await waitForReply();
        }
        const result = range.result!;
        rowsBefore += result.rows;
        if (result.stopped) {
          stoppedAt = rowsBefore;
          break;
        }
        if (!result.endedInsideQuotes || j === ranges.length - 1) {
          j++;
          continue;
        }
        // The next range started inside a quoted field: read on from this range's start, past the rows
        // already delivered, until a range end that is a record boundary (or the end of the file).
        const from = range.task.start;
        const rowsBeforeFrom = rowsBefore - result.rows;
        let delivered = result.rows;
        let k = j + 2;
        for (;;) {
          this.report.rereadRanges++;
          const end = k < ranges.length ? ranges[k]!.task.start : size;
          const reread = readCsvRange(fd, {
            start: from, end, endsAtGuessedBoundary: end < size, rowsBefore: rowsBeforeFrom, skipRows: delivered,
          }, { file, layout: plan.layout, recordDelimiter: plan.recordDelimiter });
          let step = await reread.next();
          while (step.done !== true) {
            delivered += step.value.length;
            onProgress?.(rowsBeforeFrom + delivered);
            yield step.value;
            step = await reread.next();
          }
          const r = step.value;
          if (r.firstInvalidUtf8 >= 0) invalidUtf8.push(r.firstInvalidUtf8);
          rowsBefore = rowsBeforeFrom + r.rows;
          delivered = r.rows;
          if (r.stopped) {
            stoppedAt = rowsBefore;
            break;
          }
          if (!r.endedInsideQuotes || k >= ranges.length) break;
          k++;
        }
        j = k;
      }
      // Every range is checked for invalid UTF-8, also those after a stop (as the sequential reader does).
      while (ranges.some((r) => r.result === undefined)) {
        if (fatal !== undefined) throw fatal;
        const failed = ranges.find((r) => r.failure !== undefined);
        if (failed !== undefined) throw failed.failure!;
        await waitForReply();
      }
    } finally {
      for (const worker of pool) {
        worker.removeAllListeners('exit');
        void worker.terminate();
      }
    }
    for (const range of ranges) {
      if (range.result!.firstInvalidUtf8 >= 0) invalidUtf8.push(range.result!.firstInvalidUtf8);
    }
    if (invalidUtf8.length > 0) {
      const offset = Math.min(...invalidUtf8);
      this.warnings.push(`the file is not valid UTF-8 (first bad byte at byte offset ${offset}); `
        + 'bad bytes were read as the replacement character U+FFFD: save the file as UTF-8');
    }
    if (stoppedAt !== undefined) this.warnings.push(`reading stopped at row ${stoppedAt}: the CSV structure is broken there`);
    const truncated = truncationWarning(plan.layout.variant, rowsBefore);
    if (truncated !== undefined) this.warnings.push(truncated);
    onProgress?.(rowsBefore);
  }
}

/**
 * Reads one export file like readExport, with worker threads for a large CSV: the data is split into
 * byte ranges at guessed record boundaries and read in parallel; a guess that falls inside a quoted
 * field is detected and that part re-read in order. Items, line numbers, rejections and warnings are
 * the same as readExport's. JSON, small files, UTF-16 and unusual headers are read by readExport.
 */
export function readExportFile(path: string, options: ReadExportFileOptions): ExportStream & { readonly report: ParallelReadReport } {
  return new ParallelExportReader(path, options);
}
