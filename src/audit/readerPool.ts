// The parallel CSV reader's worker threads, shared by the files read one after another.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RangeJob, RangeWorkerReply } from './csvRangeWorker.js';

const WORKER_YOUNG_GENERATION_MB = 8;
const WORKER_SCRIPT = join(__dirname, 'csvRangeWorker.js');

/**
 * The reader's worker threads: started on first use (or by prestartReadWorkers) and kept for the
 * next files, so their start-up and compiled code are paid once. They do not keep the process alive.
 */
export class ReaderPool {
  private readonly workers: Worker[] = [];
  nextJobId = 1;
  /** Replies of the current job's workers. */
  listener: ((reply: RangeWorkerReply) => void) | undefined;
  onFatal: ((error: Error) => void) | undefined;

  ensure(size: number): void {
    while (this.workers.length < size) {
      // A small young generation: a worker keeps little alive (its batches leave with postMessage).
      const worker = new Worker(WORKER_SCRIPT, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      worker.on('message', (reply: RangeWorkerReply) => this.listener?.(reply));
      worker.on('error', (e) => this.fail(worker, e));
      worker.on('exit', (code) => this.fail(worker, new Error(`a CSV reader thread stopped (exit code ${code})`)));
      worker.unref();
      this.workers.push(worker);
    }
  }

  private fail(worker: Worker, error: Error): void {
    const i = this.workers.indexOf(worker);
    if (i < 0) return;
    this.workers.splice(i, 1);
    this.onFatal?.(error);
  }

  /** True while a file is being read with the workers (one file at a time). */
  get busy(): boolean {
    return this.listener !== undefined;
  }

  /** Sends the job to `size` workers; they keep the process alive until finish(). */
  start(job: RangeJob, size: number): void {
    this.ensure(size);
    for (const worker of this.workers.slice(0, size)) {
      worker.ref();
      worker.postMessage(job);
    }
  }

  finish(): void {
    this.listener = undefined;
    this.onFatal = undefined;
    for (const worker of this.workers) worker.unref();
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

let sharedPool: ReaderPool | undefined;

export function readerPool(size: number): ReaderPool {
  sharedPool ??= new ReaderPool();
  sharedPool.ensure(size);
  return sharedPool;
}

/** Ends the reader's worker threads (after the last file, so their memory is returned before the analysis). */
export async function stopReadWorkers(): Promise<void> {
  const pool = sharedPool;
  sharedPool = undefined;
  await pool?.close();
}
