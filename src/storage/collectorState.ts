// The Management Activity API collector's position and status in one table: the end of the last
// window whose content was all fetched (per content type), every content id already fetched (one
// partition per content type and day, purged 8 days on), the last subscription start attempt, and
// the last run's outcome that /api/health shows.
import type { TableClient } from '@azure/data-tables';
import { TableBatchWriter } from './batchWriter.js';
import { decodeKey, encodeKey, keyComponent } from './keys.js';
import { startsWith } from './odata.js';
import { getEntityIfExists, double, doubleLiteral, listAll, num, optStr, str, stringLiteral } from './tableEntities.js';

const STATUS_PARTITION = 'status';
const LAST_RUN = 'lastRun';
const CONTENT_PREFIX = 'content.';
/** Content ids are forgotten this long after their blob was created (the API keeps blobs 7 days). */
export const CONTENT_ID_RETENTION_MS = 8 * 24 * 3_600_000;
/** Longest error text stored (the full text is in the function's log). */
const MAX_ERROR_CHARS = 2000;

export type CollectorRunOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'waiting-for-subscription';

export interface CollectorRunStatus {
  startedAt: string;
  finishedAt?: string;
  status: CollectorRunOutcome;
  /** Kind of the error (credentials, permission, throttled, deadline, …) when there was one. */
  errorKind?: string;
  /** What went wrong and what to do; no secrets, no personal data. */
  error?: string;
  windowsCompleted: number;
  contentListed: number;
  contentFetched: number;
  /** Content ids listed again but already fetched earlier. */
  contentSkipped: number;
  /** Content that had expired (AF20051) before it could be fetched. */
  contentExpired: number;
  recordsKept: number;
  blobsWritten: number;
  retries: number;
  lastWindowEnd?: string;
}

export interface RecordedContent {
  contentType: string;
  contentId: string;
  /** The UTC day (yyyy-mm-dd, or 'undated') the content was created: the partition of its id. */
  day: string;
  contentCreated?: string;
  /** Meeting records kept from it (0: no blob was written). */
  records: number;
  blobName?: string;
  expired: boolean;
}

function positionKey(contentType: string): string {
  return `position.${keyComponent(contentType)}`;
}

function subscriptionKey(contentType: string): string {
  return `subscription.${keyComponent(contentType)}`;
}

/** Partition of the content ids of one content type and UTC day (yyyy-mm-dd, or 'undated'). */
export function contentPartition(contentType: string, day: string): string {
  return `${CONTENT_PREFIX}${keyComponent(contentType)}.${keyComponent(day)}`;
}

function createdMs(contentCreated: string | undefined): number | undefined {
  if (contentCreated === undefined) return undefined;
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(contentCreated) ? contentCreated : `${contentCreated}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function runFromEntity(entity: Record<string, unknown>): CollectorRunStatus {
  const run: CollectorRunStatus = {
    startedAt: str(entity, 'startedAt'),
    status: (optStr(entity, 'status') as CollectorRunOutcome | undefined) ?? 'failed',
    windowsCompleted: num(entity, 'windowsCompleted') ?? 0,
    contentListed: num(entity, 'contentListed') ?? 0,
    contentFetched: num(entity, 'contentFetched') ?? 0,
    contentSkipped: num(entity, 'contentSkipped') ?? 0,
    contentExpired: num(entity, 'contentExpired') ?? 0,
    recordsKept: num(entity, 'recordsKept') ?? 0,
    blobsWritten: num(entity, 'blobsWritten') ?? 0,
    retries: num(entity, 'retries') ?? 0,
  };
  for (const field of ['finishedAt', 'errorKind', 'error', 'lastWindowEnd'] as const) {
    const value = optStr(entity, field);
    if (value !== undefined) run[field] = value;
  }
  return run;
}

export class CollectorState {
  constructor(readonly client: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.client.createTable();
  }

  private async get(partitionKey: string, rowKey: string): Promise<Record<string, unknown> | undefined> {
    return getEntityIfExists(this.client, partitionKey, rowKey);
  }

  /** End of the last window whose content was all fetched, if any. */
  async lastWindowEnd(contentType: string): Promise<Date | undefined> {
    const entity = await this.get(STATUS_PARTITION, positionKey(contentType));
    const text = entity ? optStr(entity, 'lastWindowEnd') : undefined;
    return text === undefined ? undefined : new Date(text);
  }

  async setLastWindowEnd(contentType: string, end: Date, now: Date): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: STATUS_PARTITION,
        rowKey: positionKey(contentType),
        contentType,
        lastWindowEnd: end.toISOString(),
        updatedAt: now.toISOString(),
      },
      'Replace',
    );
  }

  async lastSubscriptionStartAttempt(contentType: string): Promise<Date | undefined> {
    const entity = await this.get(STATUS_PARTITION, subscriptionKey(contentType));
    const text = entity ? optStr(entity, 'lastStartAttempt') : undefined;
    return text === undefined ? undefined : new Date(text);
  }

  /** Recorded before the start call, so that a crash during it still counts against the 15-minute rule. */
  async recordSubscriptionStartAttempt(contentType: string, at: Date, outcome: string): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: STATUS_PARTITION,
        rowKey: subscriptionKey(contentType),
        contentType,
        lastStartAttempt: at.toISOString(),
        outcome,
      },
      'Replace',
    );
  }

  /** The content ids already fetched among those created on the given days (see RecordedContent.day). */
  async fetchedContentIds(contentType: string, days: Iterable<string>): Promise<Set<string>> {
    const ids = new Set<string>();
    await Promise.all(
      [...new Set(days)].map(async (day) => {
        const entities = await listAll(
          this.client,
          `PartitionKey eq ${stringLiteral(contentPartition(contentType, day))}`,
          ['RowKey'],
        );
        for (const entity of entities) ids.add(decodeKey(entity.rowKey));
      }),
    );
    return ids;
  }

  async recordContent(content: RecordedContent, now: Date): Promise<void> {
    const day = content.day;
    const created = createdMs(content.contentCreated) ?? now.getTime();
    await this.client.upsertEntity(
      {
        partitionKey: contentPartition(content.contentType, day),
        rowKey: encodeKey(content.contentId, 'content id'),
        contentType: content.contentType,
        contentCreated: content.contentCreated,
        fetchedAt: now.toISOString(),
        records: content.records,
        blobName: content.blobName,
        expired: content.expired,
        expiresAt: double(created + CONTENT_ID_RETENTION_MS),
      },
      'Replace',
    );
  }

  /** Deletes content ids past their retention; returns how many. */
  async purgeExpiredContent(now: Date): Promise<number> {
    const filter =
      `${startsWith('PartitionKey', CONTENT_PREFIX)} ` + `and expiresAt lt ${doubleLiteral(now.getTime())}`;
    const entities = await listAll(this.client, filter, ['PartitionKey', 'RowKey']);
    const writer = new TableBatchWriter(this.client);
    for (const entity of entities) await writer.remove(entity.partitionKey, entity.rowKey);
    await writer.flush();
    return entities.length;
  }

  async recordRun(run: CollectorRunStatus): Promise<void> {
    const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: STATUS_PARTITION,
      rowKey: LAST_RUN,
      ...run,
    };
    if (run.error !== undefined && run.error.length > MAX_ERROR_CHARS)
      entity['error'] = `${run.error.slice(0, MAX_ERROR_CHARS)}…`;
    await this.client.upsertEntity(entity, 'Replace');
  }

  async lastRun(): Promise<CollectorRunStatus | undefined> {
    const entity = await this.get(STATUS_PARTITION, LAST_RUN);
    return entity ? runFromEntity(entity) : undefined;
  }
}
