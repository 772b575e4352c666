// /api/meetings/{meetingId}: one meeting, its sessions and disconnections a page at a time (a 20,000-
// attendee town hall was a 20 MB answer that read every session), and with include=events its hand-offs
// and mass events. Sessions are in the sessions table's order (record id, as /api/attendees?meeting=…):
// a small meeting is read whole by point reads of its bundles (meetingSessions.ts), a big one a page at
// a time by a query of its partition; disconnections are point reads of the page's rows. Events need the
// whole meeting (every session, the detector run again), so they are asked for, and come on the first page.
import type { SessionClassifier } from '../../analysis/classify.js';
import type { ClassifiedSession, DetectionParams } from '../../analysis/model.js';
import { attendeeRow } from '../../reports/attendees.js';
import { disconnectionRow } from '../../reports/disconnections.js';
import { namedMeetingRow, type MeetingRow } from '../../reports/meetings.js';
import { disconnectionPrefix } from '../../storage/disconnectionsTable.js';
import type { PendingMeeting } from '../../storage/marks.js';
import { meetingFromStorage, readMeetingRecords, unmarked } from '../../storage/meetingRecords.js';
import type { MeetingResultLocation } from '../../storage/meetingResultsTable.js';
import { entityToSession } from '../../storage/sessionsTable.js';
import { classifierFor, usersFor, type ReportDeps } from './context.js';
import { meetingEvents } from './meetingEvents.js';
import { bundleKeysOf, wholeMeetingSessions, WHOLE_MEETING_BUNDLES } from './meetingSessions.js';
import type { RouteInput } from './meetingRoutes.js';
import { scanTable, type PageState } from './paging.js';
import type { MeetingPart } from './params.js';
import { jsonResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

/** Without `include`: the two paged lists (events read the whole meeting; include=events or include=all). */
export const DEFAULT_MEETING_PARTS: readonly MeetingPart[] = ['sessions', 'disconnections'];

export async function getMeeting(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const meetingId = input.params.meetingId ?? '';
  if (meetingId === '')
    throw badParameter('meetingId', 'the meeting id is missing from the path: /api/meetings/{meetingId}');
  if (input.options.format === 'csv') {
    throw badParameter(
      'format',
      'one meeting is returned as JSON only; for CSV use /api/attendees?meeting=… and /api/disconnections?meeting=…',
    );
  }
  const include = new Set(input.filter.include ?? DEFAULT_MEETING_PARTS);
  const limit = input.options.limit;
  const state = input.state;
  const firstPage = state === undefined;
  const offset = state?.offset ?? 0;
  const notFound = new ApiError(404, 'MeetingNotFound', 'no meeting with this id has been ingested', 'meetingId');
  // Undefined when the id cannot be a key: no such meeting can have been stored.
  const partitionQuery = deps.store.sessions.query({ meeting: meetingId });
  if (partitionQuery === undefined) throw notFound;
  const [location, pending, config] = await Promise.all([
    deps.store.meetingResults.getLocation(meetingId),
    deps.store.marks.pendingFor(meetingId),
    deps.config.get(),
  ]);
  const current = location?.current;
  const disconnectionsTotal = current?.disconnections ?? 0;
  const classifier = classifierFor(config);
  const listSessions = include.has('sessions') && state?.done !== true;
  const bundleKeys = bundleKeysOf(location ?? undefined, pending);
  // Small meetings are read whole by point reads and paged by offset; big ones by a query of their partition.
  const whole =
    listSessions &&
    (state === undefined
      ? bundleKeys !== undefined && bundleKeys.length <= WHOLE_MEETING_BUNDLES
      : state.whole === true);
  const sessionsScan = {
    query: partitionQuery,
    limit,
    pageSize: limit,
    decode: (e: Record<string, unknown> & { partitionKey: string; rowKey: string }) =>
      classifier.classify(entityToSession(e)),
  };
  const readSessions = async (): Promise<{ items: ClassifiedSession[]; next?: PageState }> => {
    if (!listSessions) return { items: [] };
    if (!whole) return scanTable(state === undefined ? sessionsScan : { ...sessionsScan, state });
    const all = await wholeMeetingSessions(deps.store, meetingId, bundleKeys);
    const items = all.slice(offset, offset + limit).map((s) => classifier.classify(s));
    return offset + limit < all.length ? { items, next: { skip: 0, pageSize: limit, whole: true } } : { items };
  };
  const [listing, sessionsPage, stored] = await Promise.all([
    current === undefined
      ? undefined
      : deps.store.meetingResults.getListing<MeetingRow>(meetingId, current.day, current.start),
    readSessions(),
    current === undefined || !include.has('disconnections') || offset >= disconnectionsTotal
      ? []
      : deps.store.disconnections.readFor(
          current.day,
          disconnectionPrefix(meetingId, current.start),
          Math.min(offset + limit, disconnectionsTotal),
          offset,
        ),
  ]);
  if (firstPage && location === undefined && pending === undefined && sessionsPage.items.length === 0) {
    // Never analysed and no session on the first page: known only if its MeetingDetail records are stored.
    if ((await deps.store.meetings.listMeeting(meetingId)).length === 0) throw notFound;
  }
  const events =
    include.has('events') && firstPage
      ? await eventsOf(deps, meetingId, pending, location, classifier, config.params)
      : undefined;
  // Only rows without a UPN (or a display name) take their e-mail (or name) from the users lookup.
  const users = await usersFor(deps, config, [
    ...(listing === undefined ? [] : [listing.row.organizerId]),
    ...sessionsPage.items
      .filter((c) => !c.session.attendee.upn || !c.session.attendee.displayName)
      .map((c) => c.session.attendee.userObjectId ?? ''),
    ...stored
      .filter((d) => !d.disconnection.upn || !d.disconnection.displayName)
      .map((d) => d.disconnection.participantKey),
  ]);
  const sessionsNext = sessionsPage.next;
  const moreDisconnections = include.has('disconnections') && offset + limit < disconnectionsTotal;
  const next =
    sessionsNext !== undefined || moreDisconnections
      ? input.token({ ...(sessionsNext ?? { skip: 0, pageSize: limit, done: true as const }), offset: offset + limit })
      : undefined;
  return jsonResponse({
    meetingId,
    meeting: listing === undefined ? null : namedMeetingRow(listing.row, users),
    summary: listing?.summary ?? null,
    analysedAt: listing?.analysedAt ?? null,
    pendingAnalysis: pending !== undefined,
    // Sessions after de-duplication, as the analysis counted them (null before the first analysis).
    sessionsTotal: listing?.row.sessions ?? null,
    disconnectionsTotal,
    ...(include.has('sessions') ? { sessions: sessionsPage.items.map((c) => attendeeRow(meetingId, c, users)) } : {}),
    ...(include.has('disconnections')
      ? { disconnections: stored.map((d) => disconnectionRow(d.disconnection, d.organizerEmail, users)) }
      : {}),
    ...(events ?? {}),
    continuationToken: next ?? null,
  });
}

/** Hand-offs and mass events (meetingEvents.ts): every stored session of the meeting, de-duplicated as the analysis does. */
async function eventsOf(
  deps: ReportDeps,
  meetingId: string,
  pending: PendingMeeting | undefined,
  location: MeetingResultLocation | undefined,
  classifier: SessionClassifier,
  params: DetectionParams,
): Promise<ReturnType<typeof meetingEvents>> {
  const records = await readMeetingRecords(deps.store, pending ?? unmarked(meetingId), { location });
  return meetingEvents(meetingFromStorage(meetingId, records.sessions, records.details), classifier, params);
}
