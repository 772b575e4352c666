// Marks on meetings that gained records and need (re-)analysis, and the status of the last analysis
// run. Ingestion writes one mark per (meeting, blob version) naming the session bundles and
// MeetingDetail records it added, so the analysis finds them by point reads. Marks are cleared with
// ETag-conditional deletes: a mark written again while its meeting was analysed survives the run.
// The status partition also keeps which config the analysed meetings were (re-)marked for.
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { decodeKey, encodeKey, keyComponent, shardOf } from './keys.js';
import { eq, startsWith } from './odata.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { guardEntity, readSplitString } from './entityGuards.js';
import {
  getEntityIfExists,
  setOptStr,
  isNotFound,
  isPreconditionFailed,
  listAll,
  num,
  optStr,
  str,
} from './tableEntities.js';

/** Marks live in 16 partitions `pending-0` … `pending-f` (by meeting), so they are written in parallel. */
const PENDING = 'pending-';
const PENDING_RANGE = startsWith('PartitionKey', PENDING);
const STATUS = 'status';
const LAST_RUN = 'lastAnalysisRun';
const CONFIG_STATE = 'analysisConfig';
/** Source part of the RowKey of a mark set by hand (no index). */
const MANUAL = '~manual';

/** What one ingestion added to a meeting: RowKeys of session bundles and of MeetingDetail records (meetings table). */
export interface MarkIndex {
  bundles: string[];
  details: string[];
}

/** All marks of one meeting. */
export interface PendingMeeting {
  meetingId: string;
  /** The mark rows with the ETags read; clearing succeeds only while they are unchanged. */
  rows: Array<{ partitionKey: string; rowKey: string; etag: string }>;
  /** Union of the rows' indexes. */
  index: MarkIndex;
  /** False when some mark was set by hand (it names nothing). */
  indexed: boolean;
  markedAt: string;
}

function markKeys(meetingId: string, source: string): { partitionKey: string; rowKey: string } {
  const meetingKey = encodeKey(meetingId, 'meeting id');
  return { partitionKey: PENDING + shardOf(meetingKey), rowKey: `${meetingKey}|${source}` };
}

/** The filter selecting every mark row of one meeting. */
function meetingFilter(meetingId: string): string {
  const { partitionKey, rowKey } = markKeys(meetingId, '');
  return `${eq('PartitionKey', partitionKey)} and ${startsWith('RowKey', rowKey)}`;
}

function group(
  entities: Array<Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string }>,
): PendingMeeting[] {
  const byMeeting = new Map<string, PendingMeeting>();
  for (const e of entities) {
    const bar = e.rowKey.indexOf('|');
    if (bar < 0) continue;
    const meetingId = decodeKey(e.rowKey.slice(0, bar));
    const source = e.rowKey.slice(bar + 1);
    let pending = byMeeting.get(meetingId);
    if (pending === undefined) {
      pending = {
        meetingId,
        rows: [],
        index: { bundles: [], details: [] },
        indexed: true,
        markedAt: str(e, 'markedAt'),
      };
      byMeeting.set(meetingId, pending);
    }
    pending.rows.push({ partitionKey: e.partitionKey, rowKey: e.rowKey, etag: e.etag });
    if (source === MANUAL) pending.indexed = false;
    const index = JSON.parse(readSplitString(e, 'index') ?? '{"bundles":[],"details":[]}') as MarkIndex;
    pending.index.bundles.push(...index.bundles);
    pending.index.details.push(...index.details);
    const markedAt = str(e, 'markedAt');
    if (markedAt < pending.markedAt) pending.markedAt = markedAt;
  }
  for (const p of byMeeting.values()) {
    p.index.bundles = [...new Set(p.index.bundles)];
    p.index.details = [...new Set(p.index.details)];
  }
  return [...byMeeting.values()];
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
  /** Fingerprint of the config the run analysed with. */
  configFingerprint?: string;
  /** Meetings with results marked again by this run because the config changed. */
  remarkedForConfigChange: number;
}

/** A re-marking of every analysed meeting for a new config, not finished yet. */
export interface ConfigRemarking {
  fingerprint: string;
  startedAt: string;
  /** Meetings up to this location key are marked (undefined: none yet). */
  cursor?: string;
  /** Meetings marked so far. */
  meetings: number;
}

/** A finished re-marking. */
export interface ConfigRemark {
  fingerprint: string;
  previousFingerprint: string;
  startedAt: string;
  finishedAt: string;
  meetings: number;
}

/** Which config the analysed meetings have been (re-)marked for. */
export interface AnalysisConfigState {
  /** Every meeting analysed with an earlier config has been marked again since this config was seen. */
  fingerprint: string;
  recordedAt: string;
  remarking?: ConfigRemarking;
  lastRemark?: ConfigRemark;
}

export class MarksTable {
  constructor(readonly client: TableClient) {}

  /** Marks meetings by hand (e.g. after a config change): they are re-analysed from their stored records. */
  async mark(meetingIds: Iterable<string>, now = new Date()): Promise<number> {
    const writer = new TableBatchWriter(this.client);
    let count = 0;
    for (const meetingId of meetingIds) {
      await writer.upsert({ ...markKeys(meetingId, MANUAL), markedAt: now.toISOString(), token: randomUUID() });
      count++;
    }
    await writer.flush();
    return count;
  }

  /** Marks the meetings an ingestion touched, each with what it added (`source` identifies the blob version). */
  async markIngested(
    source: string,
    added: ReadonlyMap<string, MarkIndex>,
    now = new Date(),
    options: BatchWriterOptions = {},
  ): Promise<number> {
    const writer = new TableBatchWriter(this.client, options);
    const sourceKey = keyComponent(source);
    for (const [meetingId, index] of added) {
      const guarded = guardEntity(
        {
          ...markKeys(meetingId, sourceKey),
          markedAt: now.toISOString(),
          token: randomUUID(),
          index: JSON.stringify(index),
        },
        { splittable: ['index'] },
      );
      if (guarded.truncated.length > 0) {
        // Too many bundles to list: a mark without an index makes the analysis query the partition.
        await writer.upsert({ ...markKeys(meetingId, MANUAL), markedAt: now.toISOString(), token: randomUUID() });
      } else {
        await writer.upsert(guarded.entity);
      }
    }
    await writer.flush();
    return added.size;
  }

  /** Every pending meeting with its marks. */
  async listPending(): Promise<PendingMeeting[]> {
    return group(await listAll(this.client, PENDING_RANGE));
  }

  /** The marks of one meeting, if it is waiting for analysis. */
  async pendingFor(meetingId: string): Promise<PendingMeeting | undefined> {
    return group(await listAll(this.client, meetingFilter(meetingId)))[0];
  }

  async isMarked(meetingId: string): Promise<boolean> {
    return (await this.pendingFor(meetingId)) !== undefined;
  }

  /**
   * Deletes the marks read with `pending`, each only if unchanged since. Returns false when some mark
   * was set again (it stays, so the meeting is analysed again next run).
   */
  async clear(pending: PendingMeeting): Promise<boolean> {
    let all = true;
    for (const row of pending.rows) {
      try {
        await this.client.deleteEntity(row.partitionKey, row.rowKey, { etag: row.etag });
      } catch (error) {
        if (isPreconditionFailed(error)) all = false;
        else if (!isNotFound(error)) throw error;
      }
    }
    return all;
  }

  /** Meetings waiting for analysis. */
  async countPending(): Promise<number> {
    const entities = await listAll(this.client, PENDING_RANGE, ['PartitionKey', 'RowKey']);
    return new Set(entities.map((e) => e.rowKey.slice(0, e.rowKey.indexOf('|')))).size;
  }

  async recordRun(status: AnalysisRunStatus): Promise<void> {
    await this.client.upsertEntity({ partitionKey: STATUS, rowKey: LAST_RUN, ...status }, 'Replace');
  }

  async lastRun(): Promise<AnalysisRunStatus | undefined> {
    const entity = await getEntityIfExists(this.client, STATUS, LAST_RUN);
    if (entity === undefined) return undefined;
    const status: AnalysisRunStatus = {
      startedAt: str(entity, 'startedAt'),
      finishedAt: str(entity, 'finishedAt'),
      durationMs: num(entity, 'durationMs') ?? 0,
      analysed: num(entity, 'analysed') ?? 0,
      failed: num(entity, 'failed') ?? 0,
      remaining: num(entity, 'remaining') ?? 0,
      stoppedByDeadline: entity.stoppedByDeadline === true,
      remarkedForConfigChange: num(entity, 'remarkedForConfigChange') ?? 0,
    };
    setOptStr(status, entity, 'lastError');
    setOptStr(status, entity, 'configFingerprint');
    return status;
  }

  async recordConfigState(state: AnalysisConfigState): Promise<void> {
    const entity: Record<string, string | number> = { fingerprint: state.fingerprint, recordedAt: state.recordedAt };
    if (state.remarking !== undefined) {
      entity.remarkingFingerprint = state.remarking.fingerprint;
      entity.remarkingStartedAt = state.remarking.startedAt;
      entity.remarkingMeetings = state.remarking.meetings;
      if (state.remarking.cursor !== undefined) entity.remarkingCursor = state.remarking.cursor;
    }
    if (state.lastRemark !== undefined) {
      entity.lastRemarkFingerprint = state.lastRemark.fingerprint;
      entity.lastRemarkPreviousFingerprint = state.lastRemark.previousFingerprint;
      entity.lastRemarkStartedAt = state.lastRemark.startedAt;
      entity.lastRemarkFinishedAt = state.lastRemark.finishedAt;
      entity.lastRemarkMeetings = state.lastRemark.meetings;
    }
    await this.client.upsertEntity({ partitionKey: STATUS, rowKey: CONFIG_STATE, ...entity }, 'Replace');
  }

  /** The recorded config state, or undefined before the first analysis run recorded one. */
  async configState(): Promise<AnalysisConfigState | undefined> {
    const entity = await getEntityIfExists(this.client, STATUS, CONFIG_STATE);
    if (entity === undefined) return undefined;
    const state: AnalysisConfigState = {
      fingerprint: str(entity, 'fingerprint'),
      recordedAt: str(entity, 'recordedAt'),
    };
    const remarking = optStr(entity, 'remarkingFingerprint');
    if (remarking !== undefined) {
      state.remarking = {
        fingerprint: remarking,
        startedAt: str(entity, 'remarkingStartedAt'),
        meetings: num(entity, 'remarkingMeetings') ?? 0,
      };
      const cursor = optStr(entity, 'remarkingCursor');
      if (cursor !== undefined) state.remarking.cursor = cursor;
    }
    const last = optStr(entity, 'lastRemarkFingerprint');
    if (last !== undefined) {
      state.lastRemark = {
        fingerprint: last,
        previousFingerprint: str(entity, 'lastRemarkPreviousFingerprint'),
        startedAt: str(entity, 'lastRemarkStartedAt'),
        finishedAt: str(entity, 'lastRemarkFinishedAt'),
        meetings: num(entity, 'lastRemarkMeetings') ?? 0,
      };
    }
    return state;
  }
}
