import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import {
  GENERATED_FORMATS,
  checkGeneratorOptions,
  generateExport,
  writeExport,
  type GeneratedFormat,
  type GeneratorOptions,
  type GroundTruth,
} from '../../src/generator/exportGenerator.js';
import {
  classifyRows,
  evKey,
  generateAndParse,
  isHuman,
  pushTo,
  readRows,
  recompute,
  strictTime,
  type Attendance,
  type Parsed,
} from './parseGenerated.js';

const RECORDING_BOT = 'b1902c3e-b9f7-4650-9b23-5772bd429747';

function textOf(options: GeneratorOptions): { text: string; truth: GroundTruth; chunks: string[] } {
  const generated = generateExport(options);
  const chunks = [...generated.chunks()];
  return { text: chunks.join(''), truth: generated.truth, chunks };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function count<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (pred(item)) n++;
  return n;
}

// One realistic mixed export shared by the content tests (25,000 rows: large enough for a
// 355-record meeting, mass events and every planted pattern).
const MIXED: GeneratorOptions = {
  seed: 20260302,
  records: 25_000,
  scenario: 'mixed',
  format: 'purview-v3',
  badRowShare: 0.004,
  duplicateShare: 0.006,
};
let mixedCache: Parsed | undefined;
function mixed(): Parsed {
  mixedCache ??= generateAndParse(MIXED);
  return mixedCache;
}

test('same options give byte-identical output; chunks() can be replayed; another seed differs', () => {
  const options: GeneratorOptions = {
    seed: 7,
    records: 4000,
    scenario: 'mixed',
    format: 'purview-v3',
    badRowShare: 0.01,
  };
  const a = generateExport(options);
  const first = sha([...a.chunks()].join(''));
  const again = sha([...a.chunks()].join(''));
  const b = sha(textOf(options).text);
  assert.equal(again, first, 'chunks() called twice');
  assert.equal(b, first, 'a second generator with the same options');
  assert.notEqual(sha(textOf({ ...options, seed: 8 }).text), first);
  assert.deepEqual(generateExport(options).truth, a.truth);
});

test('the same seed gives the same export from one version to the next (hashes recorded when buildMeeting was split)', () => {
  // A change here changes every generated bench input: bump GENERATOR_VERSION and record the new hashes.
  const mixedText = textOf(MIXED);
  assert.equal(sha(mixedText.text), 'd07ee0ecf8a0a9a6e90b037a9283e85575206688c639c22e11cfc9d8f59b5705');
  assert.equal(
    sha(JSON.stringify(mixedText.truth)),
    '371575b95ff8c643c4751236367ed0519b195e320cbe293ce240403a2e2aa879',
  );
  const townhall = textOf({ seed: 3, records: 3000, scenario: 'townhall', format: 'ndjson' });
  assert.equal(sha(townhall.text), 'd173aeb03654633c7752b310d5e7b41030eca354b65dec6e4751fbd591bb746f');
  assert.equal(sha(JSON.stringify(townhall.truth)), 'a761fb00896e49177e42f8a38e4d6b90233bcb60c5844a30700b0f32d3c7a6d6');
});

test('chunks are about 64 KB and never split a row', () => {
  const { chunks } = textOf({ seed: 3, records: 3000, scenario: 'mixed', format: 'purview-v3' });
  assert.ok(chunks.length > 10);
  for (const [i, chunk] of chunks.entries()) {
    if (i < chunks.length - 1) {
      assert.ok(chunk.length >= 64 * 1024 && chunk.length < 64 * 1024 + 8192, `chunk ${i} has ${chunk.length} chars`);
    }
    assert.ok(chunk.endsWith('\r\n'), `chunk ${i} ends inside a row`);
  }
});

test('writeExport streams exactly the chunks() text to the file and returns the same truth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  try {
    const options: GeneratorOptions = { seed: 11, records: 2500, scenario: 'townhall', format: 'ndjson' };
    const path = join(dir, 'out.ndjson');
    const truth = await writeExport(path, options);
    const expected = textOf(options);
    assert.equal(sha(readFileSync(path, 'utf8')), sha(expected.text));
    assert.deepEqual(truth, expected.truth);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const format of GENERATED_FORMATS) {
  test(`${format}: exact row count and every class of row matches the truth`, () => {
    const options: GeneratorOptions = {
      seed: 42,
      records: 3001,
      scenario: 'mixed',
      format,
      badRowShare: 0.02,
      duplicateShare: 0.01,
      otherOperationsShare: 0.02,
    };
    const { text, truth } = textOf(options);
    const rows = readRows(text, format);
    assert.equal(rows.length, 3001);
    const classes = classifyRows(rows);
    assert.equal(
      count(classes, (c) => c.kind === 'session'),
      truth.sessionRecords,
    );
    assert.equal(
      count(classes, (c) => c.kind === 'detail'),
      truth.meetingDetailRecords,
    );
    assert.equal(
      count(classes, (c) => c.kind === 'other'),
      truth.otherOperations,
    );
    assert.equal(
      count(classes, (c) => c.kind === 'bad'),
      truth.badRows,
    );
    assert.equal(
      count(classes, (c) => c.kind === 'exact-duplicate'),
      truth.exactDuplicates,
    );
    assert.equal(
      count(classes, (c) => c.kind === 'content-duplicate'),
      truth.contentDuplicates,
    );
    assert.equal(truth.exactDuplicates + truth.contentDuplicates, truth.duplicates);
    assert.equal(truth.otherOperations, 60);
    assert.equal(truth.badRows, 60);
    assert.equal(truth.duplicates, 30);
    assert.equal(
      truth.sessionRecords + truth.meetingDetailRecords + truth.otherOperations + truth.badRows + truth.duplicates,
      3001,
    );
    const badKinds: Record<string, number> = {};
    const otherOps: Record<string, number> = {};
    for (const c of classes) {
      if (c.kind === 'bad') badKinds[c.badKind] = (badKinds[c.badKind] ?? 0) + 1;
      if (c.kind === 'other') otherOps[c.operation] = (otherOps[c.operation] ?? 0) + 1;
    }
    assert.deepEqual(badKinds, truth.badRowsByKind);
    assert.deepEqual(otherOps, truth.otherOperationsByName);
  });
}

test('tiny and empty exports keep exact counts in every format', () => {
  for (const format of GENERATED_FORMATS) {
    for (const records of [0, 1, 2, 7]) {
      for (const scenario of ['mixed', 'townhall'] as const) {
        const { text, truth } = textOf({
          seed: records,
          records,
          scenario,
          format,
          badRowShare: 0.2,
          duplicateShare: 0.2,
        });
        assert.equal(readRows(text, format).length, records, `${format} ${scenario} ${records}`);
        assert.equal(truth.rows, records);
        assert.equal(
          truth.sessionRecords + truth.meetingDetailRecords + truth.otherOperations + truth.badRows + truth.duplicates,
          records,
        );
        if (records > 0) assert.ok(truth.sessionRecords >= 1, 'at least one participant record');
      }
    }
  }
});

const HEADERS: Partial<Record<GeneratedFormat, string>> = {
  'purview-v1': 'CreationDate,UserIds,Operations,AuditData',
  'purview-v2': 'CreationDate,UserId,Operation,AuditData',
  'purview-v3':
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames',
};

/** Minimal RFC 4180 quoting; AuditData is always quoted unless empty (as Purview writes it). */
function minimalCsv(value: string, alwaysQuote: boolean): string {
  if ((alwaysQuote && value !== '') || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

function v3Date(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

for (const format of ['purview-v1', 'purview-v2', 'purview-v3'] as const) {
  test(`${format}: header, CRLF, no BOM, minimal quoting and consistent columns`, () => {
    const { text } = textOf({ seed: 5, records: 1500, scenario: 'mixed', format, badRowShare: 0.02 });
    assert.notEqual(text.charCodeAt(0), 0xfeff);
    assert.ok(text.startsWith(`${HEADERS[format]}\r\n`));
    assert.ok(text.endsWith('\r\n'), 'last row terminated');
    assert.equal(/(?<!\r)\n/.test(text), false, 'every line ends with CRLF');
    const table = parse(text);
    const header = table[0] as string[];
    // Re-serialising with minimal quoting gives back the file byte for byte.
    const auditColumn = header.indexOf('AuditData');
    const rebuilt = table
      .map((cells, r) => cells.map((c, k) => minimalCsv(c, r > 0 && k === auditColumn)).join(',') + '\r\n')
      .join('');
    assert.equal(rebuilt, text);
    let checked = 0;
    for (const cells of table.slice(1)) {
      const cell = (name: string): string => cells[header.indexOf(name)] ?? '';
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(cell('AuditData')) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) continue;
      const created = strictTime(record['CreationTime']);
      if (format === 'purview-v3') {
        assert.equal(cell('RecordId'), record['Id']);
        assert.equal(cell('RecordType'), String(record['RecordType']));
        assert.equal(cell('Operation'), record['Operation']);
        assert.equal(cell('UserId'), record['UserId']);
        assert.equal(cell('CreationDate'), v3Date(created));
        assert.equal(cell('AssociatedAdminUnits'), '');
        assert.equal(cell('AssociatedAdminUnitsNames'), '');
      } else {
        const op = format === 'purview-v1' ? 'Operations' : 'Operation';
        const user = format === 'purview-v1' ? 'UserIds' : 'UserId';
        assert.equal(cell(op), record['Operation']);
        assert.equal(cell(user), record['UserId']);
        assert.equal(cell('CreationDate'), `${new Date(created).toISOString().slice(0, 19)}.0000000Z`);
      }
      checked++;
    }
    assert.ok(checked > 1400);
    if (format === 'purview-v3') {
      // Both AssociatedAdminUnits columns are empty; complete records end `}",,`.
      const lines = text.split('\r\n').slice(1, -1);
      for (const line of lines) assert.ok(line.endsWith('",,') || line.endsWith(',,,'), line.slice(-40));
      assert.ok(count(lines, (l) => l.endsWith('}",,')) >= checked - 30);
    }
  });
}

test('records follow the documented shapes and Microsoft key order', () => {
  const { sessionRecords, details, text } = mixed();
  const envelope = [
    'CreationTime',
    'Id',
    'Operation',
    'OrganizationId',
    'RecordType',
    'UserKey',
    'UserType',
    'Version',
    'Workload',
  ];
  for (const record of [...sessionRecords.slice(0, 2000), ...[...details.values()].slice(0, 200)]) {
    const keys = Object.keys(record);
    assert.deepEqual(keys.slice(0, envelope.length), envelope);
    const rest = keys.slice(envelope.length);
    const userIdAt = rest.indexOf('UserId');
    assert.ok(
      userIdAt === 0 || (userIdAt === 1 && rest[0] === 'ClientIP'),
      `envelope tail ${rest.slice(0, 3).join(',')}`,
    );
    assert.equal(record['RecordType'], 25);
    assert.equal(record['UserType'], 0);
    assert.equal(record['Version'], 1);
    assert.equal(record['Workload'], 'MicrosoftTeams');
    assert.match(String(record['CreationTime']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  }
  for (const record of sessionRecords) {
    const attendees = record['Attendees'] as unknown[];
    assert.equal(attendees.length, 1);
    const extra = record['ExtraProperties'] as { Key: string; Value: string }[];
    assert.equal(extra[0]?.Key, 'UserAgent');
    assert.match(String(record['MeetingDetailId']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Written hours after the meeting.
    assert.ok(strictTime(record['CreationTime']) - strictTime(record['LeaveTime']) >= 3600_000);
    assert.ok(strictTime(record['JoinTime']) <= strictTime(record['LeaveTime']));
  }
  for (const detail of details.values()) {
    for (const key of [
      'StartTime',
      'EndTime',
      'MeetingURL',
      'Organizer',
      'ChatThreadId',
      'CommunicationType',
      'ItemName',
    ])
      assert.ok(key in detail, key);
    assert.match(String(detail['MeetingURL']), /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_/);
    assert.match(String(detail['ChatThreadId']), /^19:meeting_[A-Za-z0-9]+@thread\.v2$/);
  }
  assert.ok(text.includes('https:\\/\\/teams.microsoft.com'), "URLs keep Microsoft's \\/ escapes");
  assert.ok(
    details.size < mixed().truth.meetings && details.size > 0.8 * mixed().truth.meetings,
    'MeetingDetail for most, not all, meetings',
  );
});

test('mixed export: participants of every kind, both RecipientType generations, realistic values', () => {
  const { sessions, sessionRecords } = mixed();
  const by = (pred: (a: Attendance) => boolean): Attendance[] => sessions.filter(pred);
  const phones = by((a) => a.recipientType === 'Phone');
  assert.ok(phones.length > 0);
  for (const p of phones) {
    assert.match(p.displayName, /^\+\d{10,12}$/);
    assert.equal(p.userAgent, 'Conferencing Virtual Assistant');
    assert.equal(p.ip, '');
  }
  const bots = by((a) => a.recipientType === 'Applications');
  assert.ok(bots.length > 0);
  for (const b of bots) {
    assert.equal(b.displayName, RECORDING_BOT);
    assert.equal(b.userAgent, 'SkypeBot Call Recorder Teams');
  }
  const anonymous = by((a) => a.recipientType === 'Anonymous');
  assert.ok(anonymous.length > 0);
  for (const a of anonymous) assert.match(a.displayName, /^teamsvisitor:[0-9a-f]+$/);
  for (const type of ['User', 'InternalFederated', 'GuestFederated'])
    assert.ok(by((a) => a.recipientType === type).length > 0, type);
  const attendees = sessionRecords.map(
    (r) => (r['Attendees'] as Record<string, unknown>[])[0] as Record<string, unknown>,
  );
  assert.ok(
    attendees.some((a) => a['UPN'] !== undefined && a['UserObjectId'] === undefined),
    'UPN without UserObjectId',
  );
  assert.ok(attendees.some((a) => a['RecipientType'] === 'GuestFederated' && a['UserObjectId'] === undefined));
  assert.ok(
    attendees.some((a) => typeof a['DisplayName'] === 'string' && a['DisplayName'].includes(',')),
    'display names with commas',
  );
  assert.ok(
    sessionRecords.some((r) => String(r['ItemName']).includes(',')),
    'comma-separated ItemName',
  );
  assert.ok(sessionRecords.some((r) => typeof r['DeviceId'] === 'string'));
  assert.ok(sessionRecords.some((r) => Array.isArray(r['ArtifactsShared'])));
  const platforms = ['Windows', 'mac', 'iPhone|iPad', 'Android', 'Web;', 'Rooms|Surface Hub|Teams Display'];
  for (const p of platforms)
    assert.ok(
      sessions.some((a) => new RegExp(p, 'i').test(a.deviceInfo)),
      p,
    );
  assert.ok(sessions.some((a) => a.userAgent.startsWith('Web CallSignalingAgent(PluginLess/')));

  // Addresses: private sites, home, public, ~10 % IPv6, some IPv4-mapped.
  const withIp = sessions.filter((a) => a.ip !== '');
  const ipv6 = count(withIp, (a) => a.ip.includes(':') && !a.ip.startsWith('::ffff:'));
  const share = ipv6 / withIp.length;
  assert.ok(share > 0.07 && share < 0.14, `IPv6 share ${share.toFixed(3)}`);
  assert.ok(withIp.some((a) => a.ip.startsWith('::ffff:')));
  for (const prefix of ['10.57.', '10.58.', '192.168.1.'])
    assert.ok(
      withIp.some((a) => a.ip.startsWith(prefix)),
      prefix,
    );
});

test('truth counts of meetings and participants match the file', () => {
  const { truth, sessions, details } = mixed();
  const meetings = new Map<string, Attendance[]>();
  for (const a of sessions) pushTo(meetings, a.meetingId, a);
  assert.equal(meetings.size, truth.meetings);
  for (const id of details.keys()) assert.ok(meetings.has(id), 'every MeetingDetail has participants');
  let participantMeetings = 0;
  let phones = 0;
  let bots = 0;
  let anonymous = 0;
  let guests = 0;
  let restarted = 0;
  let botRejoins = 0;
  for (const [id, list] of meetings) {
    const keys = new Map<string, Attendance[]>();
    for (const a of list) pushTo(keys, a.key, a);
    participantMeetings += keys.size;
    for (const group of keys.values()) {
      const first = group[0] as Attendance;
      if (first.recipientType === 'Phone') phones++;
      if (first.recipientType === 'Applications') {
        bots++;
        if (group.length === 2) botRejoins++;
      }
      if (first.recipientType === 'Anonymous') anonymous++;
      // Newer records say GuestFederated; older ones say User, with the guest's own tenant.
      if (
        first.recipientType === 'GuestFederated' ||
        (first.recipientType === 'User' && first.organizationId !== first.homeTenant)
      )
        guests++;
    }
    const detail = details.get(id);
    if (detail && list.some((a) => a.join > strictTime(detail['EndTime']))) restarted++;
  }
  assert.equal(participantMeetings, truth.participantMeetings);
  assert.equal(phones, truth.phones);
  assert.equal(bots, truth.bots);
  assert.equal(anonymous, truth.anonymous);
  assert.equal(restarted, truth.restartedMeetings);
  assert.equal(botRejoins, truth.botRejoins);
  assert.equal(guests, truth.federatedGuests);
  assert.ok(truth.restartedMeetings > 0 && truth.massEvents > 0 && truth.handoffs > 0 && truth.secondDevices > 0);

  // Meeting sizes: ~3,500 meetings per 50,000 rows, 1 to 355 records, median ~8.
  const sizes = [...meetings.entries()]
    .map(([id, list]) => list.length + (details.has(id) ? 1 : 0))
    .sort((a, b) => a - b);
  const perFifty = (truth.meetings * 50_000) / truth.rows;
  assert.ok(perFifty > 3000 && perFifty < 4000, `${perFifty.toFixed(0)} meetings per 50,000 rows`);
  const median = sizes[Math.floor(sizes.length / 2)] as number;
  assert.ok(median >= 6 && median <= 10, `median ${median}`);
  assert.equal(sizes[sizes.length - 1], 355);
  assert.ok((sizes[0] as number) >= 1);
});

test('planted drops are exactly the successive-session gaps in the file: no accidental drop', () => {
  const parsed = mixed();
  const { truth } = parsed;
  const r = recompute(parsed);
  const planted = (kind: string): string[] =>
    truth.drops
      .filter((d) => d.kind === kind)
      .map((d) => evKey({ meetingId: d.meetingId, key: d.participantKey, leave: d.leaveTime, rejoin: d.rejoinTime }))
      .sort();
  assert.deepEqual(r.sameDevice.map(evKey).sort(), planted('same-device'));
  assert.deepEqual(r.switches.map(evKey).sort(), planted('device-switch'));
  assert.equal(r.handoffs, truth.handoffs);
  assert.equal(r.overlappingDevices, truth.secondDevices + truth.handoffs);
  assert.equal(r.nested, truth.nestedSameDevice);
  assert.equal(r.longAbsences, truth.longAbsences);

  // Planted drop details agree with the sessions they point to.
  const sessionAt = new Map<string, Attendance>();
  for (const a of parsed.sessions) sessionAt.set(`${a.meetingId}|${a.key}|leave|${a.leave}`, a);
  for (const a of parsed.sessions) sessionAt.set(`${a.meetingId}|${a.key}|join|${a.join}`, a);
  for (const d of truth.drops) {
    const lost = sessionAt.get(`${d.meetingId}|${d.participantKey}|leave|${d.leaveTime}`);
    const back = sessionAt.get(`${d.meetingId}|${d.participantKey}|join|${d.rejoinTime}`);
    assert.ok(lost && back);
    assert.equal(d.deviceInformation, lost.deviceInfo);
    assert.equal(d.gapSeconds, (d.rejoinTime - d.leaveTime) / 1000);
    assert.equal(d.ipChanged, lost.ip !== back.ip);
    assert.equal(d.kind === 'same-device', lost.deviceKey === back.deviceKey);
    assert.ok(isHuman(lost));
  }
  // Every band is represented, including overlapping re-joins.
  const individual = truth.drops.filter((d) => !d.massEventId && d.kind === 'same-device');
  assert.ok(
    individual.some((d) => d.gapSeconds >= -5 && d.gapSeconds <= 0),
    'overlap',
  );
  assert.ok(
    individual.some((d) => d.gapSeconds > 0 && d.gapSeconds < 60),
    'strong',
  );
  assert.ok(
    individual.some((d) => d.gapSeconds > 60 && d.gapSeconds < 300),
    'probable',
  );
  assert.ok(
    individual.some((d) => d.gapSeconds > 300 && d.gapSeconds < 900),
    'possible',
  );
  assert.ok(
    truth.drops.every((d) => d.gapSeconds >= -5 && d.gapSeconds < 900 && d.gapSeconds !== 60 && d.gapSeconds !== 300),
  );
  assert.ok(truth.drops.some((d) => d.ipChanged) && truth.drops.some((d) => !d.ipChanged));
  // Re-joins in roughly 10 % of human participant-meetings.
  const dropShare = new Set(truth.drops.map((d) => `${d.meetingId}|${d.participantKey}`)).size / truth.humans;
  assert.ok(dropShare > 0.06 && dropShare < 0.14, `drop share ${dropShare.toFixed(3)}`);
});

test('mass events are large enough to qualify, and individual drops never form one by accident', () => {
  const parsed = mixed();
  const r = recompute(parsed);
  const groups = new Map<string, typeof parsed.truth.drops>();
  for (const d of parsed.truth.drops) if (d.massEventId) pushTo(groups, d.massEventId, d);
  assert.equal(groups.size, parsed.truth.massEvents);
  for (const drops of groups.values()) {
    const meetingId = (drops[0] as (typeof drops)[number]).meetingId;
    const people = new Set(drops.map((d) => d.participantKey)).size;
    const humans = r.humansByMeeting.get(meetingId) ?? 0;
    assert.ok(people >= 3 && people >= 0.3 * humans, `${people} of ${humans}`);
    const leaves = drops.map((d) => d.leaveTime);
    assert.ok(Math.max(...leaves) - Math.min(...leaves) <= 60_000);
  }
  for (const [meetingId, leaves] of r.nonMassLeavesByMeeting) {
    const threshold = Math.max(3, Math.ceil(0.3 * (r.humansByMeeting.get(meetingId) ?? 0)));
    leaves.sort((a, b) => a.leave - b.leave);
    for (const [i, l] of leaves.entries()) {
      const near = new Set(
        leaves
          .slice(i)
          .filter((x) => x.leave - l.leave <= 120_000)
          .map((x) => x.key),
      );
      assert.ok(
        near.size < threshold,
        `meeting ${meetingId}: ${near.size} leaves within 120 s (threshold ${threshold})`,
      );
    }
  }
});

test('townhall: one meeting, ~1.1 records per attendee, ~48 MB at 50,000 rows', () => {
  const parsed = generateAndParse({ seed: 9, records: 6000, scenario: 'townhall', format: 'purview-v3' });
  assert.equal(new Set(parsed.sessions.map((a) => a.meetingId)).size, 1);
  assert.equal(parsed.details.size, 1);
  assert.equal(parsed.truth.meetings, 1);
  assert.ok(parsed.truth.participantMeetings > 0.8 * 6000);
  const r = recompute(parsed);
  assert.deepEqual(
    r.sameDevice.map(evKey).sort(),
    parsed.truth.drops
      .filter((d) => d.kind === 'same-device')
      .map((d) => evKey({ meetingId: d.meetingId, key: d.participantKey, leave: d.leaveTime, rejoin: d.rejoinTime }))
      .sort(),
  );
  let bytes = 0;
  for (const chunk of generateExport({ seed: 1, records: 50_000, scenario: 'townhall', format: 'purview-v3' }).chunks())
    bytes += Buffer.byteLength(chunk);
  assert.ok(bytes > 45e6 && bytes < 55e6, `${(bytes / 1e6).toFixed(1)} MB`);
});

test('meetingIdPrefix gives disjoint meetings and record ids across files of one tenant', () => {
  const a = generateAndParse({ seed: 1, records: 2000, scenario: 'mixed', format: 'ndjson', meetingIdPrefix: '0a' });
  const b = generateAndParse({ seed: 1, records: 2000, scenario: 'mixed', format: 'ndjson', meetingIdPrefix: '0b' });
  assert.ok(a.sessions.every((s) => s.meetingId.startsWith('0a')));
  assert.ok(b.sessions.every((s) => s.meetingId.startsWith('0b')));
  const idsA = new Set(a.sessionRecords.map((r) => r['Id']));
  assert.ok(b.sessionRecords.every((r) => !idsA.has(r['Id'])));
  // Same seed: same organisation (tenant id), so people can be followed across files.
  assert.equal(a.sessionRecords[0]?.['OrganizationId'], b.sessionRecords[0]?.['OrganizationId']);
});

test('start sets the first meeting day; townhall starts exactly there', () => {
  const t = generateAndParse({
    seed: 2,
    records: 300,
    scenario: 'townhall',
    format: 'ndjson',
    start: '2025-11-03T09:30:00Z',
  });
  const first = Math.min(...t.sessions.map((a) => a.join));
  const start = Date.parse('2025-11-03T09:30:00Z');
  assert.ok(first >= start - 120_000 && first <= start + 240_000);
  const m = generateAndParse({
    seed: 2,
    records: 2000,
    scenario: 'mixed',
    format: 'ndjson',
    start: '2025-11-03T08:00:00',
  });
  for (const a of m.sessions) {
    const day = new Date(a.join).getUTCDay();
    assert.ok(day !== 0 && day !== 6, 'meetings on working days');
    assert.ok(a.join >= Date.parse('2025-11-03T08:00:00Z') - 120_000);
    assert.ok(new Date(a.join).getUTCHours() >= 7 && new Date(a.join).getUTCHours() < 20, 'office hours');
  }
});

test('invalid options are refused with a message naming the option', () => {
  const base: GeneratorOptions = { seed: 1, records: 10, scenario: 'mixed', format: 'purview-v3' };
  const cases: [Partial<GeneratorOptions> & Record<string, unknown>, RegExp][] = [
    [{ records: -1 }, /records/],
    [{ records: 1.5 }, /records/],
    [{ seed: Number.NaN }, /seed/],
    [{ scenario: 'party' as never }, /scenario/],
    [{ format: 'xlsx' as never }, /format/],
    [{ start: '2026-02-30' }, /start/],
    [{ start: 'tomorrow' }, /start/],
    [{ meetingIdPrefix: 'xyz' }, /meetingIdPrefix/],
    [{ badRowShare: 0.7 }, /badRowShare/],
    [{ duplicateShare: -0.1 }, /duplicateShare/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => checkGeneratorOptions({ ...base, ...patch }), message, JSON.stringify(patch));
    assert.throws(() => generateExport({ ...base, ...patch }), RangeError);
  }
});

test('property: any seed and size gives consistent sessions and truth', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 2500 }),
      fc.constantFrom('mixed' as const, 'townhall' as const),
      fc.constantFrom(0, 0.01, 0.05),
      (seed, records, scenario, badRowShare) => {
        const parsed = generateAndParse({ seed, records, scenario, format: 'ndjson', badRowShare });
        const { truth, classes } = parsed;
        assert.equal(classes.length, records);
        assert.equal(
          count(classes, (c) => c.kind === 'session'),
          truth.sessionRecords,
        );
        assert.equal(
          count(classes, (c) => c.kind === 'bad'),
          truth.badRows,
        );
        for (const a of parsed.sessions) {
          assert.ok(a.join <= a.leave, 'join before leave');
          const detail = parsed.details.get(a.meetingId);
          if (detail) assert.ok(a.join >= strictTime(detail['StartTime']), 'no join before the meeting start');
        }
        const r = recompute(parsed);
        const planted = (kind: string): string[] =>
          truth.drops
            .filter((d) => d.kind === kind)
            .map((d) =>
              evKey({ meetingId: d.meetingId, key: d.participantKey, leave: d.leaveTime, rejoin: d.rejoinTime }),
            )
            .sort();
        assert.deepEqual(r.sameDevice.map(evKey).sort(), planted('same-device'));
        assert.deepEqual(r.switches.map(evKey).sort(), planted('device-switch'));
        assert.equal(r.handoffs, truth.handoffs);
        assert.equal(r.nested, truth.nestedSameDevice);
      },
    ),
    { numRuns: 40, seed: 4242 },
  );
});

test('meetingDetails: false writes participant records only (tala-readable with no other operations)', () => {
  const parsed = generateAndParse({
    seed: 6,
    records: 3000,
    scenario: 'mixed',
    format: 'purview-v2',
    meetingDetails: false,
    otherOperationsShare: 0,
  });
  assert.equal(parsed.details.size, 0);
  assert.equal(parsed.truth.meetingDetailRecords, 0);
  assert.equal(parsed.truth.restartedMeetings, 0, 'a restart is only visible against MeetingDetail.EndTime');
  assert.equal(
    count(
      parsed.classes,
      (c) => c.kind === 'session' || c.kind === 'exact-duplicate' || c.kind === 'content-duplicate',
    ),
    3000,
  );
});
