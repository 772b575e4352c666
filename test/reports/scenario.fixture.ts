// A small analysed data set shared by the report tests, built with the real classifier and
// detector (default parameters: strong ≤ 60 s, counted ≤ 300 s, possible ≤ 900 s).
import type { SessionRecord } from '../../src/audit/records.js';
import type { Meeting } from '../../src/analysis/model.js';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { analyseMeeting } from '../../src/analysis/detect.js';
import type { AnalysedMeeting } from '../../src/reports/meetings.js';
import { meetingDetail, session } from './records.fixture.js';

const UA = 'CallSignalingAgent (49/1.0//;release)';
const D = '2024-03-05T';
export const U1 = {
  userObjectId: 'u1',
  upn: 'u1@contoso.example',
  recipientType: 'User',
  organizationId: 't1',
  displayName: 'User One',
};
export const U2 = { userObjectId: 'u2', recipientType: 'User', organizationId: 't1', displayName: 'User Two' };
const PHONE = { displayName: '+1 555 0100', recipientType: 'Phone' };
const BOT = { displayName: 'b1902c3e-b9f7-4650-9b23-5772bd429747', recipientType: 'Applications' };

function s(
  meetingId: string,
  join: string,
  leave: string,
  extra: Partial<Parameters<typeof session>[0]>,
): SessionRecord {
  return session({
    meetingId,
    join: D + join,
    leave: D + leave,
    userAgent: UA,
    organizerUpn: 'boss@contoso.example',
    organizerId: 'boss-id',
    ...extra,
  });
}

/**
 * M1 (MeetingDetail 10:00-11:00): u1 leaves 10:20:00 and rejoins on the same Windows device at
 * 10:20:30 from another IP (30 s: strong, counted); u2 leaves 10:30 and is back 10:38 (480 s:
 * possible band, not counted); a phone and the recording bot, one session each.
 * M2 (no MeetingDetail): one session of u1.
 */
export function scenarioRecords() {
  return {
    detail: meetingDetail('M1', D + '10:00:00', D + '11:00:00', 'boss@contoso.example'),
    m1: [
      s('M1', '10:00:00', '10:20:00', { attendee: U1, ip: '10.57.1.20', device: 'Windows 10', recordId: 'r-u1-a' }),
      s('M1', '10:01:00', '10:30:00', { attendee: U2, ip: '192.168.1.10', device: 'Mac OS X', recordId: 'r-u2-a' }),
      s('M1', '10:20:30', '10:59:00', { attendee: U1, ip: '10.57.1.21', device: 'Windows 10', recordId: 'r-u1-b' }),
      s('M1', '10:38:00', '10:59:30', { attendee: U2, ip: '192.168.1.10', device: 'Mac OS X', recordId: 'r-u2-b' }),
      s('M1', '10:05:00', '10:50:00', {
        attendee: PHONE,
        userAgent: 'Conferencing Virtual Assistant',
        recordId: 'r-phone',
      }),
      s('M1', '10:00:05', '10:59:55', { attendee: BOT, userAgent: 'SkypeBot Call Recorder Teams', recordId: 'r-bot' }),
    ],
    m2: [
      s('M2', '14:00:00', '14:30:00', {
        attendee: U1,
        ip: '10.57.1.20',
        device: 'Windows 10',
        recordId: 'r-m2',
        organizerUpn: 'u1@contoso.example',
      }),
    ],
  };
}

export function scenario(): { analysed: AnalysedMeeting[]; classifier: SessionClassifier } {
  const r = scenarioRecords();
  const meetings: Meeting[] = [
    { meetingId: 'M1', detail: r.detail, sessions: r.m1 },
    { meetingId: 'M2', sessions: r.m2 },
  ];
  const classifier = new SessionClassifier();
  return {
    classifier,
    analysed: meetings.map((meeting) => ({
      meeting,
      analysis: analyseMeeting(meeting, (x) => classifier.classify(x)),
    })),
  };
}
