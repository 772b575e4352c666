// Worker thread of the parallel CSV reader: reads the byte ranges it is sent and posts their items
// back as encoded batches, then the range's result.
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { csvLayout, type CsvRecordDelimiter } from './csvExport.js';
import { readCsvRange, type CsvRangeResult, type CsvRangeTask } from './csvRange.js';
import { ItemBatchEncoder, transferablesOf, type ItemBatch } from './itemBatch.js';

/** workerData of a range worker. */
export interface RangeWorkerSetup {
  path: string;
  file: string;
  header: string[];
  hadTypeLine: boolean;
  recordDelimiter: CsvRecordDelimiter;
  /** Rows per posted batch. */
  batchRows: number;
}

/** Main thread → worker. */
export type RangeWorkerRequest = { type: 'range'; id: number; task: CsvRangeTask } | { type: 'close' };

/** Worker → main thread. */
export type RangeWorkerReply =
  | { type: 'batch'; id: number; batch: ItemBatch }
  | { type: 'done'; id: number; result: CsvRangeResult }
  | { type: 'failed'; id: number; message: string; code?: string };

async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('csvRangeWorker must run as a worker thread');
  const setup = workerData as RangeWorkerSetup;
  const layout = csvLayout(setup.header, setup.file, setup.hadTypeLine);
  const fd = openSync(setup.path, 'r');
  const fileSetup = { file: setup.file, layout, recordDelimiter: setup.recordDelimiter };
  const post = (reply: RangeWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

  const queue: RangeWorkerRequest[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: RangeWorkerRequest) => {
    queue.push(m);
    wake?.();
  });
  for (;;) {
    while (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
    wake = undefined;
    const request = queue.shift()!;
    if (request.type === 'close') break;
    const { id, task } = request;
    try {
      const encoder = new ItemBatchEncoder();
      const range = readCsvRange(fd, task, fileSetup);
      let next = await range.next();
      while (next.done !== true) {
        for (const item of next.value) encoder.add(item);
        if (encoder.count >= setup.batchRows) {
          const batch = encoder.take();
          post({ type: 'batch', id, batch }, transferablesOf(batch));
        }
        next = await range.next();
      }
      if (encoder.count > 0) {
        const batch = encoder.take();
        post({ type: 'batch', id, batch }, transferablesOf(batch));
      }
      post({ type: 'done', id, result: next.value });
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      post({ type: 'failed', id, message: error instanceof Error ? error.message : String(e), ...(error.code ? { code: error.code } : {}) });
    }
  }
  closeSync(fd);
  port.close();
}

void serve();
