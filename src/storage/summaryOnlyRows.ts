// Summary-only rows of the meetingresults table (PartitionKey `sum|YYYY-MM-DD`, RowKey as the listing's): what
// retention keeps of a meeting's listing past RETENTION_RESULTS_DAYS, its counts without the organiser, so the
// summary's totals and rankings still answer until RETENTION_AGGREGATES_DAYS (docs/privacy.md).
import type { MeetingSummary } from '../analysis/metrics.js';
import { LISTING_PREFIX, type MeetingResultsTable } from './meetingResultsTable.js';
import type { EntityKey, StoredEntity } from './purge.js';
import { guardEntity, readSplitString, type TableEntityShape } from './entityGuards.js';
import { double, str } from './tableEntities.js';

export const SUMMARY_ONLY_PREFIX = 'sum|';

/** The summary-only row retention keeps of a listing entity (the organiser left out). */
export function summaryOnlyEntity(
  listing: Record<string, unknown> & { partitionKey: string; rowKey: string },
): TableEntityShape {
  const summary = JSON.parse(readSplitString(listing, 'summary') ?? '{}') as MeetingSummary;
  const kept: MeetingSummary = { ...summary, organizerUpn: '', organizerId: '' };
  return guardEntity(
    {
      partitionKey: SUMMARY_ONLY_PREFIX + listing.partitionKey.slice(LISTING_PREFIX.length),
      rowKey: listing.rowKey,
      meetingId: str(listing, 'meetingId'),
      start: double(kept.start),
      end: double(kept.end),
      summary: JSON.stringify(kept),
    },
    { splittable: ['summary'] },
  ).entity;
}

/** Listing rows of days before `cutoffDay`, the first page again each time (retire each page given). */
export function listingsBefore(results: MeetingResultsTable, cutoffDay: string): AsyncGenerator<StoredEntity[]> {
  return results.rowsBefore(LISTING_PREFIX, cutoffDay);
}

/**
 * Replaces listing rows by their summary-only rows; returns how many listings went. The summaries first, then the
 * listings: a run cut short in between finds the listings again.
 */
export async function retireListings(results: MeetingResultsTable, listings: readonly StoredEntity[]): Promise<number> {
  await results.putRows(listings.map(summaryOnlyEntity));
  return results.deleteKeys(listings);
}

/** Keys of the summary-only rows of days before `cutoffDay`, the first page again each time (delete each page). */
export function summaryOnlyRowsBefore(results: MeetingResultsTable, cutoffDay: string): AsyncGenerator<EntityKey[]> {
  return results.rowsBefore(SUMMARY_ONLY_PREFIX, cutoffDay, true);
}

/** The summary a listing or summary-only entity holds. */
export function entityToSummary(entity: Record<string, unknown>): MeetingSummary {
  return JSON.parse(readSplitString(entity, 'summary') ?? '{}') as MeetingSummary;
}
