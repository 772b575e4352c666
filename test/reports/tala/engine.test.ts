// tala aggregation rules (docs/design/tala-compatibility.md); expected values follow from those rules, and the same
// behaviours were checked against tala v3.0.0 through the fixture test (talaFixtures.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateTala,
  insertConnection,
  talaAttendeeKey,
  talaConnection,
  type TalaConnection,
} from '../../../src/reports/tala/engine.js';
import { meetingDetail, session } from '../records.fixture.js';

test('attendee key: UserObjectId with its organization, else DisplayName with commas → spaces', () => {
  assert.deepEqual(
    talaAttendeeKey({ userObjectId: 'u1', organizationId: 'o1', recipientType: 'User', displayName: 'A, B' }),
    {
      key: 'u1',
      keyType: 'User',
      attendeeOrg: 'o1',
    },
  );
  assert.deepEqual(talaAttendeeKey({ displayName: 'Frank, External', organizationId: 'o1' }), {
    key: 'Frank  External',
    keyType: '?',
    attendeeOrg: '',
  });
  // UPN is ignored by tala: no UserObjectId and no DisplayName gives the empty key
  assert.equal(talaAttendeeKey({ upn: 'x@y.example', recipientType: 'User' }).key, '');
  assert.equal(talaAttendeeKey({ userObjectId: 'u1' }).attendeeOrg, '');
});

test('device commas become spaces; property is always empty', () => {
  const r = session({
    join: '2024-01-01T10:00:00',
    leave: '2024-01-01T10:10:00',
    device: 'Surface, Pro',
    userAgent: 'CallSignalingAgent (1/2)',
  });
  const c = talaConnection(r, talaAttendeeKey(r.attendee));
  assert.equal(c.device, 'Surface  Pro');
  assert.equal(c.property, '');
});

function conn(join: string, leave: string, ip: string): TalaConnection {
  const r = session({ join: `2024-01-01T${join}`, leave: `2024-01-01T${leave}`, ip, device: 'D' });
  return talaConnection(r, talaAttendeeKey(r.attendee));
}

test('sorted insertion by (join, leave); on a tie the new connection goes first', () => {
  const list: TalaConnection[] = [];
  insertConnection(list, conn('10:05:00', '10:10:00', 'a'));
  insertConnection(list, conn('10:00:00', '10:20:00', 'b'));
  insertConnection(list, conn('10:00:00', '10:15:00', 'c'));
  insertConnection(list, conn('10:00:00', '10:15:00', 'd')); // same times as c, other IP: before c
  insertConnection(list, conn('11:00:00', '11:01:00', 'e'));
  assert.deepEqual(
    list.map((c) => c.ip),
    ['d', 'c', 'b', 'a', 'e'],
  );
});

test('exact seven-field copy is dropped when it sits at the insertion point', () => {
  const list: TalaConnection[] = [];
  assert.equal(insertConnection(list, conn('10:00:00', '10:30:00', 'x')), true);
  assert.equal(insertConnection(list, conn('10:00:00', '10:30:00', 'x')), false);
  assert.equal(list.length, 1);
});

test('quirk: a copy is kept when a same-time connection with another IP sits before it', () => {
  const list: TalaConnection[] = [];
  insertConnection(list, conn('10:00:00', '10:30:00', 'A'));
  insertConnection(list, conn('10:00:00', '10:30:00', 'B')); // tie: goes before A → [B, A]
  // tala's scan stops at B (insertion point) and never compares with A
  assert.equal(insertConnection(list, conn('10:00:00', '10:30:00', 'A')), true);
  assert.deepEqual(
    list.map((c) => c.ip),
    ['A', 'B', 'A'],
  );
});

test('a copy of a later connection is found when it is the insertion point', () => {
  const list: TalaConnection[] = [];
  insertConnection(list, conn('09:00:00', '09:30:00', 'early'));
  insertConnection(list, conn('10:00:00', '10:30:00', 'A'));
  assert.equal(insertConnection(list, conn('10:00:00', '10:30:00', 'A')), false);
  assert.equal(list.length, 2);
});

test('meetings in first-appearance order; organiser and type from the first record; raw first_join/last_leave', () => {
  const result = aggregateTala([
    session({ meetingId: 'M2', join: '2024-01-01T12:00:00', leave: '2024-01-01T12:30:00' }),
    session({
      meetingId: 'M1',
      join: '2024-01-01T10:05:00',
      leave: '2024-01-01T10:20:00',
      organizerUpn: 'first@x.example',
      meetingType: 'A,B',
    }),
    session({
      meetingId: 'M1',
      join: '2024-01-01T10:00:00',
      leave: '2024-01-01T10:10:00',
      organizerUpn: 'other@x.example',
      organizerId: 'other-id',
      meetingType: 'C',
      attendee: { displayName: 'Guest' },
    }),
    session({
      meetingId: 'M1',
      join: '2024-01-01T10:30:00',
      leave: '2024-01-01T11:00:00',
      organizerUpn: 'first@x.example',
    }),
  ]);
  assert.deepEqual([...result.meetings.keys()], ['M2', 'M1']);
  const m1 = result.meetings.get('M1')!;
  assert.equal(m1.organizerEmail, 'first@x.example');
  assert.equal(m1.meetingType, 'A,B');
  assert.equal(m1.firstJoin, '2024-01-01T10:00:00');
  assert.equal(m1.lastLeave, '2024-01-01T11:00:00');
  assert.deepEqual([...m1.attendees.keys()], ['user-1', 'Guest']);
  // the differing organiser produced warnings naming the fields, never the values
  assert.deepEqual(
    result.notices.map((n) => n.field),
    ['AuditData.UserId', 'AuditData.UserKey'],
  );
  assert.ok(result.notices.every((n) => !n.reason.includes('@')));
});

test('first_join keeps the raw string of the earliest parsed time, whatever its spelling', () => {
  const result = aggregateTala([
    session({ join: '2024-01-01T10:00:00', leave: '2024-01-01T10:10:00' }),
    session({ join: '2024-01-01T09:59:59', leave: '2024-01-01T10:10:00', attendee: { displayName: 'b' } }),
    // an equal time does not replace the stored string
    session({ join: '2024-01-01T09:59:59', leave: '2024-01-01T10:10:00', attendee: { displayName: 'c' } }),
  ]);
  const m = result.meetings.get('meeting-1')!;
  assert.equal(m.firstJoin, '2024-01-01T09:59:59');
  assert.equal(m.lastLeave, '2024-01-01T10:10:00');
});

test('MeetingDetail records are skipped; keyless attendees are rejected with a message', () => {
  const result = aggregateTala([
    meetingDetail('meeting-1', '2024-01-01T10:00:00', '2024-01-01T11:00:00'),
    session({
      join: '2024-01-01T10:00:00',
      leave: '2024-01-01T10:10:00',
      attendee: { upn: 'x@y.example' },
      line: 7,
      file: 'f.csv',
    }),
    session({ join: '2024-01-01T10:00:00', leave: '2024-01-01T10:10:00' }),
  ]);
  assert.equal(result.skippedMeetingDetails, 1);
  assert.equal(result.rejections.length, 1);
  assert.equal(result.rejections[0]!.file, 'f.csv');
  assert.equal(result.rejections[0]!.line, 7);
  assert.equal(result.rejections[0]!.field, 'AuditData.Attendees');
  assert.equal(result.connections, 1);
  assert.equal([...result.meetings.get('meeting-1')!.attendees.keys()].join(), 'user-1');
});

test('duplicates are counted; records of one person in two meetings stay apart', () => {
  const a = { join: '2024-01-01T10:00:00', leave: '2024-01-01T10:10:00', ip: '10.0.0.1', device: 'D' };
  const result = aggregateTala([session(a), session(a), session({ ...a, meetingId: 'meeting-2' })]);
  assert.equal(result.duplicates, 1);
  assert.equal(result.connections, 2);
  assert.equal(result.meetings.size, 2);
});

// tala's duplicate rule written out literally (scan from the start; duplicate test, then stop at the first
// E with new ≤ E): the binary-search version must give the same lists for any input order.
function literalTalaInsert(list: TalaConnection[], c: TalaConnection): void {
  let i = 0;
  while (i < list.length) {
    const e = list[i]!;
    const same =
      e.join === c.join &&
      e.leave === c.leave &&
      e.ip === c.ip &&
      e.device === c.device &&
      e.property === c.property &&
      e.keyType === c.keyType &&
      e.attendeeOrg === c.attendeeOrg;
    if (same) return;
    if (c.joinMs < e.joinMs || (c.joinMs === e.joinMs && c.leaveMs <= e.leaveMs)) break;
    i++;
  }
  list.splice(i, 0, c);
}

test('property: insertConnection equals tala’s literal scan, ties and copies included', async () => {
  const fc = await import('fast-check');
  const arbConn = fc.record({
    join: fc.integer({ min: 0, max: 3 }),
    len: fc.integer({ min: 0, max: 2 }),
    ip: fc.constantFrom('a', 'b'),
    device: fc.constantFrom('D', ''),
  });
  fc.assert(
    fc.property(fc.array(arbConn, { maxLength: 25 }), (specs) => {
      const fast: TalaConnection[] = [];
      const literal: TalaConnection[] = [];
      for (const s of specs) {
        const join = `2024-01-01T10:0${s.join}:00`;
        const leave = `2024-01-01T10:0${s.join + s.len}:00`;
        const make = (): TalaConnection => conn(join.slice(11), leave.slice(11), s.ip);
        const c1 = { ...make(), device: s.device };
        insertConnection(fast, c1);
        literalTalaInsert(literal, { ...c1 });
      }
      assert.deepEqual(
        fast.map((c) => [c.join, c.leave, c.ip, c.device]),
        literal.map((c) => [c.join, c.leave, c.ip, c.device]),
      );
    }),
    { numRuns: 500 },
  );
});
