// The meetings table, partitioned by encoded meeting id like the sessions table. It holds the
// MeetingDetail records (RowKey = encoded record id), session bundles (RowKey `~~b|<source>|<first
// session key>`): a copy of each committed batch of sessions in one entity, so a meeting's sessions are
// read with a few point reads instead of a partition query; and detail copies (RowKey
// `~~d|<source>|<record key>`): which export version brought each MeetingDetail record. Bundles and
// detail copies are the provenance that replacing or withdrawing an export works from.
import type { TableClient } from '@azure/data-tables';
import type { MeetingDetailRecord, SessionRecord } from '../audit/records.js';
import { entityToSession, sessionEndedBefore } from './sessionsTable.js';
import { decodeKey, encodeKey, prefixUpperBound } from './keys.js';
import { guardEntity, readSplitString, type GuardedEntity, type TableEntityShape } from './entityGuards.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { allOf, anyBefore, eq, startsWith } from './odata.js';
import { deleteEntities, pagesOf, type EntityKey } from './purge.js';
import { mapBounded } from '../concurrency.js';
import {
  getEntityIfExists,
  double,
  isNotFound,
  latestOf,
  listAll,
  num,
  optStr,
  str,
  stringLiteral,
} from './tableEntities.js';

/** The times of a MeetingDetail record (and its detail copies); its latest is what retention goes by. */
const DETAIL_TIMES = ['startTime', 'endTime', 'creationTime'] as const;

export function meetingDetailToEntity(detail: MeetingDetailRecord): GuardedEntity {
  const entity: TableEntityShape = {
    partitionKey: encodeKey(detail.meetingId, 'meeting Id', 'meetingId'),
    rowKey: encodeKey(detail.recordId, 'record Id', 'recordId'),
    creationTime: double(detail.creationTime),
    organizerUpn: detail.organizerUpn,
    organizerId: detail.organizerId,
    organizerOrganizationId: detail.organizerOrganizationId,
    startTime: double(detail.startTime),
    endTime: double(detail.endTime),
    startTimeRaw: detail.startTimeRaw,
    endTimeRaw: detail.endTimeRaw,
    meetingUrl: detail.meetingUrl,
    chatThreadId: detail.chatThreadId,
    communicationType: detail.communicationType,
    communicationSubType: detail.communicationSubType,
    meetingType: detail.meetingType,
    sourceFile: detail.source.file,
    sourceLine: detail.source.line,
  };
  return guardEntity(entity, { splittable: ['meetingUrl'] });
}

/** Properties of a MeetingDetail entity (selected so that bundle contents are not downloaded with them). */
const DETAIL_PROPERTIES = [
  'creationTime',
  'organizerUpn',
  'organizerId',
  'organizerOrganizationId',
  'startTime',
  'endTime',
  'startTimeRaw',
  'endTimeRaw',
  'meetingUrl',
  'meetingUrl__parts',
  'meetingUrl__2',
  'meetingUrl__3',
  'chatThreadId',
  'communicationType',
  'communicationSubType',
  'meetingType',
  'sourceFile',
  'sourceLine',
  'truncatedProperties',
];

export function entityToMeetingDetail(
  entity: Record<string, unknown> & { partitionKey: string; rowKey: string },
): MeetingDetailRecord {
  const detail: MeetingDetailRecord = {
    kind: 'meeting',
    recordId: decodeKey(entity.rowKey),
    meetingId: decodeKey(entity.partitionKey),
    organizerUpn: str(entity, 'organizerUpn'),
    organizerId: str(entity, 'organizerId'),
    organizerOrganizationId: str(entity, 'organizerOrganizationId'),
    startTimeRaw: str(entity, 'startTimeRaw'),
    endTimeRaw: str(entity, 'endTimeRaw'),
    meetingType: str(entity, 'meetingType'),
    source: { file: str(entity, 'sourceFile'), line: num(entity, 'sourceLine') ?? 0 },
  };
  const numbers = ['creationTime', 'startTime', 'endTime'] as const;
  for (const field of numbers) {
    const value = num(entity, field);
    if (value !== undefined) detail[field] = value;
  }
  const meetingUrl = readSplitString(entity, 'meetingUrl');
  if (meetingUrl !== undefined) detail.meetingUrl = meetingUrl;
  const strings = ['chatThreadId', 'communicationType', 'communicationSubType'] as const;
  for (const field of strings) {
    const value = optStr(entity, field);
    if (value !== undefined) detail[field] = value;
  }
  return detail;
}

/** RowKey prefix of session bundles (`~~b|<source>|<first session key>`); sorts after every encoded record id. */
export const BUNDLE_PREFIX = '~~b|';
/** Largest payload (bytes) of a session batch that is bundled, so the bundle stays under the 1 MiB entity limit. */
export const MAX_BUNDLED_BATCH_BYTES = 480_000;

/**
 * The bundle entity of a committed batch of session entities (all of one meeting), written by the
 * ingestion identified by `sourceKey` (a key component: bundles of different blobs never collide).
 */
export function bundleEntity(partitionKey: string, sourceKey: string, sessions: TableEntityShape[]): TableEntityShape {
  const rowKeys = sessions.map((s) => s.rowKey).sort();
  const guarded = guardEntity(
    {
      partitionKey,
      rowKey: `${BUNDLE_PREFIX}${sourceKey}|${rowKeys[0] ?? ''}`,
      count: sessions.length,
      sessions: JSON.stringify(sessions.map(compactSession)),
    },
    { splittable: ['sessions'] },
  );
  if (guarded.truncated.length > 0)
    throw new Error(`a bundle of ${sessions.length} sessions does not fit in one entity`);
  return guarded.entity;
}

/** Properties of a session entity that a bundle leaves out (the partition is the bundle's; the rest is derived). */
const NOT_BUNDLED = new Set(['partitionKey', 'organizerLower', 'attUpnLower']);

/** A session entity as kept in a bundle: without the repeated and derived properties, numbers unwrapped. */
function compactSession(entity: TableEntityShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in entity) {
    const value = entity[name];
    if (value === undefined || NOT_BUNDLED.has(name)) continue;
    out[name] =
      typeof value === 'object' && value !== null && !(value instanceof Date) && 'type' in value ? value.value : value;
  }
  return out;
}

export function entityToBundleSessions(entity: Record<string, unknown>): SessionRecord[] {
  const partitionKey = str(entity, 'partitionKey');
  const stored = JSON.parse(readSplitString(entity, 'sessions') ?? '[]') as Array<
    Record<string, unknown> & { rowKey: string }
  >;
  return stored.map((s) => entityToSession({ ...s, partitionKey }));
}

export function isBundleKey(rowKey: string): boolean {
  return rowKey.startsWith(BUNDLE_PREFIX);
}

/** RowKey prefix of detail copies (`~~d|<source>|<record key>`); sorts after the bundles. */
export const DETAIL_COPY_PREFIX = '~~d|';

/** True for the RowKey of a MeetingDetail record itself (not a bundle or a detail copy). */
export function isDetailKey(rowKey: string): boolean {
  return rowKey < BUNDLE_PREFIX;
}

/** The copy of a MeetingDetail entity that records which ingestion (`sourceKey`, a key component) brought it. */
export function detailCopyEntity(detail: TableEntityShape, sourceKey: string): TableEntityShape {
  return { ...detail, rowKey: `${DETAIL_COPY_PREFIX}${sourceKey}|${detail.rowKey}` };
}

/** What one source (export version) holds in a meeting partition: RowKeys of its bundles and detail copies. */
export interface SourceRows {
  bundles: string[];
  detailCopies: string[];
}

/** The source key and, for a detail copy, the detail's RowKey, of a bundle or detail-copy RowKey. */
export function parseSourceRowKey(
  rowKey: string,
): { kind: 'bundle' | 'detailCopy'; sourceKey: string; rest: string } | undefined {
  const kind = rowKey.startsWith(BUNDLE_PREFIX)
    ? 'bundle'
    : rowKey.startsWith(DETAIL_COPY_PREFIX)
      ? 'detailCopy'
      : undefined;
  if (kind === undefined) return undefined;
  const body = rowKey.slice(BUNDLE_PREFIX.length);
  const bar = body.indexOf('|');
  if (bar < 0) return undefined;
  return { kind, sourceKey: body.slice(0, bar), rest: body.slice(bar + 1) };
}

function sourceRangeFilter(prefix: string, sourceKey: string): string {
  const from = `${prefix}${sourceKey}|`;
  return `(${startsWith('RowKey', from)})`;
}

/** RowKey of the row saying that retention deleted records of the meeting (sorts after the detail copies). */
export const PURGED_ROW = '~~p|records';

/** Thrown when an indexed bundle or detail is missing (the caller falls back to partition queries). */
export class MissingIndexedEntityError extends Error {
  override name = 'MissingIndexedEntityError';
}

export class MeetingsTable {
  constructor(readonly client: TableClient) {}

  /**
   * Records that retention deleted records of this meeting partition (RowKey `~~p|records`, after the
   * detail copies): its analysis keeps the results it has instead of reading what is left as a withdrawal.
   */
  async markRecordsPurged(partitionKey: string, at: Date): Promise<void> {
    await this.client.upsertEntity({ partitionKey, rowKey: PURGED_ROW, purgedAt: at.toISOString() }, 'Replace');
  }

  /** True when retention deleted records of this meeting (see markRecordsPurged). */
  async recordsPurged(meetingId: string): Promise<boolean> {
    try {
      await this.client.getEntity(encodeKey(meetingId, 'meeting id'), PURGED_ROW, {
        queryOptions: { select: ['RowKey'] },
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  writer(options: BatchWriterOptions = {}): TableBatchWriter {
    return new TableBatchWriter(this.client, options);
  }

  /** Keys of the MeetingDetail records and detail copies whose latest time is before `cutoff`, page by page. */
  async *detailsOlderThan(cutoff: number): AsyncGenerator<EntityKey[]> {
    const select = ['PartitionKey', 'RowKey', ...DETAIL_TIMES];
    for await (const page of pagesOf(this.client, anyBefore(DETAIL_TIMES, cutoff), { select })) {
      yield page
        .filter((e) => (latestOf(e, DETAIL_TIMES) ?? Infinity) < cutoff)
        .map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey }));
    }
  }

  /** Drops sessions ended before `cutoff` from a meeting's bundles (rewritten, or deleted once empty). */
  async dropBundledSessionsBefore(
    partitionKey: string,
    cutoff: number,
  ): Promise<{ rewritten: number; deleted: number }> {
    const done = { rewritten: 0, deleted: 0 };
    // Small pages: a bundle can be close to 1 MiB.
    const filter = allOf([eq('PartitionKey', partitionKey), startsWith('RowKey', BUNDLE_PREFIX)]);
    for await (const page of pagesOf(this.client, filter, { pageSize: 20 })) {
      for (const bundle of page) {
        const sessions = JSON.parse(readSplitString(bundle, 'sessions') ?? '[]') as Array<Record<string, unknown>>;
        const kept = sessions.filter((s) => !sessionEndedBefore(s, cutoff));
        if (kept.length === sessions.length) continue;
        if (kept.length === 0) {
          done.deleted += await deleteEntities(this.client, [bundle]);
          continue;
        }
        const rewritten = guardEntity(
          { partitionKey, rowKey: bundle.rowKey, count: kept.length, sessions: JSON.stringify(kept) },
          { splittable: ['sessions'] },
        );
        await this.client.upsertEntity(rewritten.entity, 'Replace');
        done.rewritten++;
      }
    }
    return done;
  }

  /** Deletes entities by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    return deleteEntities(this.client, keys);
  }

  /** The MeetingDetail records stored for a meeting (normally one), by partition query. */
  async listMeeting(meetingId: string): Promise<MeetingDetailRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const entities = await listAll(
      this.client,
      `PartitionKey eq ${stringLiteral(partitionKey)} and RowKey lt ${stringLiteral(BUNDLE_PREFIX)}`,
    );
    return entities.map(entityToMeetingDetail);
  }

  /** The MeetingDetail records and the bundle RowKeys of a meeting, by one partition query. */
  async listMeetingWithBundles(
    meetingId: string,
  ): Promise<{ details: MeetingDetailRecord[]; detailKeys: string[]; bundleKeys: string[] }> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const entities = await listAll(this.client, `PartitionKey eq ${stringLiteral(partitionKey)}`, [
      'PartitionKey',
      'RowKey',
      ...DETAIL_PROPERTIES,
    ]);
    const details = entities.filter((e) => isDetailKey(e.rowKey));
    return {
      details: details.map(entityToMeetingDetail),
      detailKeys: details.map((e) => e.rowKey),
      bundleKeys: entities.filter((e) => isBundleKey(e.rowKey)).map((e) => e.rowKey),
    };
  }

  /**
   * Sessions of the given bundles of a meeting, by point reads. Throws MissingIndexedEntityError for a
   * missing bundle, unless `skipMissing` (then a bundle deleted meanwhile counts as empty).
   */
  async readBundles(meetingId: string, rowKeys: readonly string[], skipMissing = false): Promise<SessionRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const bundles = await mapBounded(rowKeys, async (rowKey) => {
      const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
      if (entity !== undefined) return entityToBundleSessions(entity);
      if (skipMissing) return [];
      throw new MissingIndexedEntityError(`a session bundle of meeting ${meetingId} is missing`);
    });
    return bundles.flat();
  }

  /** The given MeetingDetail records of a meeting, by point reads. Throws MissingIndexedEntityError for a missing one. */
  async readDetails(meetingId: string, rowKeys: readonly string[]): Promise<MeetingDetailRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    return mapBounded(rowKeys, async (rowKey) => {
      const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
      if (entity === undefined)
        throw new MissingIndexedEntityError(`a MeetingDetail record of meeting ${meetingId} is missing`);
      return entityToMeetingDetail({ ...entity, partitionKey, rowKey });
    });
  }

  /**
   * Meetings where a source (an export version, as a key component) has bundles or detail copies. A
   * query across partitions (by RowKey range), reading keys only.
   */
  async meetingsWithSource(sourceKey: string): Promise<string[]> {
    const filter = `${sourceRangeFilter(BUNDLE_PREFIX, sourceKey)} or ${sourceRangeFilter(DETAIL_COPY_PREFIX, sourceKey)}`;
    const entities = await listAll(this.client, filter, ['PartitionKey', 'RowKey']);
    return [...new Set(entities.map((e) => e.partitionKey))].map(decodeKey);
  }

  /** The bundles and detail copies of a meeting, by source key (keys only). */
  async sourcesOfMeeting(meetingId: string): Promise<Map<string, SourceRows>> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const entities = await listAll(
      this.client,
      `PartitionKey eq ${stringLiteral(partitionKey)} and RowKey ge ${stringLiteral(BUNDLE_PREFIX)} and RowKey lt ${stringLiteral(prefixUpperBound(DETAIL_COPY_PREFIX))}`,
      ['PartitionKey', 'RowKey'],
    );
    const bySource = new Map<string, SourceRows>();
    for (const e of entities) {
      const parsed = parseSourceRowKey(e.rowKey);
      if (parsed === undefined) continue;
      let rows = bySource.get(parsed.sourceKey);
      if (rows === undefined) {
        rows = { bundles: [], detailCopies: [] };
        bySource.set(parsed.sourceKey, rows);
      }
      (parsed.kind === 'bundle' ? rows.bundles : rows.detailCopies).push(e.rowKey);
    }
    return bySource;
  }

  /** The MeetingDetail records the given detail copies hold, by point reads (copies already gone are left out). */
  async readDetailCopies(meetingId: string, rowKeys: readonly string[]): Promise<MeetingDetailRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const copies = await mapBounded(rowKeys, async (rowKey) => {
      const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
      if (entity === undefined) return undefined;
      return entityToMeetingDetail({ ...entity, partitionKey, rowKey: parseSourceRowKey(rowKey)!.rest });
    });
    return copies.filter((c): c is MeetingDetailRecord => c !== undefined);
  }

  /** Deletes entities of a meeting, ignoring those already gone; returns how many were deleted. */
  async deleteRows(meetingId: string, rowKeys: readonly string[]): Promise<number> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    return deleteEntities(
      this.client,
      rowKeys.map((rowKey) => ({ partitionKey, rowKey })),
    );
  }
}
