// Transactional writes to one table: entities grouped by PartitionKey into batches of at most 100
// operations and under 4 MiB of payload, several batches in flight at once up to a bound.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { estimatePayloadBytes, type TableEntityShape } from './entityGuards.js';

export const MAX_BATCH_OPERATIONS = 100;
/** The service refuses change sets of 4 MiB or more; we stop well below, since our size is an estimate. */
export const MAX_BATCH_PAYLOAD_BYTES = 3.5 * 1024 * 1024;
export const DEFAULT_WRITE_CONCURRENCY = 8;
/** Operations held in partition buffers before the oldest buffers are committed early. */
export const DEFAULT_MAX_BUFFERED_OPERATIONS = 1000;

export interface TransactionInfo {
  partitionKey: string;
  operations: number;
  payloadBytes: number;
}

export interface BatchWriterOptions {
  /** Transactions in flight at once (default 8). */
  concurrency?: number;
  maxOperations?: number;
  maxPayloadBytes?: number;
  /**
   * Operations held across all partition buffers before the oldest buffers are committed, even if
   * not full (default 3000): bounds memory and lets writing overlap reading.
   */
  maxBufferedOperations?: number;
  /** Called after each committed transaction (tests and the benchmark watch the batch sizes). */
  onTransaction?: (info: TransactionInfo) => void;
  /** Called after each committed transaction with the entities it upserted (e.g. to index them). */
  onCommit?: (partitionKey: string, upserted: TableEntityShape[]) => void;
}

export interface WriteStats {
  transactions: number;
  operations: number;
}

/** A transaction the service refused or could not be reached for. Carries no entity content. */
export class TableWriteError extends Error {
  override name = 'TableWriteError';
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface PartitionBuffer {
  actions: TransactionAction[];
  rowKeys: Set<string>;
  bytes: number;
}

/**
 * Collects upserts and deletes and commits them as batch transactions. `add`/`remove`
 * wait when `concurrency` transactions are already in flight, which bounds memory while streaming.
 * Call `flush()` at the end; it rejects with the first failure (later adds reject with it too).
 */
export class TableBatchWriter {
  private readonly buffers = new Map<string, PartitionBuffer>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private readonly concurrency: number;
  private readonly maxOperations: number;
  private readonly maxPayloadBytes: number;
  private readonly maxBuffered: number;
  private buffered = 0;
  private readonly stats: WriteStats = { transactions: 0, operations: 0 };

  constructor(
    private readonly client: TableClient,
    private readonly options: BatchWriterOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_WRITE_CONCURRENCY);
    this.maxOperations = Math.min(MAX_BATCH_OPERATIONS, Math.max(1, options.maxOperations ?? MAX_BATCH_OPERATIONS));
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_BATCH_PAYLOAD_BYTES;
    this.maxBuffered = Math.max(this.maxOperations, options.maxBufferedOperations ?? DEFAULT_MAX_BUFFERED_OPERATIONS);
  }

  /** Queues an upsert: Replace (the default) writes the whole entity, Merge only the given properties. */
  async upsert(entity: TableEntityShape, mode: 'Replace' | 'Merge' = 'Replace'): Promise<void> {
    await this.queue(entity.partitionKey, entity.rowKey, ['upsert', entity, mode], estimatePayloadBytes(entity));
  }

  /** Queues a delete (the entity must exist, or the whole transaction fails). */
  async remove(partitionKey: string, rowKey: string): Promise<void> {
    await this.queue(
      partitionKey,
      rowKey,
      ['delete', { partitionKey, rowKey }],
      400 + (partitionKey.length + rowKey.length) * 3,
    );
  }

  /** Commits everything queued and waits for all transactions. */
  async flush(): Promise<WriteStats> {
    for (const partitionKey of [...this.buffers.keys()]) await this.dispatch(partitionKey);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
    return { ...this.stats };
  }

  private async queue(partitionKey: string, rowKey: string, action: TransactionAction, bytes: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    let buffer = this.buffers.get(partitionKey);
    if (buffer && (buffer.rowKeys.has(rowKey) || buffer.bytes + bytes > this.maxPayloadBytes)) {
      await this.dispatch(partitionKey);
      buffer = undefined;
    }
    if (!buffer) {
      buffer = { actions: [], rowKeys: new Set(), bytes: 0 };
      this.buffers.set(partitionKey, buffer);
    }
    buffer.actions.push(action);
    buffer.rowKeys.add(rowKey);
    buffer.bytes += bytes;
    this.buffered++;
    if (buffer.actions.length >= this.maxOperations) await this.dispatch(partitionKey);
    // Over the bound: commit the oldest buffers (in time-ordered exports, meetings that are complete).
    while (this.buffered > this.maxBuffered) {
      const oldest = this.buffers.keys().next();
      if (oldest.done === true) break;
      await this.dispatch(oldest.value);
    }
  }

  private async dispatch(partitionKey: string): Promise<void> {
    const buffer = this.buffers.get(partitionKey);
    if (!buffer || buffer.actions.length === 0) return;
    this.buffers.delete(partitionKey);
    this.buffered -= buffer.actions.length;
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    const task = this.commit(partitionKey, buffer).then(
      () => undefined,
      (error: unknown) => {
        if (this.failure === undefined) this.failure = error instanceof Error ? error : new Error(String(error));
      },
    );
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async commit(partitionKey: string, buffer: PartitionBuffer): Promise<void> {
    try {
      await this.client.submitTransaction(buffer.actions);
    } catch (error) {
      throw describeTransactionError(error, buffer.actions.length);
    }
    this.stats.transactions++;
    this.stats.operations += buffer.actions.length;
    if (this.options.onCommit !== undefined) {
      const upserted = buffer.actions.filter((a) => a[0] === 'upsert').map((a) => a[1] as TableEntityShape);
      this.options.onCommit(partitionKey, upserted);
    }
    this.options.onTransaction?.({ partitionKey, operations: buffer.actions.length, payloadBytes: buffer.bytes });
  }
}

/** A TableWriteError saying what failed without repeating entity content (which may hold PII). */
export function describeTransactionError(error: unknown, operations: number): TableWriteError {
  const status = statusOf(error);
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const index = /^(\d+):/.exec(message)?.[1];
  const isRestError = (error as { name?: unknown } | null)?.name === 'RestError';
  const what =
    status !== undefined
      ? `status ${status}${code ? ` ${code}` : ''}${index !== undefined ? ` at operation ${index}` : ''}`
      : isRestError
        ? `storage unreachable (${code ?? 'no response'})`
        : (message.split('\n')[0] ?? 'unknown error');
  return new TableWriteError(`batch of ${operations} operations failed: ${what}`, status, { cause: error });
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
