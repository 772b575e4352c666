// /api/meetings (the meetings report, tala -o plus) and /api/meetings/{meetingId} (one meeting with its
// sessions and disconnections), read from the result tables and the meeting's own partition.
import { attendeeRow, type AttendeeRow } from '../../reports/attendees.js';
import { disconnectionRow } from '../../reports/disconnections.js';
import { NAMED_MEETING_CSV_COLUMNS, namedMeetingRow, type MeetingRow, type NamedMeetingRow } from '../../reports/meetings.js';
import { disconnectionPrefix } from '../../storage/disconnectionsTable.js';
import { entityToListing, LISTING_PREFIX, type MeetingListing } from '../../storage/meetingResultsTable.js';
import { prefixUpperBound, KeyError } from '../../storage/keys.js';
import { stringLiteral } from '../../storage/tableEntities.js';
import { classifierFor, usersFor, type ReportDeps } from './context.js';
import { meetingFromStorage, readMeetingRecords, unmarked } from '../analyse.js';
import { allOf, anyOf, dayBounds, eq, timeRange } from './odata.js';
import { scanTable, type PageState } from './paging.js';
import type { ListOptions, ReportFilter } from './params.js';
import { listResponse, jsonResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';
import { meetingEvents } from './meetingEvents.js';

export interface RouteInput {
  filter: ReportFilter;
  options: ListOptions;
  state?: PageState;
  params: Record<string, string | undefined>;
  /** Encodes the state of the next page as this route's continuation token. */
  token(next: PageState | undefined): string | undefined;
}

function matchesListing(listing: MeetingListing, filter: ReportFilter): boolean {
  if (filter.from !== undefined && listing.start < filter.from) return false;
  if (filter.to !== undefined && listing.start >= filter.to) return false;
  if (filter.organizer !== undefined) {
    const o = filter.organizer.toLowerCase();
    if (listing.summary.organizerUpn.toLowerCase() !== o && listing.summary.organizerId.toLowerCase() !== o) return false;
  }
  return true;
}

/** The OData filter selecting listing rows for from/to/organizer. */
export function listingFilter(filter: ReportFilter, prefix: string = LISTING_PREFIX): string {
  const LISTING_PREFIX = prefix;
  const { fromDay, toDay } = dayBounds(filter.from, filter.to);
  const organizer = filter.organizer?.toLowerCase();
  return allOf([
    `PartitionKey ge ${stringLiteral(LISTING_PREFIX + (fromDay ?? ''))}`,
    toDay === undefined
      ? `PartitionKey lt ${stringLiteral(prefixUpperBound(LISTING_PREFIX))}`
      : `PartitionKey le ${stringLiteral(LISTING_PREFIX + toDay)}`,
    timeRange('start', filter.from, filter.to),
    organizer === undefined ? undefined : anyOf([eq('organizerLower', organizer), eq('organizerId', organizer)]),
  ])!;
}

/** The current listing of one meeting, if it has been analysed. */
export async function currentListing(deps: ReportDeps, meetingId: string): Promise<MeetingListing | undefined> {
  let location;
  try {
    location = await deps.store.meetingResults.getLocation(meetingId);
  } catch (error) {
    if (error instanceof KeyError) return undefined;
    throw error;
  }
  if (location?.current === undefined) return undefined;
  return deps.store.meetingResults.getListing(meetingId, location.current.day, location.current.start);
}

export async function listMeetings(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const { filter, options } = input;
  if (filter.meeting !== undefined) {
    if (input.state !== undefined) return listResponse<NamedMeetingRow>([], undefined, options, NAMED_MEETING_CSV_COLUMNS);
    const listing = await currentListing(deps, filter.meeting);
    const rows = listing !== undefined && matchesListing(listing, filter) ? [listing.row] : [];
    return listResponse(await withOrganizerNames(deps, rows), undefined, options, NAMED_MEETING_CSV_COLUMNS);
  }
  const scanOptions = {
    client: deps.store.meetingResults.client,
    filter: listingFilter(filter),
    limit: options.limit,
    pageSize: options.limit,
    decode: (e: Record<string, unknown> & { partitionKey: string; rowKey: string }) => entityToListing(e).row,
  };
  const page = await scanTable(input.state === undefined ? scanOptions : { ...scanOptions, state: input.state });
  return listResponse(await withOrganizerNames(deps, page.items), input.token(page.next), options, NAMED_MEETING_CSV_COLUMNS);
}

/** The rows with their organisers' names from the directory (Microsoft Graph), '' where none is known. */
async function withOrganizerNames(deps: ReportDeps, rows: readonly MeetingRow[]): Promise<NamedMeetingRow[]> {
  if (rows.length === 0) return [];
  const users = await usersFor(deps, await deps.config.get(), rows.map((r) => r.organizerId));
  return rows.map((r) => namedMeetingRow(r, users));
}

function compareAttendeeRows(a: { row: AttendeeRow; join: number; leave: number }, b: { row: AttendeeRow; join: number; leave: number }): number {
  return a.join - b.join || a.leave - b.leave || (a.row.recordId < b.row.recordId ? -1 : a.row.recordId > b.row.recordId ? 1 : 0);
}

export async function getMeeting(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const meetingId = input.params.meetingId ?? '';
  if (meetingId === '') throw badParameter('meetingId', 'the meeting id is missing from the path: /api/meetings/{meetingId}');
  if (input.options.format === 'csv') {
    throw badParameter('format', 'one meeting is returned as JSON only; for CSV use /api/attendees?meeting=… and /api/disconnections?meeting=…');
  }
  const notFound = new ApiError(404, 'MeetingNotFound', 'no meeting with this id has been ingested', 'meetingId');
  let location, pending, records;
  try {
    [location, pending] = await Promise.all([deps.store.meetingResults.getLocation(meetingId), deps.store.marks.pendingFor(meetingId)]);
    records = await readMeetingRecords(deps.store, pending ?? unmarked(meetingId), { location });
  } catch (error) {
    if (error instanceof KeyError) throw notFound;
    throw error;
  }
  if (records.sessions.length === 0 && records.details.length === 0 && location === undefined) throw notFound;
  // Bundles of overlapping exports can hold the same record: de-duplicate as the analysis does.
  const { sessions } = meetingFromStorage(meetingId, records.sessions, records.details);
  const details = records.details;
  const current = location?.current;
  const [config, listing, stored] = await Promise.all([
    deps.config.get(),
    current === undefined ? undefined : deps.store.meetingResults.getListing(meetingId, current.day, current.start),
    current === undefined ? [] : deps.store.disconnections.readFor(current.day, disconnectionPrefix(meetingId, current.start), current.disconnections),
  ]);
  const classifier = classifierFor(config);
  const classified = sessions.map((s) => classifier.classify(s));
  // Only rows without a UPN (or a display name) take their e-mail (or name) from the users lookup.
  const users = await usersFor(deps, config, [
    ...(listing === undefined ? [] : [listing.row.organizerId]),
    ...classified.filter((c) => !c.session.attendee.upn || !c.session.attendee.displayName).map((c) => c.session.attendee.userObjectId ?? ''),
    ...stored.filter((d) => !d.disconnection.upn || !d.disconnection.displayName).map((d) => d.disconnection.participantKey),
  ]);
  const sessionRows = classified
    .map((c) => ({ row: attendeeRow(meetingId, c, users), join: c.session.joinTime, leave: c.session.leaveTime }))
    .sort(compareAttendeeRows)
    .map((r) => r.row);
  return jsonResponse({
    meetingId,
    meeting: listing === undefined ? null : namedMeetingRow(listing.row, users),
    summary: listing?.summary ?? null,
    analysedAt: listing?.analysedAt ?? null,
    pendingAnalysis: pending !== undefined,
    sessions: sessionRows,
    disconnections: stored.map((d) => disconnectionRow(d.disconnection, d.organizerEmail, users)),
    // Hand-offs and mass events for the dashboard's timeline (src/pipeline/http/meetingEvents.ts).
    ...meetingEvents(meetingId, sessions, details, classifier, config.params),
  });
}
