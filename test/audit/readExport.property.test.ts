// Property tests: every export layout round-trips generated records; accounting always adds up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { textOf } from './textArbitraries.js';
import { toAuditItem } from '../../src/audit/auditData.js';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import { isPlainIsoText, joinTimeText, leaveTimeText, type ExportItem } from '../../src/audit/records.js';
import {
  HEADERS,
  type AuditJson,
  chunked,
  collect,
  csvExport,
  csvLine,
  meetingData,
  participantData,
} from './helpers.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The same instant in each form the exports use. */
function formatTime(ms: number, form: number): string {
  const d = new Date(ms);
  const [y, mo, day, h, mi, s] = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
  const iso = `${y}-${pad(mo)}-${pad(day)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  switch (form) {
    case 0:
      return iso;
    case 1:
      return `${iso}.0000000Z`;
    case 2:
      return `${mo}/${day}/${y} ${h12}:${pad(mi)}:${pad(s)} ${h < 12 ? 'AM' : 'PM'}`;
    default:
      return `${mo}/${day}/${y}, ${h12}:${pad(mi)}:${pad(s)}.000 ${h < 12 ? 'AM' : 'PM'}`;
  }
}

/** Text with the characters that break naive CSV and JSON handling; no NUL (raw NUL bytes mean a binary file). */
const trickyText = fc
  .oneof(
    textOf([
      ',',
      '"',
      '""',
      '\n',
      '\r',
      '\r\n',
      'a',
      'Z',
      '\u00e9',
      '\u4e2d',
      '\u{1f600}',
      ' ',
      '\\',
      '{',
      ']',
      '\u2028',
      '\t',
    ]),
    fc.string({ unit: 'binary' }),
  )
  .map((s) => s.replaceAll('\u0000', ''));

const second = fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 }).map((s) => s * 1000);

interface GeneratedSession {
  data: AuditJson;
  joinMs: number;
  leaveMs: number;
}

const session = fc
  .record({
    id: fc.uuid(),
    meetingId: fc.uuid(),
    objectId: fc.option(fc.uuid(), { nil: undefined }),
    upn: fc.option(
      trickyText.filter((s) => s !== ''),
      { nil: undefined },
    ),
    displayName: trickyText.filter((s) => s !== ''),
    joinMs: second,
    durationMs: fc.integer({ min: 0, max: 36_000 }).map((s) => s * 1000),
    joinForm: fc.integer({ min: 0, max: 3 }),
    leaveForm: fc.integer({ min: 0, max: 3 }),
    ip: trickyText,
    device: trickyText,
    userAgent: trickyText,
    itemName: trickyText,
    lobby: fc.constantFrom(true, false, 'True', 'False', undefined),
  })
  .map((g): GeneratedSession => {
    const attendee: AuditJson = { DisplayName: g.displayName, RecipientType: 'User', Role: 1 };
    if (g.objectId !== undefined) attendee.UserObjectId = g.objectId;
    if (g.upn !== undefined) attendee.UPN = g.upn;
    const leaveMs = g.joinMs + g.durationMs;
    return {
      data: participantData({
        Id: g.id,
        MeetingDetailId: g.meetingId,
        Attendees: [attendee],
        JoinTime: formatTime(g.joinMs, g.joinForm),
        LeaveTime: formatTime(leaveMs, g.leaveForm),
        ClientIP: g.ip,
        DeviceInformation: g.device,
        ExtraProperties: [{ Key: 'UserAgent', Value: g.userAgent }],
        ItemName: g.itemName,
        IsJoinedFromLobby: g.lobby,
      }),
      joinMs: g.joinMs,
      leaveMs,
    };
  });

const meeting = fc.record({ id: fc.uuid(), url: trickyText, start: second }).map((g) =>
  meetingData({
    Id: g.id,
    MeetingURL: g.url,
    StartTime: formatTime(g.start, 0),
    EndTime: formatTime(g.start + 3_600_000, 1),
  }),
);

const otherOperation = fc
  .record({ op: fc.constantFrom('TeamCreated', 'MemberAdded', 'UserLoggedIn', 'CallParticipantDetail'), x: trickyText })
  .map((g) => ({ Operation: g.op, Id: 'ffffffff-0000-4000-8000-000000000000', Note: g.x }));

const validRow = fc.oneof(
  { weight: 4, arbitrary: session.map((s) => ({ kind: 'session' as const, ...s })) },
  { weight: 1, arbitrary: meeting.map((data) => ({ kind: 'other' as const, data })) },
  { weight: 1, arbitrary: otherOperation.map((data) => ({ kind: 'other' as const, data })) },
);

/** The reader takes the first 4 KB in one piece to sniff the format; this first row makes chunking matter for the rest. */
const PADDING = { kind: 'other', data: { Operation: 'TeamCreated', Note: 'p'.repeat(4200) } } as const;

const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 });

/** Expected items: what toAuditItem makes of the JSON text of each row (checked separately against the generator). */
function expected(rows: readonly AuditJson[], file: string): ExportItem[] {
  return rows.map((r, i) => toAuditItem(JSON.parse(JSON.stringify(r)), { file, line: i + 1 }));
}

function checkAgainstGenerator(
  items: readonly ExportItem[],
  rows: ReadonlyArray<{ kind: string; data: AuditJson; joinMs?: number; leaveMs?: number }>,
) {
  rows.forEach((row, i) => {
    if (row.kind !== 'session') return;
    const item = items[i];
    assert.ok(item?.type === 'record' && item.record.kind === 'session', JSON.stringify(item));
    const r = item.record;
    const attendee = (row.data.Attendees as AuditJson[])[0]!;
    assert.equal(r.recordId, row.data.Id);
    assert.equal(r.meetingId, row.data.MeetingDetailId);
    assert.equal(r.joinTime, row.joinMs);
    assert.equal(r.leaveTime, row.leaveMs);
    assert.equal(joinTimeText(r), row.data.JoinTime);
    assert.equal(leaveTimeText(r), row.data.LeaveTime);
    assert.equal(r.joinTimeRaw, isPlainIsoText(row.data.JoinTime as string) ? undefined : row.data.JoinTime);
    assert.equal(r.clientIp, row.data.ClientIP);
    assert.equal(r.deviceInformation, row.data.DeviceInformation);
    assert.equal(r.attendee.displayName, attendee.DisplayName);
    assert.equal(r.attendee.upn, attendee.UPN);
    assert.equal(r.meetingType, row.data.ItemName);
    assert.equal(r.userAgent, (row.data.ExtraProperties as AuditJson[])[0]!.Value);
  });
}

test('property: generated records round-trip through every CSV header variant, BOM/CRLF and chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(validRow, { maxLength: 12 }),
      fc.constantFrom<keyof typeof HEADERS>('purview-v1', 'purview-v2', 'purview-v3', 'powershell'),
      fc.record({ bom: fc.boolean(), crlf: fc.boolean(), finalNewline: fc.boolean() }),
      chunkSizes,
      async (generated, variant, layout, sizes) => {
        const rows = [PADDING, ...generated];
        const powershell = variant === 'powershell';
        const text = csvExport(
          HEADERS[variant],
          rows.map((r) => r.data),
          { ...layout, typeLine: powershell, alwaysQuote: powershell },
        );
        const stream = readExport(chunked(text, sizes), { file: 'p.csv' });
        const items = await collect(stream);
        assert.deepEqual(
          items,
          expected(
            rows.map((r) => r.data),
            'p.csv',
          ),
        );
        checkAgainstGenerator(items, rows);
        assert.equal(stream.info().csvVariant, variant);
        assert.deepEqual(stream.info().warnings, []);
      },
    ),
    { numRuns: 150 },
  );
});

test('property: generated records round-trip through a JSON array and NDJSON, any chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(validRow, { maxLength: 12 }),
      fc.boolean(),
      fc.boolean(),
      chunkSizes,
      async (generated, pretty, crlf, sizes) => {
        const rows = [PADDING, ...generated];
        const data = rows.map((r) => r.data);
        const eol = crlf ? '\r\n' : '\n';
        const array = `[${data.map((d) => JSON.stringify(d, null, pretty ? 2 : undefined)).join(`,${eol}`)}]`;
        const arrayItems = await collect(readExport(chunked(array, sizes), { file: 'a.json' }));
        assert.deepEqual(arrayItems, expected(data, 'a.json'));
        checkAgainstGenerator(arrayItems, rows);
        const ndjson = data.map((d) => JSON.stringify(d)).join(eol);
        const lineItems = await collect(readExport(chunked(ndjson, sizes), { file: 'n.ndjson' }));
        assert.deepEqual(lineItems, expected(data, 'n.ndjson'));
        checkAgainstGenerator(lineItems, rows);
      },
    ),
    { numRuns: 150 },
  );
});

type MixRow =
  | { kind: 'valid'; text: string }
  | { kind: 'copy'; of: number }
  | { kind: 'other'; text: string }
  | { kind: 'broken'; text: string }
  | { kind: 'badTime'; text: string };

/** Single-line, non-blank text that is not JSON (NDJSON lines cannot hold line breaks). */
const notJson = trickyText
  .map((t) => t.replace(/[\r\n]/g, ' '))
  .filter((t) => {
    if (t.trim() === '') return false;
    try {
      JSON.parse(t);
      return false;
    } catch {
      return true;
    }
  });

const mixRow: fc.Arbitrary<MixRow> = fc.oneof(
  session.map((s) => ({ kind: 'valid' as const, text: JSON.stringify(s.data) })),
  fc.nat().map((of) => ({ kind: 'copy' as const, of })),
  otherOperation.map((d) => ({ kind: 'other' as const, text: JSON.stringify(d) })),
  fc
    .oneof(notJson, fc.constantFrom('{"Operation":"MeetingParticipantDetail"', '[]', '{}', '42'))
    .map((text) => ({ kind: 'broken' as const, text })),
  fc
    .constantFrom('2024-02-30T10:00:00', 'soon', '', '2024-03-01T08:59:59')
    .map((leave) => ({ kind: 'badTime' as const, text: JSON.stringify(participantData({ LeaveTime: leave })) })),
);

/** The AuditData texts of one file and the accounting they must produce. Valid rows get unique ids and meetings. */
function materialise(mix: readonly MixRow[], prefix: string) {
  const texts: string[] = [];
  const valids: string[] = [];
  const expected = { accepted: 0, duplicates: 0, skipped: 0, rejected: 0 };
  for (const row of mix) {
    if (row.kind === 'valid') {
      const data = JSON.parse(row.text) as AuditJson;
      data.Id = `${prefix}-id-${valids.length}`;
      data.MeetingDetailId = `${prefix}-meeting-${valids.length}`;
      const text = JSON.stringify(data);
      valids.push(text);
      texts.push(text);
      expected.accepted++;
    } else if (row.kind === 'copy') {
      if (valids.length === 0) continue;
      texts.push(valids[row.of % valids.length]!);
      expected.duplicates++;
    } else {
      texts.push(row.text);
      if (row.kind === 'other') expected.skipped++;
      else expected.rejected++;
    }
  }
  return { texts, expected };
}

test('property: rowsRead = accepted + duplicates + skipped + rejected for any mix, per file and in total', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(mixRow, { maxLength: 25 }),
      fc.array(mixRow, { minLength: 1, maxLength: 10 }),
      chunkSizes,
      async (mixA, mixB, sizes) => {
        const dataset = new AuditDataset();
        const fileA = materialise(mixA, 'a');
        // NDJSON is recognised by a first line starting with '{'
        const fileB = materialise([{ kind: 'other', text: JSON.stringify(PADDING.data) }, ...mixB], 'b');
        fileA.texts.unshift(JSON.stringify(PADDING.data));
        fileA.expected.skipped++;
        const csv = [
          csvLine(HEADERS['purview-v3']),
          ...fileA.texts.map((t) => csvLine(['r', 'd', '25', 'op', 'u', t, '', ''])),
        ].join('\r\n');
        const ndjson = `${fileB.texts.join('\n')}\n\n`;
        const a = await dataset.addExport(readExport(chunked(csv, sizes), { file: 'a.csv' }));
        const b = await dataset.addExport(readExport(chunked(ndjson, sizes), { file: 'b.ndjson' }));
        for (const [acc, file] of [
          [a, fileA],
          [b, fileB],
        ] as const) {
          assert.equal(acc.rowsRead, file.texts.length);
          assert.equal(acc.rowsRead, acc.accepted + acc.duplicates + acc.skipped + acc.rejected);
          assert.deepEqual(
            { accepted: acc.accepted, duplicates: acc.duplicates, skipped: acc.skipped, rejected: acc.rejected },
            file.expected,
          );
        }
        const total = dataset.accounting;
        assert.equal(total.rowsRead, total.accepted + total.duplicates + total.skipped + total.rejected);
        assert.equal(total.rowsRead, a.rowsRead + b.rowsRead);
        assert.equal(
          total.skipped,
          Object.values(total.skippedByOperation).reduce((x, y) => x + y, 0),
        );
        assert.equal(total.rejected, dataset.rejections.length);
        assert.equal(dataset.files.length, 2);
      },
    ),
    { numRuns: 150 },
  );
});
