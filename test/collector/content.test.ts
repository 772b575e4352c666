import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blobSafeSegment,
  contentBlobName,
  contentDay,
  isMeetingRecord,
  selectMeetingRecords,
} from '../../src/collector/content.js';
import { meetingDetail, participantDetail, powerBi, teamsOther } from './auditRecords.js';

test('selectMeetingRecords keeps MeetingParticipantDetail and MeetingDetail, drops other operations and non-objects', () => {
  const records = [
    participantDetail('p1', 'm1', 1),
    teamsOther('o1'),
    meetingDetail('m1'),
    powerBi('b1'),
    null,
    'text',
    [1],
    42,
  ];
  const selection = selectMeetingRecords(records);
  assert.deepEqual(
    selection.kept.map((r) => r['Id']),
    ['p1', 'm1'],
  );
  assert.equal(selection.others, 2);
  assert.equal(selection.invalid, 4);
});

test('isMeetingRecord requires RecordType 25 when a RecordType is given', () => {
  assert.equal(isMeetingRecord({ Operation: 'MeetingDetail', RecordType: 25 }), true);
  assert.equal(isMeetingRecord({ Operation: 'MeetingDetail', RecordType: '25' }), true);
  assert.equal(isMeetingRecord({ Operation: 'MeetingDetail' }), true);
  assert.equal(isMeetingRecord({ Operation: 'MeetingDetail', RecordType: 57 }), false);
  assert.equal(isMeetingRecord({ Operation: 'meetingdetail', RecordType: 25 }), false);
  assert.equal(isMeetingRecord({ Operation: 'CallParticipantDetail', RecordType: 25 }), false);
});

test('contentBlobName is deterministic and puts the content under management-api/<type>/<day>/', () => {
  const id = '20260302080000123000155$20260302080000123000155$audit_general$Audit_General$na0015';
  const name = contentBlobName('Audit.General', '2026-03-02T08:00:00.000Z', id);
  assert.equal(name, contentBlobName('Audit.General', '2026-03-02T08:00:00.000Z', id));
  assert.equal(
    name,
    'management-api/Audit.General/2026-03-02/20260302080000123000155~2420260302080000123000155~24audit_general~24Audit_General~24na0015.json',
  );
});

test('blobSafeSegment is injective on awkward ids and never yields path separators or dot segments', () => {
  const ids = ['a/b', 'a~2Fb', '..', '.', 'a b', 'a%20b', 'é', '', 'x'.repeat(300), 'x'.repeat(301)];
  const segments = ids.map(blobSafeSegment);
  assert.equal(new Set(segments).size, ids.length);
  for (const s of segments) {
    assert.match(s, /^[A-Za-z0-9._~-]+$/);
    assert.ok(s !== '.' && s !== '..' && !s.startsWith('.'));
    assert.ok(s.length <= 200);
  }
});

test('contentDay reads ISO times with or without a zone, and says undated otherwise', () => {
  assert.equal(contentDay('2026-03-02T23:59:59.999Z'), '2026-03-02');
  assert.equal(contentDay('2026-03-02T23:59:59'), '2026-03-02');
  assert.equal(contentDay('2026-03-03T01:00:00+02:00'), '2026-03-02');
  assert.equal(contentDay('not a time'), 'undated');
  assert.equal(contentDay(undefined), 'undated');
});
