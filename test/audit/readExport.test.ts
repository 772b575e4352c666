import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { ExportReadError, firstInvalidUtf8, readExport } from '../../src/audit/readExport.js';
import { toAuditItem } from '../../src/audit/auditData.js';
import type { ExportItem } from '../../src/audit/records.js';
import {
  HEADERS,
  chunked,
  collect,
  csvExport,
  csvLine,
  meetingData,
  once,
  participantData,
  readAll,
  recordsOf,
  rejectionsOf,
} from './helpers.js';

/** The real published exports (test/fixtures/real; this file runs from dist/test/audit). */
const CORPUS = `${__dirname}/../../../test/fixtures/real`;

/** What toAuditItem makes of the same objects: the reader must agree with it row for row. */
function expectedItems(rows: ReadonlyArray<Record<string, unknown>>, file: string): ExportItem[] {
  return rows.map((r, i) => toAuditItem(r, { file, line: i + 1 }));
}

async function readError(data: Buffer | string, file = 'bad.csv'): Promise<ExportReadError> {
  try {
    await collect(readExport(once(data), { file }));
  } catch (e) {
    assert.ok(e instanceof ExportReadError, String(e));
    return e;
  }
  assert.fail('expected an ExportReadError');
}

/** The first 4 KB are read as one piece (to sniff the format); this row pushes the rest past that point. */
const PADDING = { Operation: 'TeamCreated', Id: 'eeeeeeee-0000-4000-8000-00000000000f', Note: 'p'.repeat(4200) };

const rows = [
  PADDING,
  participantData(),
  meetingData(),
  { Operation: 'TeamCreated', Id: 'eeeeeeee-0000-4000-8000-000000000005', CreationTime: '2024-03-01T10:00:00' },
  participantData({
    Id: '22222222-2222-4222-8222-222222222222',
    Attendees: [{ DisplayName: 'He said "hi", then\r\nleft' }],
  }),
  participantData({
    Id: '33333333-2222-4222-8222-222222222222',
    Attendees: [{ DisplayName: '"], {' }],
    DeviceInformation: '\\"[',
  }),
];

for (const variant of ['purview-v1', 'purview-v2', 'purview-v3'] as const) {
  test(`${variant} header is recognised and every row is read`, async () => {
    const { items, info } = await readAll(csvExport(HEADERS[variant], rows), 'e.csv');
    assert.deepEqual(info, { file: 'e.csv', format: 'csv', csvVariant: variant, warnings: [] });
    assert.deepEqual(items, expectedItems(rows, 'e.csv'));
  });
}

test('PowerShell Export-Csv: #TYPE line, every field quoted, extra columns', async () => {
  const text = csvExport(HEADERS.powershell, rows, { typeLine: true, alwaysQuote: true, bom: true });
  const { items, info } = await readAll(text, 'ps.csv');
  assert.equal(info.csvVariant, 'powershell');
  assert.deepEqual(items, expectedItems(rows, 'ps.csv'));
});

test('PowerShell output is recognised by its columns even without #TYPE', async () => {
  const { info } = await readAll(csvExport(HEADERS.powershell, rows, { alwaysQuote: true }));
  assert.equal(info.csvVariant, 'powershell');
});

test('any other CSV with an AuditData column (any position, any extra columns) is variant "other"', async () => {
  const header = ['Extra', 'auditdata', 'Operation', 'More'];
  const lines = [csvLine(header), ...rows.map((r) => csvLine(['x', JSON.stringify(r), 'op', 'y']))].join('\n');
  const { items, info } = await readAll(lines);
  assert.equal(info.csvVariant, 'other');
  assert.deepEqual(items, expectedItems(rows, 'test.csv'));
});

test('BOM, CRLF or LF, missing final newline, and 1-byte chunks all give the same items', async () => {
  const reference = (await readAll(csvExport(HEADERS['purview-v3'], rows))).items;
  for (const options of [
    { bom: true },
    { crlf: false },
    { finalNewline: false },
    { bom: true, crlf: false, finalNewline: false },
  ]) {
    const text = csvExport(HEADERS['purview-v3'], rows, options);
    assert.deepEqual((await readAll(text)).items, reference, JSON.stringify(options));
    assert.deepEqual(
      (await readAll(text, 'test.csv', [1])).items,
      reference,
      `${JSON.stringify(options)} in 1-byte chunks`,
    );
    assert.deepEqual((await readAll(text, 'test.csv', [7, 3, 64])).items, reference);
  }
});

test('row numbers count CSV records, not physical lines (a quoted field may span lines)', async () => {
  const { items } = await readAll(csvExport(HEADERS['purview-v2'], [...rows, { Operation: 'After' }]));
  const last = items[items.length - 1]!;
  assert.deepEqual(last, { type: 'skipped', source: { file: 'test.csv', line: rows.length + 1 }, operation: 'After' });
});

test('blank lines between rows are not rows (as in tala and Python csv)', async () => {
  const text = `CreationDate,UserId,Operation,AuditData\n\n${csvLine(['', '', '', '{"Operation":"A"}'])}\n\n\n${csvLine(['', '', '', '{"Operation":"B"}'])}\n`;
  const { items } = await readAll(text);
  assert.deepEqual(
    items.map((i) => i.type === 'skipped' && [i.operation, i.source.line]),
    [
      ['A', 1],
      ['B', 2],
    ],
  );
});

test('bad rows are rejected with their row number, the rest is read', async () => {
  const header = HEADERS['purview-v3'];
  const text = [
    csvLine(header),
    csvLine([
      'id1',
      'd',
      '25',
      'MeetingParticipantDetail',
      'u',
      '{"Operation":"MeetingParticipantDetail", broken',
      '',
      '',
    ]),
    csvLine(['id2', 'd', '25', 'x']), // too few fields: no AuditData
    csvLine(['id3', 'd', '25', 'x', 'u', '', '', '']), // empty AuditData
    csvLine([
      'aaaaaaaa-0000-4000-8000-00000000000a',
      'd',
      '25',
      'x',
      'u',
      JSON.stringify(participantData()),
      '',
      '',
      'extra',
    ]),
    csvLine(['aaaaaaaa-0000-4000-8000-00000000000b', 'd', '25', 'x', 'u', '{"Operation":', '', '']),
  ].join('\r\n');
  const { items } = await readAll(text, 'rows.csv');
  assert.equal(items.length, 5);
  const rejected = rejectionsOf(items);
  assert.deepEqual(
    rejected.map((r) => [r.line, r.field]),
    [
      [1, 'AuditData'],
      [2, 'AuditData'],
      [3, 'AuditData'],
      [5, 'AuditData'],
    ],
  );
  assert.match(rejected[0]!.reason, /AuditData cannot be read: it is not well-formed JSON \(error at character \d+\)/);
  assert.match(rejected[1]!.reason, /AuditData cell is missing \(this row has 4 fields but the header has 8/);
  assert.match(rejected[2]!.reason, /AuditData cell is empty/);
  assert.match(rejected[3]!.reason, /ends before the JSON is complete/);
  assert.equal(rejected[3]!.recordId, 'aaaaaaaa-0000-4000-8000-00000000000b', 'a GUID RecordId is reported');
  assert.equal(rejected[0]!.recordId, undefined, 'a RecordId that is not a GUID is not echoed');
  assert.equal(items[3]!.type, 'record', 'a row with an extra field still has its AuditData');
});

test('a quote that is never closed ends reading with one rejection and a warning', async () => {
  const text = `${csvExport(HEADERS['purview-v2'], [rows[1]!])}x,y,"z,{}\r\nnext,row,here,{}\r\n`;
  const { items, info } = await readAll(text, 'q.csv');
  assert.equal(items.length, 2);
  assert.equal(items[0]!.type, 'record');
  const [r] = rejectionsOf(items);
  assert.equal(r!.line, 2);
  assert.equal(r!.field, 'CSV');
  assert.match(r!.reason, /never closed/);
  assert.ok(
    info.warnings.some((w) => /reading stopped at row 2/.test(w)),
    info.warnings.join(),
  );
});

test('a header without AuditData (and not Sentinel) is an ExportReadError naming the file and the columns', async () => {
  const e = await readError('Name,Email,Department\nAnna,anna@contoso.com,IT\n', 'people.csv');
  assert.equal(e.file, 'people.csv');
  assert.match(e.message, /^people\.csv: /);
  assert.match(e.message, /expected a CSV with an AuditData column/);
  assert.match(e.message, /Columns found: "Name", "Email", "Department"/);
});

test('personal-looking header cells (a file without header) are withheld from the error', async () => {
  const e = await readError('anna@contoso.com,10.0.0.1,hello\n');
  assert.ok(!e.message.includes('anna@contoso.com') && !e.message.includes('10.0.0.1'), e.message);
  assert.match(e.message, /\(withheld\), \(withheld\), "hello"/);
});

test('flattened AuditData.* columns get a specific hint', async () => {
  const e = await readError('AuditData.Id,AuditData.JoinTime\n1,2\n');
  assert.match(e.message, /expanded into separate columns/);
});

test('binary input (PNG bytes) is an ExportReadError, not a crash', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const e = await readError(png, 'picture.png');
  assert.equal(e.file, 'picture.png');
  assert.match(e.message, /picture\.png: .*not a text export/);
});

test('non-UTF-8 garbage without NUL bytes fails on the header and says it is not UTF-8', async () => {
  const e = await readError(Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x41, 0x0a, 0x42, 0x0a]), 'junk.bin');
  assert.match(e.message, /not a recognised audit export/);
  assert.match(e.message, /not valid UTF-8/);
});

test('an empty or blank file is an ExportReadError', async () => {
  assert.match((await readError('', 'empty.csv')).message, /empty\.csv: the file is empty/);
  assert.match((await readError('\r\n \n', 'blank.csv')).message, /the file is empty/);
});

test('a header-only CSV is a valid export with no rows', async () => {
  const { items, info } = await readAll(
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n',
  );
  assert.deepEqual(items, []);
  assert.equal(info.csvVariant, 'purview-v3');
});

test('invalid UTF-8 inside a row is read with a warning, not a crash', async () => {
  const good = csvExport(HEADERS['purview-v2'], [
    PADDING,
    participantData({ Attendees: [{ DisplayName: 'Ren\u00e9' }] }),
  ]);
  const bytes = Buffer.from(good, 'utf8');
  const at = bytes.indexOf(Buffer.from('\u00e9', 'utf8'));
  const latin1 = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at + 2)]);
  for (const sizes of [undefined, [1], [at, 1]]) {
    const { items, info } = await readAll(latin1, 'latin1.csv', sizes);
    const [record] = recordsOf(items);
    assert.ok(record?.kind === 'session');
    assert.equal(record.attendee.displayName, 'Ren\uFFFD');
    assert.equal(info.warnings.length, 1);
    assert.equal(
      info.warnings[0],
      `the file is not valid UTF-8 (first bad byte at byte offset ${at}); ` +
        'bad bytes were read as the replacement character U+FFFD: save the file as UTF-8',
    );
  }
});

test('the invalid UTF-8 offset counts from the start of the file (BOM and leading blank lines included)', async () => {
  const text = `\uFEFF\r\n${csvExport(HEADERS['purview-v2'], [participantData({ Attendees: [{ DisplayName: 'Ren\u00e9' }] })])}`;
  const bytes = Buffer.from(text, 'utf8');
  const at = bytes.indexOf(Buffer.from('\u00e9', 'utf8'));
  const latin1 = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at + 2)]);
  const { info } = await readAll(latin1);
  assert.match(info.warnings[0]!, new RegExp(`first bad byte at byte offset ${at}\\)`));
});

test('property: firstInvalidUtf8 agrees with buffer.isUtf8 and everything before it is valid', () => {
  const piece = fc.oneof(
    fc.constantFrom('a', '\u00e9', '\u4e2d', '\u{1f600}').map((c) => [...Buffer.from(c, 'utf8')]),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
      const buf = Buffer.from(pieces.flat());
      const bad = firstInvalidUtf8(buf);
      assert.equal(bad === -1, isUtf8(buf));
      if (bad >= 0) {
        assert.ok(isUtf8(buf.subarray(0, bad)), `prefix before ${bad} of ${buf.toString('hex')}`);
        assert.ok(!isUtf8(buf.subarray(0, bad + 1)), `prefix up to ${bad} of ${buf.toString('hex')}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('a multi-byte character split across chunks is not mistaken for invalid UTF-8', async () => {
  const text = csvExport(HEADERS['purview-v2'], [
    PADDING,
    participantData({ Attendees: [{ DisplayName: '\u00e9\u4e2d\u{1f600}' }] }),
  ]);
  assert.ok(Buffer.byteLength(text) > 4096);
  for (let size = 1; size <= 5; size++) {
    const { items, info } = await readAll(text, 'u.csv', [size]);
    assert.deepEqual(info.warnings, [], `chunk size ${size}`);
    const [record] = recordsOf(items);
    assert.ok(record?.kind === 'session');
    assert.equal(record.attendee.displayName, '\u00e9\u4e2d\u{1f600}');
  }
});

test('UTF-16 text with a byte order mark is decoded', async () => {
  const text = csvExport(HEADERS['purview-v2'], rows);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le);
  be.swap16();
  const reference = (await readAll(text)).items;
  assert.deepEqual((await readAll(le, 'test.csv', [3, 1, 50])).items, reference);
  assert.deepEqual((await readAll(be)).items, reference);
});

function manyRows(n: number, header: readonly string[], quoteAll = false): string {
  const lines = [csvLine(header, quoteAll)];
  const row = csvLine(
    header.map((h) => (h === 'AuditData' ? '{"Operation":"UserLoggedIn"}' : '')),
    quoteAll,
  );
  for (let i = 0; i < n; i++) lines.push(row);
  return `${lines.join('\r\n')}\r\n`;
}

test('exactly 50,000 data rows gives a truncation warning; 49,999 and 50,001 do not', async () => {
  const at = await readAll(manyRows(50_000, HEADERS['purview-v3']));
  assert.equal(at.items.length, 50_000);
  assert.equal(at.info.warnings.length, 1);
  assert.match(at.info.warnings[0]!, /exactly 50,000 rows.*probably truncated.*narrower date range/);
  assert.deepEqual((await readAll(manyRows(49_999, HEADERS['purview-v1']))).info.warnings, []);
  assert.deepEqual((await readAll(manyRows(50_001, HEADERS['purview-v2']))).info.warnings, []);
});

test('PowerShell output of exactly 5,000 or 10,000 results gives a warning', async () => {
  for (const n of [5_000, 10_000]) {
    const { info } = await readAll(manyRows(n, HEADERS.powershell, true));
    assert.equal(info.warnings.length, 1, String(n));
    assert.match(info.warnings[0]!, new RegExp(`exactly ${n.toLocaleString('en-US')} rows: Search-UnifiedAuditLog`));
  }
  assert.deepEqual((await readAll(manyRows(5_001, HEADERS.powershell, true))).info.warnings, []);
  assert.deepEqual(
    (await readAll(manyRows(5_000, HEADERS['purview-v3']))).info.warnings,
    [],
    'the 5,000 cap is PowerShell only',
  );
});

function sentinelHeader(): string[] {
  let text: string;
  try {
    text = readFileSync(`${CORPUS}/azure-sentinel-training-lab-office_activity-teams-only.csv`, 'utf8');
  } catch (e) {
    assert.fail(`the real corpus is needed for this test and is missing at ${CORPUS}: ${String(e)}`);
  }
  const header = text
    .replace(/^\uFEFF/, '')
    .split('\n')[0]!
    .split(',');
  return [
    ...header,
    'MeetingDetailId',
    'Attendees',
    'JoinTime [UTC]',
    'LeaveTime [UTC]',
    'DeviceInformation',
    'IsJoinedFromLobby',
    'ArtifactsShared',
  ];
}

test('Sentinel OfficeActivity rows with the meeting columns become records; others are skipped', async () => {
  const header = sentinelHeader();
  const row = (values: Record<string, string>) => csvLine(header.map((h) => values[h] ?? ''));
  const text = `\uFEFF${[
    csvLine(header),
    row({
      Operation: 'MeetingParticipantDetail',
      OfficeId: '33333333-3333-4333-8333-333333333333',
      OfficeWorkload: 'MicrosoftTeams',
      RecordType: 'MicrosoftTeams',
      'TimeGenerated [UTC]': '3/1/2024, 12:00:00.000 PM',
      UserId: 'organizer@contoso.com',
      UserKey: 'bbbbbbbb-0000-4000-8000-000000000002',
      ClientIP: '10.57.1.2',
      MeetingDetailId: 'dddddddd-0000-4000-8000-000000000004',
      Attendees: '[\n  {\n    "UPN": "anna@contoso.com",\n    "DisplayName": "Anna",\n    "Role": 1\n  }\n]',
      'JoinTime [UTC]': '3/1/2024, 9:00:00.000 AM',
      'LeaveTime [UTC]': '3/1/2024, 9:45:30.000 AM',
      DeviceInformation: 'Windows, Teams',
      IsJoinedFromLobby: 'False',
      ItemName: 'ScheduledMeeting',
      ExtraProperties: '[{"Key":"UserAgent","Value":"CallSignalingAgent (x)"}]',
    }),
    row({
      Operation: 'MemberAdded',
      OfficeWorkload: 'MicrosoftTeams',
      OfficeId: '44444444-4444-4444-8444-444444444444',
    }),
    row({
      Operation: 'MeetingParticipantDetail',
      OfficeId: '55555555-5555-4555-8555-555555555555',
      MeetingDetailId: 'm',
      Attendees: '[{"UPN":"x@y.z"}]',
      'JoinTime [UTC]': 'yesterday',
      'LeaveTime [UTC]': '3/1/2024, 9:45:30.000 AM',
    }),
    row({ OfficeWorkload: 'MicrosoftTeams' }),
  ].join('\n')}\n`;
  const { items, info } = await readAll(text, 'sentinel.csv');
  assert.equal(info.csvVariant, 'sentinel');
  assert.equal(items.length, 4);
  const [session] = recordsOf(items);
  assert.deepEqual(session, {
    kind: 'session',
    recordId: '33333333-3333-4333-8333-333333333333',
    meetingId: 'dddddddd-0000-4000-8000-000000000004',
    creationTime: Date.UTC(2024, 2, 1, 12, 0, 0),
    organizerUpn: 'organizer@contoso.com',
    organizerId: 'bbbbbbbb-0000-4000-8000-000000000002',
    organizerOrganizationId: '',
    meetingType: 'ScheduledMeeting',
    attendee: { upn: 'anna@contoso.com', displayName: 'Anna', role: '1' },
    joinTime: Date.UTC(2024, 2, 1, 9, 0, 0),
    leaveTime: Date.UTC(2024, 2, 1, 9, 45, 30),
    joinTimeRaw: '3/1/2024, 9:00:00.000 AM',
    leaveTimeRaw: '3/1/2024, 9:45:30.000 AM',
    clientIp: '10.57.1.2',
    deviceInformation: 'Windows, Teams',
    userAgent: 'CallSignalingAgent (x)',
    isJoinedFromLobby: false,
    source: { file: 'sentinel.csv', line: 1 },
  });
  assert.deepEqual(items[1], { type: 'skipped', source: { file: 'sentinel.csv', line: 2 }, operation: 'MemberAdded' });
  const rejected = rejectionsOf(items);
  assert.deepEqual(
    rejected.map((r) => [r.line, r.field]),
    [
      [3, 'JoinTime [UTC]'],
      [4, 'Operation'],
    ],
  );
  assert.equal(rejected[0]!.recordId, '55555555-5555-4555-8555-555555555555');
});

test('JSON array: records read in order, strings with brackets and escapes, any chunking', async () => {
  const data = [...rows, participantData({ Id: 'x', DeviceInformation: 'a ] b } c [ "q" \\ ,', ItemName: '\u00e9' })];
  const text = `\uFEFF  [\n${data.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n`;
  const expected = expectedItems(data, 'a.json');
  for (const sizes of [undefined, [1], [5, 17, 2]]) {
    const { items, info } = await readAll(text, 'a.json', sizes);
    assert.deepEqual(info, { file: 'a.json', format: 'json-array', warnings: [] });
    assert.deepEqual(items, expected, JSON.stringify(sizes));
  }
});

test('JSON array: arrays one after another are read as one; [] is an empty export', async () => {
  const { items } = await readAll(`[${JSON.stringify(rows[1])}]\n[${JSON.stringify(rows[3])}]`, 'a.json');
  assert.deepEqual(
    items.map((i) => i.type),
    ['record', 'skipped'],
  );
  assert.deepEqual((await readAll(' [ ] ', 'e.json')).items, []);
});

test('JSON array: broken element, empty element, truncated file, trailing text', async () => {
  const broken = await readAll(`[{"Operation":"A"},{"Operation":},,{"Operation":"B"}]`, 'b.json');
  assert.deepEqual(
    broken.items.map((i) => (i.type === 'rejected' ? `rejected ${i.rejection.line}` : i.type)),
    ['skipped', 'rejected 2', 'rejected 3', 'skipped'],
  );
  assert.match(rejectionsOf(broken.items)[0]!.reason, /record 2 of the JSON array cannot be read/);
  assert.match(rejectionsOf(broken.items)[1]!.reason, /empty element/);

  const truncated = await readAll(`[{"Operation":"A"},{"Operation":"B","x":"ab`, 't.json');
  assert.deepEqual(
    truncated.items.map((i) => i.type),
    ['skipped', 'rejected'],
  );
  assert.match(rejectionsOf(truncated.items)[0]!.reason, /file ends inside this record/);
  assert.match(truncated.info.warnings.join(), /not closed with "\]".*truncated/);

  const trailing = await readAll(`[{"Operation":"A"}] garbage`, 'g.json');
  assert.deepEqual(
    trailing.items.map((i) => i.type),
    ['skipped', 'rejected'],
  );
  assert.match(rejectionsOf(trailing.items)[0]!.reason, /unexpected text after the end of the JSON array/);
});

test('NDJSON: one record per line, blank lines ignored, bad line rejected with its line number', async () => {
  const text = [
    JSON.stringify(rows[0]),
    '',
    JSON.stringify(rows[1]),
    '{"Operation": oops}',
    '   ',
    JSON.stringify(rows[2]),
  ].join('\r\n');
  for (const sizes of [undefined, [1], [13]]) {
    const { items, info } = await readAll(text, 'n.ndjson', sizes);
    assert.deepEqual(info, { file: 'n.ndjson', format: 'ndjson', warnings: [] });
    assert.deepEqual(
      items.map((i) =>
        i.type === 'record' ? i.record.source.line : i.type === 'skipped' ? i.source.line : i.rejection.line,
      ),
      [1, 3, 4, 6],
    );
    assert.equal(items[2]!.type, 'rejected');
    assert.match(rejectionsOf(items)[0]!.reason, /line 4 cannot be read/);
  }
});

test('string chunks and Uint8Array chunks are accepted', async () => {
  async function* strings() {
    yield '[{"Operation":';
    yield '"A"}]';
  }
  assert.equal((await collect(readExport(strings(), { file: 's.json' }))).length, 1);
  async function* arrays() {
    yield new Uint8Array(Buffer.from('[{"Operation":"A"},'));
    yield new Uint8Array(Buffer.from('{"Operation":"B"}]'));
  }
  assert.equal((await collect(readExport(arrays(), { file: 'u.json' }))).length, 2);
});

test('onProgress reports rows read, ending with the total', async () => {
  const seen: number[] = [];
  const stream = readExport(chunked(csvExport(HEADERS['purview-v2'], rows), [40]), {
    file: 'p.csv',
    onProgress: (n) => seen.push(n),
  });
  await collect(stream);
  assert.ok(seen.length > 1);
  assert.equal(seen[seen.length - 1], rows.length);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    seen,
    'never decreases',
  );
});

test('info() before reading and a second iteration are programming errors', async () => {
  const stream = readExport(once('[]'), { file: 'x.json' });
  assert.throws(() => stream.info(), /iterate the stream first/);
  await collect(stream);
  assert.equal(stream.info().format, 'json-array');
  await assert.rejects(collect(stream), /can be read only once/);
});

test('stopping early closes the input', async () => {
  let closed = false;
  async function* input() {
    try {
      yield csvExport(HEADERS['purview-v2'], rows);
      yield csvLine(['', '', '', '{"Operation":"Z"}']);
    } finally {
      closed = true;
    }
  }
  for await (const item of readExport(input(), { file: 'c.csv' })) {
    assert.ok(item);
    break;
  }
  assert.equal(closed, true);
});

test('an over-long record is rejected without holding the rest of the file: NDJSON skips the line, others stop', async () => {
  const huge = `{"Operation":"A","x":"${'y'.repeat(9 * 1024 * 1024)}"}`;
  const nd = await readAll(`{"Operation":"B"}\n${huge}\n{"Operation":"C"}\n`, 'long.ndjson', [1 << 20]);
  assert.deepEqual(
    nd.items.map((i) =>
      i.type === 'skipped' ? i.operation : `${i.type} ${i.type === 'rejected' ? i.rejection.line : ''}`,
    ),
    ['B', 'rejected 2', 'C'],
  );
  assert.match(rejectionsOf(nd.items)[0]!.reason, /longer than 8 MiB; it was skipped/);

  const array = await readAll(`[{"Operation":"B"},{"Operation":"A","x":"${'y'.repeat(9 * 1024 * 1024)}`, 'long.json', [
    1 << 20,
  ]);
  assert.deepEqual(
    array.items.map((i) => i.type),
    ['skipped', 'rejected'],
  );
  assert.match(rejectionsOf(array.items)[0]!.reason, /larger than 8 MiB.*reading stopped/);
  assert.match(array.info.warnings.join(), /reading stopped at record 2/);

  const csv = await readAll(
    `${csvLine(HEADERS['purview-v2'])}\r\n${csvLine(['', '', '', '{"Operation":"B"}'])}\r\nx,y,z,"${'row\r\n'.repeat(2_500_000)}`,
    'long.csv',
    [1 << 20],
  );
  assert.deepEqual(
    csv.items.map((i) => i.type),
    ['skipped', 'rejected'],
  );
  assert.match(rejectionsOf(csv.items)[0]!.reason, /never closed.*2,500,000 lines.*stray double quote/);
});
