// Attendees report (tala -a plus): one row per session (connection) with the participant's class,
// platform, site, device key, user agent and e-mail.
import { siteLabel } from '../analysis/detect.js';
import type { ClassifiedSession, MeetingAnalysis } from '../analysis/model.js';
import type { Column } from './render/csv.js';
import type { UsersLookup } from '../analysis/userDirectory.js';
import { isoOrEmpty, secondsBetween, sourceText } from './common.js';

export interface AttendeeRow {
  meetingId: string;
  /** UserObjectId, else UPN (lower-cased), else DisplayName. */
  participantKey: string;
  /** `low` when the key is a display name (anonymous, phone, app). */
  keyConfidence: string;
  /** Attendees UPN, else the users database entry for the UserObjectId, else ''. */
  email: string;
  /** Attendees DisplayName, else the directory's name for the UserObjectId, else ''. */
  displayName: string;
  /** Attendees RecipientType ('' when absent). */
  recipientType: string;
  /** Attendees OrganizationId (the participant's tenant). */
  attendeeOrganization: string;
  participantClass: string;
  /** Name of the classification rule that decided the class. */
  classReason: string;
  platform: string;
  /** JoinTime / LeaveTime (ISO UTC). */
  joinTime: string;
  leaveTime: string;
  /** LeaveTime − JoinTime, seconds. */
  durationSeconds: number;
  /** ClientIP as recorded ('' when absent). */
  clientIp: string;
  /** Site of the IP from the site map; `unmapped` or `no IP` otherwise. */
  site: string;
  deviceInformation: string;
  /** `id:<DeviceId>` or `dev:<DeviceInformation>|<client family>`: what the detector groups sessions by. */
  deviceKey: string;
  userAgent: string;
  recordId: string;
  /** `file:line` of the record. */
  source: string;
}

export function attendeeRow(meetingId: string, c: ClassifiedSession, users?: UsersLookup): AttendeeRow {
  const s = c.session;
  const a = s.attendee;
  const email = a.upn || (a.userObjectId ? users?.get(a.userObjectId) : undefined) || '';
  return {
    meetingId,
    participantKey: c.participantKey,
    keyConfidence: c.keyConfidence,
    email,
    displayName: a.displayName || (a.userObjectId ? users?.name?.(a.userObjectId) : undefined) || '',
    recipientType: a.recipientType ?? '',
    attendeeOrganization: a.organizationId ?? '',
    participantClass: c.participantClass,
    classReason: c.classReason,
    platform: c.platform,
    joinTime: isoOrEmpty(s.joinTime),
    leaveTime: isoOrEmpty(s.leaveTime),
    durationSeconds: secondsBetween(s.joinTime, s.leaveTime),
    clientIp: s.clientIp,
    site: siteLabel(c.ip, c.site?.name),
    deviceInformation: s.deviceInformation,
    deviceKey: c.deviceKey,
    userAgent: s.userAgent,
    recordId: s.recordId,
    source: sourceText(s.source),
  };
}

/**
 * Meetings in the given order; within a meeting, participants in order of their first join, and
 * each participant's sessions by (join, leave, record id) (the analysis order).
 */
export function attendeeRows(analyses: Iterable<MeetingAnalysis>, users?: UsersLookup): AttendeeRow[] {
  const rows: AttendeeRow[] = [];
  for (const analysis of analyses) for (const row of meetingAttendeeRows(analysis, users)) rows.push(row);
  return rows;
}

/** The rows of one meeting, in attendeeRows' order (a report can be written meeting by meeting). */
export function meetingAttendeeRows(analysis: MeetingAnalysis, users?: UsersLookup): AttendeeRow[] {
  const byParticipant = new Map<string, ClassifiedSession[]>();
  for (const c of analysis.sessions) {
    const list = byParticipant.get(c.participantKey);
    if (list === undefined) byParticipant.set(c.participantKey, [c]);
    else list.push(c);
  }
  const rows: AttendeeRow[] = [];
  for (const list of byParticipant.values()) {
    for (const c of list) rows.push(attendeeRow(analysis.meetingId, c, users));
  }
  return rows;
}

export const ATTENDEE_FIELDS: readonly (keyof AttendeeRow)[] = [
  'meetingId',
  'participantKey',
  'keyConfidence',
  'email',
  'displayName',
  'recipientType',
  'attendeeOrganization',
  'participantClass',
  'classReason',
  'platform',
  'joinTime',
  'leaveTime',
  'durationSeconds',
  'clientIp',
  'site',
  'deviceInformation',
  'deviceKey',
  'userAgent',
  'recordId',
  'source',
];

export const ATTENDEE_CSV_COLUMNS: readonly Column<AttendeeRow>[] = ATTENDEE_FIELDS.map((f) => ({
  header: f,
  value: (r) => r[f],
}));
