// /api/meetings/{meetingId}: one meeting with its sessions and disconnections, a page at a time (a
// 20,000-attendee town hall would otherwise be a 20 MB answer), and on the first page its hand-offs and
// mass events. `include` picks the parts. Sessions come from the meeting's own partition, in join order;
// only the page's sessions are classified and rendered; disconnections are point reads of the page's rows.
import type { SessionRecord } from '../../audit/records.js';
import { attendeeRow } from '../../reports/attendees.js';
import { disconnectionRow } from '../../reports/disconnections.js';
import { disconnectionPrefix } from '../../storage/disconnectionsTable.js';
import { KeyError } from '../../storage/keys.js';
import { classifierFor, usersFor, type ReportDeps } from './context.js';
import { meetingFromStorage, readMeetingRecords, unmarked } from '../analyse.js';
import { meetingEvents } from './meetingEvents.js';
import type { RouteInput } from './meetingRoutes.js';
import { MEETING_PARTS } from './params.js';
import { jsonResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

function byJoinTime(a: SessionRecord, b: SessionRecord): number {
  return a.joinTime - b.joinTime || a.leaveTime - b.leaveTime || (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0);
}

export async function getMeeting(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const meetingId = input.params.meetingId ?? '';
  if (meetingId === '') throw badParameter('meetingId', 'the meeting id is missing from the path: /api/meetings/{meetingId}');
  if (input.options.format === 'csv') {
    throw badParameter('format', 'one meeting is returned as JSON only; for CSV use /api/attendees?meeting=… and /api/disconnections?meeting=…');
  }
  const include = new Set(input.filter.include ?? MEETING_PARTS);
  const offset = input.state?.offset ?? 0;
  const limit = input.options.limit;
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
  const current = location?.current;
  const disconnectionsTotal = current?.disconnections ?? 0;
  const pageEnd = offset + limit;
  const [config, listing, stored] = await Promise.all([
    deps.config.get(),
    current === undefined ? undefined : deps.store.meetingResults.getListing(meetingId, current.day, current.start),
    current === undefined || !include.has('disconnections') || offset >= disconnectionsTotal
      ? []
      : deps.store.disconnections.readFor(current.day, disconnectionPrefix(meetingId, current.start), Math.min(pageEnd, disconnectionsTotal), offset),
  ]);
  const classifier = classifierFor(config);
  const classified = include.has('sessions') ? [...sessions].sort(byJoinTime).slice(offset, pageEnd).map((s) => classifier.classify(s)) : [];
  // Only rows without a UPN take their e-mail from the users lookup.
  const users = await usersFor(deps, config, [
    ...classified.filter((c) => !c.session.attendee.upn).map((c) => c.session.attendee.userObjectId ?? ''),
    ...stored.filter((d) => !d.disconnection.upn).map((d) => d.disconnection.participantKey),
  ]);
  const listed = Math.max(include.has('sessions') ? sessions.length : 0, include.has('disconnections') ? disconnectionsTotal : 0);
  const next = pageEnd < listed ? input.token({ skip: 0, pageSize: limit, offset: pageEnd }) : undefined;
  return jsonResponse({
    meetingId,
    meeting: listing?.row ?? null,
    summary: listing?.summary ?? null,
    analysedAt: listing?.analysedAt ?? null,
    pendingAnalysis: pending !== undefined,
    sessionsTotal: sessions.length,
    disconnectionsTotal,
    ...(include.has('sessions') ? { sessions: classified.map((c) => attendeeRow(meetingId, c, users)) } : {}),
    ...(include.has('disconnections') ? { disconnections: stored.map((d) => disconnectionRow(d.disconnection, d.organizerEmail, users)) } : {}),
    // Hand-offs and mass events for the dashboard's timeline (meetingEvents.ts), once: on the first page.
    ...(include.has('events') && offset === 0 ? meetingEvents(meetingId, sessions, records.details, classifier, config.params) : {}),
    continuationToken: next ?? null,
  });
}
