// tala output templates (docs/design/tala-compatibility.md). Expected lines are written from tala's
// templates; the same layouts were diffed against tala v3.0.0 (talaFixtures.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateTala } from '../../../src/reports/tala/engine.js';
import {
  padIp,
  talaAttendeesLines,
  talaDate,
  talaDisconnectLines,
  talaMeetingsLines,
  talaTime,
  TALA_ATTENDEES_HEADER,
  TALA_MEETINGS_HEADER,
} from '../../../src/reports/tala/layouts.js';
import { session, type SessionSpec } from '../records.fixture.js';

const none = { get: (): string | undefined => undefined };
const D = '2024-03-05T';

function s(join: string, leave: string, extra: Partial<SessionSpec> = {}) {
  return session({ join: D + join, leave: D + leave, ...extra });
}

test('date/time helpers cut at the first / after the last T; IP padded to 15, never cut', () => {
  assert.equal(talaDate('2024-03-05T10:00:00'), '2024-03-05');
  assert.equal(talaTime('2024-03-05T10:00:00'), '10:00:00');
  assert.equal(talaDate('no-t-here'), 'no-t-here');
  assert.equal(talaTime('no-t-here'), 'no-t-here');
  assert.equal(padIp(''), ' '.repeat(15));
  assert.equal(padIp('10.0.0.1'), '10.0.0.1       ');
  assert.equal(padIp('192.168.100.200'), '192.168.100.200');
  assert.equal(padIp('2001:db8:85a3::8a2e:370:7334'), '2001:db8:85a3::8a2e:370:7334');
});

test('-o: header and unquoted lines (a comma in ItemName shifts columns, as in tala)', () => {
  const r = aggregateTala([
    s('10:05:00', '10:20:00', {
      meetingType: 'ScheduledMeeting,RecurringMeeting',
      organizerUpn: 'o@x.example',
      organizerId: 'oid',
      organizerOrganizationId: 'tid',
    }),
    s('10:00:00', '10:30:00', { attendee: { displayName: 'Guest' } }),
  ]);
  assert.deepEqual(talaMeetingsLines(r), [
    TALA_MEETINGS_HEADER,
    'meeting-1,o@x.example,oid,tid,ScheduledMeeting,RecurringMeeting,2024-03-05T10:00:00,2024-03-05T10:30:00,2',
  ]);
});

test('-a: one line per kept connection with the users-database e-mail', () => {
  const r = aggregateTala([
    s('10:00:00', '10:10:00', {
      ip: '10.0.0.1',
      device: 'Win, 10',
      attendee: { userObjectId: 'u1', recipientType: 'User', organizationId: 't1' },
    }),
    s('09:00:00', '09:10:00', {
      ip: '',
      device: '',
      attendee: { userObjectId: 'u1', recipientType: 'User', organizationId: 't1' },
    }),
    s('09:30:00', '09:40:00', { attendee: { displayName: 'Ann, B' } }),
  ]);
  const users = new Map([['u1', 'u1@x.example']]);
  assert.deepEqual(talaAttendeesLines(r, users), [
    TALA_ATTENDEES_HEADER,
    'meeting-1,u1,u1@x.example,User,t1,2024-03-05T09:00:00,2024-03-05T09:10:00,,,',
    'meeting-1,u1,u1@x.example,User,t1,2024-03-05T10:00:00,2024-03-05T10:10:00,10.0.0.1,Win  10,',
    'meeting-1,Ann  B,,?,,2024-03-05T09:30:00,2024-03-05T09:40:00,,,',
  ]);
});

test('-d: templates, indents, padding, blank line after each bucket, trailing "Property: "', () => {
  const u = { userObjectId: 'u1', recipientType: 'User', organizationId: 't1' };
  const r = aggregateTala([
    s('10:00:00', '10:10:00', { attendee: u, ip: '10.0.0.1', device: 'Win' }),
    s('10:11:00', '10:30:00', { attendee: u, ip: '2001:db8:85a3::8a2e:370:7334', device: 'Win' }),
    s('10:05:00', '10:06:00', { attendee: u, ip: '10.0.0.2', device: 'Phone' }),
    s('10:00:00', '10:40:00', { attendee: { userObjectId: 'u2', recipientType: 'User' }, device: 'Win' }),
  ]);
  const { lines, stats } = talaDisconnectLines(r, new Map([['u1', 'u1@x.example']]));
  assert.deepEqual(lines, [
    'Meeting ID: meeting-1 / Type: ScheduledMeeting / Date: 2024-03-05 / Time: 10:00:00 - 10:40:00 / #Attendees: 2',
    '  Attendee: u1 / Key type: User / Email: u1@x.example / Organization ID: t1',
    '    Time: 10:00:00 - 10:10:00 / IP address: 10.0.0.1        / Device: Win / Property: ',
    '    Time: 10:11:00 - 10:30:00 / IP address: 2001:db8:85a3::8a2e:370:7334 / Device: Win / Property: ',
    '',
    '=====',
    '1 meetings affected out of 1 (100.0%)',
    '1 attendees affected out of 2 (50.0%)',
  ]);
  assert.deepEqual(stats, { meetingsAffected: 1, meetings: 1, attendeesAffected: 1, attendees: 2 });
});

test('-d: empty device and the literal device "?" share bucket ?, printed as they are', () => {
  const phone = { displayName: '+1 555', recipientType: 'Phone' };
  const r = aggregateTala([
    s('10:00:00', '10:10:00', { attendee: phone }),
    s('10:20:00', '10:30:00', { attendee: phone, device: '?' }),
  ]);
  const { lines } = talaDisconnectLines(r, none);
  assert.deepEqual(lines.slice(1, 5), [
    '  Attendee: +1 555 / Key type: Phone / Organization ID: ',
    `    Time: 10:00:00 - 10:10:00 / IP address: ${' '.repeat(15)} / Device:  / Property: `,
    `    Time: 10:20:00 - 10:30:00 / IP address: ${' '.repeat(15)} / Device: ? / Property: `,
    '',
  ]);
});

test('-d: two flagged devices give two blocks under one attendee line; counted once', () => {
  const r = aggregateTala([
    s('10:00:00', '10:10:00', { device: 'A' }),
    s('10:01:00', '10:11:00', { device: 'B' }),
    s('10:20:00', '10:30:00', { device: 'A' }),
    s('10:21:00', '10:31:00', { device: 'B' }),
  ]);
  const { lines, stats } = talaDisconnectLines(r, none);
  assert.equal(lines.filter((l) => l.startsWith('  Attendee:')).length, 1);
  assert.deepEqual(
    lines.slice(2, 8).map((l) => (l === '' ? '' : l.slice(-22))),
    ['Device: A / Property: ', 'Device: A / Property: ', '', 'Device: B / Property: ', 'Device: B / Property: ', ''],
  );
  assert.equal(stats.attendeesAffected, 1);
});

test('-i filters connections before bucketing; key type and organization still come from the first sorted connection', () => {
  const early = { userObjectId: 'u4', recipientType: 'User', organizationId: 'home' };
  const later = { userObjectId: 'u4', recipientType: 'InternalFederated', organizationId: 'ext' };
  const r = aggregateTala([
    s('10:00:00', '10:01:00', { attendee: early, ip: '203.0.113.5', device: 'Android' }),
    s('10:02:00', '10:05:00', { attendee: later, ip: '10.57.9.9', device: 'Android' }),
    s('10:06:00', '10:10:00', { attendee: later, ip: '10.57.9.10', device: 'Android' }),
    s('10:00:00', '10:10:00', { attendee: { userObjectId: 'u5' }, ip: '192.168.1.1', device: 'X' }),
    s('10:11:00', '10:20:00', { attendee: { userObjectId: 'u5' }, ip: '10.57.0.1', device: 'X' }),
  ]);
  const tenFiveSeven = { test: (ip: string) => /^10\.57\./.test(ip) };
  const { lines, stats } = talaDisconnectLines(r, none, tenFiveSeven);
  assert.deepEqual(lines.slice(1, 5), [
    '  Attendee: u4 / Key type: User / Organization ID: home',
    '    Time: 10:02:00 - 10:05:00 / IP address: 10.57.9.9       / Device: Android / Property: ',
    '    Time: 10:06:00 - 10:10:00 / IP address: 10.57.9.10      / Device: Android / Property: ',
    '',
  ]);
  // u5 keeps one matching connection only: not flagged; denominators ignore the filter
  assert.deepEqual(stats, { meetingsAffected: 1, meetings: 1, attendeesAffected: 1, attendees: 2 });
});

test('-i: an empty IP is tested as the empty string', () => {
  const r = aggregateTala([s('10:00:00', '10:10:00', { device: 'D' }), s('10:20:00', '10:30:00', { device: 'D' })]);
  const matchesEmpty = { test: (ip: string) => /^$/.test(ip) };
  const needsDigits = { test: (ip: string) => /^\d/.test(ip) };
  assert.equal(talaDisconnectLines(r, none, matchesEmpty).stats.attendeesAffected, 1);
  assert.equal(talaDisconnectLines(r, none, needsDigits).stats.attendeesAffected, 0);
});

test('-d on no records prints the summary with 0.0% instead of dividing by zero', () => {
  const { lines } = talaDisconnectLines(aggregateTala([]), none);
  assert.deepEqual(lines, ['=====', '0 meetings affected out of 0 (0.0%)', '0 attendees affected out of 0 (0.0%)']);
});

test('-d summary rounds exact .25 ties to even, as Python', () => {
  // 16 meetings of one attendee each, one flagged: 100·1/16 = 6.25 → "6.2" (toFixed gives "6.3")
  const records = [];
  for (let i = 0; i < 16; i++) records.push(s('08:00:00', '08:30:00', { meetingId: `m${i}`, device: 'W' }));
  records.push(s('08:31:00', '09:00:00', { meetingId: 'm0', device: 'W' }));
  const { lines } = talaDisconnectLines(aggregateTala(records), none);
  assert.deepEqual(lines.slice(-2), ['1 meetings affected out of 16 (6.2%)', '1 attendees affected out of 16 (6.2%)']);
});
