// Replaces one meeting's analysis results (listing row, disconnections, aggregate contributions)
// across the three result tables, idempotently and without leaving stale rows: the location row
// first records every place rows may exist, then the new rows are written, then the old ones that
// are not part of the new result are deleted, then the location is narrowed to the new rows.
import type { Contribution } from '../analysis/metrics.js';
import { deleteEntities, type EntityKey } from './purge.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { contributionEntities, type AggregatesTable } from './aggregatesTable.js';
import {
  disconnectionPrefix,
  disconnectionRowKey,
  disconnectionToEntity,
  utcDay,
  type DisconnectionsTable,
  type StoredDisconnection,
} from './disconnectionsTable.js';
import {
  listingKeys,
  listingToEntity,
  type MeetingListing,
  type MeetingResultLocation,
  type MeetingResultsTable,
} from './meetingResultsTable.js';

export interface MeetingResult {
  listing: MeetingListing;
  disconnections: StoredDisconnection[];
  contributions: Contribution[];
  /** The bundles and details the result was computed from (kept in the location for the next analysis). */
  records?: { bundles: string[]; details: string[] };
}

export interface ResultTables {
  meetingResults: MeetingResultsTable;
  disconnections: DisconnectionsTable;
  aggregates: AggregatesTable;
}

/** One range per (day, prefix), with the largest count seen. */
function mergeRanges(
  ranges: Array<{ day: string; prefix: string; count: number }>,
): Array<{ day: string; prefix: string; count: number }> {
  const merged = new Map<string, { day: string; prefix: string; count: number }>();
  for (const r of ranges) {
    const id = `${r.day}|${r.prefix}`;
    const known = merged.get(id);
    merged.set(id, known === undefined ? { ...r } : { ...known, count: Math.max(known.count, r.count ?? 0) });
  }
  return [...merged.values()];
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** Writes `result` as the meeting's only results. Returns the number of stale rows deleted. */
export async function replaceMeetingResults(
  tables: ResultTables,
  result: MeetingResult,
  options: BatchWriterOptions = {},
  /** The meeting's location as just read, to save reading it again. */
  known?: { location: MeetingResultLocation | undefined },
): Promise<number> {
  const { listing } = result;
  const meetingId = listing.meetingId;
  const day = listing.day;
  const prefix = disconnectionPrefix(meetingId, listing.start);
  const aggregateEntities = contributionEntities(result.contributions, meetingId, day);
  const aggregateKeys = aggregateEntities.map((e) => ({ day: e.partitionKey, rowKey: e.rowKey }));
  const previous = known !== undefined ? known.location : await tables.meetingResults.getLocation(meetingId);

  // 1. Record every place rows of this meeting may be, old and new.
  const intent: MeetingResultLocation = {
    meetingId,
    listings: uniqueBy([...(previous?.listings ?? []), { day, start: listing.start }], (l) => `${l.day}|${l.start}`),
    disconnectionRanges: mergeRanges([
      ...(previous?.disconnectionRanges ?? []),
      { day, prefix, count: result.disconnections.length },
    ]),
    aggregateDays: [...new Set([...(previous?.aggregateDays ?? []), ...aggregateKeys.map((k) => k.day)])],
    analysedAt: listing.analysedAt,
  };
  // Readers keep seeing the previous result until the new one is complete.
  if (previous?.current !== undefined) intent.current = previous.current;
  if (previous?.records !== undefined) intent.records = previous.records;
  if (previous === undefined || previous.aggregateKeys !== undefined) {
    intent.aggregateKeys = uniqueBy(
      [...(previous?.aggregateKeys ?? []), ...aggregateKeys],
      (k) => `${k.day}|${k.rowKey}`,
    );
  }
  await tables.meetingResults.putLocation(intent);

  // 2. Write the new rows.
  const resultsWriter = new TableBatchWriter(tables.meetingResults.client, options);
  await resultsWriter.upsert(listingToEntity(listing));
  const disconnectionWriter = new TableBatchWriter(tables.disconnections.client, options);
  const newDisconnectionKeys = new Set<string>();
  for (let i = 0; i < result.disconnections.length; i++) {
    const entity = disconnectionToEntity(result.disconnections[i]!, i);
    newDisconnectionKeys.add(`${entity.partitionKey}|${entity.rowKey}`);
    await disconnectionWriter.upsert(entity);
  }
  const aggregateWriter = new TableBatchWriter(tables.aggregates.client, options);
  for (const entity of aggregateEntities) await aggregateWriter.upsert(entity);
  await Promise.all([resultsWriter.flush(), disconnectionWriter.flush(), aggregateWriter.flush()]);

  // 3. Delete what is not part of the new result.
  const newListing = listingKeys(meetingId, day, listing.start);
  const staleListings = intent.listings
    .map((l) => listingKeys(meetingId, l.day, l.start))
    .filter((k) => k.partitionKey !== newListing.partitionKey || k.rowKey !== newListing.rowKey);
  const staleDisconnections: EntityKey[] = [];
  for (const range of intent.disconnectionRanges) {
    for (let i = 0; i < range.count; i++) {
      const rowKey = disconnectionRowKey(range.prefix, i);
      if (!newDisconnectionKeys.has(`${range.day}|${rowKey}`))
        staleDisconnections.push({ partitionKey: range.day, rowKey });
    }
  }
  const staleAggregates: EntityKey[] = [];
  if (previous !== undefined) {
    const newAggregateKeys = new Set(aggregateKeys.map((k) => `${k.day}|${k.rowKey}`));
    const candidates = await aggregateKeysOf(tables.aggregates, intent);
    for (const k of candidates)
      if (!newAggregateKeys.has(`${k.day}|${k.rowKey}`))
        staleAggregates.push({ partitionKey: k.day, rowKey: k.rowKey });
  }
  const deleted = await deleteResultRows(
    tables,
    { listings: staleListings, disconnections: staleDisconnections, aggregates: staleAggregates },
    options.concurrency ?? 8,
  );

  // 4. Narrow the location to the new rows.
  const final: MeetingResultLocation = {
    meetingId,
    listings: [{ day, start: listing.start }],
    disconnectionRanges: [{ day, prefix, count: result.disconnections.length }],
    aggregateDays: [...new Set(aggregateKeys.map((k) => k.day))],
    aggregateKeys,
    current: { day, start: listing.start, disconnections: result.disconnections.length },
    analysedAt: listing.analysedAt,
  };
  if (result.records !== undefined) final.records = result.records;
  await tables.meetingResults.putLocation(final);
  return deleted;
}

/**
 * Deletes every result row of a meeting that has no records left (its exports were withdrawn or
 * replaced): listing rows, disconnections and aggregate contributions the location names, then the
 * location itself, so a crash in between leaves the location to finish from. Returns the rows deleted.
 */
export async function removeMeetingResults(
  tables: ResultTables,
  meetingId: string,
  known?: { location: MeetingResultLocation | undefined },
  concurrency = 8,
): Promise<number> {
  const location = known !== undefined ? known.location : await tables.meetingResults.getLocation(meetingId);
  if (location === undefined) return 0;
  const listings = location.listings.map((l) => listingKeys(meetingId, l.day, l.start));
  const disconnections = location.disconnectionRanges.flatMap((r) =>
    Array.from({ length: r.count }, (_, i) => ({ partitionKey: r.day, rowKey: disconnectionRowKey(r.prefix, i) })),
  );
  const aggregates = (await aggregateKeysOf(tables.aggregates, location)).map((k) => ({
    partitionKey: k.day,
    rowKey: k.rowKey,
  }));
  const deleted = await deleteResultRows(tables, { listings, disconnections, aggregates }, concurrency);
  await tables.meetingResults.deleteLocation(meetingId);
  return deleted;
}

/**
 * The aggregate contributions a location names: its recorded keys, or (for a location written before
 * keys were recorded) every contribution of the meeting found on its aggregate days.
 */
async function aggregateKeysOf(
  aggregates: AggregatesTable,
  location: Pick<MeetingResultLocation, 'meetingId' | 'aggregateKeys' | 'aggregateDays'>,
): Promise<Array<{ day: string; rowKey: string }>> {
  if (location.aggregateKeys !== undefined) return location.aggregateKeys;
  const perDay = await Promise.all(
    location.aggregateDays.map(async (day) =>
      (await aggregates.rowKeysOfMeeting(day, location.meetingId)).map((rowKey) => ({ day, rowKey })),
    ),
  );
  return perDay.flat();
}

/** Deletes result rows from the three result tables, ignoring those already gone; returns how many were deleted. */
async function deleteResultRows(
  tables: ResultTables,
  rows: { listings: EntityKey[]; disconnections: EntityKey[]; aggregates: EntityKey[] },
  concurrency: number,
): Promise<number> {
  const deleted = await Promise.all([
    deleteEntities(tables.meetingResults.client, rows.listings, concurrency),
    deleteEntities(tables.disconnections.client, rows.disconnections, concurrency),
    deleteEntities(tables.aggregates.client, rows.aggregates, concurrency),
  ]);
  return deleted.reduce((a, b) => a + b, 0);
}

export { utcDay };
