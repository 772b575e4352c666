// /api/meetings (the meetings report, tala -o plus), read from the result tables; the route input every
// report route takes. One meeting (/api/meetings/{meetingId}) is in meetingDetail.ts.
import {
  NAMED_MEETING_CSV_COLUMNS,
  namedMeetingRow,
  type MeetingRow,
  type NamedMeetingRow,
} from '../../reports/meetings.js';
import { entityToListing, type MeetingListing } from '../../storage/meetingResultsTable.js';
import { KeyError } from '../../storage/keys.js';
import { usersFor, type ReportDeps } from './context.js';
import { listResponse } from './render.js';
import type { ReportResponse } from './types.js';
import { scanTable, type PageState } from './paging.js';
import type { ListOptions, ReportFilter } from './params.js';

export interface RouteInput {
  filter: ReportFilter;
  options: ListOptions;
  state?: PageState;
  params: Record<string, string | undefined>;
  /** Encodes the state of the next page as this route's continuation token. */
  token(next: PageState | undefined): string | undefined;
}

function matchesListing(listing: MeetingListing<MeetingRow>, filter: ReportFilter): boolean {
  if (filter.from !== undefined && listing.start < filter.from) return false;
  if (filter.to !== undefined && listing.start >= filter.to) return false;
  if (filter.organizer !== undefined) {
    const o = filter.organizer.toLowerCase();
    if (listing.summary.organizerUpn.toLowerCase() !== o && listing.summary.organizerId.toLowerCase() !== o)
      return false;
  }
  return true;
}

/** The current listing of one meeting, if it has been analysed. */
export async function currentListing(
  deps: ReportDeps,
  meetingId: string,
): Promise<MeetingListing<MeetingRow> | undefined> {
  let location;
  try {
    location = await deps.store.meetingResults.getLocation(meetingId);
  } catch (error) {
    if (error instanceof KeyError) return undefined;
    throw error;
  }
  if (location?.current === undefined) return undefined;
  return deps.store.meetingResults.getListing<MeetingRow>(meetingId, location.current.day, location.current.start);
}

export async function listMeetings(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const { filter, options } = input;
  if (filter.meeting !== undefined) {
    if (input.state !== undefined)
      return listResponse<NamedMeetingRow>([], undefined, options, NAMED_MEETING_CSV_COLUMNS);
    const listing = await currentListing(deps, filter.meeting);
    const rows = listing !== undefined && matchesListing(listing, filter) ? [listing.row] : [];
    return listResponse(await withOrganizerNames(deps, rows), undefined, options, NAMED_MEETING_CSV_COLUMNS);
  }
  const scanOptions = {
    query: deps.store.meetingResults.listingQuery(filter),
    limit: options.limit,
    pageSize: options.limit,
    decode: (e: Record<string, unknown> & { partitionKey: string; rowKey: string }) =>
      entityToListing<MeetingRow>(e).row,
  };
  const page = await scanTable(input.state === undefined ? scanOptions : { ...scanOptions, state: input.state });
  return listResponse(
    await withOrganizerNames(deps, page.items),
    input.token(page.next),
    options,
    NAMED_MEETING_CSV_COLUMNS,
  );
}

/** The rows with their organisers' names from the directory (Microsoft Graph), '' where none is known. */
async function withOrganizerNames(deps: ReportDeps, rows: readonly MeetingRow[]): Promise<NamedMeetingRow[]> {
  if (rows.length === 0) return [];
  const users = await usersFor(
    deps,
    await deps.config.get(),
    rows.map((r) => r.organizerId),
  );
  return rows.map((r) => namedMeetingRow(r, users));
}
