// Marks on meetings that gained records and need (re-)analysis, and the status of the last analysis
// run. A mark is cleared with an ETag-conditional delete, so a mark set again while its meeting was
// being analysed survives for the next run.
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { decodeKey, encodeKey, prefixUpperBound, shardOf } from './keys.js';
import { TableBatchWriter } from './batchWriter.js';
import { isNotFound, isPreconditionFailed, listAll, listPage, num, optStr, str, stringLiteral } from './tableEntities.js';

/** Marks live in 16 partitions `pending-0` … `pending-f` (by meeting), so they are written in parallel. */
const PENDING = 'pending-';
const PENDING_RANGE = `PartitionKey ge ${stringLiteral(PENDING)} and PartitionKey lt ${stringLiteral(prefixUpperBound(PENDING))}`;

function markKeys(meetingId: string): { partitionKey: string; rowKey: string } {
  const rowKey = encodeKey(meetingId, 'meeting id');
  return { partitionKey: PENDING + shardOf(rowKey), rowKey };
}
const STATUS = 'status';
const LAST_RUN = 'lastAnalysisRun';

export interface Mark {
  meetingId: string;
  markedAt: string;
  /** The ETag read with the mark; clearing succeeds only while it is unchanged. */
  etag: string;
}

export interface AnalysisRunStatus {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  analysed: number;
  failed: number;
  /** Marks left for the next run (deadline reached), as counted at the end of the run. */
  remaining: number;
  stoppedByDeadline: boolean;
  /** Short description of the last failure, without personal data. */
  lastError?: string;
}

export class MarksTable {
  constructor(readonly client: TableClient) {}

  /** Marks meetings for analysis (upsert: a mark set again gets a new ETag). */
  async mark(meetingIds: Iterable<string>, now = new Date()): Promise<number> {
    const writer = new TableBatchWriter(this.client);
    const markedAt = now.toISOString();
    let count = 0;
    for (const meetingId of meetingIds) {
      await writer.upsert({ ...markKeys(meetingId), markedAt, token: randomUUID() });
      count++;
    }
    await writer.flush();
    return count;
  }

  /** Pending marks, at most `limit` (in key order). */
  async listPending(limit = Number.POSITIVE_INFINITY): Promise<Mark[]> {
    const marks: Mark[] = [];
    let continuationToken: string | undefined;
    do {
      const pageSize = Math.min(1000, Math.max(1, limit - marks.length));
      const options: { filter: string; limit: number; continuationToken?: string } = {
        filter: PENDING_RANGE,
        limit: pageSize,
      };
      if (continuationToken !== undefined) options.continuationToken = continuationToken;
      const page = await listPage(this.client, options);
      for (const entity of page.items) {
        marks.push({ meetingId: decodeKey(entity.rowKey), markedAt: str(entity, 'markedAt'), etag: str(entity, 'etag') });
      }
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined && marks.length < limit);
    return marks.slice(0, Number.isFinite(limit) ? limit : undefined);
  }

  /** Deletes the mark if it has not been set again since it was read; false when it was (or is gone). */
  async clear(mark: Mark): Promise<boolean> {
    try {
      const { partitionKey, rowKey } = markKeys(mark.meetingId);
      await this.client.deleteEntity(partitionKey, rowKey, { etag: mark.etag });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  /** True when the meeting is waiting for analysis. */
  async isMarked(meetingId: string): Promise<boolean> {
    try {
      const { partitionKey, rowKey } = markKeys(meetingId);
      await this.client.getEntity(partitionKey, rowKey);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async countPending(): Promise<number> {
    const entities = await listAll(this.client, PENDING_RANGE, ['RowKey']);
    return entities.length;
  }

  async recordRun(status: AnalysisRunStatus): Promise<void> {
    await this.client.upsertEntity({ partitionKey: STATUS, rowKey: LAST_RUN, ...status }, 'Replace');
  }

  async lastRun(): Promise<AnalysisRunStatus | undefined> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(STATUS, LAST_RUN);
      const status: AnalysisRunStatus = {
        startedAt: str(entity, 'startedAt'),
        finishedAt: str(entity, 'finishedAt'),
        durationMs: num(entity, 'durationMs') ?? 0,
        analysed: num(entity, 'analysed') ?? 0,
        failed: num(entity, 'failed') ?? 0,
        remaining: num(entity, 'remaining') ?? 0,
        stoppedByDeadline: entity.stoppedByDeadline === true,
      };
      const lastError = optStr(entity, 'lastError');
      if (lastError !== undefined) status.lastError = lastError;
      return status;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
