// Names from Microsoft Graph end to end on Azurite: records whose attendees carry only object ids are ingested and
// analysed; the name lookup run (real ManagedIdentityCredential, local Graph) stores display names and UPNs in the
// users table, and the report API shows them (attendees, disconnections, meetings' organiser, users); the users
// file still wins; a name is looked up again only after the refresh period; throttling is waited out; a failing
// Graph leaves the reports working with ids; pseudonymised mode asks Graph nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { answerReport, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { makeNamesRunner } from '../../src/pipeline/namesRun.js';
import { servicesFor } from '../../src/pipeline/services.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import type { Store } from '../../src/storage/store.js';
import type { NamesRunStatus } from '../../src/storage/usersTable.js';
import { CONFIG_BLOBS } from '../../src/names.js';
import { freshStore } from '../storage/testStore.js';
import { dumpTable, ndjson, participantLine } from './pipelineFixtures.js';
import {
  EXTERNAL_ID,
  GUEST,
  MEMBER,
  recordingSleep,
  startGraphStandIns,
  type GraphStandIns,
} from '../graph/graphStandIns.js';
import type { DirectoryUser } from '../graph/fakeGraph.js';

const MEETING = 'meeting-with-bare-ids';
const ORGANIZER: DirectoryUser = {
  id: '55555555-aaaa-4bbb-8ccc-000000000005',
  displayName: 'Olga Organiser',
  userPrincipalName: 'olga@contoso.com',
  mail: 'olga@contoso.com',
  userType: 'Member',
};
const FILE_USER: DirectoryUser = {
  id: '66666666-aaaa-4bbb-8ccc-000000000006',
  displayName: 'Fay File',
  userPrincipalName: 'fay@contoso.com',
  mail: 'fay@contoso.com',
  userType: 'Member',
};
const USERS_FILE = `${FILE_USER.id},fay.from.file@contoso.com\n`;
const HOUR = 3_600_000;

/** A session of MEETING, organised by ORGANIZER. */
function line(id: string, attendee: Record<string, string>, join: string, leave: string, ip: string): string {
  return participantLine({
    id,
    meetingId: MEETING,
    organizer: { upn: 'olga@contoso.com', key: ORGANIZER.id },
    attendee,
    join,
    leave,
    ip,
    creationTime: '2026-03-04T12:00:00',
  });
}

/** Attendees known by object id only: Ada drops once (20 s gap), the guest, the external user and Fay stay. */
const RECORDS = [
  line('r1', { UserObjectId: MEMBER.id }, '2026-03-04T09:00:00', '2026-03-04T09:20:00', '10.57.3.4'),
  line('r2', { UserObjectId: MEMBER.id }, '2026-03-04T09:20:20', '2026-03-04T10:00:00', '192.168.1.20'),
  line('r3', { UserObjectId: GUEST.id }, '2026-03-04T09:00:00', '2026-03-04T10:00:00', '10.57.3.5'),
  line(
    'r4',
    { UserObjectId: EXTERNAL_ID, OrganizationId: 'other-tenant' },
    '2026-03-04T09:00:00',
    '2026-03-04T10:00:00',
    '10.57.3.6',
  ),
  line('r5', { UserObjectId: FILE_USER.id }, '2026-03-04T09:00:00', '2026-03-04T10:00:00', '10.57.3.7'),
];

let s: GraphStandIns;

before(async () => {
  s = await startGraphStandIns();
  s.graph.add(ORGANIZER);
  s.graph.add(FILE_USER);
});
after(async () => {
  await s.close();
});

interface Setup {
  store: Store;
  deps: ReportDeps;
  run: (options?: { env?: Record<string, string>; at?: Date }) => Promise<NamesRunStatus | undefined>;
  waits: number[];
}

async function ingested(label: string): Promise<Setup> {
  const store = await freshStore(label);
  await store.config.upload(CONFIG_BLOBS.users, USERS_FILE);
  await ingestExport({ blobName: 'bare-ids.ndjson', etag: '"e1"', content: ndjson(RECORDS) }, { store });
  await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
  const services = servicesFor(store);
  const { sleep, waits } = recordingSleep();
  return {
    store,
    waits,
    deps: { store, config: new CachedConfig(store.config) },
    run: (options = {}) =>
      makeNamesRunner({
        env: { ...s.settings, ...options.env },
        services: () => services,
        sleep,
        now: () => options.at ?? new Date(),
      })({ info() {}, warn() {}, error() {} }),
  };
}

async function get(
  deps: ReportDeps,
  route: string,
  query: Record<string, string> = {},
  params: Record<string, string> = {},
) {
  const response = await answerReport({ route, params, query }, deps);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as { items: Array<Record<string, unknown>> } & Record<string, unknown>;
}

async function attendeesById(deps: ReportDeps): Promise<Map<string, Record<string, unknown>>> {
  const items = (await get(deps, 'attendees', { meeting: MEETING })).items;
  return new Map(items.map((r) => [String(r['participantKey']), r]));
}

test('Graph names appear in the reports: attendees, disconnections, the organiser of meetings, users; the users file wins', async () => {
  const { deps, run } = await ingested('names');
  const before = await attendeesById(deps);
  assert.deepEqual(
    [before.get(MEMBER.id)?.['displayName'], before.get(MEMBER.id)?.['email']],
    ['', ''],
    'ids only before the lookup',
  );

  const status = await run();
  assert.ok(status);
  assert.deepEqual(
    [status.due, status.found, status.notInTenant, status.failed, status.lastError],
    [5, 4, 1, 0, undefined],
  );
  assert.equal(s.graph.batches.at(-1)?.ids.length, 5, 'one $batch for the five object ids');

  const after = await attendeesById(deps);
  assert.deepEqual(
    [after.get(MEMBER.id)?.['displayName'], after.get(MEMBER.id)?.['email']],
    ['Ada Member', 'ada@contoso.com'],
  );
  assert.deepEqual(
    [after.get(GUEST.id)?.['displayName'], after.get(GUEST.id)?.['email']],
    ['Gus Guest', 'gus@fabrikam.com'],
    "a guest's mail, not its #EXT# UPN",
  );
  assert.deepEqual(
    [after.get(EXTERNAL_ID)?.['displayName'], after.get(EXTERNAL_ID)?.['email']],
    ['', ''],
    'an external user stays an id',
  );
  assert.deepEqual(
    [after.get(FILE_USER.id)?.['displayName'], after.get(FILE_USER.id)?.['email']],
    ['Fay File', 'fay.from.file@contoso.com'],
    'the users file wins for the e-mail',
  );

  const drops = (await get(deps, 'disconnections', { meeting: MEETING })).items;
  assert.deepEqual(
    drops.map((d) => [d['participantKey'], d['displayName'], d['email']]),
    [[MEMBER.id, 'Ada Member', 'ada@contoso.com']],
  );

  const meetings = (await get(deps, 'meetings')).items;
  assert.deepEqual(
    meetings.map((m) => [m['organizerId'], m['organizerName']]),
    [[ORGANIZER.id, 'Olga Organiser']],
  );
  const meeting = await get(deps, 'meetings/{*meetingId}', {}, { meetingId: MEETING });
  assert.equal((meeting['meeting'] as Record<string, unknown>)['organizerName'], 'Olga Organiser');
  assert.equal(
    (meeting['sessions'] as Array<Record<string, unknown>>).find((r) => r['participantKey'] === GUEST.id)?.[
      'displayName'
    ],
    'Gus Guest',
  );
  const csv = await answerReport({ route: 'meetings', params: {}, query: { format: 'csv' } }, deps);
  assert.match(csv.body.split('\n')[0] ?? '', /organizerId,organizerName,/);

  const users = new Map((await get(deps, 'users')).items.map((u) => [String(u['uuid']).toLowerCase(), u]));
  assert.deepEqual(users.get(MEMBER.id), {
    uuid: MEMBER.id,
    email: 'ada@contoso.com',
    displayName: 'Ada Member',
    userType: 'Member',
    directory: 'found',
    origin: 'attendee',
    added: true,
  });
  assert.deepEqual(users.get(FILE_USER.id), {
    uuid: FILE_USER.id,
    email: 'fay.from.file@contoso.com',
    displayName: 'Fay File',
    userType: 'Member',
    directory: 'found',
    origin: 'file',
    added: false,
  });
  assert.equal(users.get(EXTERNAL_ID), undefined, 'no address known for the external user');

  const health = await get(deps, 'health');
  assert.deepEqual((health['names'] as { lastRun: Record<string, unknown> }).lastRun['found'], 4);
});

test('a name is looked up again only after the refresh period (GRAPH_NAMES_REFRESH_HOURS)', async () => {
  const { run } = await ingested('refresh');
  const t0 = new Date('2026-12-06T10:00:00Z');
  assert.equal((await run({ at: t0 }))?.due, 5);
  const sent = s.graph.batches.length;
  const soon = await run({ at: new Date(t0.getTime() + 23 * HOUR), env: { GRAPH_NAMES_REFRESH_HOURS: '24' } });
  assert.deepEqual([soon?.due, s.graph.batches.length], [0, sent], 'nothing due within the period; Graph not called');
  const later = await run({ at: new Date(t0.getTime() + 25 * HOUR), env: { GRAPH_NAMES_REFRESH_HOURS: '24' } });
  assert.deepEqual([later?.due, later?.found, later?.notInTenant], [5, 4, 1]);
});

test('GRAPH_NAMES_MAX_PER_RUN bounds a run; the next run takes the rest', async () => {
  const { run } = await ingested('bounded');
  const first = await run({ env: { GRAPH_NAMES_MAX_PER_RUN: '3' } });
  const second = await run({ env: { GRAPH_NAMES_MAX_PER_RUN: '3' } });
  const third = await run({ env: { GRAPH_NAMES_MAX_PER_RUN: '3' } });
  assert.deepEqual([first?.due, second?.due, third?.due], [3, 2, 0]);
});

test('throttling in a run (one item, then the whole request) is waited out and every name arrives', async () => {
  const { deps, run, waits } = await ingested('throttled');
  s.graph.userFaults.set(MEMBER.id, [{ status: 429, retryAfter: '4' }]);
  s.graph.requestFaults.push({ status: 429, retryAfter: '9' });
  const status = await run();
  assert.deepEqual([status?.found, status?.notInTenant, status?.failed], [4, 1, 0]);
  assert.deepEqual(waits, [9000, 4000]);
  assert.equal((await attendeesById(deps)).get(MEMBER.id)?.['displayName'], 'Ada Member');
});

test('a failing Graph (503 throughout) leaves the reports working with ids; the ids stay due and a later run names them', async () => {
  const { deps, run } = await ingested('failing');
  s.graph.requestFaults.push({ status: 503, times: 1000 });
  try {
    const status = await run();
    assert.deepEqual([status?.due, status?.found, status?.failed], [5, 0, 5]);
    assert.match(status?.lastError ?? '', /5 not answered: HTTP 503 \(gave up after 6 attempts\)/);
  } finally {
    s.graph.requestFaults.length = 0;
  }
  const rows = await attendeesById(deps);
  assert.equal(rows.size, 4);
  assert.deepEqual([rows.get(MEMBER.id)?.['displayName'], rows.get(MEMBER.id)?.['email']], ['', '']);
  assert.equal((await get(deps, 'disconnections', { meeting: MEETING })).items.length, 1);
  const health = await get(deps, 'health');
  assert.match(String((health['names'] as { lastRun: Record<string, unknown> }).lastRun['lastError']), /HTTP 503/);

  assert.equal((await run())?.found, 4, 'the next run, with Graph back, names them');
});

test('a Graph refusing the identity (no User.Read.All): the run fails with what to grant, recorded for /api/health; reports keep ids', async () => {
  const { deps, run } = await ingested('refused');
  s.identity.identities.set('7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', '0f1e2d3c-4b5a-4968-8776-655443322110');
  const error = await run({ env: { GRAPH_MANAGED_IDENTITY_CLIENT_ID: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.match(String(error), /User\.Read\.All/);
  const health = await get(deps, 'health');
  assert.match(
    String((health['names'] as { lastRun: Record<string, unknown> }).lastRun['lastError']),
    /Authorization_RequestDenied/,
  );
  assert.equal((await attendeesById(deps)).get(MEMBER.id)?.['email'], '');
});

test('pseudonymised mode (PSEUDONYMIZE_USERS=true): Graph is not asked and no name is stored', async () => {
  const { store, run } = await ingested('pseudo');
  const sent = s.graph.batches.length;
  assert.equal(await run({ env: { PSEUDONYMIZE_USERS: 'true' } }), undefined);
  assert.equal(s.graph.batches.length, sent);
  for (const entity of await dumpTable(store.users.client)) {
    assert.deepEqual(
      Object.keys(entity).filter((k) => k.startsWith('graph')),
      [],
      'no directory properties',
    );
  }
});
