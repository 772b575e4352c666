// The logexports table: meetings whose current result still has to be sent to Log Analytics, and the status of the
// last export. The analysis queues a meeting when it stores a new result (one entity per meeting, so a meeting
// analysed again before it was sent is sent once, with its newer result); the export removes the entry with an
// ETag-conditional delete once the rows are accepted, so an entry queued again meanwhile survives. A failed upload
// leaves its entries for the next run.
import type { TableClient } from '@azure/data-tables';
import { decodeKey, encodeKey } from './keys.js';
import {
  getEntityIfExists,
  setOptStr,
  isNotFound,
  isPreconditionFailed,
  listPage,
  num,
  optStr,
  str,
  stringLiteral,
} from './tableEntities.js';

const PENDING = 'pending';
const STATUS = 'status';
const LAST_EXPORT = 'lastExport';
const SITE_RATES = 'siteDropRates';
/** Longest error text stored (the full text is in the function's log). */
const MAX_ERROR_CHARS = 2000;

/** A meeting waiting to be sent, with the analysis that produced its result. */
export interface QueuedExport {
  meetingId: string;
  /** Start time (ISO) of the analysis run. */
  run: string;
  /** When the meeting was analysed (the result's analysedAt). */
  analysedAt: string;
  configFingerprint: string;
  queuedAt: string;
  /** Failed uploads of this entry so far. */
  attempts: number;
  etag: string;
}

export interface LogExportStatus {
  startedAt: string;
  finishedAt: string;
  /** Meetings whose rows were accepted. */
  meetingsSent: number;
  rowsSent: number;
  /** Meetings left queued for the next run (failed uploads, or not reached before the deadline). */
  meetingsLeft: number;
  /** Queued meetings with no stored result any more (removed from the queue). */
  meetingsGone: number;
  /** Site drop-rate rows sent by this export (0 when they were not due). */
  siteRatesSent: number;
  /** What went wrong, without personal data. */
  lastError?: string;
}

export class LogExportQueue {
  constructor(readonly client: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.client.createTable();
  }

  /** Queues (or re-queues with the newer analysis) one meeting. */
  async add(entry: Omit<QueuedExport, 'etag' | 'attempts'>): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: PENDING,
        rowKey: encodeKey(entry.meetingId, 'meeting id'),
        meetingId: entry.meetingId,
        run: entry.run,
        analysedAt: entry.analysedAt,
        configFingerprint: entry.configFingerprint,
        queuedAt: entry.queuedAt,
        attempts: 0,
      },
      'Replace',
    );
  }

  /** At most `limit` queued meetings, oldest key first. */
  async list(limit: number): Promise<QueuedExport[]> {
    const page = await listPage(this.client, { filter: `PartitionKey eq ${stringLiteral(PENDING)}`, limit });
    return page.items.map((e) => ({
      meetingId: optStr(e, 'meetingId') ?? decodeKey(e.rowKey),
      run: str(e, 'run'),
      analysedAt: str(e, 'analysedAt'),
      configFingerprint: str(e, 'configFingerprint'),
      queuedAt: str(e, 'queuedAt'),
      attempts: num(e, 'attempts') ?? 0,
      etag: str(e, 'etag'),
    }));
  }

  /** Removes an entry unless it was queued again since it was read; true when removed (or already gone). */
  async remove(entry: QueuedExport): Promise<boolean> {
    try {
      await this.client.deleteEntity(PENDING, encodeKey(entry.meetingId, 'meeting id'), { etag: entry.etag });
      return true;
    } catch (error) {
      if (isNotFound(error)) return true;
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  /** Counts one more failed upload of an entry (kept unless it was queued again since it was read). */
  async recordFailure(entry: QueuedExport): Promise<void> {
    try {
      await this.client.updateEntity(
        { partitionKey: PENDING, rowKey: encodeKey(entry.meetingId, 'meeting id'), attempts: entry.attempts + 1 },
        'Merge',
        { etag: entry.etag },
      );
    } catch (error) {
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    }
  }

  async recordStatus(status: LogExportStatus): Promise<void> {
    const entity: Record<string, unknown> = { partitionKey: STATUS, rowKey: LAST_EXPORT, ...status };
    if (status.lastError !== undefined) entity['lastError'] = status.lastError.slice(0, MAX_ERROR_CHARS);
    await this.client.upsertEntity(entity as { partitionKey: string; rowKey: string }, 'Replace');
  }

  /** When the site drop rates were last accepted (ISO), if ever. */
  async siteRatesSentAt(): Promise<string | undefined> {
    const entity = await getEntityIfExists(this.client, STATUS, SITE_RATES);
    return entity === undefined ? undefined : optStr(entity, 'sentAt');
  }

  async recordSiteRatesSent(sentAt: string): Promise<void> {
    await this.client.upsertEntity({ partitionKey: STATUS, rowKey: SITE_RATES, sentAt }, 'Replace');
  }

  async lastStatus(): Promise<LogExportStatus | undefined> {
    const e = await getEntityIfExists(this.client, STATUS, LAST_EXPORT);
    if (e === undefined) return undefined;
    const status: LogExportStatus = {
      startedAt: str(e, 'startedAt'),
      finishedAt: str(e, 'finishedAt'),
      meetingsSent: num(e, 'meetingsSent') ?? 0,
      rowsSent: num(e, 'rowsSent') ?? 0,
      meetingsLeft: num(e, 'meetingsLeft') ?? 0,
      meetingsGone: num(e, 'meetingsGone') ?? 0,
      siteRatesSent: num(e, 'siteRatesSent') ?? 0,
    };
    setOptStr(status, e, 'lastError');
    return status;
  }
}
