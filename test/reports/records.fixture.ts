// Builders of typed records for report tests (times are UTC `YYYY-MM-DDThh:mm:ss`).
import type { Attendee, MeetingDetailRecord, SessionRecord } from '../../src/audit/records.js';

let counter = 0;

export function ms(iso: string): number {
  return Date.parse(iso + 'Z');
}

export interface SessionSpec {
  meetingId?: string;
  join: string;
  leave: string;
  attendee?: Attendee;
  ip?: string;
  device?: string;
  deviceId?: string;
  userAgent?: string;
  organizerUpn?: string;
  organizerId?: string;
  organizerOrganizationId?: string;
  meetingType?: string;
  recordId?: string;
  file?: string;
  line?: number;
}

export function session(spec: SessionSpec): SessionRecord {
  counter++;
  const r: SessionRecord = {
    kind: 'session',
    recordId: spec.recordId ?? `rec-${counter}`,
    meetingId: spec.meetingId ?? 'meeting-1',
    organizerUpn: spec.organizerUpn ?? 'org@contoso.example',
    organizerId: spec.organizerId ?? 'org-id',
    organizerOrganizationId: spec.organizerOrganizationId ?? 'tenant-1',
    meetingType: spec.meetingType ?? 'ScheduledMeeting',
    attendee: spec.attendee ?? { userObjectId: 'user-1', recipientType: 'User', organizationId: 'tenant-1' },
    joinTime: ms(spec.join),
    leaveTime: ms(spec.leave),
    joinTimeRaw: spec.join,
    leaveTimeRaw: spec.leave,
    clientIp: spec.ip ?? '',
    deviceInformation: spec.device ?? '',
    userAgent: spec.userAgent ?? '',
    source: { file: spec.file ?? 'test.csv', line: spec.line ?? counter },
  };
  if (spec.deviceId !== undefined) r.deviceId = spec.deviceId;
  return r;
}

export function meetingDetail(
  meetingId: string,
  start: string,
  end: string,
  organizerUpn = 'org@contoso.example',
): MeetingDetailRecord {
  counter++;
  return {
    kind: 'meeting',
    recordId: meetingId,
    meetingId,
    organizerUpn,
    organizerId: 'org-id',
    organizerOrganizationId: 'tenant-1',
    startTime: ms(start),
    endTime: ms(end),
    startTimeRaw: start,
    endTimeRaw: end,
    meetingType: 'ScheduledMeeting',
    source: { file: 'test.csv', line: counter },
  };
}
