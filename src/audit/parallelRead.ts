// Reading a large CSV export file with worker threads: the header is read here, the data is split into
// byte ranges at guessed record boundaries, the main thread reads the first range(s) and worker threads
// the others, and the items are delivered in file order, exactly as readExport would deliver them.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { truncationWarning } from './csvExport.js';
import { isSpace, nextBoundary, planCsv, type CsvPlan } from './csvPlan.js';
import {
  CLAIMED_BY_MAIN, CLAIMED_BY_WORKER, RANGE_CHUNK_BYTES, UNCLAIMED, Utf8Scan, readCsvRange,
  type CsvFileSetup, type CsvRangeResult, type CsvRangeTask,
} from './csvRange.js';
import { ItemBatchDecoder, type ItemBatch } from './itemBatch.js';
import { itemsOfBatches, readExport, type ExportStream, type ReadExportOptions } from './readExport.js';
import type { CsvHeaderVariant, ExportInfo, ExportItem } from './records.js';
import type { RangeJob } from './csvRangeWorker.js';
import { readFileChunks } from './fileChunks.js';
import { readerPool } from './readerPool.js';

export { stopReadWorkers } from './readerPool.js';

export interface ReadExportFileOptions extends ReadExportOptions {
  /** Threads that read, the main thread included (default: available CPUs, at most 4); below 2 the file is read sequentially. */
  threads?: number;
  /** Files smaller than this many bytes are read sequentially (default 8 MiB). */
  minParallelBytes?: number;
  /** Target size of one byte range (default: one range per thread). */
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
  /** Threads that read (the main thread and the workers). */
  threads: number;
  /** Ranges read again from an earlier range's start, because that range ended inside a quoted field. */
  rereadRanges: number;
}

export const DEFAULT_MIN_PARALLEL_BYTES = 8 * 1024 * 1024;
const MAX_THREADS = 4;
const HEAD_BYTES = 1 << 20;
/**
 * The main thread's range, relative to an equal share of the data: smaller, because it also decodes the
 * workers' items and the analysis waits for it. One range per thread (each range's reader is set up
 * and warmed up on its own thread).
 */
const MAIN_THREAD_FACTOR = 0.8;
const DEFAULT_BATCH_ROWS = 2048;

/**
 * Default number of reading threads: $TEAMS_AUDIT_READ_THREADS when set; else the CPUs this process may
 * use, at most 4, when there are at least 3; else 1 (no worker). With 2 CPUs, V8's own background
 * threads (garbage collection and compilation, about 0.45 CPU-s of a sequential 50,000-row run) already
 * keep the second CPU busy, and a worker added about 0.7 CPU-s (its own compilation, collection and
 * start-up, and moving the items between threads) and 30 MB without shortening the run (measured on
 * 2 vCPUs: same time when the machine was otherwise idle, 0.5 s slower when it was busy).
 */
export function defaultThreadCount(): number {
  const fromEnv = Number(process.env[THREADS_ENV]);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  const cpus = availableParallelism();
  return cpus >= MIN_CPUS_FOR_WORKERS ? Math.min(MAX_THREADS, cpus) : 1;
}

const MIN_CPUS_FOR_WORKERS = 3;

/** Environment variable that sets the number of reading threads (1 = no worker threads). */
export const THREADS_ENV = 'TEAMS_AUDIT_READ_THREADS';

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
  readonly report: ParallelReadReport = { mode: 'sequential', ranges: 0, threads: 1, rereadRanges: 0 };

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
    return itemsOfBatches(this.batches());
  }

  private sequential(reason: string): ExportStream {
    this.report.mode = 'sequential';
    this.report.reason = reason;
    this.delegate = readExport(readFileChunks(this.path), this.options);
    return this.delegate;
  }

  async *batches(): AsyncGenerator<readonly ExportItem[], void, undefined> {
    if (this.started) throw new Error(`the export stream of ${this.options.file} can be read only once`);
    this.started = true;
    const threads = this.options.threads ?? defaultThreadCount();
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (threads < 2) {
        yield* this.sequential('one thread').batches!();
        return;
      }
      if (size < (this.options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES)) {
        yield* this.sequential('a small file').batches!();
        return;
      }
      const head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
      const headLength = readSync(fd, head, 0, head.length, 0);
      const plan = planCsv(head.subarray(0, headLength), this.options.file);
      if (typeof plan === 'string' || readerPool(0).busy) {
        yield* this.sequential(typeof plan === 'string' ? plan : 'another file is being read in parallel').batches!();
        return;
      }
      yield* this.readParallel(fd, size, plan, threads);
      this.done = true;
    } finally {
      closeSync(fd);
    }
  }

  private async *readParallel(fd: number, size: number, plan: CsvPlan, threads: number): AsyncGenerator<readonly ExportItem[], void, undefined> {
    const { file, onProgress } = this.options;
    this.variant = plan.layout.variant;
    const setup: CsvFileSetup = { file, layout: plan.layout, recordDelimiter: plan.recordDelimiter };
    const dataBytes = size - plan.dataStart;
    // Nominal split points: by default one range per thread, the main thread's (the first) smaller since it
    // also decodes the workers' items; with rangeBytes, equal ranges of about that size (tests use tiny ones).
    const cuts: number[] = [];
    if (this.options.rangeBytes !== undefined) {
      const count = Math.max(1, Math.round(dataBytes / Math.max(1, this.options.rangeBytes)));
      for (let j = 1; j < count; j++) cuts.push(Math.round((j * dataBytes) / count));
    } else {
      const mainBytes = (dataBytes * MAIN_THREAD_FACTOR) / threads;
      for (let j = 1; j < threads; j++) cuts.push(Math.round(mainBytes + ((j - 1) * (dataBytes - mainBytes)) / (threads - 1)));
    }
    const starts: number[] = [plan.dataStart];
    for (const cut of cuts) {
      const s = nextBoundary(fd, plan.dataStart + cut, size, plan.recordDelimiter);
      if (s > starts[starts.length - 1]! && s < size) starts.push(s);
    }
    const ranges: RangeState[] = starts.map((start, j) => {
      const end = starts[j + 1] ?? size;
      return { task: { start, end, endsAtGuessedBoundary: end < size, rowsBefore: 0, skipRows: 0 }, batches: [] };
    });
    // The main thread claims ranges from the start and delivers them as it reads them; the workers
    // claim from the end and post encoded batches, which the main thread decodes when it gets there.
    const claims = new Int32Array(new SharedArrayBuffer(4 * ranges.length));
    const claimForMain = (j: number): boolean => Atomics.compareExchange(claims, j, UNCLAIMED, CLAIMED_BY_MAIN) === UNCLAIMED;
    const poolSize = Math.min(threads - 1, ranges.length - 1);
    Object.assign(this.report, { mode: 'parallel', ranges: ranges.length, threads: poolSize + 1 });
    delete this.report.reason;

    const pool = readerPool(poolSize);
    const jobId = pool.nextJobId++;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const waitForWorkers = (): Promise<void> => new Promise((resolve) => { wake = resolve; });
    let fatal: Error | undefined;
    pool.listener = (reply) => {
      if (reply.job !== jobId) return;
      if (reply.type === 'idle') return;
      const range = ranges[reply.id]!;
      if (reply.type === 'batch') range.batches.push(reply.batch);
      else if (reply.type === 'done') range.result = reply.result;
      else {
        const error: NodeJS.ErrnoException = new Error(reply.message);
        if (reply.code !== undefined) error.code = reply.code;
        range.failure = error;
      }
      notify();
    };
    pool.onFatal = (e) => {
      fatal ??= e;
      notify();
    };
    const job: RangeJob = {
      job: jobId,
      path: this.path,
      file,
      header: plan.header,
      hadTypeLine: plan.hadTypeLine,
      recordDelimiter: plan.recordDelimiter,
      tasks: ranges.map((r) => r.task),
      claims,
      batchRows: this.options.batchRows ?? DEFAULT_BATCH_ROWS,
    };
    pool.start(job, poolSize);

    let rowsBefore = 0;
    let stoppedAt: number | undefined;
    const invalidUtf8: number[] = [];
    const noteUtf8 = (offset: number): void => {
      if (offset >= 0) invalidUtf8.push(offset);
    };
    try {
      let j = 0;
      while (j < ranges.length && stoppedAt === undefined) {
        const range = ranges[j]!;
        let result: CsvRangeResult;
        let delivered = 0;
        if (claimForMain(j)) {
          const own = readCsvRange(fd, { ...range.task, rowsBefore }, setup);
          let step = await own.next();
          while (step.done !== true) {
            delivered += step.value.length;
            onProgress?.(rowsBefore + delivered);
            yield step.value;
            step = await own.next();
          }
          result = step.value;
          range.result = result;
        } else {
          const decoder = new ItemBatchDecoder(file, rowsBefore);
          for (;;) {
            if (range.failure !== undefined) throw range.failure;
            const batch = range.batches.shift();
            if (batch !== undefined) {
              const out: ExportItem[] = [];
              decoder.decode(batch, out);
              delivered += out.length;
              onProgress?.(rowsBefore + delivered);
              yield out;
              continue;
            }
            if (range.result !== undefined) break;
            if (fatal !== undefined) throw fatal;
            await waitForWorkers();
          }
          result = range.result;
        }
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
        // already delivered, until a range end that is a record boundary (or the end of the file). Each
        // try takes twice as many ranges as the last, so a cell spanning many ranges is read a few times, not once per range.
        const from = range.task.start;
        const rowsBeforeFrom = rowsBefore - result.rows;
        let k = j + 1;
        let take = 1;
        for (;;) {
          for (const last = Math.min(ranges.length, k + take); k < last; k++) {
            this.report.rereadRanges++;
            claimForMain(k); // a worker that has not started it need not read it
          }
          take *= 2;
          const end = k < ranges.length ? ranges[k]!.task.start : size;
          const reread = readCsvRange(fd, {
            start: from, end, endsAtGuessedBoundary: end < size, rowsBefore: rowsBeforeFrom, skipRows: delivered,
          }, setup);
          let step = await reread.next();
          while (step.done !== true) {
            delivered += step.value.length;
            onProgress?.(rowsBeforeFrom + delivered);
            yield step.value;
            step = await reread.next();
          }
          const r = step.value;
          noteUtf8(r.firstInvalidUtf8);
          rowsBefore = rowsBeforeFrom + r.rows;
          delivered = r.rows;
          if (r.stopped) {
            stoppedAt = rowsBefore;
            break;
          }
          if (!r.endedInsideQuotes || k >= ranges.length) break;
        }
        j = k;
      }
      // Like the sequential reader, every byte is checked for UTF-8, also after a stop.
      for (let k = 0; k < ranges.length; k++) {
        const range = ranges[k]!;
        if (claimForMain(k)) noteUtf8(scanUtf8(fd, range.task.start, range.task.end));
      }
      for (const range of ranges) {
        while (Atomics.load(claims, ranges.indexOf(range)) === CLAIMED_BY_WORKER && range.result === undefined) {
          if (range.failure !== undefined) throw range.failure;
          if (fatal !== undefined) throw fatal;
          await waitForWorkers();
        }
        if (range.result !== undefined) noteUtf8(range.result.firstInvalidUtf8);
      }
    } finally {
      // Nothing more for the workers to claim (they finish the range they are on, if any).
      for (let k = 0; k < ranges.length; k++) claimForMain(k);
      pool.finish();
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
 * Starts the reader's worker threads ahead of time (they take a moment to load), when the files to be
 * read include a CSV large enough to be read in parallel. Optional: readExportFile starts them anyway.
 */
export function prestartReadWorkers(paths: readonly string[], options: { threads?: number; minParallelBytes?: number } = {}): void {
  const threads = options.threads ?? defaultThreadCount();
  if (threads < 2) return;
  const min = options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES;
  const largeCsv = paths.some((path) => {
    try {
      const stat = statSync(path);
      return stat.isFile() && stat.size >= min && looksLikeCsv(path);
    } catch {
      return false;
    }
  });
  if (largeCsv) readerPool(threads - 1);
}

/** The first non-blank character (after a UTF-8 BOM) is not the start of JSON. */
function looksLikeCsv(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    while (i < n && isSpace(head[i]!)) i++;
    return i < n && head[i] !== 0x5b && head[i] !== 0x7b;
  } finally {
    closeSync(fd);
  }
}

/** File offset of the first invalid UTF-8 byte in [start, end), or -1. */
function scanUtf8(fd: number, start: number, end: number): number {
  const scan = new Utf8Scan(start);
  const chunk = Buffer.allocUnsafe(RANGE_CHUNK_BYTES);
  for (let at = start; at < end;) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - at), at);
    if (n === 0) break;
    scan.add(chunk.subarray(0, n));
    at += n;
  }
  return scan.finish();
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
