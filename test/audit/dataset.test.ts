import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toAuditItem } from '../../src/audit/auditData.js';
import { AuditDataset, Deduplicator, contentKey, readAllRecords } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import type { AuditRecord, MeetingDetailRecord, SessionRecord } from '../../src/audit/records.js';
import { type AuditJson, meetingData, once, participantData } from './helpers.js';

let line = 0;
function record(data: AuditJson): AuditRecord {
  const item = toAuditItem(data, { file: 'f', line: ++line });
  assert.equal(item.type, 'record', JSON.stringify(item));
  return item.record;
}
const session = (o: AuditJson = {}) => record(participantData(o)) as SessionRecord;
const detail = (o: AuditJson = {}) => record(meetingData(o)) as MeetingDetailRecord;

const ndjson = (rows: readonly AuditJson[], file: string) =>
  readExport(once(rows.map((r) => JSON.stringify(r)).join('\n')), { file });

test('contentKey: equal for the same connection, different when any compared field differs', () => {
  const base = session();
  assert.equal(
    contentKey(session({ Id: 'other-id', CreationTime: '2025-01-01T00:00:00' })),
    contentKey(base),
    'record id and creation time are not part of the content',
  );
  assert.equal(contentKey(session({ JoinTime: '3/1/2024 9:00:00 AM' })), contentKey(base), 'times compare as instants');
  const changes: AuditJson[] = [
    { MeetingDetailId: 'm2' },
    { Attendees: [{ UserObjectId: 'someone-else' }] },
    { JoinTime: '2024-03-01T09:00:01' },
    { LeaveTime: '2024-03-01T09:45:31' },
    { ClientIP: '10.57.1.3' },
    { DeviceInformation: 'Windows 10 Pro, Teams 1.7' },
  ];
  for (const change of changes) assert.notEqual(contentKey(session(change)), contentKey(base), JSON.stringify(change));
});

test('contentKey: values cannot run into each other', () => {
  const a = session({ ClientIP: 'ab', DeviceInformation: 'c' });
  const b = session({ ClientIP: 'a', DeviceInformation: 'bc' });
  assert.notEqual(contentKey(a), contentKey(b));
});

test('Deduplicator: same Id, or same content under another Id, is a duplicate; meetings by Id', () => {
  const d = new Deduplicator();
  assert.equal(d.add(session()), 'accepted');
  assert.equal(d.add(session()), 'duplicate');
  assert.equal(d.add(session({ Id: 'another' })), 'duplicate');
  assert.equal(d.add(session({ Id: 'third', LeaveTime: '2024-03-01T10:00:00' })), 'accepted');
  assert.equal(
    d.add(session({ Id: 'third', LeaveTime: '2024-03-01T11:00:00' })),
    'duplicate',
    'an Id seen before is a duplicate',
  );
  assert.equal(d.add(detail()), 'accepted');
  assert.equal(d.add(detail({ EndTime: '2024-03-01T11:00:00' })), 'duplicate');
});

test('meetings: first-appearance order, detail before or after sessions, detail-only meetings, sessions in input order', () => {
  const ds = new AuditDataset();
  const s1 = session({ Id: 's1', MeetingDetailId: 'm1' });
  const s2 = session({ Id: 's2', MeetingDetailId: 'm2', JoinTime: '2024-03-01T09:10:00' });
  const s3 = session({ Id: 's3', MeetingDetailId: 'm1', JoinTime: '2024-03-01T08:00:00' });
  const d2 = detail({ Id: 'm2' });
  const d1 = detail({ Id: 'm1' });
  const d3 = detail({ Id: 'm3' });
  for (const r of [s1, s2, d2, s3, d1, d3]) assert.equal(ds.addRecord(r), 'accepted');
  assert.deepEqual(ds.meetings(), [
    { meetingId: 'm1', sessions: [s1, s3], detail: d1 },
    { meetingId: 'm2', sessions: [s2], detail: d2 },
    { meetingId: 'm3', sessions: [], detail: d3 },
  ]);
  assert.equal(ds.addRecord(session({ Id: 's1', MeetingDetailId: 'm1' })), 'duplicate');
  assert.equal(ds.meetings()[0]!.sessions.length, 2);
  assert.deepEqual(ds.accounting, {
    rowsRead: 7,
    accepted: 6,
    duplicates: 1,
    skipped: 0,
    rejected: 0,
    skippedByOperation: {},
  });
});

test('addExport: per-file accounting, totals across files, rejections and file info kept', async () => {
  const ds = new AuditDataset();
  const a = await ds.addExport(
    ndjson(
      [
        participantData({ Id: 's1' }),
        participantData({ Id: 's1' }),
        { Operation: 'TeamCreated' },
        participantData({ Id: 'bad', JoinTime: 'never' }),
        meetingData(),
      ],
      'a.ndjson',
    ),
  );
  assert.deepEqual(a, {
    rowsRead: 5,
    accepted: 2,
    duplicates: 1,
    skipped: 1,
    rejected: 1,
    skippedByOperation: { TeamCreated: 1 },
  });
  const b = await ds.addExport(
    ndjson(
      [
        participantData({ Id: 's1-again-from-the-api' }), // same content as s1, other Id
        meetingData(),
        { Operation: 'TeamCreated' },
        { Operation: 'MemberAdded' },
        participantData({ Id: 's4', MeetingDetailId: 'm4' }),
      ],
      'b.ndjson',
    ),
  );
  assert.deepEqual(b, {
    rowsRead: 5,
    accepted: 1,
    duplicates: 2,
    skipped: 2,
    rejected: 0,
    skippedByOperation: { TeamCreated: 1, MemberAdded: 1 },
  });
  assert.deepEqual(ds.accounting, {
    rowsRead: 10,
    accepted: 3,
    duplicates: 3,
    skipped: 3,
    rejected: 1,
    skippedByOperation: { TeamCreated: 2, MemberAdded: 1 },
  });
  assert.deepEqual(
    ds.rejections.map((r) => [r.file, r.line, r.field]),
    [['a.ndjson', 4, 'AuditData.JoinTime']],
  );
  assert.deepEqual(
    ds.files.map((f) => [f.file, f.format]),
    [
      ['a.ndjson', 'ndjson'],
      ['b.ndjson', 'ndjson'],
    ],
  );
  assert.deepEqual(
    ds.meetings().map((m) => [m.meetingId, m.sessions.map((s) => s.recordId), m.detail?.recordId]),
    [
      ['dddddddd-0000-4000-8000-000000000004', ['s1'], 'dddddddd-0000-4000-8000-000000000004'],
      ['m4', ['s4'], undefined],
    ],
  );
});

test('accounting is a copy: callers cannot change the totals', () => {
  const ds = new AuditDataset();
  ds.addRecord(session());
  const copy = ds.accounting;
  copy.accepted = 99;
  copy.skippedByOperation.X = 1;
  assert.equal(ds.accounting.accepted, 1);
  assert.deepEqual(ds.accounting.skippedByOperation, {});
});

test('a file that cannot be read leaves the totals consistent and is not listed', async () => {
  const ds = new AuditDataset();
  await assert.rejects(ds.addExport(readExport(once('Name,Email\nx,y\n'), { file: 'people.csv' })), /people\.csv/);
  assert.deepEqual(ds.files, []);
  const t = ds.accounting;
  assert.equal(t.rowsRead, t.accepted + t.duplicates + t.skipped + t.rejected);
});

test('readAllRecords keeps duplicates in input order (tala de-duplicates on its own)', async () => {
  const result = await readAllRecords(
    ndjson(
      [
        participantData({ Id: 's1' }),
        { Operation: 'TeamCreated' },
        participantData({ Id: 's1' }),
        meetingData(),
        participantData({ JoinTime: '' }),
      ],
      'x.ndjson',
    ),
  );
  assert.deepEqual(
    result.records.map((r) => [r.kind, r.recordId, r.source.line]),
    [
      ['session', 's1', 1],
      ['session', 's1', 3],
      ['meeting', 'dddddddd-0000-4000-8000-000000000004', 4],
    ],
  );
  assert.deepEqual(result.accounting, {
    rowsRead: 5,
    accepted: 3,
    duplicates: 0,
    skipped: 1,
    rejected: 1,
    skippedByOperation: { TeamCreated: 1 },
  });
  assert.deepEqual(
    result.rejections.map((r) => [r.line, r.field]),
    [[5, 'AuditData.JoinTime']],
  );
});

test('addExport accepts any ExportStream, also one without batches()', async () => {
  const items = [
    toAuditItem(participantData(), { file: 'custom', line: 1 }),
    toAuditItem({ Operation: 'TeamCreated' }, { file: 'custom', line: 2 }),
  ];
  const stream = {
    async *[Symbol.asyncIterator]() {
      yield* items;
    },
    info: () => ({ file: 'custom', format: 'ndjson' as const, warnings: [] }),
  };
  const ds = new AuditDataset();
  assert.deepEqual(await ds.addExport(stream), {
    rowsRead: 2,
    accepted: 1,
    duplicates: 0,
    skipped: 1,
    rejected: 0,
    skippedByOperation: { TeamCreated: 1 },
  });
  assert.deepEqual(ds.files, [{ file: 'custom', format: 'ndjson', warnings: [] }]);
});

test('property: Deduplicator decides exactly as "same Id, or same contentKey under another Id"', () => {
  const attendees = [
    { userObjectId: 'a' },
    { upn: 'A@x.com' },
    { upn: 'a@x.com', displayName: 'A' },
    { displayName: 'a' },
    { displayName: 'a@x.com' },
  ];
  const sessionArb = fc
    .record({
      id: fc.constantFrom('i1', 'i2', 'i3', 'i4', 'i5', 'i6'),
      meeting: fc.constantFrom('m1', 'm2'),
      attendee: fc.constantFrom(...attendees),
      join: fc.constantFrom(0, 1000),
      length: fc.constantFrom(0, 5000),
      ip: fc.constantFrom('', '10.0.0.1'),
      device: fc.constantFrom('d1', 'd2'),
    })
    .map((g): SessionRecord => ({
      ...session(),
      recordId: g.id,
      meetingId: g.meeting,
      attendee: g.attendee,
      joinTime: g.join,
      leaveTime: g.join + g.length,
      clientIp: g.ip,
      deviceInformation: g.device,
    }));
  fc.assert(
    fc.property(fc.array(sessionArb, { maxLength: 40 }), (records) => {
      const d = new Deduplicator();
      const ids = new Set<string>();
      const contents = new Set<string>();
      for (const r of records) {
        let expected: 'accepted' | 'duplicate' = 'duplicate';
        if (!ids.has(r.recordId) && !contents.has(contentKey(r))) {
          ids.add(r.recordId);
          contents.add(contentKey(r));
          expected = 'accepted';
        }
        assert.equal(d.add(r), expected);
      }
    }),
    { numRuns: 500 },
  );
});

test('finishReading keeps meetings, accounting and rejections, and refuses further records', async () => {
  const ds = new AuditDataset();
  ds.addRecord(session({ Id: 'f1' }));
  const before = { meetings: JSON.stringify(ds.meetings()), accounting: ds.accounting, rejections: [...ds.rejections] };
  ds.finishReading();
  assert.equal(JSON.stringify(ds.meetings()), before.meetings);
  assert.deepEqual(ds.accounting, before.accounting);
  assert.deepEqual(ds.rejections, before.rejections);
  assert.throws(() => ds.addRecord(session({ Id: 'f2' })), /after finishReading/);
});
