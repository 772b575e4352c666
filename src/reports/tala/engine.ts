// tala v3.0.0 aggregation of one input file: meetings, attendees and connections exactly as
// tala builds them (docs/design/tala-compatibility.md), in linear-logarithmic time instead of tala's quadratic scans.
import {
  joinTimeText,
  leaveTimeText,
  type AuditRecord,
  type Attendee,
  type Rejection,
  type SessionRecord,
} from '../../audit/records.js';

/** One kept connection: tala's seven fields, plus the parsed times used for ordering. */
export interface TalaConnection {
  keyType: string;
  attendeeOrg: string;
  join: string;
  leave: string;
  ip: string;
  device: string;
  property: string;
  joinMs: number;
  leaveMs: number;
}

export interface TalaMeeting {
  meetingKey: string;
  /** From the meeting's first record; later differing values only produce a warning. */
  organizerEmail: string;
  organizerId: string;
  organizerOrg: string;
  meetingType: string;
  /** Raw JoinTime/LeaveTime strings, chosen by parsed comparison. */
  firstJoin: string;
  lastLeave: string;
  firstJoinMs: number;
  lastLeaveMs: number;
  /** Attendee key → connections sorted by (join, leave); Map order = first appearance. */
  attendees: Map<string, TalaConnection[]>;
}

/** A message about an accepted record (tala's WARNING/ERROR lines about a row). */
export interface TalaNotice {
  file: string;
  line: number;
  field: string;
  reason: string;
}

export interface TalaKey {
  key: string;
  keyType: string;
  attendeeOrg: string;
}

/**
 * tala's attendee key: UserObjectId (with the attendee OrganizationId), else DisplayName with
 * every comma replaced by a space (organization ''); key type = RecipientType or `?`.
 */
export function talaAttendeeKey(attendee: Attendee): TalaKey {
  const keyType = attendee.recipientType ?? '?';
  if (attendee.userObjectId !== undefined) {
    return { key: attendee.userObjectId, keyType, attendeeOrg: attendee.organizationId ?? '' };
  }
  if (attendee.displayName !== undefined) {
    return { key: attendee.displayName.replace(/,/g, ' '), keyType, attendeeOrg: '' };
  }
  return { key: '', keyType, attendeeOrg: '' };
}

/** tala's connection for a session record. `property` is always '' (see README, Differences from tala). */
export function talaConnection(record: SessionRecord, key: TalaKey): TalaConnection {
  return {
    keyType: key.keyType,
    attendeeOrg: key.attendeeOrg,
    join: joinTimeText(record),
    leave: leaveTimeText(record),
    ip: record.clientIp,
    device: record.deviceInformation.replace(/,/g, ' '),
    // tala reads ExtraProperties["Value"], which never exists on the real {Key,Value} list.
    property: '',
    joinMs: record.joinTime,
    leaveMs: record.leaveTime,
  };
}

function sameSevenFields(a: TalaConnection, b: TalaConnection): boolean {
  return (
    a.join === b.join &&
    a.leave === b.leave &&
    a.ip === b.ip &&
    a.device === b.device &&
    a.property === b.property &&
    a.keyType === b.keyType &&
    a.attendeeOrg === b.attendeeOrg
  );
}

/**
 * tala's sorted insertion with duplicate removal. tala scans from the start, stops at the first
 * connection E with (new.join, new.leave) ≤ (E.join, E.leave) and inserts before it, testing
 * each scanned connection (including E) for a seven-field duplicate first. Every connection
 * before that point sorts strictly lower, so it cannot be a duplicate: the only one tested that
 * can match is E itself. A binary search for E therefore gives the same result, including the
 * quirk that a copy sitting after an equal-time, different connection is missed.
 * Returns false when the connection was a duplicate (and dropped).
 */
export function insertConnection(list: TalaConnection[], conn: TalaConnection): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = list[mid]!;
    const newNotAfter = conn.joinMs < e.joinMs || (conn.joinMs === e.joinMs && conn.leaveMs <= e.leaveMs);
    if (newNotAfter) hi = mid;
    else lo = mid + 1;
  }
  const at = list[lo];
  if (at !== undefined && sameSevenFields(at, conn)) return false;
  if (lo === list.length) list.push(conn);
  else list.splice(lo, 0, conn);
  return true;
}

export interface TalaFileResult {
  meetings: Map<string, TalaMeeting>;
  /** Session records kept as connections (duplicates excluded). */
  connections: number;
  /** Records dropped by tala's seven-field duplicate rule. */
  duplicates: number;
  /** MeetingDetail records, which tala would mis-read as participants; not used. */
  skippedMeetingDetails: number;
  /** Records tala would have merged under the attendee key "" (rejected here). */
  rejections: Rejection[];
  notices: TalaNotice[];
}

/** Aggregates one file's records, in file order, the way tala does. */
export class TalaAggregator {
  readonly meetings = new Map<string, TalaMeeting>();
  connections = 0;
  duplicates = 0;
  skippedMeetingDetails = 0;
  readonly rejections: Rejection[] = [];
  readonly notices: TalaNotice[] = [];

  add(record: AuditRecord): void {
    if (record.kind !== 'session') {
      this.skippedMeetingDetails++;
      return;
    }
    const key = talaAttendeeKey(record.attendee);
    if (key.key === '') {
      this.rejections.push({
        file: record.source.file,
        line: record.source.line,
        field: 'AuditData.Attendees',
        reason:
          'attendee has neither a UserObjectId nor a DisplayName; tala would merge every such row under an empty attendee key, so the row is not used',
        recordId: record.recordId,
      });
      return;
    }
    const conn = talaConnection(record, key);
    let meeting = this.meetings.get(record.meetingId);
    if (meeting === undefined) {
      meeting = {
        meetingKey: record.meetingId,
        organizerEmail: record.organizerUpn,
        organizerId: record.organizerId,
        organizerOrg: record.organizerOrganizationId,
        meetingType: record.meetingType,
        firstJoin: joinTimeText(record),
        lastLeave: leaveTimeText(record),
        firstJoinMs: record.joinTime,
        lastLeaveMs: record.leaveTime,
        attendees: new Map([[key.key, [conn]]]),
      };
      this.meetings.set(record.meetingId, meeting);
      this.connections++;
      return;
    }
    this.checkOrganizer(meeting, record);
    this.widen(meeting, record);
    const list = meeting.attendees.get(key.key);
    if (list === undefined) {
      meeting.attendees.set(key.key, [conn]);
      this.connections++;
    } else if (insertConnection(list, conn)) {
      this.connections++;
    } else {
      this.duplicates++;
    }
  }

  result(): TalaFileResult {
    return {
      meetings: this.meetings,
      connections: this.connections,
      duplicates: this.duplicates,
      skippedMeetingDetails: this.skippedMeetingDetails,
      rejections: this.rejections,
      notices: this.notices,
    };
  }

  private checkOrganizer(meeting: TalaMeeting, record: SessionRecord): void {
    const differs: [string, boolean][] = [
      ['AuditData.UserId', record.organizerUpn !== meeting.organizerEmail],
      ['AuditData.UserKey', record.organizerId !== meeting.organizerId],
      ['AuditData.OrganizationId', record.organizerOrganizationId !== meeting.organizerOrg],
    ];
    for (const [field, changed] of differs) {
      if (changed) {
        this.notices.push({
          file: record.source.file,
          line: record.source.line,
          field,
          reason: "organizer differs from the meeting's first record; the first value is kept (as tala)",
        });
      }
    }
  }

  /** first_join / last_leave: strictly earlier join / strictly later leave replaces the raw string. */
  private widen(meeting: TalaMeeting, record: SessionRecord): void {
    if (record.joinTime < 0) {
      this.notices.push({
        file: record.source.file,
        line: record.source.line,
        field: 'AuditData.JoinTime',
        reason: 'before 1970; ignored for first_join (as tala)',
      });
    } else if (record.joinTime < meeting.firstJoinMs) {
      meeting.firstJoin = joinTimeText(record);
      meeting.firstJoinMs = record.joinTime;
    }
    if (record.leaveTime < 0) {
      this.notices.push({
        file: record.source.file,
        line: record.source.line,
        field: 'AuditData.LeaveTime',
        reason: 'before 1970; ignored for last_leave (as tala)',
      });
    } else if (record.leaveTime > meeting.lastLeaveMs) {
      meeting.lastLeave = leaveTimeText(record);
      meeting.lastLeaveMs = record.leaveTime;
    }
  }
}

/** Aggregates records (one file, in file order). */
export function aggregateTala(records: Iterable<AuditRecord>): TalaFileResult {
  const agg = new TalaAggregator();
  for (const r of records) agg.add(r);
  return agg.result();
}
