// Hand-built ClassifiedSession values for detector and metrics tests (times in seconds from T0).
import type { SessionRecord } from '../../src/audit/records.js';
import type { ClassifiedSession, ClientPlatform, KeyConfidence, ParticipantClass } from '../../src/analysis/model.js';
import type { MeetingWindow } from '../../src/analysis/detect.js';

/** 2024-05-01T14:00:00Z */
export const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
export const at = (seconds: number): number => T0 + seconds * 1000;

export interface SessionSpec {
  key: string;
  join: number;
  leave: number;
  device?: string;
  ip?: string;
  site?: string;
  cls?: ParticipantClass;
  keyConfidence?: KeyConfidence;
  platform?: ClientPlatform;
  id?: string;
  meetingId?: string;
}

let counter = 0;

export function session(spec: SessionSpec): ClassifiedSession {
  counter += 1;
  const recordId = spec.id ?? `rec-${counter}`;
  const record: SessionRecord = {
    kind: 'session',
    recordId,
    meetingId: spec.meetingId ?? 'm1',
    organizerUpn: 'organiser@contoso.example',
    organizerId: 'org-id',
    organizerOrganizationId: 'tenant',
    meetingType: 'Scheduled',
    attendee: { userObjectId: spec.key, displayName: `Name ${spec.key}`, upn: `${spec.key}@contoso.example` },
    joinTime: at(spec.join),
    leaveTime: at(spec.leave),
    joinTimeRaw: '',
    leaveTimeRaw: '',
    clientIp: spec.ip ?? '',
    deviceInformation: spec.device ?? 'laptop',
    userAgent: '',
    source: { file: 'test', line: counter },
  };
  const classified: ClassifiedSession = {
    session: record,
    participantKey: spec.key,
    keyConfidence: spec.keyConfidence ?? 'high',
    participantClass: spec.cls ?? 'human',
    classReason: 'test',
    platform: spec.platform ?? 'windows',
    deviceKey: spec.device ?? 'laptop',
    ip: spec.ip ?? '',
  };
  if (spec.site !== undefined) {
    classified.site = { name: spec.site, building: spec.site, network: '10.0.0.0/8', insideCorp: true, vpn: false };
  }
  return classified;
}

/** An instance from MeetingDetail: T0 .. T0 + endSeconds. */
export function windowTo(endSeconds: number, startSeconds = 0): MeetingWindow {
  return { start: at(startSeconds), end: at(endSeconds), source: 'MeetingDetail' };
}
