// Summary-only rows of the meetingresults table (PartitionKey `sum|YYYY-MM-DD`, RowKey as the listing's): what
// retention keeps of a meeting's listing past RETENTION_RESULTS_DAYS, its counts without the organiser, so the
// summary's totals and rankings still answer until RETENTION_AGGREGATES_DAYS (docs/privacy.md).
import type { MeetingSummary } from '../analysis/metrics.js';
import { LISTING_PREFIX } from './meetingResultsTable.js';
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

/** The summary a listing or summary-only entity holds. */
export function entityToSummary(entity: Record<string, unknown>): MeetingSummary {
  return JSON.parse(readSplitString(entity, 'summary') ?? '{}') as MeetingSummary;
}
