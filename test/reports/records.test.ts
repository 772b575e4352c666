import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeenRecords, recordRows } from '../../src/reports/records.js';
import { Deduplicator } from '../../src/audit/dataset.js';
import type { AuditRecord } from '../../src/audit/records.js';
import { renderRecordsText } from '../../src/reports/render/text.js';
import { unknownClientRows } from '../../src/reports/unknownClients.js';
import { meetingDetail, session } from './records.fixture.js';

test('record rows: file, line, creation date, user, operation and the typed fields', () => {
  const s = session({
    join: '2024-03-05T10:00:00',
    leave: '2024-03-05T10:10:00',
    file: 'a.csv',
    line: 3,
    organizerUpn: 'o@x.example',
  });
  s.creationTime = Date.parse('2024-03-05T10:10:05Z');
  const [row, detail] = recordRows([s, meetingDetail('M', '2024-03-05T10:00:00', '2024-03-05T11:00:00')]);
  assert.equal(row!.file, 'a.csv');
  assert.equal(row!.line, 3);
  assert.equal(row!.creationDate, '2024-03-05T10:10:05Z');
  assert.equal(row!.userId, 'o@x.example');
  assert.equal(row!.operation, 'MeetingParticipantDetail');
  assert.equal(row!.auditData.joinTimeRaw, '2024-03-05T10:00:00');
  assert.equal('source' in row!.auditData, false);
  assert.equal(detail!.operation, 'MeetingDetail');
  assert.equal(detail!.creationDate, '');
});

test('record rows show JoinTime and LeaveTime as they appeared, also when the reader kept only the number', () => {
  const s = session({
    join: '2024-03-05T10:00:00',
    leave: '2024-03-05T10:10:00',
    file: 'a.csv',
    line: 3,
    organizerUpn: 'o@x.example',
  });
  s.joinTimeRaw = undefined;
  s.leaveTimeRaw = '2024-03-05T10:10:00.0000000Z';
  const [row] = recordRows([s]);
  assert.equal(row!.auditData.joinTimeRaw, '2024-03-05T10:00:00');
  assert.equal(row!.auditData.leaveTimeRaw, '2024-03-05T10:10:00.0000000Z');
  assert.equal(s.joinTimeRaw, undefined, 'the record itself is not changed');
});

test('record view text: tala display layout with indented JSON and a blank line', () => {
  const s = session({
    join: '2024-03-05T10:00:00',
    leave: '2024-03-05T10:10:00',
    file: 'a.csv',
    line: 1,
    organizerUpn: 'o@x.example',
  });
  const text = renderRecordsText(recordRows([s]), true);
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 7), [
    'File: a.csv',
    '',
    'Line #1',
    'CreationDate=',
    'UserId=o@x.example',
    'Operation=MeetingParticipantDetail',
    'AuditData:',
  ]);
  assert.equal(lines[7], '{');
  assert.match(lines[8]!, /^ {2}"recordId": /);
  assert.ok(text.endsWith('}\n\n'));
  assert.equal(renderRecordsText([], false), '');
});

test('unknown-client rows keep both lists with their counts', () => {
  assert.deepEqual(
    unknownClientRows({ userAgents: [{ value: 'X/1', count: 3 }], deviceInformation: [{ value: 'Thing', count: 1 }] }),
    [
      { field: 'userAgent', value: 'X/1', sessions: 3 },
      { field: 'deviceInformation', value: 'Thing', sessions: 1 },
    ],
  );
});

test('SeenRecords finds the same duplicates as the data set (same Id, or same session content under another Id)', () => {
  const attendees = [
    { userObjectId: 'u1', upn: 'u1@x.example' },
    { upn: 'U1@x.example' },
    { displayName: 'Guest' },
    { userObjectId: 'u2' },
  ];
  const arbitraryRecord = fc.record({
    kind: fc.constantFrom('session', 'session', 'session', 'meeting'),
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'),
    meeting: fc.constantFrom('M1', 'M2'),
    attendee: fc.constantFrom(...attendees),
    join: fc.constantFrom('10:00:00', '10:05:00'),
    leave: fc.constantFrom('10:30:00', '10:35:00'),
    ip: fc.constantFrom('10.0.0.1', '10.0.0.2'),
    device: fc.constantFrom('Windows', ''),
  });
  fc.assert(
    fc.property(fc.array(arbitraryRecord, { maxLength: 30 }), (specs) => {
      const records: AuditRecord[] = specs.map((x, i) => {
        if (x.kind === 'meeting') {
          const m = meetingDetail(x.meeting, `2024-03-05T${x.join}`, `2024-03-05T${x.leave}`);
          m.recordId = x.id;
          return m;
        }
        return session({
          meetingId: x.meeting,
          recordId: x.id,
          attendee: x.attendee,
          ip: x.ip,
          device: x.device,
          join: `2024-03-05T${x.join}`,
          leave: `2024-03-05T${x.leave}`,
          file: 'a.csv',
          line: i + 1,
        });
      });
      const reference = new Deduplicator();
      const seen = new SeenRecords();
      for (const r of records) assert.equal(seen.add(r), reference.add(r));
    }),
    { numRuns: 500 },
  );
});
