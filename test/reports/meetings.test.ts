import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meetingRows, MEETING_CSV_COLUMNS, MEETING_FIELDS } from '../../src/reports/meetings.js';
import { renderCsv } from '../../src/reports/render/csv.js';
import { renderMeetingsText } from '../../src/reports/render/text.js';
import { scenario } from './scenario.fixture.js';

test('meeting rows: organiser, MeetingDetail window, sessions, participants by class, drops', () => {
  const [m1, m2] = meetingRows(scenario().analysed);
  assert.deepEqual(m1, {
    meetingId: 'M1',
    organizerEmail: 'boss@contoso.example',
    organizerId: 'org-id', // from the MeetingDetail record (meetingDetail() fixture)
    organizerOrganization: 'tenant-1',
    meetingType: 'ScheduledMeeting',
    start: '2024-03-05T10:00:00Z',
    end: '2024-03-05T11:00:00Z',
    firstJoin: '2024-03-05T10:00:00Z',
    lastLeave: '2024-03-05T10:59:55Z',
    attendees: 4,
    sessions: 6,
    humans: 2,
    phones: 1,
    anonymous: 0,
    rooms: 0,
    bots: 1,
    unknownClass: 0,
    drops: 1, // u1's 30 s gap; u2's 480 s gap is in the possible band
    nonHumanDrops: 0,
    affectedParticipants: 1,
    lostSeconds: 30,
    possibleDrops: 1,
    deviceSwitches: 0,
    massEvents: 0,
  });
  // no MeetingDetail: start/end empty, organiser from the first session record
  assert.equal(m2!.start, '');
  assert.equal(m2!.end, '');
  assert.equal(m2!.organizerEmail, 'u1@contoso.example');
  assert.equal(m2!.firstJoin, '2024-03-05T14:00:00Z');
  assert.equal(m2!.attendees, 1);
  assert.equal(m2!.drops, 0);
});

test('meetings CSV has every documented field as a column, in order', () => {
  const csv = renderCsv(meetingRows(scenario().analysed), MEETING_CSV_COLUMNS);
  const [header, first] = csv.split('\r\n');
  assert.equal(header, MEETING_FIELDS.join(','));
  assert.ok(first!.startsWith('M1,boss@contoso.example,org-id,tenant-1,ScheduledMeeting,2024-03-05T10:00:00Z,'));
});

test('meetings text table lists one line per meeting under a header', () => {
  const lines = renderMeetingsText(meetingRows(scenario().analysed)).trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^meeting +organizer +type +first join/);
  assert.match(lines[2]!, /^M1 +boss@contoso\.example/);
});
