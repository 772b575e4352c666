// The meetingresults table. Two kinds of entity:
//  - listing rows, PartitionKey `day|YYYY-MM-DD`, RowKey `start|meeting`: the meeting's summary and
//    report row, so /api/meetings pages by time without reading sessions;
//  - location rows, PartitionKey `meeting|<meeting>`, RowKey `location`: where a meeting's results
//    live (listing row, disconnection key range, aggregate rows), so re-analysis can replace them.
import type { TableClient } from '@azure/data-tables';
import type { MeetingSummary } from '../analysis/metrics.js';
import { decodeKey, keyComponent, MAX_ID_KEY_CHARS, prefixUpperBound, sortableNumber } from './keys.js';
import { guardEntity, readSplitString, type TableEntityShape } from './entityGuards.js';
import { allOf, anyOf, before, dayBounds, eq, timeRange, type RecordFilter, type TableQuery } from './odata.js';
import { deleteEntities, firstPagesOf, type EntityKey, type StoredEntity } from './purge.js';
import { getEntityIfExists, double, isNotFound, listAll, str, stringLiteral } from './tableEntities.js';

export const LISTING_PREFIX = 'day|';
const LOCATION_PREFIX = 'meeting|';
const LOCATION_ROW = 'location';
/** Above this many characters the aggregate key list is not kept (stale rows are then found by query). */
const MAX_KEY_LIST_CHARS = 200_000;

/**
 * A meeting's listing row. `row` is the meetings report's row as the analysis wrote it (src/reports/meetings.ts): a read
 * model kept as JSON, so /api/meetings answers without analysing again; storage does not look inside it.
 */
export interface MeetingListing<Row extends object = object> {
  meetingId: string;
  day: string;
  start: number;
  end: number;
  summary: MeetingSummary;
  row: Row;
  analysedAt: string;
}

/** Where a meeting's results are stored; lists every place rows may exist (including a run that was cut short). */
export interface MeetingResultLocation {
  meetingId: string;
  /** Listing rows (day + start) that may exist. */
  listings: Array<{ day: string; start: number }>;
  /** Disconnection rows that may exist: RowKeys prefix + sequence 0 … count − 1 in partition `day`. */
  disconnectionRanges: Array<{ day: string; prefix: string; count: number }>;
  /** Days whose aggregates partition may hold rows of this meeting. */
  aggregateDays: string[];
  /** RowKeys of the aggregate rows, when the list is small enough to keep; otherwise found by query. */
  aggregateKeys?: Array<{ day: string; rowKey: string }>;
  /** The result readers use. */
  current?: { day: string; start: number; disconnections: number };
  /**
   * RowKeys (meetings table) of the session bundles and MeetingDetail records analysed, so the next
   * analysis reads them by point reads; absent when the meeting must be read by partition query.
   */
  records?: { bundles: string[]; details: string[] };
  analysedAt: string;
}

/** One page of the meetings that have results, in key order. */
export interface AnalysedMeetingsPage {
  meetingIds: string[];
  /** Pass back as `after` to get the next page (undefined only when nothing was found at all). */
  cursor: string | undefined;
  /** No meeting after this page. */
  done: boolean;
}

/**
 * The meeting id of a location PartitionKey, or undefined when the key does not give it back (a hashed
 * or empty id: such a meeting cannot be marked, so it has never been analysed).
 */
function meetingIdOfLocationKey(partitionKey: string): string | undefined {
  const key = partitionKey.slice(LOCATION_PREFIX.length);
  if (key.startsWith('~') && !key.startsWith('~b.')) return undefined;
  return decodeKey(key);
}

export function listingKeys(meetingId: string, day: string, start: number): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: LISTING_PREFIX + day,
    rowKey: `${sortableNumber(start)}|${keyComponent(meetingId, MAX_ID_KEY_CHARS)}`,
  };
}

function locationKeys(meetingId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: LOCATION_PREFIX + keyComponent(meetingId, MAX_ID_KEY_CHARS), rowKey: LOCATION_ROW };
}

export function listingToEntity(listing: MeetingListing): TableEntityShape {
  const s = listing.summary;
  return guardEntity(
    {
      ...listingKeys(listing.meetingId, listing.day, listing.start),
      meetingId: listing.meetingId,
      start: double(listing.start),
      end: double(listing.end),
      organizerLower: s.organizerUpn.toLowerCase(),
      organizerId: s.organizerId.toLowerCase(),
      analysedAt: listing.analysedAt,
      summary: JSON.stringify(s),
      row: JSON.stringify(listing.row),
    },
    { splittable: ['summary', 'row'] },
  ).entity;
}

export function entityToListing<Row extends object = object>(entity: Record<string, unknown>): MeetingListing<Row> {
  const partitionKey = str(entity, 'partitionKey');
  const summary = JSON.parse(readSplitString(entity, 'summary') ?? '{}') as MeetingSummary;
  return {
    meetingId: str(entity, 'meetingId'),
    day: partitionKey.slice(LISTING_PREFIX.length),
    start: summary.start,
    end: summary.end,
    summary,
    row: JSON.parse(readSplitString(entity, 'row') ?? '{}') as Row,
    analysedAt: str(entity, 'analysedAt'),
  };
}

export class MeetingResultsTable {
  constructor(readonly client: TableClient) {}

  /** The query for the listing rows of meetings starting in [from, to) with this organiser (`meeting` is not used). */
  listingQuery(filter: Omit<RecordFilter, 'meeting' | 'user'>, prefix: string = LISTING_PREFIX): TableQuery {
    const { fromDay, toDay } = dayBounds(filter.from, filter.to);
    const organizer = filter.organizer?.toLowerCase();
    const query = allOf([
      `PartitionKey ge ${stringLiteral(prefix + (fromDay ?? ''))}`,
      toDay === undefined
        ? `PartitionKey lt ${stringLiteral(prefixUpperBound(prefix))}`
        : `PartitionKey le ${stringLiteral(prefix + toDay)}`,
      timeRange('start', filter.from, filter.to),
      organizer === undefined ? undefined : anyOf([eq('organizerLower', organizer), eq('organizerId', organizer)]),
    ])!;
    return { table: this.client, filter: query };
  }

  /** The rows under another day-partitioned prefix (e.g. the summary-only rows retention leaves) that the filter selects. */
  async listRowsUnder(
    prefix: string,
    filter: Omit<RecordFilter, 'meeting' | 'user'>,
  ): Promise<Array<Record<string, unknown> & { partitionKey: string; rowKey: string }>> {
    return listAll(this.client, this.listingQuery(filter, prefix).filter);
  }

  /** Every listing row `listingQuery(filter)` selects. */
  async listListings<Row extends object = object>(
    filter: Omit<RecordFilter, 'meeting' | 'user'>,
  ): Promise<MeetingListing<Row>[]> {
    const entities = await listAll(this.client, this.listingQuery(filter).filter);
    return entities.map((e) => entityToListing<Row>(e));
  }

  async getLocation(meetingId: string): Promise<MeetingResultLocation | undefined> {
    const { partitionKey, rowKey } = locationKeys(meetingId);
    const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
    if (entity === undefined) return undefined;
    return JSON.parse(readSplitString(entity, 'data') ?? 'null') as MeetingResultLocation | undefined;
  }

  async putLocation(location: MeetingResultLocation): Promise<void> {
    let stored = location;
    if (stored.aggregateKeys && JSON.stringify(stored.aggregateKeys).length > MAX_KEY_LIST_CHARS) {
      const { aggregateKeys: _dropped, ...rest } = stored;
      stored = rest;
    }
    if (stored.records && JSON.stringify(stored.records).length > MAX_KEY_LIST_CHARS) {
      const { records: _dropped, ...rest } = stored;
      stored = rest;
    }
    const entity = guardEntity(
      { ...locationKeys(location.meetingId), data: JSON.stringify(stored) },
      { splittable: ['data'] },
    );
    if (entity.truncated.length > 0) {
      // Without its full key lists the location could leave stale rows behind: never store it cut.
      throw new Error('meeting result location does not fit in one entity');
    }
    await this.client.upsertEntity(entity.entity, 'Replace');
  }

  /** Deletes a meeting's location row (once every result row it lists is gone). */
  async deleteLocation(meetingId: string): Promise<void> {
    const { partitionKey, rowKey } = locationKeys(meetingId);
    try {
      await this.client.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Meetings with results (those with a location row), at most `limit`, after the `cursor` of the
   * previous page (undefined: from the first). Reads keys only.
   */
  async analysedMeetingsPage(after: string | undefined, limit = 1000): Promise<AnalysedMeetingsPage> {
    const lower =
      after === undefined
        ? `PartitionKey ge ${stringLiteral(LOCATION_PREFIX)}`
        : `PartitionKey gt ${stringLiteral(after)}`;
    const filter = `${lower} and PartitionKey lt ${stringLiteral(prefixUpperBound(LOCATION_PREFIX))} and RowKey eq ${stringLiteral(LOCATION_ROW)}`;
    const pages = this.client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })
      .byPage({ maxPageSize: limit });
    for await (const page of pages) {
      // The service may answer a cross-partition query with an empty page and a continuation.
      if (page.length === 0 && page.continuationToken) continue;
      const meetingIds: string[] = [];
      let cursor = after;
      for (const entity of page) {
        const key = entity.partitionKey as string; // selected above: every entity has one
        cursor = key;
        const meetingId = meetingIdOfLocationKey(key);
        if (meetingId !== undefined) meetingIds.push(meetingId);
      }
      return { meetingIds, cursor, done: !page.continuationToken };
    }
    return { meetingIds: [], cursor: after, done: true };
  }

  async getListing<Row extends object = object>(
    meetingId: string,
    day: string,
    start: number,
  ): Promise<MeetingListing<Row> | undefined> {
    const { partitionKey, rowKey } = listingKeys(meetingId, day, start);
    const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
    return entity === undefined ? undefined : entityToListing<Row>(entity);
  }

  /**
   * The rows under a day-partitioned prefix (listings, summary-only rows) of days before `cutoffDay`, the first page
   * again each time (delete or move each page given); `keysOnly` reads the keys alone.
   */
  rowsBefore(prefix: string, cutoffDay: string, keysOnly = false): AsyncGenerator<StoredEntity[]> {
    const filter = `PartitionKey ge ${stringLiteral(prefix)} and ${before('PartitionKey', prefix + cutoffDay)}`;
    return firstPagesOf(this.client, filter, keysOnly ? { select: ['PartitionKey', 'RowKey'] } : {});
  }

  /** Writes rows whole (Replace), one by one. */
  async putRows(entities: readonly TableEntityShape[]): Promise<void> {
    for (const entity of entities) await this.client.upsertEntity(entity, 'Replace');
  }

  /** Deletes rows by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    return deleteEntities(this.client, keys);
  }
}
