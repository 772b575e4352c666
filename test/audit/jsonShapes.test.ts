// JSON exports in the shapes admins produce: arrays, NDJSON, wrapper objects ({"value":[…]}, {"records":[…]}),
// Microsoft Graph audit log pages (the record in auditData, @odata.nextLink), ConvertTo-Json output of
// Search-UnifiedAuditLog (AuditData as text), pretty-printed records; any other shape is one clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toAuditItem } from '../../src/audit/auditData.js';
import { ExportReadError, readExport } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';
import {
  type AuditJson,
  chunked,
  collect,
  meetingData,
  participantData,
  readAll,
  recordsOf,
  rejectionsOf,
} from './helpers.js';

const rows: AuditJson[] = [
  participantData({ Id: 'r1' }),
  participantData({ Id: 'r2', JoinTime: '2024-03-01T09:50:00', LeaveTime: '2024-03-01T10:00:00' }),
  { Id: 'r3', Operation: 'MemberAdded', CreationTime: '2024-03-01T12:00:00' },
  meetingData({ Id: 'dddddddd-0000-4000-8000-000000000004' }),
];

/** A Graph auditLogRecord around an AuditData object, as the audit log query API returns it. */
function graphRecord(data: AuditJson): AuditJson {
  return {
    '@odata.type': '#microsoft.graph.security.auditLogRecord',
    id: data.Id,
    createdDateTime: `${String(data.CreationTime)}Z`,
    auditLogRecordType: 'microsoftTeams',
    operation: data.Operation,
    organizationId: data.OrganizationId,
    userType: 'regular',
    userId: data.UserKey,
    service: 'MicrosoftTeams',
    objectId: null,
    userPrincipalName: data.UserId,
    clientIp: data.ClientIP,
    administrativeUnits: [],
    auditData: { '@odata.type': '#microsoft.graph.security.defaultAuditData', ...data },
  };
}

function graphPage(records: readonly AuditJson[], nextLink?: string): AuditJson {
  const page: AuditJson = {
    '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#security/auditLog/queries('q')/records",
    value: records.map(graphRecord),
  };
  if (nextLink !== undefined) page['@odata.nextLink'] = nextLink;
  return page;
}

/** ConvertTo-Json of Search-UnifiedAuditLog results, as Windows PowerShell wraps an array. */
function convertToJson(records: readonly AuditJson[]): AuditJson {
  return {
    value: records.map((r, i) => ({
      RunspaceId: '00000000-0000-0000-0000-000000000000',
      RecordType: 'MicrosoftTeams',
      CreationDate: '/Date(1709294400000)/',
      UserIds: r.UserId ?? '',
      Operations: r.Operation,
      AuditData: JSON.stringify(r),
      ResultIndex: i + 1,
      ResultCount: records.length,
      Identity: r.Id,
      IsValid: true,
      ObjectState: 'Unchanged',
    })),
    Count: records.length,
  };
}

/** Items without their SourceRef (record numbers differ between layouts by design). */
function content(items: readonly ExportItem[]): unknown[] {
  return items.map((i) => {
    if (i.type === 'record') return { ...i.record, source: undefined };
    if (i.type === 'skipped') return { skipped: i.operation };
    return { rejected: i.rejection.field, reason: i.rejection.reason };
  });
}

function numbers(items: readonly ExportItem[]): number[] {
  return items.map((i) =>
    i.type === 'record' ? i.record.source.line : i.type === 'skipped' ? i.source.line : i.rejection.line,
  );
}

async function readError(text: string, file: string): Promise<ExportReadError> {
  try {
    await readAll(text, file);
  } catch (e) {
    assert.ok(e instanceof ExportReadError, String(e));
    return e;
  }
  assert.fail('expected an ExportReadError');
}

test('a Graph audit log page, pretty-printed: records read from auditData, numbered by element; nextLink warned', async () => {
  const text = JSON.stringify(
    graphPage(rows, 'https://graph.microsoft.com/v1.0/security/auditLog/queries/q/records?$skiptoken=x'),
    null,
    2,
  );
  for (const sizes of [undefined, [1], [17, 300]]) {
    const { items, info } = await readAll(text, 'page.json', sizes);
    assert.deepEqual(content(items), content(rows.map((r, i) => toAuditItem(r, { file: 'page.json', line: i + 1 }))));
    assert.deepEqual(numbers(items), [1, 2, 3, 4]);
    assert.equal(info.format, 'json-wrapper');
    assert.equal(info.warnings.length, 1);
    assert.match(
      info.warnings[0]!,
      /page of a Microsoft Graph audit log query .*@odata\.nextLink: more records exist that are not in the file/,
    );
  }
});

test('Graph: the top-level standard fields stand in for those auditData lacks; rejections name auditData fields', async () => {
  const bare = { ...rows[0]! };
  delete bare.Id;
  delete bare.Operation;
  delete bare.CreationTime;
  const record = { ...graphRecord(rows[0]!), auditData: bare };
  const broken = graphRecord(participantData({ Id: 'r9', JoinTime: 'soon' }));
  const { items, info } = await readAll(JSON.stringify({ value: [record, broken] }), 'graph.json');
  const [session] = recordsOf(items);
  assert.equal(session?.recordId, 'r1');
  assert.equal(session?.creationTime, Date.UTC(2024, 2, 1, 12));
  assert.deepEqual(
    rejectionsOf(items).map((r) => [r.line, r.field, r.recordId]),
    [[2, 'auditData.JoinTime', 'r9']],
  );
  assert.deepEqual(info.warnings, [], 'a page without nextLink is complete');
});

test('Graph PowerShell SDK objects (ConvertTo-Json): the record under AuditData.AdditionalProperties, PascalCase envelope', async () => {
  const sdk = rows.map((r) => {
    const inner = { ...r };
    delete inner.CreationTime;
    return {
      AdministrativeUnits: [],
      AuditData: { AdditionalProperties: inner },
      AuditLogRecordType: 'microsoftTeams',
      ClientIP: r.ClientIP ?? null,
      CreatedDateTime: `${String(r.CreationTime)}Z`,
      Id: r.Id,
      ObjectId: null,
      Operation: r.Operation,
      OrganizationId: r.OrganizationId,
      Service: 'MicrosoftTeams',
      UserId: r.UserKey ?? null,
      UserPrincipalName: r.UserId ?? null,
      UserType: 'regular',
    };
  });
  const { items } = await readAll(JSON.stringify(sdk, null, 4), 'sdk.json', [50]);
  assert.deepEqual(content(items), content(rows.map((r) => toAuditItem(r, { file: 'x', line: 1 }))));
});

test('several pages one after another, or an array of pages: all read; only a last page with nextLink warns', async () => {
  const pages = [graphPage(rows.slice(0, 2), 'next-1'), graphPage(rows.slice(2), undefined)];
  const concatenated = await readAll(pages.map((p) => JSON.stringify(p, null, 2)).join('\n'), 'pages.json', [64]);
  assert.deepEqual(content(concatenated.items), content(rows.map((r) => toAuditItem(r, { file: 'x', line: 1 }))));
  assert.deepEqual(numbers(concatenated.items), [1, 2, 3, 4]);
  assert.deepEqual(concatenated.info.warnings, []);
  const array = await readAll(JSON.stringify([pages[1], pages[0]]), 'array.json');
  assert.equal(recordsOf(array.items).length, 3);
  assert.equal(array.info.format, 'json-array');
  assert.match(array.info.warnings.join(), /more records exist/);
  const lines = await readAll(pages.map((p) => JSON.stringify(p)).join('\n'), 'pages.ndjson');
  assert.equal(lines.items.length, 4);
});

test('wrapper objects: "value" (ConvertTo-Json, AuditData as text), "records", "Records"; numbered by element', async () => {
  const ps = await readAll(JSON.stringify(convertToJson(rows), null, 4), 'ps.json', [100]);
  assert.deepEqual(content(ps.items), content(rows.map((r) => toAuditItem(r, { file: 'x', line: 1 }))));
  assert.deepEqual(numbers(ps.items), [1, 2, 3, 4]);
  for (const key of ['records', 'Records']) {
    const { items, info } = await readAll(JSON.stringify({ [key]: rows, count: 4 }), `${key}.json`, [5]);
    assert.equal(items.length, 4, key);
    assert.equal(info.format, 'json-wrapper');
  }
  // Windows PowerShell's Out-File writes UTF-16 with a byte order mark
  const utf16 = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(JSON.stringify(convertToJson(rows), null, 4).replace(/\n/g, '\r\n'), 'utf16le'),
  ]);
  const fromUtf16 = await readAll(utf16, 'ps-utf16.json', [33]);
  assert.deepEqual(content(fromUtf16.items), content(ps.items));
  const badText = convertToJson([rows[0]!]);
  (badText.value as AuditJson[])[0]!.AuditData = '{"Id": "cut';
  const bad = await readAll(JSON.stringify(badText), 'bad.json');
  assert.deepEqual(
    rejectionsOf(bad.items).map((r) => [r.line, r.field]),
    [[1, 'AuditData']],
  );
  assert.match(rejectionsOf(bad.items)[0]!.reason, /AuditData cannot be read: it ends before the JSON is complete/);
});

test('one record, pretty-printed or on one line; pretty-printed records one after another, numbered by their first line', async () => {
  const pretty = await readAll(JSON.stringify(rows[0], null, 2), 'one.json', [3]);
  assert.equal(recordsOf(pretty.items)[0]?.recordId, 'r1');
  assert.equal(pretty.items.length, 1);
  assert.equal(pretty.info.format, 'json-records');
  const oneLine = await readAll(JSON.stringify(rows[0]), 'one-line.json');
  assert.equal(oneLine.items.length, 1);
  assert.equal(oneLine.info.format, 'ndjson');
  const several = rows.slice(2).map((r) => JSON.stringify(r, null, 2));
  const { items } = await readAll(several.join('\n'), 'several.json', [9]);
  assert.deepEqual(numbers(items), [1, several[0]!.split('\n').length + 1]);
});

test('a broken record in a wrapper is rejected with its number and the rest read; a truncated wrapper is warned', async () => {
  const text = `{"value": [\n${JSON.stringify(rows[0])},\n{"Id": "x", "Operation": oops},\n${JSON.stringify(rows[2])}\n]}`;
  const { items } = await readAll(text, 'broken.json', [7]);
  assert.deepEqual(
    items.map((i) => i.type),
    ['record', 'rejected', 'skipped'],
  );
  assert.match(rejectionsOf(items)[0]!.reason, /record 2 of the array of records cannot be read/);
  const full = JSON.stringify({ value: rows }, null, 2);
  const truncated = await readAll(full.slice(0, full.length - 40), 'cut.json');
  assert.deepEqual(
    truncated.items.map((i) => i.type),
    ['record', 'record', 'skipped', 'rejected'],
  );
  assert.match(rejectionsOf(truncated.items)[0]!.reason, /file ends inside this record/);
  assert.match(truncated.info.warnings.join(), /not closed .*truncated/);
});

test('NDJSON stays line by line, even when its first line is broken', async () => {
  const lines = rows.map((r) => JSON.stringify(r));
  for (const first of [
    '{"Id": "cut',
    '{"Operation": oops}',
    '{"Operation": "MeetingParticipantDetail", "Attendees": [',
  ]) {
    const { items, info } = await readAll([first, ...lines].join('\n'), 'n.ndjson', [11]);
    assert.equal(info.format, 'ndjson', first);
    assert.deepEqual(numbers(items), [1, 2, 3, 4, 5], first);
    assert.equal(items[0]!.type, 'rejected', first);
    assert.match(rejectionsOf(items)[0]!.reason, /line 1 cannot be read/, first);
  }
});

test('any other shape is one error that names it, not a rejection per line', async () => {
  const other = await readError(
    JSON.stringify({ displayName: 'q', status: 'succeeded', filterStartDateTime: 'x' }, null, 2),
    'query.json',
  );
  assert.match(
    other.message,
    /^query\.json: the file holds a JSON object with keys "displayName", "status", "filterStartDateTime", which is not an audit record and holds no array of records: expected audit records/,
  );
  const users = await readError(JSON.stringify({ value: [{ displayName: 'Anna', mail: 'a@b' }] }), 'users.json');
  assert.match(
    users.message,
    /users\.json: the file holds an array of records whose first element is an object with keys "displayName", "mail", which is not an audit record/,
  );
  const array = await readError(JSON.stringify([{ name: 'x' }]), 'array.json');
  assert.match(
    array.message,
    /array\.json: the file holds a JSON array whose first element is an object with key "name"/,
  );
  assert.match((await readError('{}', 'empty.json')).message, /a JSON object with no keys/);
  const personal = await readError(
    JSON.stringify({ 'anna.smith@contoso.com': { groups: [] }, '10.57.1.2': 'x' }),
    'map.json',
  );
  assert.doesNotMatch(personal.message, /anna|10\.57/);
  assert.match(
    personal.message,
    /keys \(a key of 22 characters, not shown because it may contain personal data\), \(a key of 9 characters/,
  );
});

// ---- property: the same records in every shape, cut into any chunks, read to the same items ----

const text = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\\', '{', '}', '[', ']', '\n', '\u00e9', '\u{1f600}', ':'),
});
const record = fc
  .record({
    id: fc.uuid(),
    meeting: fc.uuid(),
    name: text.filter((s) => s.trim() !== ''),
    device: text,
    other: fc.boolean(),
  })
  .map((g): AuditJson =>
    g.other
      ? {
          Id: g.id,
          Operation: 'MessageSent',
          CreationTime: '2024-03-01T12:00:00',
          UserId: 'u@contoso.com',
          Note: g.device,
        }
      : participantData({
          Id: g.id,
          MeetingDetailId: g.meeting,
          DeviceInformation: g.device,
          Attendees: [{ UserObjectId: g.id, DisplayName: g.name, RecipientType: 'User' }],
        }),
  );

const shapes: Record<string, (rs: readonly AuditJson[]) => string> = {
  array: (rs) => JSON.stringify(rs),
  'pretty array': (rs) => JSON.stringify(rs, null, 2),
  ndjson: (rs) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`,
  'value wrapper': (rs) => JSON.stringify({ value: rs, Count: rs.length }, null, 4),
  'records wrapper on one line': (rs) => JSON.stringify({ records: rs }),
  'graph page': (rs) => JSON.stringify(graphPage(rs), null, 2),
  'graph pages': (rs) =>
    [graphPage(rs.slice(0, 1), 'more'), graphPage(rs.slice(1))].map((p) => JSON.stringify(p, null, 1)).join('\n'),
  'ConvertTo-Json': (rs) => JSON.stringify(convertToJson(rs), null, 4),
  'pretty records': (rs) => rs.map((r) => JSON.stringify(r, null, 2)).join('\r\n'),
};

test('property: any records in any JSON shape, cut into any chunks, read to the same records', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { minLength: 1, maxLength: 6 }),
      fc.constantFrom(...Object.keys(shapes)),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
      async (rs, shape, sizes) => {
        const stream = readExport(chunked(shapes[shape]!(rs), sizes), { file: 'p.json' });
        const items = await collect(stream);
        assert.deepEqual(
          content(items),
          content(rs.map((r, i) => toAuditItem(r, { file: 'p.json', line: i + 1 }))),
          shape,
        );
        assert.ok(
          items.every(
            (i) =>
              (i.type === 'record' ? i.record.source.file : i.type === 'skipped' ? i.source.file : i.rejection.file) ===
              'p.json',
          ),
        );
        assert.deepEqual(stream.info().warnings, [], shape);
      },
    ),
    { numRuns: 150 },
  );
});
