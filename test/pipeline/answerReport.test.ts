import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { answerReport, REPORT_ROUTES, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { CachedConfig, ConfigBlobs } from '../../src/storage/configBlobs.js';
import { SiteMap } from '../../src/analysis/siteMap.js';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { analyseMeeting } from '../../src/analysis/detect.js';
import { aggregate, contributions, summarise, summariseMeeting } from '../../src/analysis/metrics.js';
import { meetingRow, NAMED_MEETING_CSV_COLUMNS, type MeetingRow } from '../../src/reports/meetings.js';
import { DISCONNECTION_FIELDS, type DisconnectionRow } from '../../src/reports/disconnections.js';
import { IpRegexFilter } from '../../src/analysis/safeRegex.js';
import type { Meeting, MeetingAnalysis } from '../../src/analysis/model.js';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import type { Store } from '../../src/storage/store.js';
import type { UploadEntry } from '../../src/storage/ledger.js';
import { CONFIG_BLOBS } from '../../src/names.js';
import { freshStore } from '../storage/testStore.js';
import {
  jsonBody,
  parseJson,
  present,
  withJson,
  type ErrorBody,
  type JsonAnswer,
  type PageBody,
} from '../support/jsonBody.js';
import type { DirectoryUserRow, HealthBody, MeetingBody, SummaryBody, UploadBody } from './http/reportBodies.js';
import { generated, ndjson, participantLine } from './pipelineFixtures.js';

const SITE_MAP =
  'NetworkIP,NetworkName,NetworkRange,BuildingName\n10.57.0.0,HQ Network,16,HQ\n10.58.0.0,Branch Network,16,Branch\n';
const USERS = 'oid-zed,zed.from.file@contoso.com\n';
const ODD_MEETING = 'odd/meeting#?\\id';

let store: Store;
let deps: ReportDeps;
let expected: Array<{ meeting: Meeting; analysis: MeetingAnalysis }>;

/** A session of the hand-made meeting ODD_MEETING. */
function line(id: string, attendee: Record<string, string>, join: string, leave: string, ip: string): string {
  return participantLine({
    id,
    meetingId: ODD_MEETING,
    organizer: { upn: 'boss@contoso.com', key: 'boss-id' },
    attendee,
    join,
    leave,
    ip,
    creationTime: '2026-03-04T12:00:00',
  });
}

const handMade = [
  line(
    'h1',
    { UserObjectId: 'oid-zed', DisplayName: '=HYPERLINK("http://x")' },
    '2026-03-04T09:00:00',
    '2026-03-04T09:20:00',
    '10.57.3.4',
  ),
  line(
    'h2',
    { UserObjectId: 'oid-zed', DisplayName: '=HYPERLINK("http://x")' },
    '2026-03-04T09:20:20',
    '2026-03-04T10:00:00',
    '192.168.1.20',
  ),
  line(
    'h3',
    { UserObjectId: 'oid-amy', UPN: 'amy@contoso.com', DisplayName: 'Amy' },
    '2026-03-04T09:00:00',
    '2026-03-04T10:00:00',
    '10.58.1.1',
  ),
];

/** The answer, with its body as T in `json` (reading `json` asserts the answer is JSON). */
async function get<T = unknown>(
  route: string,
  query: Record<string, string> = {},
  params: Record<string, string> = {},
  accept?: string,
) {
  const response = await answerReport(
    accept === undefined ? { route, params, query } : { route, params, query, accept },
    deps,
  );
  return withJson<T>(response);
}

before(async () => {
  store = await freshStore('api');
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  await store.config.upload(CONFIG_BLOBS.users, USERS);
  deps = { store, config: new CachedConfig(store.config) };
  const { text } = generated({ records: 1500, seed: 3 });
  const files = [
    { name: 'gen.ndjson', content: Buffer.from(text) },
    { name: 'hand.ndjson', content: ndjson(handMade) },
  ];
  for (const f of files) await ingestExport({ blobName: f.name, etag: '"e1"', content: f.content }, { store });
  await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });

  // The CLI's path over the same files and the same site map.
  const dataset = new AuditDataset();
  for (const f of files)
    await dataset.addExport(
      readExport(
        (async function* () {
          yield f.content;
        })(),
        { file: f.name },
      ),
    );
  const classifier = new SessionClassifier({ siteMap: SiteMap.fromCqdCsv(SITE_MAP, 'sitemap.csv').map });
  expected = dataset
    .meetings()
    .map((meeting) => ({ meeting, analysis: analyseMeeting(meeting, (s) => classifier.classify(s)) }));
});

async function allPages(route: string, query: Record<string, string>): Promise<{ items: unknown[]; pages: number }> {
  const items: unknown[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const r: JsonAnswer<PageBody<unknown>> = await get(
      route,
      token === null ? query : { ...query, continuationToken: token },
    );
    assert.equal(r.status, 200, r.body);
    items.push(...r.json.items);
    token = r.json.continuationToken;
    pages++;
    assert.ok(pages < 500);
  } while (token !== null);
  return { items, pages };
}

test('/api/meetings lists every analysed meeting with the CLI meeting rows, page by page', async () => {
  const all = await allPages('meetings', { limit: '1000' });
  const paged = await allPages('meetings', { limit: '7' });
  assert.ok(paged.pages >= Math.ceil(expected.length / 7));
  assert.deepEqual(paged.items, all.items);
  const rows = all.items as MeetingRow[];
  assert.equal(rows.length, expected.length);
  // The CLI's rows, with the organiser's name from Microsoft Graph ('' here: no lookup ran).
  const want = new Map(expected.map((e) => [e.meeting.meetingId, { ...meetingRow(e), organizerName: '' }]));
  for (const row of rows) assert.deepEqual(row, want.get(row.meetingId));
  // Ordered by meeting start.
  const starts = rows.map((r) => expected.find((e) => e.meeting.meetingId === r.meetingId)!.analysis.instanceStart);
  assert.deepEqual(
    starts,
    [...starts].sort((a, b) => a - b),
  );
});

test('/api/meetings filters by time and organizer', async () => {
  const from = Date.UTC(2026, 2, 3);
  const to = Date.UTC(2026, 2, 4, 12);
  const r = await allPages('meetings', { from: '2026-03-03', to: '2026-03-04T12:00:00Z', limit: '50' });
  const want = expected.filter((e) => e.analysis.instanceStart >= from && e.analysis.instanceStart < to);
  assert.ok(want.length > 0 && want.length < expected.length);
  assert.deepEqual(
    (r.items as MeetingRow[]).map((m) => m.meetingId).sort(),
    want.map((e) => e.meeting.meetingId).sort(),
  );
  const boss = await get<PageBody<MeetingRow>>('meetings', { organizer: 'BOSS@contoso.com' });
  assert.deepEqual(
    boss.json.items.map((m) => m.meetingId),
    [ODD_MEETING],
  );
  const one = await get<PageBody<MeetingRow>>('meetings', { meeting: ODD_MEETING });
  assert.equal(one.json.items.length, 1);
});

test('/api/meetings/{id} returns the meeting, its sessions and disconnections, even with forbidden key characters', async () => {
  const r = await get<MeetingBody>('meetings/{*meetingId}', {}, { meetingId: ODD_MEETING });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.meetingId, ODD_MEETING);
  assert.equal(present(r.json.meeting, 'meeting').meetingId, ODD_MEETING);
  assert.equal(r.json.pendingAnalysis, false);
  const sessions = present(r.json.sessions, 'sessions');
  const disconnections = present(r.json.disconnections, 'disconnections');
  // Storage order (by record id), as /api/attendees?meeting=… lists them.
  assert.deepEqual(
    sessions.map((s) => s.recordId),
    ['h1', 'h2', 'h3'],
  );
  const zed = present(
    sessions.find((s) => s.recordId === 'h1'),
    'session h1',
  );
  assert.equal(zed.email, 'zed.from.file@contoso.com', 'e-mail from the users file in the config container');
  assert.equal(zed.site, 'HQ Network');
  assert.equal(disconnections.length, 1);
  const d = present(disconnections[0], 'disconnection');
  assert.equal(d.participantKey, 'oid-zed');
  assert.equal(d.gapSeconds, 20);
  assert.equal(d.siteBefore, 'HQ Network');
  assert.equal(d.ipChanged, true);
  assert.equal(d.email, 'zed.from.file@contoso.com');
});

test('an unknown meeting is a 404 with an error body and nothing internal', async () => {
  for (const id of ['no-such-meeting', 'x'.repeat(2000)]) {
    const r = await get<ErrorBody>('meetings/{*meetingId}', {}, { meetingId: id });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'MeetingNotFound');
    assert.equal(r.json.error.parameter, 'meetingId');
    assert.doesNotMatch(r.body, /Error:|\n\s+at |sessions|meetingresults|RestError/);
  }
});

test('/api/disconnections matches the CLI disconnections, with band, user, site, ip and ipRegex filters', async () => {
  const all = expected.flatMap((e) => e.analysis.disconnections);
  const key = (d: { meetingId: string; participantKey: string; leaveTime: number | string; gapSeconds: number }) =>
    `${d.meetingId}|${d.participantKey}|${typeof d.leaveTime === 'number' ? new Date(d.leaveTime).toISOString().slice(0, 19) + 'Z' : d.leaveTime}|${d.gapSeconds}`;
  const check = async (query: Record<string, string>, want: typeof all) => {
    const r = await allPages('disconnections', { limit: '40', ...query });
    assert.deepEqual((r.items as DisconnectionRow[]).map(key).sort(), want.map(key).sort(), JSON.stringify(query));
    return r.items as DisconnectionRow[];
  };
  const counted = all.filter((d) => d.band !== 'possible');
  assert.ok(
    counted.length > 10 && counted.length < all.length,
    'the data should hold counted and possible disconnections',
  );
  await check({}, counted);
  await check({ band: 'all' }, all);
  await check(
    { band: 'possible' },
    all.filter((d) => d.band === 'possible'),
  );
  await check(
    { class: 'human,phone' },
    counted.filter((d) => d.participantClass === 'human' || d.participantClass === 'phone'),
  );
  const someone = counted[0]!;
  await check(
    { user: someone.participantKey.toUpperCase() },
    counted.filter((d) => d.participantKey === someone.participantKey),
  );
  await check(
    { site: 'hq network' },
    counted.filter((d) => d.network.siteBefore === 'HQ Network'),
  );
  const { matchesCidrs } = await import('../../src/analysis/siteMap.js');
  await check(
    { ip: '10.57.0.0/16, 192.168.0.0/16' },
    counted.filter((d) => matchesCidrs(d.network.ipBefore, ['10.57.0.0/16', '192.168.0.0/16'])),
  );
  const regex = IpRegexFilter.compile('^10\\.5[78]\\.');
  const byRecord = new Map(
    expected.flatMap((e) => e.analysis.sessions).map((s) => [s.session.recordId, s.session.clientIp]),
  );
  await check(
    { ipRegex: '^10\\.5[78]\\.' },
    counted.filter((d) => regex.test(byRecord.get(d.lostRecordId) ?? '')),
  );
  await check(
    { meeting: ODD_MEETING },
    counted.filter((d) => d.meetingId === ODD_MEETING),
  );
  await check(
    { from: '2026-03-04', to: '2026-03-05' },
    counted.filter((d) => {
      const start = expected.find((e) => e.meeting.meetingId === d.meetingId)!.analysis.instanceStart;
      return start >= Date.UTC(2026, 2, 4) && start < Date.UTC(2026, 2, 5);
    }),
  );
});

test('CSV output: format=csv or Accept: text/csv, report columns, formulas neutralised, token in a header', async () => {
  const csv = await get('disconnections', { format: 'csv', meeting: ODD_MEETING });
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
  const lines = csv.body.split('\r\n');
  assert.equal(lines[0], DISCONNECTION_FIELDS.join(','));
  assert.equal(lines.length, 3); // header, one row, final empty string after the last CRLF
  assert.ok(lines[1]!.includes(`"'=HYPERLINK(""http://x"")"`), lines[1]);
  const viaAccept = await get('meetings', { limit: '2' }, {}, 'text/csv');
  assert.match(viaAccept.headers['content-type'] ?? '', /^text\/csv/);
  assert.equal(viaAccept.body.split('\r\n')[0], NAMED_MEETING_CSV_COLUMNS.map((c) => c.header).join(','));
  const token = viaAccept.headers['x-continuation-token'];
  assert.ok(token);
  const next = await get('meetings', { limit: '2', continuationToken: token }, {}, 'text/csv');
  assert.equal(next.status, 200);
  assert.notEqual(next.body.split('\r\n')[1], viaAccept.body.split('\r\n')[1]);
});

test('/api/summary gives the CLI totals and rankings, with their denominators', async () => {
  const r = await get<SummaryBody>('summary');
  assert.equal(r.status, 200, r.body);
  const totals = summarise(expected.map((e) => summariseMeeting(e.analysis, e.meeting)));
  assert.deepEqual(r.json.totals, totals);
  assert.equal(r.json.totals.meetings, expected.length);
  assert.ok(r.json.totals.eligibleHumanSessions > 0 && r.json.totals.drops > 0);
  const minSessions = r.json.minSessions;
  for (const groupBy of ['site', 'subnet', 'platform', 'user', 'day'] as const) {
    const ranked = await allPages('summary', { groupBy, limit: '25' });
    const want = aggregate(
      expected.flatMap((e) => contributions(e.analysis)),
      groupBy,
      minSessions,
    ).map((x) => ({ dimension: groupBy, ...x }));
    assert.deepEqual(ranked.items, want, groupBy);
  }
  // Subnets: each row is an IPv4 /24, an IPv6 /48 or 'no IP', with its sample size and the threshold rule;
  // the hand-made meeting's lost session was in 10.57.3.4, so its /24 is present with at least that drop.
  const subnets = (await allPages('summary', { groupBy: 'subnet', limit: '1000' })).items as Array<{
    key: string;
    eligibleSessions: number;
    drops: number;
    enoughData: boolean;
  }>;
  assert.ok(subnets.length > 1);
  for (const row of subnets) {
    assert.match(row.key, /^(\d+\.\d+\.\d+\.0\/24|[0-9a-f:]+\/48|no IP)$/, row.key);
    assert.equal(row.enoughData, row.eligibleSessions >= minSessions, row.key);
  }
  const lostSubnet = subnets.find((row) => row.key === '10.57.3.0/24');
  assert.ok(lostSubnet !== undefined && lostSubnet.eligibleSessions >= 1 && lostSubnet.drops >= 1);
  const csv = await get('summary', { format: 'csv' });
  assert.ok(csv.body.startsWith('metric,value\r\nmeetings,' + expected.length + '\r\n'));
});

test('bad parameters get 400 naming the parameter', async () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['meetings', { limit: '0' }, 'limit'],
    ['meetings', { limit: '1001' }, 'limit'],
    ['meetings', { limit: 'ten' }, 'limit'],
    ['meetings', { from: 'yesterday' }, 'from'],
    ['meetings', { from: '2026-02-30' }, 'from'],
    ['meetings', { from: '2026-03-05', to: '2026-03-01' }, 'to'],
    ['meetings', { colour: 'blue' }, 'colour'],
    ['meetings', { band: 'strong' }, 'band'],
    ['meetings', { format: 'xml' }, 'format'],
    ['disconnections', { ipRegex: '(?<=10)\\.5' }, 'ipRegex'],
    ['disconnections', { ip: '10.57.0.0/33' }, 'ip'],
    ['disconnections', { band: 'weak' }, 'band'],
    ['disconnections', { class: 'alien' }, 'class'],
    ['disconnections', { meeting: '' }, 'meeting'],
    ['summary', { groupBy: 'planet' }, 'groupBy'],
    ['meetings', { continuationToken: 'not-a-token' }, 'continuationToken'],
  ];
  for (const [route, query, parameter] of cases) {
    const r = await get<ErrorBody>(route, query);
    assert.equal(r.status, 400, `${route} ${JSON.stringify(query)}`);
    assert.equal(r.json.error.parameter, parameter, JSON.stringify(r.json));
    assert.ok(
      r.json.error.message.includes(parameter === 'colour' ? 'colour' : `"${parameter}"`) ||
        parameter === 'continuationToken',
      r.json.error.message,
    );
  }
  // A token is bound to its route and filter.
  const first = await get<PageBody<MeetingRow>>('meetings', { limit: '2' });
  const token = present(first.json.continuationToken, 'continuationToken');
  assert.equal(
    (await get('meetings', { limit: '2', organizer: 'boss@contoso.com', continuationToken: token })).status,
    400,
  );
  assert.equal((await get('disconnections', { limit: '2', continuationToken: token })).status, 400);
  const [body, mac] = token.split('.') as [string, string];
  const tampered =
    Buffer.from(
      JSON.stringify({ ...parseJson<Record<string, unknown>>(Buffer.from(body, 'base64url').toString()), s: -1 }),
    ).toString('base64url') +
    '.' +
    mac;
  assert.equal((await get('meetings', { limit: '2', continuationToken: tampered })).status, 400);
  // A different limit with the same token is fine (the token carries its own page size).
  assert.equal((await get('meetings', { limit: '5', continuationToken: token })).status, 200);
  assert.equal((await get('no/such/route')).status, 404);
});

test('/api/uploads and /api/uploads/{name} show the ledger; /api/users merges the users file and learned users', async () => {
  const uploads = await get<PageBody<UploadEntry>>('uploads');
  assert.deepEqual(uploads.json.items.map((u) => u.blobName).sort(), ['gen.ndjson', 'hand.ndjson']);
  const one = await get<UploadBody>('uploads/{*name}', {}, { name: 'hand.ndjson' });
  assert.equal(one.status, 200);
  const entry = present(one.json.items[0], 'ledger entry');
  assert.equal(entry.rowsRead, 3);
  assert.equal(entry.status, 'completed');
  assert.equal((await get('uploads/{*name}', {}, { name: 'nothing.csv' })).status, 404);
  const users = await allPages('users', { limit: '50' });
  const rows = users.items as DirectoryUserRow[];
  assert.deepEqual(rows[0], {
    uuid: 'oid-zed',
    email: 'zed.from.file@contoso.com',
    displayName: '',
    userType: '',
    directory: '',
    origin: 'file',
    added: false,
  });
  assert.ok(rows.some((u) => u.uuid === 'boss-id' && u.email === 'boss@contoso.com' && u.origin === 'organizer'));
  assert.ok(rows.some((u) => u.uuid === 'oid-amy' && u.email === 'amy@contoso.com'));
  assert.equal(new Set(rows.map((u) => u.uuid.toLowerCase())).size, rows.length);
  const amy = await get<PageBody<DirectoryUserRow>>('users', { user: 'AMY@contoso.com' });
  assert.equal(amy.json.items.length, 1);
});

test('/api/health reports storage, config problems and the last analysis run', async () => {
  const ok = await get<HealthBody>('health');
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json.status, 'ok');
  assert.equal(ok.json.storage.reachable, true);
  assert.equal(ok.json.analysis.pendingMarks, 0);
  assert.ok(present(ok.json.analysis.lastRun, 'analysis.lastRun').analysed > 0);
  assert.deepEqual(ok.json.config.present.sort(), [CONFIG_BLOBS.siteMap, CONFIG_BLOBS.users].sort());
  const other = await freshStore('hlt');
  const blobs = new ConfigBlobs(other.config.container);
  await blobs.upload(CONFIG_BLOBS.detectionParams, '{"rejoinWindowSeconds": "soon"}');
  await blobs.upload(CONFIG_BLOBS.siteMap, '10.57.0.0,HQ,16\nnot-an-ip,X,8\n');
  const degraded = await answerReport(
    { route: 'health', params: {}, query: {} },
    { store: other, config: new CachedConfig(other.config) },
  );
  const body = jsonBody<HealthBody>(degraded);
  assert.equal(body.status, 'degraded');
  const messages = body.config.problems.map((p) => `${p.blob}: ${p.message}`).join('\n');
  assert.match(messages, /rejoinWindowSeconds/);
  assert.match(messages, /line 2/);
});

test('every registered route answers JSON by default', async () => {
  for (const route of REPORT_ROUTES) {
    const params: Record<string, string> = route.route.includes('{*meetingId}')
      ? { meetingId: ODD_MEETING }
      : route.route.includes('{*name}')
        ? { name: 'gen.ndjson' }
        : {};
    const r = await get(route.route, {}, params);
    assert.equal(r.status, 200, `${route.route}: ${r.body.slice(0, 200)}`);
    assert.ok(r.json !== undefined);
  }
});
