// Worker thread of the parallel CSV reader. It lives as long as the process and serves one file (job)
// after another: it claims byte ranges from the end of the file (the main thread claims from the
// start), reads each, and posts its items as encoded batches, then the range's result.
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { csvLayout, type CsvRecordDelimiter } from './csvExport.js';
import { CLAIMED_BY_WORKER, UNCLAIMED, readCsvRange, type CsvRangeResult, type CsvRangeTask } from './csvRange.js';
import { ItemBatchEncoder, transferablesOf, type ItemBatch } from './itemBatch.js';

/** One file to help read. */
export interface RangeJob {
  job: number;
  path: string;
  file: string;
  header: string[];
  hadTypeLine: boolean;
  recordDelimiter: CsvRecordDelimiter;
  tasks: CsvRangeTask[];
  /** Int32Array over a SharedArrayBuffer: one claim per task (compare-and-exchange from UNCLAIMED). */
  claims: Int32Array;
  /** Rows per posted batch. */
  batchRows: number;
}

/** Worker → main thread. */
export type RangeWorkerReply =
  | { type: 'batch'; job: number; id: number; batch: ItemBatch }
  | { type: 'done'; job: number; id: number; result: CsvRangeResult }
  | { type: 'failed'; job: number; id: number; message: string; code?: string }
  /** Nothing left to claim in this job. */
  | { type: 'idle'; job: number };

async function serveJob(job: RangeJob, post: (reply: RangeWorkerReply, transfer?: ArrayBuffer[]) => void): Promise<void> {
  // No string pool here: the batch encoder stores each repeated value once per range anyway.
  const setup = { file: job.file, layout: csvLayout(job.header, job.file, job.hadTypeLine, false), recordDelimiter: job.recordDelimiter };
  let fd: number | undefined;
  try {
    for (let id = job.tasks.length - 1; id >= 0; id--) {
      if (Atomics.compareExchange(job.claims, id, UNCLAIMED, CLAIMED_BY_WORKER) !== UNCLAIMED) continue;
      try {
        fd ??= openSync(job.path, 'r');
        const encoder = new ItemBatchEncoder();
        const range = readCsvRange(fd, job.tasks[id]!, setup);
        let next = await range.next();
        while (next.done !== true) {
          for (const item of next.value) encoder.add(item);
          if (encoder.count >= job.batchRows) {
            const batch = encoder.take();
            post({ type: 'batch', job: job.job, id, batch }, transferablesOf(batch));
          }
          next = await range.next();
        }
        if (encoder.count > 0) {
          const batch = encoder.take();
          post({ type: 'batch', job: job.job, id, batch }, transferablesOf(batch));
        }
        post({ type: 'done', job: job.job, id, result: next.value });
      } catch (e) {
        const error = e as NodeJS.ErrnoException;
        post({
          type: 'failed', job: job.job, id, message: error instanceof Error ? error.message : String(e), ...(error.code ? { code: error.code } : {}),
        });
        return;
      }
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
    post({ type: 'idle', job: job.job });
  }
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('csvRangeWorker must run as a worker thread');
  const post = (reply: RangeWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);
  let queue = Promise.resolve();
  port.on('message', (job: RangeJob) => {
    queue = queue.then(() => serveJob(job, post));
  });
}

serve();
