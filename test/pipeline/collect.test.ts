// The collector end to end: the fake Management Activity API (test/collector/fakeManagementApi.ts) on a free port,
// Azurite for the state table and the exports container (fresh names per test).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import {
  collectAuditRecords,
  SUBSCRIPTION_START_INTERVAL_MS,
  type CollectRunResult,
} from '../../src/pipeline/collect.js';
import { CollectorState } from '../../src/storage/collectorState.js';
import { readCollectorHealth } from '../../src/pipeline/collectorHealth.js';
import { createCollectorClient } from '../../src/collector/factory.js';
import { readCollectorConfig } from '../../src/collector/config.js';
import type { RetryPolicy } from '../../src/collector/http.js';
import type { ManagementActivityApi } from '../../src/collector/managementApi.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { answerReport } from '../../src/pipeline/answerReport.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import type { PipelineLog } from '../../src/pipeline/log.js';
import { FakeManagementApi } from '../collector/fakeManagementApi.js';
import {
  meetingDetail,
  participantDetail,
  powerBi,
  recordId,
  teamsOther,
  type AuditJson,
} from '../collector/auditRecords.js';
import { freshStore, testConnectionString } from '../storage/testStore.js';
import type { Store } from '../../src/storage/store.js';
import { freshCollectorState } from '../storage/collectorStateFixture.js';
import { jsonBody, present } from '../support/jsonBody.js';
import type { HealthBody } from './http/reportBodies.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let server: FakeManagementApi;

before(async () => {
  server = await FakeManagementApi.start();
});
after(() => server.close());
beforeEach(() => server.reset());

interface Fixture {
  state: CollectorState;
  stateClient: TableClient;
  exports: ContainerClient;
  sleeps: number[];
  logs: string[];
  run(options?: {
    now?: Date;
    api?: ManagementActivityApi;
    state?: CollectorState;
    secret?: string;
    policy?: Partial<RetryPolicy>;
    clock?: () => number;
    deadline?: number;
    concurrency?: number;
  }): Promise<CollectRunResult>;
}

async function fixture(): Promise<Fixture> {
  const state = await freshCollectorState('collect');
  const exports = BlobServiceClient.fromConnectionString(testConnectionString()).getContainerClient(
    `collect-${randomBytes(4).toString('hex')}`,
  );
  await exports.createIfNotExists();
  const sleeps: number[] = [];
  const logs: string[] = [];
  const log: PipelineLog = {
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m) => logs.push(`error ${m}`),
  };
  return {
    state,
    stateClient: state.client,
    exports,
    sleeps,
    logs,
    async run(options = {}) {
      const config = readCollectorConfig(server.settings({ secret: options.secret ?? server.clientSecret }));
      assert.ok(config.configured);
      const clientOptions: Parameters<typeof createCollectorClient>[1] = {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        // Backoff without Retry-After is then exactly half the exponential delay (500 ms for a first retry).
        random: () => 0,
        credentialOptions: server.credentialOptions,
      };
      if (options.policy) clientOptions.policy = options.policy;
      const client = createCollectorClient(config.config, clientOptions);
      const deps: Parameters<typeof collectAuditRecords>[0] = {
        api: options.api ?? client.api,
        state: options.state ?? state,
        exports,
        retries: () => client.http.retries,
      };
      if (options.clock) deps.clock = options.clock;
      if (options.concurrency !== undefined) deps.concurrency = options.concurrency;
      return collectAuditRecords(deps, {
        now: options.now ?? new Date(),
        deadline: options.deadline ?? Date.now() + 60_000,
        log,
      });
    },
  };
}

/** A collector client of the fake tenant that does not wait between retries; `secret` is the app's by default. */
function quickClient(secret = server.clientSecret): ReturnType<typeof createCollectorClient> {
  const config = readCollectorConfig(server.settings({ secret }));
  assert.ok(config.configured);
  return createCollectorClient(config.config, { sleep: async () => {}, credentialOptions: server.credentialOptions });
}

/** One collector run (deadline a minute away) into a store's collector state and exports container. */
async function collectInto(store: Store, client = quickClient()): Promise<CollectRunResult> {
  const state = new CollectorState(store.clients.table(store.names.tables.collectorState));
  return collectAuditRecords(
    { api: client.api, state, exports: store.exports },
    { now: new Date(), deadline: Date.now() + 60_000 },
  );
}

/** Every record Id in every blob the collector wrote, with how many times it occurs. */
async function recordIdsInBlobs(container: ContainerClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const blob of container.listBlobsFlat({ prefix: 'management-api/' })) {
    const records = JSON.parse(
      (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'),
    ) as AuditJson[];
    assert.ok(Array.isArray(records), `${blob.name} holds a JSON array`);
    for (const record of records) counts.set(String(record['Id']), (counts.get(String(record['Id'])) ?? 0) + 1);
  }
  return counts;
}

async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

interface Seeded {
  /** Ids of the meeting records the API holds (excluding expired content). */
  meetingIds: string[];
  otherIds: string[];
  contentIds: string[];
  expiredId: string;
}

/** Eight content blobs over the last six days: meeting records mixed with other operations, one with none, one expired. */
function seed(now: number): Seeded {
  const meetingIds: string[] = [];
  const otherIds: string[] = [];
  const contentIds: string[] = [];
  const shapes: Array<{ ageMs: number; participants: number; details: number; others: number; expired?: boolean }> = [
    { ageMs: 6 * DAY, participants: 2, details: 1, others: 1 },
    { ageMs: 5 * DAY, participants: 0, details: 0, others: 3 },
    { ageMs: 3 * DAY, participants: 3, details: 0, others: 0 },
    { ageMs: 3 * DAY - 60_000, participants: 2, details: 1, others: 2 },
    { ageMs: DAY, participants: 4, details: 1, others: 0, expired: true },
    { ageMs: 2 * HOUR, participants: 2, details: 0, others: 1 },
    { ageMs: 90 * 60_000, participants: 1, details: 1, others: 0 },
    { ageMs: 30 * 60_000, participants: 3, details: 0, others: 1 },
  ];
  for (const [c, shape] of shapes.entries()) {
    const contentId = `2026030${c}080000123000155$2026030${c}080000123000155$audit_general$Audit_General$na00${c}`;
    const records: AuditJson[] = [];
    let n = 0;
    const meetingId = recordId(c, 999);
    for (let i = 0; i < shape.details; i++) records.push(meetingDetail(meetingId));
    for (let i = 0; i < shape.participants; i++) records.push(participantDetail(recordId(c, ++n), meetingId, n));
    for (let i = 0; i < shape.others; i++)
      records.push(i % 2 === 0 ? teamsOther(recordId(c, 500 + i)) : powerBi(recordId(c, 500 + i)));
    if (!shape.expired) {
      for (const r of records)
        (r['Operation'] === 'MeetingDetail' || r['Operation'] === 'MeetingParticipantDetail'
          ? meetingIds
          : otherIds
        ).push(String(r['Id']));
    }
    // Records of one blob are not in time order (as in the real feed).
    records.reverse();
    server.addContent({ contentId, created: new Date(now - shape.ageMs), records, expired: shape.expired === true });
    contentIds.push(contentId);
  }
  return { meetingIds, otherIds, contentIds, expiredId: contentIds[4]! };
}

function assertEachOnce(counts: Map<string, number>, expected: string[]): void {
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), 'exactly the expected meeting records');
  const repeated = [...counts].filter(([, n]) => n !== 1);
  assert.deepEqual(repeated, [], 'no record written twice');
}

test('a first run collects every meeting record once; a second run collects nothing new; new content is picked up', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  const first = await f.run();
  assert.equal(first.status, 'succeeded', first.error);
  assert.equal(server.requestsOf('subscriptions-start').length, 1, 'the subscription was started');
  assert.equal(first.contentListed, 8);
  assert.equal(first.contentFetched, 7);
  assert.equal(first.contentExpired, 1);
  assert.equal(
    first.blobsWritten,
    6,
    'one blob per content with meeting records (not the one without, not the expired one)',
  );
  assert.equal(first.recordsKept, seeded.meetingIds.length);
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
  for (const id of seeded.contentIds.filter((c) => c !== seeded.expiredId))
    assert.equal(server.fetches.get(id), 1, `${id} fetched once`);
  assert.ok(f.logs.some((l) => l.startsWith('warn') && l.includes(`content ${seeded.expiredId} has expired (AF20051`)));

  // Listing windows: at most 24 h, within the last 7 days, contiguous, paged by NextPageUri; PublisherIdentifier everywhere.
  const listings = server.requestsOf('content-list').filter((r) => r.url.searchParams.get('nextPage') === null);
  assert.ok(listings.length >= 7);
  for (const [i, r] of listings.entries()) {
    const start = Date.parse(`${r.url.searchParams.get('startTime')}Z`);
    const end = Date.parse(`${r.url.searchParams.get('endTime')}Z`);
    assert.ok(end - start <= DAY && start >= Date.now() - 7 * DAY);
    if (i > 0) assert.equal(start, Date.parse(`${listings[i - 1]!.url.searchParams.get('endTime')}Z`));
  }
  assert.ok(
    server.requestsOf('content-list').some((r) => r.url.searchParams.get('nextPage') !== null),
    'a window needed a second page',
  );
  for (const r of server.requests) assert.deepEqual(r.publisherIdentifiers, [server.tenantId]);
  const position = await f.state.lastWindowEnd('Audit.General');
  assert.equal(position?.toISOString(), first.lastWindowEnd);

  const blobsAfterFirst = await blobNames(f.exports);
  const second = await f.run();
  assert.equal(second.status, 'succeeded', second.error);
  assert.equal(second.contentFetched, 0);
  assert.equal(second.contentExpired, 0, 'expired content was recorded and is not asked for again');
  assert.equal(second.blobsWritten, 0);
  assert.equal(second.contentSkipped, second.contentListed);
  assert.ok(second.contentListed >= 1, 'the overlap re-lists recent content');
  assert.deepEqual(await blobNames(f.exports), blobsAfterFirst);
  assert.equal(server.requestsOf('subscriptions-start').length, 1, 'an enabled subscription is not started again');
  assert.equal(
    server.requests.filter(
      (r) => r.kind === 'content-blob' && decodeURIComponent(r.url.pathname).endsWith(seeded.expiredId),
    ).length,
    1,
  );

  // Content that becomes available later (even inside an already-listed window) is collected by the next run.
  server.addContent({
    contentId: 'late$content',
    created: new Date(Date.now() - 5_000),
    records: [participantDetail('late-1', 'm-late', 1), powerBi('late-2')],
  });
  const third = await f.run();
  assert.equal(third.contentFetched, 1);
  assert.equal(third.recordsKept, 1);
  assertEachOnce(await recordIdsInBlobs(f.exports), [...seeded.meetingIds, 'late-1']);
});

test('a run that crashes half-way resumes without losing or duplicating records', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  const real = quickClient().api;
  let fetched = 0;
  const crashing: ManagementActivityApi = {
    listSubscriptions: () => real.listSubscriptions(),
    startSubscription: (t) => real.startSubscription(t),
    listContent: (t, s, e) => real.listContent(t, s, e),
    fetchContent: async (item) => {
      if (++fetched > 3) throw new Error('simulated crash: the worker was recycled');
      return real.fetchContent(item);
    },
  };
  // One fetch at a time, so that exactly three contents are done when the fourth fetch crashes.
  const crashed = await f.run({ api: crashing, concurrency: 1 });
  assert.equal(crashed.status, 'failed');
  assert.equal(crashed.contentFetched, 3);
  const afterCrash = await recordIdsInBlobs(f.exports);
  assert.ok(afterCrash.size > 0 && afterCrash.size < seeded.meetingIds.length, 'part of the records were written');
  const position = await f.state.lastWindowEnd('Audit.General');
  assert.ok(
    position === undefined || position.getTime() < Date.now() - 2 * DAY,
    'the window being worked on was not marked done',
  );

  const resumed = await f.run();
  assert.equal(resumed.status, 'succeeded', resumed.error);
  assert.equal(resumed.contentFetched, 4, 'the three recorded contents are not fetched again');
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
  for (const id of seeded.contentIds.filter((c) => c !== seeded.expiredId))
    assert.equal(server.fetches.get(id), 1, `${id} fetched once in all`);
});

test('a crash between writing a blob and recording its content id leaves the blob as it was and records it on resume', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  let recorded = 0;
  const failingState = Object.create(f.state) as CollectorState;
  failingState.recordContent = async (content, now) => {
    if (++recorded === 3) throw new Error('simulated crash after the blob write');
    return f.state.recordContent(content, now);
  };
  const crashed = await f.run({ state: failingState, concurrency: 1 });
  assert.equal(crashed.status, 'failed');
  const blobs = await blobNames(f.exports);
  assert.equal(blobs.length, 2, 'the second blob was written before the crash');
  const etag = (await f.exports.getBlobClient(blobs[1]!).getProperties()).etag;
  // The third content recorded (the second holds no meeting record, so writes no blob): its blob is the second one.
  const crashedId = seeded.contentIds[2]!;

  const resumed = await f.run();
  assert.equal(resumed.status, 'succeeded', resumed.error);
  assert.equal(server.fetches.get(crashedId), 2, 'the unrecorded content was fetched again');
  assert.equal(resumed.blobsWritten, 4, 'its blob already existed and was not written again');
  assert.equal(
    (await f.exports.getBlobClient(blobs[1]!).getProperties()).etag,
    etag,
    'not overwritten: no second BlobCreated event',
  );
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
});

test('a run stopped by its deadline is partial; the next run continues from where it stopped', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  const base = Date.now();
  let fetchedBeforeDeadline = 0;
  const real = quickClient().api;
  const counting: ManagementActivityApi = Object.assign(Object.create(real) as ManagementActivityApi, {
    fetchContent: async (item: Parameters<ManagementActivityApi['fetchContent']>[0]) => {
      fetchedBeforeDeadline++;
      return real.fetchContent(item);
    },
  });
  const stopped = await f.run({
    api: counting,
    clock: () => base + (fetchedBeforeDeadline >= 2 ? 10 * 60_000 : 0),
    deadline: base + 5 * 60_000,
    concurrency: 1,
  });
  assert.equal(stopped.status, 'partial');
  assert.equal(stopped.errorKind, 'deadline');
  assert.match(stopped.error ?? '', /deadline.*next run continues/);
  assert.equal(stopped.contentFetched, 2);

  const resumed = await f.run();
  assert.equal(resumed.status, 'succeeded', resumed.error);
  assert.equal(resumed.contentFetched, 5);
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
});

test('throttling (403 AF429, 429) and a 5xx are waited out, honouring Retry-After', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  const af429 = {
    error: {
      code: 'AF429',
      message: 'Too many requests. Method=GetBlob, PublisherId=00000000-0000-0000-0000-000000000000',
    },
  };
  server.faults.push(
    { kind: 'content-list', status: 403, body: af429, headers: { 'Retry-After': '2' } },
    { kind: 'content-blob', status: 429, headers: { 'Retry-After': '1' }, contentId: seeded.contentIds[2]! },
    {
      kind: 'content-blob',
      status: 500,
      body: { error: { code: 'AF50000', message: 'An internal error occurred.' } },
      contentId: seeded.contentIds[5]!,
    },
    { kind: 'subscriptions-list', status: 429 },
  );
  const result = await f.run();
  assert.equal(result.status, 'succeeded', result.error);
  assert.equal(result.retries, 4);
  // Retry-After 2 s (listing) and 1 s (content) honoured; the 429 and the 500 without it backed off 500 ms each.
  assert.deepEqual(
    [...f.sleeps].sort((a, b) => a - b),
    [500, 500, 1000, 2000],
  );
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
  assert.equal((await f.state.lastRun())?.retries, 4);
});

test('throttling beyond the retry budget ends the run partial, keeps the position, and the next run completes', async () => {
  const f = await fixture();
  const seeded = seed(Date.now());
  const blocked = seeded.contentIds[3]!; // created three days ago
  server.faults.push({
    kind: 'content-blob',
    status: 429,
    headers: { 'Retry-After': '1' },
    contentId: blocked,
    times: 100,
  });
  const throttled = await f.run({ policy: { runRetryBudget: 3 } });
  assert.equal(throttled.status, 'partial');
  assert.equal(throttled.errorKind, 'throttled');
  assert.match(throttled.error ?? '', /retry budget \(3\) is spent/);
  const position = await f.state.lastWindowEnd('Audit.General');
  assert.ok(
    position === undefined || position.getTime() <= Date.now() - 3 * DAY + 60_000,
    'the window holding the throttled content is not done',
  );
  const health = await readCollectorHealth(new CollectorState(f.stateClient), server.settings());
  assert.match(health.lastError ?? '', /throttled/);

  server.faults = [];
  const next = await f.run();
  assert.equal(next.status, 'succeeded', next.error);
  assertEachOnce(await recordIdsInBlobs(f.exports), seeded.meetingIds);
});

test('bad credentials fail the run with a clear error in the state and in health, and write nothing', async () => {
  const f = await fixture();
  seed(Date.now());
  const wrongSecret = 'definitely-not-the-secret-0123456789';
  const result = await f.run({ secret: wrongSecret });
  assert.equal(result.status, 'failed');
  assert.equal(result.errorKind, 'credentials');
  assert.match(result.error ?? '', /AADSTS7000215/);
  assert.match(result.error ?? '', /O365_CLIENT_SECRET/);
  assert.deepEqual(await blobNames(f.exports), []);
  assert.ok(f.logs.some((l) => l.startsWith('error') && l.includes('AADSTS7000215')));

  const health = await readCollectorHealth(new CollectorState(f.stateClient), server.settings({ secret: wrongSecret }));
  assert.equal(health.configured, true);
  assert.equal(health.lastRun?.status, 'failed');
  assert.equal(health.lastError, result.error);
  // Nothing stored or logged carries the secret.
  const stored: string[] = [];
  for await (const entity of f.stateClient.listEntities()) stored.push(JSON.stringify(entity));
  for (const text of [...stored, ...f.logs])
    assert.ok(!text.includes(wrongSecret) && !text.includes(server.clientSecret));
});

test('a missing ActivityFeed.Read permission fails the run with the permission to grant', async () => {
  const f = await fixture();
  server.permissionGranted = false;
  const result = await f.run();
  assert.equal(result.status, 'failed');
  assert.equal(result.errorKind, 'permission');
  assert.match(result.error ?? '', /ActivityFeed\.Read/);
  assert.match(result.error ?? '', /admin consent/);
  assert.match(
    (await readCollectorHealth(new CollectorState(f.stateClient), server.settings())).lastError ?? '',
    /ActivityFeed\.Read/,
  );
});

test('subscriptions/start is not re-issued within 15 minutes', async () => {
  const f = await fixture();
  const t0 = new Date();
  const first = await f.run({ now: t0 });
  assert.equal(first.status, 'succeeded', first.error);
  assert.equal(server.requestsOf('subscriptions-start').length, 1);

  server.subscription = 'disabled';
  const soon = await f.run({ now: new Date(t0.getTime() + 5 * 60_000) });
  assert.equal(soon.status, 'waiting-for-subscription');
  assert.match(soon.error ?? '', /not to start it again before/);
  assert.equal(server.requestsOf('subscriptions-start').length, 1, 'no second start within 15 minutes');

  const later = await f.run({ now: new Date(t0.getTime() + SUBSCRIPTION_START_INTERVAL_MS + 60_000) });
  assert.equal(later.status, 'succeeded', later.error);
  assert.equal(server.requestsOf('subscriptions-start').length, 2);
});

test('AF20022 while listing starts the subscription again and ends the run waiting for it', async () => {
  const f = await fixture();
  server.subscription = 'enabled';
  server.faults.push({
    kind: 'content-list',
    status: 400,
    body: { error: { code: 'AF20022', message: 'No subscription found for the specified content type' } },
  });
  const result = await f.run();
  assert.equal(result.status, 'waiting-for-subscription');
  assert.match(result.error ?? '', /AF20022/);
  assert.equal(server.requestsOf('subscriptions-start').length, 1);
});

test('collected blobs are ingested by ingestExport like any export', async () => {
  const store = await freshStore('collect');
  const seeded = seed(Date.now());
  const result = await collectInto(store);
  assert.equal(result.status, 'succeeded', result.error);
  let accepted = 0;
  for await (const blob of store.exports.listBlobsFlat()) {
    const content = await store.exports.getBlobClient(blob.name).downloadToBuffer();
    const ingested = await ingestExport({ blobName: blob.name, etag: blob.properties.etag, content }, { store });
    assert.equal(ingested.entry.status, 'completed');
    assert.equal(ingested.entry.rejected, 0, JSON.stringify(ingested.entry.firstRejections));
    assert.equal(ingested.entry.format, 'json-array');
    accepted += ingested.entry.accepted;
  }
  assert.equal(accepted, seeded.meetingIds.length);
});

test('/api/health shows the collector: off when not configured; a failed run degrades the status and shows the error', async () => {
  const store = await freshStore('colh');
  const deps = { store, config: new CachedConfig(store.config) };
  const health = async (): Promise<HealthBody> =>
    jsonBody<HealthBody>(await answerReport({ route: 'health', params: {}, query: {} }, deps));

  const off = await health();
  assert.equal(off.status, 'ok');
  assert.equal(off.collector?.configured, false);
  assert.deepEqual(off.collector?.missingSettings, [
    'O365_TENANT_ID',
    'O365_CLIENT_ID',
    'O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE or O365_MANAGED_IDENTITY_CLIENT_ID',
  ]);

  const failed = await collectInto(store, quickClient('wrong-secret-for-health-0000'));
  assert.equal(failed.status, 'failed');

  const saved = { ...process.env };
  Object.assign(process.env, server.settings());
  try {
    const degraded = await health();
    assert.equal(degraded.status, 'degraded');
    const collector = present(degraded.collector, 'collector');
    assert.equal(collector.configured, true);
    assert.match(String(collector.lastError), /AADSTS7000215.*O365_CLIENT_SECRET/);
    assert.equal(present(collector.lastRun, 'collector.lastRun').errorKind, 'credentials');
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  }
});

test('many content blobs in one window fetched eight at a time: a crash mid-way and a resume still give each record once', async () => {
  const f = await fixture();
  const now = Date.now();
  const expected: string[] = [];
  for (let c = 0; c < 30; c++) {
    const records = [
      participantDetail(recordId(100 + c, 1), 'm', 1),
      participantDetail(recordId(100 + c, 2), 'm', 2),
      teamsOther(recordId(100 + c, 3)),
    ];
    expected.push(recordId(100 + c, 1), recordId(100 + c, 2));
    server.addContent({ contentId: `bulk$${c}`, created: new Date(now - 60 * 60_000 + c * 1000), records });
  }
  server.pageSize = 7;
  const real = quickClient().api;
  let calls = 0;
  const crashing: ManagementActivityApi = Object.assign(Object.create(real) as ManagementActivityApi, {
    fetchContent: async (item: Parameters<ManagementActivityApi['fetchContent']>[0]) => {
      if (++calls === 12) throw new Error('simulated crash');
      return real.fetchContent(item);
    },
  });
  const crashed = await f.run({ api: crashing, concurrency: 8 });
  assert.equal(crashed.status, 'failed');
  assert.ok(
    crashed.contentFetched >= 11 && crashed.contentFetched < 30,
    `${crashed.contentFetched} fetched before the crash`,
  );
  const resumed = await f.run({ concurrency: 8 });
  assert.equal(resumed.status, 'succeeded', resumed.error);
  assert.equal(crashed.contentFetched + resumed.contentFetched, 30);
  assertEachOnce(await recordIdsInBlobs(f.exports), expected);
  for (let c = 0; c < 30; c++) assert.equal(server.fetches.get(`bulk$${c}`), 1);
});
