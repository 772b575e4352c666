import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  quoteForMessage,
  synthesisedRecordId,
  toAuditItem,
  userAgentOf,
} from '../../src/audit/auditData.js';
import {
  isPlainIsoText,
  joinTimeText,
  leaveTimeText,
  plainIsoText,
  type ExportItem,
  type Rejection,
} from '../../src/audit/records.js';
import { parseAuditTime } from '../../src/audit/time.js';
import { meetingData, participantData } from './helpers.js';

const source = { file: 'export.csv', line: 7 };

function rejectionOf(item: ExportItem): Rejection {
  assert.equal(item.type, 'rejected', JSON.stringify(item));
  return item.rejection;
}

test('a MeetingParticipantDetail becomes a session record with every field mapped', () => {
  const item = toAuditItem(participantData({ DeviceId: 'dev-1' }), source);
  assert.deepEqual(item, {
    type: 'record',
    record: {
      kind: 'session',
      recordId: '11111111-1111-4111-8111-111111111111',
      meetingId: 'dddddddd-0000-4000-8000-000000000004',
      creationTime: Date.UTC(2024, 2, 1, 12, 0, 0),
      organizerUpn: 'organizer@contoso.com',
      organizerId: 'bbbbbbbb-0000-4000-8000-000000000002',
      organizerOrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001',
      meetingType: 'ScheduledMeeting,RecurringMeeting',
      attendee: {
        userObjectId: 'cccccccc-0000-4000-8000-000000000003',
        upn: 'Anna.Smith@contoso.com',
        displayName: 'Smith, Anna',
        organizationId: 'aaaaaaaa-0000-4000-8000-000000000001',
        recipientType: 'User',
        role: '1',
      },
      joinTime: Date.UTC(2024, 2, 1, 9, 0, 0),
      leaveTime: Date.UTC(2024, 2, 1, 9, 45, 30),
      // The plain YYYY-MM-DDThh:mm:ss texts are not kept: joinTimeText() rebuilds them.
      joinTimeRaw: undefined,
      leaveTimeRaw: undefined,
      clientIp: '10.57.1.2',
      deviceInformation: 'Windows 10 Pro, Teams 1.6',
      deviceId: 'dev-1',
      userAgent: 'CallSignalingAgent (27/1.0.0.2024)',
      isJoinedFromLobby: false,
      source,
    },
  });
});

test('optional fields absent: empty strings for texts, no key for optional values', () => {
  const data = participantData();
  for (const k of [
    'ClientIP',
    'DeviceInformation',
    'ExtraProperties',
    'IsJoinedFromLobby',
    'CreationTime',
    'UserId',
    'UserKey',
    'OrganizationId',
    'ItemName',
  ])
    delete data[k];
  const item = toAuditItem(data, source);
  assert.equal(item.type, 'record');
  const r = item.record;
  assert.equal(r.kind, 'session');
  if (r.kind !== 'session') return;
  assert.equal(r.clientIp, '');
  assert.equal(r.deviceInformation, '');
  assert.equal(r.userAgent, '');
  assert.equal(r.organizerUpn, '');
  assert.equal(r.meetingType, '');
  assert.equal('isJoinedFromLobby' in r, false);
  assert.equal('creationTime' in r, false);
  assert.equal('deviceId' in r, false);
});

test('a MeetingDetail becomes a meeting record whose meetingId is its Id', () => {
  assert.deepEqual(toAuditItem(meetingData(), source), {
    type: 'record',
    record: {
      kind: 'meeting',
      recordId: 'dddddddd-0000-4000-8000-000000000004',
      meetingId: 'dddddddd-0000-4000-8000-000000000004',
      creationTime: Date.UTC(2024, 2, 1, 13, 0, 0),
      organizerUpn: 'organizer@contoso.com',
      organizerId: 'bbbbbbbb-0000-4000-8000-000000000002',
      organizerOrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001',
      startTime: Date.UTC(2024, 2, 1, 8, 58, 0),
      endTime: Date.UTC(2024, 2, 1, 10, 1, 0),
      startTimeRaw: '2024-03-01T08:58:00',
      endTimeRaw: '2024-03-01T10:01:00',
      meetingUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0',
      chatThreadId: '19:meeting_x@thread.v2',
      communicationType: 'GroupCall',
      communicationSubType: 'ScheduledMeeting',
      meetingType: 'ScheduledMeeting',
      source,
    },
  });
});

test('MeetingDetail without StartTime/EndTime is kept with empty raw times', () => {
  const data = meetingData();
  delete data.StartTime;
  data.EndTime = '';
  const item = toAuditItem(data, source);
  assert.equal(item.type, 'record');
  const r = item.record;
  assert.ok(r.kind === 'meeting');
  assert.equal(r.startTimeRaw, '');
  assert.equal(r.endTimeRaw, '');
  assert.equal('startTime' in r, false);
});

test('MeetingDetail rejections: no Id; StartTime present but unparseable', () => {
  const noId = meetingData();
  delete noId.Id;
  const r1 = rejectionOf(toAuditItem(noId, source));
  assert.equal(r1.field, 'AuditData.Id');
  assert.match(r1.reason, /no Id/);
  const r2 = rejectionOf(toAuditItem(meetingData({ StartTime: '2024-02-30T10:00:00' }), source));
  assert.equal(r2.field, 'AuditData.StartTime');
  assert.match(r2.reason, /"2024-02-30T10:00:00" is not a recognised date-time/);
  assert.equal(r2.recordId, 'dddddddd-0000-4000-8000-000000000004');
});

test('other operations are skipped with their name', () => {
  assert.deepEqual(toAuditItem({ Operation: 'TeamCreated', Id: 'x' }, source), {
    type: 'skipped',
    source,
    operation: 'TeamCreated',
  });
  assert.deepEqual(toAuditItem({ Operation: 'CallParticipantDetail' }, source), {
    type: 'skipped',
    source,
    operation: 'CallParticipantDetail',
  });
});

test('rejections name the field and say what is wrong', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [[1, 2], 'AuditData', /a list, not a JSON object/],
    ['text', 'AuditData', /a string, not a JSON object/],
    [null, 'AuditData', /null, not a JSON object/],
    [{ Id: 'x' }, 'AuditData.Operation', /Operation is missing/],
    [participantData({ MeetingDetailId: undefined }), 'AuditData.MeetingDetailId', /missing/],
    [participantData({ MeetingDetailId: '' }), 'AuditData.MeetingDetailId', /missing/],
    [participantData({ MeetingDetailId: { a: 1 } }), 'AuditData.MeetingDetailId', /an object, not a meeting id/],
    [participantData({ Attendees: undefined }), 'AuditData.Attendees', /Attendees is missing/],
    [participantData({ Attendees: { UPN: 'x' } }), 'AuditData.Attendees', /an object; a list with exactly 1/],
    [participantData({ Attendees: [] }), 'AuditData.Attendees', /has 0 entries; exactly 1/],
    [participantData({ Attendees: [{ UPN: 'a@b.c' }, { UPN: 'd@e.f' }] }), 'AuditData.Attendees', /has 2 entries/],
    [participantData({ Attendees: ['x'] }), 'AuditData.Attendees[0]', /a string, not an object/],
    [
      participantData({ Attendees: [{ RecipientType: 'User', Role: 1 }] }),
      'AuditData.Attendees[0]',
      /no UserObjectId, UPN or DisplayName/,
    ],
    [
      participantData({ Attendees: [{ UserObjectId: '', UPN: '', DisplayName: '' }] }),
      'AuditData.Attendees[0]',
      /no UserObjectId, UPN or DisplayName/,
    ],
    [participantData({ JoinTime: undefined }), 'AuditData.JoinTime', /JoinTime is missing/],
    [participantData({ JoinTime: 1709280000 }), 'AuditData.JoinTime', /a number, not a date-time text/],
    [
      participantData({ LeaveTime: '2024-03-01T25:00:00' }),
      'AuditData.LeaveTime',
      /"2024-03-01T25:00:00" is not a recognised/,
    ],
    [
      participantData({ LeaveTime: '2024-03-01T08:59:59' }),
      'AuditData.LeaveTime',
      /"2024-03-01T08:59:59" is before JoinTime "2024-03-01T09:00:00"/,
    ],
  ];
  for (const [data, field, reason] of cases) {
    const r = rejectionOf(toAuditItem(data, source));
    assert.equal(r.file, 'export.csv');
    assert.equal(r.line, 7);
    assert.equal(r.field, field, JSON.stringify(data));
    assert.match(r.reason, reason, JSON.stringify(data));
  }
});

test('a rejection carries the record Id when there is one', () => {
  const r = rejectionOf(toAuditItem(participantData({ JoinTime: 'soon' }), source));
  assert.equal(r.recordId, '11111111-1111-4111-8111-111111111111');
});

test('LeaveTime equal to JoinTime is accepted (a zero-length session)', () => {
  assert.equal(toAuditItem(participantData({ LeaveTime: '2024-03-01T09:00:00' }), source).type, 'record');
});

test('bad values are quoted, cut at 40 characters, but e-mails, IPs and names are never echoed', () => {
  const long = `2024-03-01T09:00:00${'0'.repeat(60)}`;
  const r1 = rejectionOf(toAuditItem(participantData({ JoinTime: long }), source));
  assert.ok(r1.reason.includes(`"${long.slice(0, 40)}…"`), r1.reason);
  assert.ok(!r1.reason.includes(long.slice(0, 41)));
  for (const secret of ['anna.smith@contoso.com', '10.57.1.2', 'fe80::1', '2001:db8:0:0:1:0:0:1', 'Anna Smith']) {
    const r = rejectionOf(toAuditItem(participantData({ LeaveTime: secret }), source));
    assert.ok(!r.reason.includes(secret), r.reason);
    assert.match(r.reason, new RegExp(`a value of ${secret.length} characters, not shown`));
  }
  assert.equal(quoteForMessage('9/20/2023 4:05:03 AM'), '"9/20/2023 4:05:03 AM"');
});

test('a missing Id gets a deterministic sha256 id that ignores key order', () => {
  const a = participantData();
  delete a.Id;
  const reordered = Object.fromEntries(Object.entries(a).reverse());
  const itemA = toAuditItem(a, source);
  const itemB = toAuditItem(reordered, { file: 'other.json', line: 1 });
  assert.ok(itemA.type === 'record' && itemB.type === 'record');
  assert.match(itemA.record.recordId, /^sha256:[0-9a-f]{32}$/);
  assert.equal(itemA.record.recordId, itemB.record.recordId);
  const expected = createHash('sha256').update(canonicalJson(a)).digest('hex').slice(0, 32);
  assert.equal(itemA.record.recordId, `sha256:${expected}`);
  const other = toAuditItem({ ...a, LeaveTime: '2024-03-01T09:45:31' }, source);
  assert.ok(other.type === 'record');
  assert.notEqual(other.record.recordId, itemA.record.recordId);
});

test('canonicalJson sorts keys at every level and keeps array order', () => {
  assert.equal(canonicalJson({ b: [{ y: 1, x: 2 }, 3], a: 'é' }), '{"a":"é","b":[{"x":2,"y":1},3]}');
  assert.equal(synthesisedRecordId({ a: 1, b: 2 }), synthesisedRecordId({ b: 2, a: 1 }));
});

test('ExtraProperties: UserAgent from a list, one entry, a plain object, or JSON text; key case ignored', () => {
  assert.equal(
    userAgentOf([
      { Key: 'TimeZone', Value: 'x' },
      { Key: 'userAgent', Value: 'UA1' },
    ]),
    'UA1',
  );
  assert.equal(userAgentOf({ Key: 'UserAgent', Value: 'UA2' }), 'UA2');
  assert.equal(userAgentOf({ UserAgent: 'UA3' }), 'UA3');
  assert.equal(userAgentOf('[{"Key":"UserAgent","Value":"UA4"}]'), 'UA4');
  assert.equal(userAgentOf('[]'), '');
  assert.equal(userAgentOf('not json'), '');
  assert.equal(userAgentOf([{ Key: 'OsName', Value: 'Windows' }]), '');
  assert.equal(userAgentOf(undefined), '');
});

test('tolerates numbers where strings are expected, unknown keys, and lobby flags as text', () => {
  const item = toAuditItem(
    participantData({
      RecordType: '25',
      Id: 12345,
      MeetingDetailId: 678,
      Attendees: [{ UserObjectId: 42, Role: 3 }],
      IsJoinedFromLobby: 'True',
      SomethingNew: { nested: true },
    }),
    source,
  );
  assert.ok(item.type === 'record' && item.record.kind === 'session');
  assert.equal(item.record.recordId, '12345');
  assert.equal(item.record.meetingId, '678');
  assert.deepEqual(item.record.attendee, { userObjectId: '42', role: '3' });
  assert.equal(item.record.isJoinedFromLobby, true);
  const f = toAuditItem(participantData({ IsJoinedFromLobby: 'false' }), source);
  assert.ok(f.type === 'record' && f.record.kind === 'session');
  assert.equal(f.record.isJoinedFromLobby, false);
  const odd = toAuditItem(participantData({ IsJoinedFromLobby: 'maybe' }), source);
  assert.ok(odd.type === 'record' && odd.record.kind === 'session');
  assert.equal('isJoinedFromLobby' in odd.record, false);
});

test('Attendees given as JSON text (as in Sentinel columns) is read; broken text is rejected', () => {
  const ok = toAuditItem(
    participantData({ Attendees: '[{"DisplayName":"teamsvisitor:abc","RecipientType":"Anonymous"}]' }),
    source,
  );
  assert.ok(ok.type === 'record' && ok.record.kind === 'session');
  assert.deepEqual(ok.record.attendee, { displayName: 'teamsvisitor:abc', recipientType: 'Anonymous' });
  const bad = rejectionOf(toAuditItem(participantData({ Attendees: '[{"DisplayName":' }), source));
  assert.match(bad.reason, /text that is not a JSON list/);
});

test('field names can be mapped (Sentinel column names)', () => {
  const r = rejectionOf(
    toAuditItem(participantData({ JoinTime: 'x' }), source, (k) => (k === 'JoinTime' ? 'JoinTime [UTC]' : k)),
  );
  assert.equal(r.field, 'JoinTime [UTC]');
});

test('a time text other than YYYY-MM-DDThh:mm:ss is kept as it appeared; joinTimeText/leaveTimeText give both kinds back', () => {
  const data = participantData();
  data.JoinTime = '2024-03-01T09:00:00.1234567Z';
  data.LeaveTime = '2024-03-01T09:45:30';
  const item = toAuditItem(data, source);
  assert.ok(item.type === 'record' && item.record.kind === 'session');
  const r = item.record;
  assert.equal(r.joinTimeRaw, '2024-03-01T09:00:00.1234567Z');
  assert.equal(r.leaveTimeRaw, undefined);
  assert.equal(joinTimeText(r), '2024-03-01T09:00:00.1234567Z');
  assert.equal(leaveTimeText(r), '2024-03-01T09:45:30');
  for (const text of ['0999-12-31T23:59:59', '2024-02-29T00:00:00', '2023-09-20T04:05:03']) {
    assert.ok(isPlainIsoText(text));
    assert.equal(plainIsoText(parseAuditTime(text)!), text);
  }
  for (const text of ['3/2/2026 10:51:13 AM', '2024-03-01T09:00:00Z', '2024-03-01 09:00:00'])
    assert.equal(isPlainIsoText(text), false);
});
