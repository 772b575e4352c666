// Meetings report (tala -o plus): one row per meeting with organiser, instance window, sessions,
// participants by class and drops.
import type { Meeting, MeetingAnalysis } from '../analysis/model.js';
import { summariseMeeting } from '../analysis/metrics.js';
import type { Column } from './render/csv.js';
import type { UsersLookup } from '../analysis/userDirectory.js';
import { isoOrEmpty } from './common.js';

export interface MeetingRow {
  meetingId: string;
  /** MeetingDetail organiser when present, else the first session record's envelope UserId/UserKey/OrganizationId. */
  organizerEmail: string;
  organizerId: string;
  organizerOrganization: string;
  /** ItemName (or MeetingDetail's), verbatim: comma-separated flags. */
  meetingType: string;
  /** MeetingDetail StartTime/EndTime (ISO UTC); '' when there is no MeetingDetail record. */
  start: string;
  end: string;
  /** Earliest JoinTime / latest LeaveTime over the meeting's sessions (ISO UTC); '' with no session. */
  firstJoin: string;
  lastLeave: string;
  /** Distinct participants (participant keys). */
  attendees: number;
  /** Session records (after de-duplication). */
  sessions: number;
  humans: number;
  phones: number;
  anonymous: number;
  rooms: number;
  bots: number;
  unknownClass: number;
  /** Counted drops of human participants (strong/probable band, not in a mass event): the drop-rate numerator. */
  drops: number;
  /** Counted drops of phone, anonymous, room and unknown participants (kept out of the human rate). */
  nonHumanDrops: number;
  /** Human participants with at least one counted drop. */
  affectedParticipants: number;
  /** Sum of the counted human gaps, seconds. */
  lostSeconds: number;
  /** Human disconnections in the possible band (reported, never counted). */
  possibleDrops: number;
  /** Human drops where the participant came back on another device. */
  deviceSwitches: number;
  massEvents: number;
}

export interface AnalysedMeeting {
  meeting: Meeting;
  analysis: MeetingAnalysis;
}

export function meetingRow({ meeting, analysis }: AnalysedMeeting): MeetingRow {
  const summary = summariseMeeting(analysis, meeting);
  const detail = meeting.detail;
  const first = meeting.sessions[0];
  let firstJoin = Number.POSITIVE_INFINITY;
  let lastLeave = Number.NEGATIVE_INFINITY;
  for (const s of meeting.sessions) {
    if (s.joinTime < firstJoin) firstJoin = s.joinTime;
    if (s.leaveTime > lastLeave) lastLeave = s.leaveTime;
  }
  const c = summary.byClass;
  return {
    meetingId: meeting.meetingId,
    organizerEmail: detail?.organizerUpn || first?.organizerUpn || '',
    organizerId: detail?.organizerId || first?.organizerId || '',
    organizerOrganization: detail?.organizerOrganizationId || first?.organizerOrganizationId || '',
    meetingType: detail?.meetingType || first?.meetingType || '',
    start: isoOrEmpty(detail?.startTime),
    end: isoOrEmpty(detail?.endTime),
    firstJoin: isoOrEmpty(meeting.sessions.length > 0 ? firstJoin : undefined),
    lastLeave: isoOrEmpty(meeting.sessions.length > 0 ? lastLeave : undefined),
    attendees: analysis.participants.length,
    sessions: analysis.sessions.length,
    humans: c.human.participants,
    phones: c.phone.participants,
    anonymous: c.anonymous.participants,
    rooms: c.room.participants,
    bots: c.bot.participants,
    unknownClass: c.unknown.participants,
    drops: c.human.drops,
    nonHumanDrops: c.phone.drops + c.anonymous.drops + c.room.drops + c.unknown.drops + c.bot.drops,
    affectedParticipants: c.human.affectedParticipants,
    lostSeconds: c.human.lostSeconds,
    possibleDrops: summary.possibleDrops,
    deviceSwitches: summary.deviceSwitches,
    massEvents: summary.massEvents,
  };
}

/** Rows in input order (first appearance of each meeting). */
export function meetingRows(items: Iterable<AnalysedMeeting>): MeetingRow[] {
  const rows: MeetingRow[] = [];
  for (const item of items) rows.push(meetingRow(item));
  return rows;
}

export const MEETING_FIELDS: readonly (keyof MeetingRow)[] = [
  'meetingId',
  'organizerEmail',
  'organizerId',
  'organizerOrganization',
  'meetingType',
  'start',
  'end',
  'firstJoin',
  'lastLeave',
  'attendees',
  'sessions',
  'humans',
  'phones',
  'anonymous',
  'rooms',
  'bots',
  'unknownClass',
  'drops',
  'nonHumanDrops',
  'affectedParticipants',
  'lostSeconds',
  'possibleDrops',
  'deviceSwitches',
  'massEvents',
];

export const MEETING_CSV_COLUMNS: readonly Column<MeetingRow>[] = MEETING_FIELDS.map((f) => ({
  header: f,
  value: (r) => r[f],
}));

/** A meetings report row with the organiser's name from the directory (Microsoft Graph; the report API's rows). */
export interface NamedMeetingRow extends MeetingRow {
  /** '' when the directory gave no name for organizerId. */
  organizerName: string;
}

export function namedMeetingRow(row: MeetingRow, users: UsersLookup): NamedMeetingRow {
  return { ...row, organizerName: (row.organizerId ? users.name?.(row.organizerId) : undefined) ?? '' };
}

/** The report API's columns: organizerName after organizerId. */
export const NAMED_MEETING_CSV_COLUMNS: readonly Column<NamedMeetingRow>[] = MEETING_FIELDS.flatMap(
  (f): Column<NamedMeetingRow>[] =>
    f === 'organizerId'
      ? [
          { header: f, value: (r) => r[f] },
          { header: 'organizerName', value: (r) => r.organizerName },
        ]
      : [{ header: f, value: (r) => r[f] }],
);
