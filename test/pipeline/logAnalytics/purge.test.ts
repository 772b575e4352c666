// Erasure in Log Analytics (src/pipeline/logAnalytics/purge.ts) against a local Workspace Purge API driven by the
// real @azure/arm-operationalinsights client, signed in through the local Entra ID stand-in, the queue on Azurite:
// the rows the export sent are loaded into the local workspace, a person is erased through the route's answer,
// and the purge deletes their rows and no one else's; throttling (429 + Retry-After) keeps erasures queued until
// the timer sends them together; a refused token keeps them queued; the purge is off without its settings.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { isPseudonym, Pseudonymizer } from '../../../src/audit/pseudonymize.js';
import { answerReport } from '../../../src/pipeline/answerReport.js';
import { CachedConfig } from '../../../src/storage/configBlobs.js';
import { answerErasure, type AdminDeps } from '../../../src/pipeline/http/eraseRoute.js';
import type { LogAnalyticsErasure } from '../../../src/pipeline/logAnalytics/erasure.js';
import type { ErasurePurgeStatus } from '../../../src/pipeline/logAnalytics/purge.js';
import { CLAIM_MS, MAX_NOT_FOUND_CHECKS, PURGE_TARGETS } from '../../../src/pipeline/logAnalytics/purge.js';
import {
  logPurgeFromEnv,
  parseWorkspaceId,
  readPurgeSettings,
  runLogPurge,
  type LogPurge,
} from '../../../src/pipeline/logAnalytics/purgeService.js';
import { LOG_TABLES } from '../../../src/pipeline/logAnalytics/tables.js';
import { LogAnalyticsSettingsError } from '../../../src/pipeline/logAnalytics/exportService.js';
import { LogPurgeQueue } from '../../../src/storage/logPurgeQueue.js';
import type { Store } from '../../../src/storage/store.js';
import { FakeEntraId } from '../../collector/fakeEntraId.js';
import { analysedStore as privacyStore } from '../privacyFixtures.js';
import { FakeWorkspacePurge } from './fakeWorkspacePurge.js';
import { analysedStore, startIngestionWorld, type IngestionWorld } from './logsIngestionFixture.js';

const KEY = 'purge-test-key-0123456789abcdef-0123456789';

let entra: FakeEntraId;
let workspace: FakeWorkspacePurge;
let world: IngestionWorld;

before(async () => {
  entra = await FakeEntraId.start();
  entra.scope = 'https://management.azure.com/.default';
  workspace = await FakeWorkspacePurge.start(
    Object.fromEntries(Object.values(LOG_TABLES).map((t) => [t.table, t.columns.map((c) => c.name)])),
  );
  entra.onIssued = (token) => workspace.trust(token);
  world = await startIngestionWorld();
});

after(async () => {
  await Promise.all([entra.close(), workspace.close(), world.close()]);
});

function env(): NodeJS.ProcessEnv {
  return {
    LOGS_INGESTION_ENDPOINT: 'https://dcr-test.westeurope-1.ingest.monitor.azure.com',
    LOGS_INGESTION_RULE_ID: 'dcr-00112233445566778899aabbccddeeff',
    LOG_ANALYTICS_PURGE_WORKSPACE_ID: workspace.workspaceResourceId,
  };
}

function credential(): TokenCredential {
  return new ClientSecretCredential(entra.tenantId, entra.clientId, entra.clientSecret, {
    ...entra.credentialOptions,
    authorityHost: entra.baseUrl,
    disableInstanceDiscovery: true,
  });
}

function capture(): { lines: string[]; log: NonNullable<AdminDeps['log']> } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) } };
}

/** The purge from the settings, its client pointed at the local workspace. */
function purgeFor(
  store: Store,
  log: NonNullable<AdminDeps['log']>,
  now: () => Date,
  cred: TokenCredential = credential(),
): LogPurge {
  const purge = logPurgeFromEnv(store, log, env(), {
    credential: cred,
    now,
    clientOptions: { endpoint: workspace.baseUrl, tlsOptions: { ca: workspace.tlsCertificatePem } },
  });
  assert.ok(purge, 'the purge is on with the export and workspace settings');
  return purge;
}

/** Loads the rows the export sent (through the local Logs Ingestion API) into the local workspace. */
function loadExportedRows(): void {
  workspace.tables.clear();
  for (const t of Object.values(LOG_TABLES)) workspace.tables.set(t.table, [...world.ingestion.rows(t.stream)]);
}

function cellText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The UPN with the most disconnection rows, and one other person who has rows. */
function twoPeople(): [string, string] {
  const counts = new Map<string, number>();
  for (const row of workspace.rows(LOG_TABLES.disconnections.table)) {
    const upn = cellText(row['UserPrincipalName']);
    if (upn !== '') counts.set(upn, (counts.get(upn) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([upn]) => upn);
  assert.ok(ranked.length >= 2, 'the generated export has disconnections of at least two people');
  return [ranked[0]!, ranked[1]!];
}

function rowsNaming(value: string): number {
  let n = 0;
  for (const target of PURGE_TARGETS)
    for (const row of workspace.rows(target.table))
      if (cellText(row[target.column]).toLowerCase() === value.toLowerCase()) n++;
  return n;
}

function logAnalyticsOf(body: string): LogAnalyticsErasure {
  return (JSON.parse(body) as { logAnalytics: LogAnalyticsErasure }).logAnalytics;
}

test('an erasure purges the person’s rows in every table, with one in~ request per target, and the timer sees them complete', async () => {
  workspace.calls.length = 0;
  workspace.pollsUntilCompleted = 2;
  world.ingestion.accepted.clear();
  const { store, exporter } = await analysedStore(world, { records: 800, seed: 23 });
  await exporter.run({ deadline: Date.now() + 600_000 });
  loadExportedRows();
  const [person, other] = twoPeople();
  const otherRows = rowsNaming(other);
  const totalBefore = PURGE_TARGETS.reduce((n, t) => n + workspace.rows(t.table).length, 0);
  assert.ok(rowsNaming(person) > 0 && otherRows > 0);

  const { lines, log } = capture();
  const purge = purgeFor(store, log, () => new Date());
  const deps: AdminDeps = { store, log, pseudonymizer: () => undefined, logPurge: () => purge };
  const response = await answerErasure({ id: person.toUpperCase(), query: {} }, deps);
  assert.equal(response.status, 200, response.body);
  const status = logAnalyticsOf(response.body) as ErasurePurgeStatus;
  assert.equal(status.state, 'submitted');
  assert.deepEqual(
    status.operations.map((o) => `${o.table}.${o.column}:${o.status}`).sort(),
    PURGE_TARGETS.map((t) => `${t.key}:pending`).sort(),
  );
  const posts = workspace.calls.filter((c) => c.method === 'POST');
  assert.equal(posts.length, PURGE_TARGETS.length, 'one purge request per table and person column');
  for (const post of posts) {
    assert.equal(post.status, 202);
    assert.equal(post.filters!.length, 1);
    assert.equal(post.filters![0]!.operator, 'in~');
    assert.ok((post.filters![0]!.value as string[]).includes(person.toLowerCase()), 'the filter names the person');
  }
  // Accepted for every target: no longer open; the identifiers stay until the purges complete.
  const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  assert.deepEqual(await queue.open(), []);
  assert.ok((await queue.get(status.id))?.identifiers.includes(person.toLowerCase()));

  // Nothing deleted until the service completes the purge (status read by the timer).
  assert.ok(rowsNaming(person) > 0);
  const first = await runLogPurge(store, log, env(), purge);
  assert.deepEqual(first.state === 'ran' && first.statuses, { checked: PURGE_TARGETS.length, completed: 0 });
  const second = await runLogPurge(store, log, env(), purge);
  assert.deepEqual(second.state === 'ran' && second.statuses, {
    checked: PURGE_TARGETS.length,
    completed: PURGE_TARGETS.length,
  });
  assert.equal(rowsNaming(person), 0, 'no row names the person any more');
  assert.equal(rowsNaming(other), otherRows, 'other people keep their rows');
  const totalAfter = PURGE_TARGETS.reduce((n, t) => n + workspace.rows(t.table).length, 0);
  assert.ok(totalAfter > 0 && totalAfter < totalBefore);
  assert.equal((await purge.status(status.id))?.state, 'completed');
  assert.deepEqual(await queue.unfinishedOperations(), []);
  assert.deepEqual((await queue.get(status.id))?.identifiers, [], 'completed: the queue no longer holds them');
  for (const line of lines)
    assert.ok(!line.toLowerCase().includes(person.toLowerCase()), `log names the person: ${line}`);
});

test('throttled (429 with Retry-After): erasures stay queued, the timer waits it out and sends them in one request per target', async () => {
  workspace.calls.length = 0;
  workspace.pollsUntilCompleted = 1;
  world.ingestion.accepted.clear();
  const { store, exporter } = await analysedStore(world, { records: 800, seed: 29 });
  await exporter.run({ deadline: Date.now() + 600_000 });
  loadExportedRows();
  const [first, second] = twoPeople();
  let clock = Date.parse('2026-03-02T10:00:00Z');
  const now = (): Date => new Date(clock);
  const { lines, log } = capture();
  const purge = purgeFor(store, log, now);
  const deps: AdminDeps = { store, log, pseudonymizer: () => undefined, logPurge: () => purge };

  workspace.faults.push({ status: 429, retryAfterSeconds: 1800 });
  const a = logAnalyticsOf((await answerErasure({ id: first, query: {} }, deps)).body) as ErasurePurgeStatus;
  assert.equal(a.state, 'queued');
  assert.equal(a.notBefore, new Date(clock + 1800_000).toISOString());
  assert.match(a.lastError ?? '', /HTTP 429/);
  assert.equal(workspace.calls.filter((c) => c.method === 'POST').length, 1, 'stops at the first 429');

  // A second erasure within the Retry-After sends nothing.
  clock += 60_000;
  const b = logAnalyticsOf((await answerErasure({ id: second, query: {} }, deps)).body) as ErasurePurgeStatus;
  assert.equal(b.state, 'queued');
  const early = await runLogPurge(store, log, env(), purge);
  assert.equal(early.state === 'ran' && early.submit.throttled, true);
  assert.equal(workspace.calls.filter((c) => c.method === 'POST').length, 1, 'nothing sent before Retry-After');

  clock += 1800_000;
  const run = await runLogPurge(store, log, env(), purge);
  assert.equal(run.state === 'ran' && run.submit.submitted, PURGE_TARGETS.length);
  const accepted = workspace.calls.filter((c) => c.method === 'POST' && c.status === 202);
  assert.equal(accepted.length, PURGE_TARGETS.length, 'both erasures in one request per target');
  for (const call of accepted) {
    const values = call.filters![0]!.value as string[];
    assert.ok(values.includes(first.toLowerCase()) && values.includes(second.toLowerCase()));
  }
  await runLogPurge(store, log, env(), purge);
  assert.equal(rowsNaming(first) + rowsNaming(second), 0);
  for (const id of [a.id, b.id]) assert.equal((await purge.status(id))?.state, 'completed');
  for (const line of lines)
    for (const upn of [first, second]) assert.ok(!line.toLowerCase().includes(upn.toLowerCase()), line);
});

test('the service’s hourly limit answers 429 and the queue keeps what it refused', async () => {
  workspace.calls.length = 0;
  workspace.hourlyLimit = 1;
  workspace.forgetAccepted();
  try {
    const { store } = await analysedStore(world, { records: 200, seed: 31 });
    const { log } = capture();
    const purge = purgeFor(store, log, () => new Date());
    const id = await purge.queue(['someone@contoso.com']);
    assert.ok(id);
    const outcome = await purge.submit();
    assert.equal(outcome.submitted, 1);
    assert.equal(outcome.throttled, true);
    const status = await purge.status(id);
    assert.equal(status?.state, 'queued');
    assert.equal(status?.operations.length, 1, 'the first target was accepted, the second refused');
    assert.ok(status?.notBefore !== undefined && Date.parse(status.notBefore) > Date.now() + 3_000_000);
  } finally {
    workspace.hourlyLimit = 50;
  }
});

test('a token the API refuses leaves the erasure queued with the status code as its error', async () => {
  workspace.calls.length = 0;
  const { store } = await analysedStore(world, { records: 200, seed: 37 });
  const { log } = capture();
  const stub: TokenCredential = {
    getToken: () => Promise.resolve({ token: 'not-issued-by-entra', expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  const purge = purgeFor(store, log, () => new Date(), stub);
  const id = await purge.queue(['someone@contoso.com']);
  const outcome = await purge.submit();
  assert.equal(outcome.failed, PURGE_TARGETS.length);
  assert.deepEqual(
    workspace.calls.map((c) => c.status),
    PURGE_TARGETS.map(() => 401),
  );
  const status = await purge.status(id!);
  assert.equal(status?.state, 'queued');
  assert.equal(status?.lastError, 'HTTP 401 InvalidAuthenticationToken');
  const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  assert.deepEqual((await queue.get(id!))?.identifiers, ['someone@contoso.com']);
  assert.equal((await queue.get(id!))?.attempts, PURGE_TARGETS.length);
});

test('pseudonymised mode: the purge goes by the person’s pseudonyms only, which the rows carry', async () => {
  workspace.calls.length = 0;
  const pseudonymizer = new Pseudonymizer(KEY);
  const { store, lines: records } = await privacyStore('lapurge', { records: 400, seed: 43, pseudonymizer });
  const first = JSON.parse(records.find((l) => l.includes('"UPN"'))!) as { Attendees?: Array<{ UPN?: string }> };
  const upn = first.Attendees!.find((a) => a.UPN)!.UPN!;
  const { log } = capture();
  const purge = purgeFor(store, log, () => new Date());
  const response = await answerErasure(
    { id: upn, query: {} },
    { store, log, pseudonymizer: () => pseudonymizer, logPurge: () => purge },
  );
  assert.equal(response.status, 200, response.body);
  const posts = workspace.calls.filter((c) => c.method === 'POST' && c.status === 202);
  assert.equal(posts.length, PURGE_TARGETS.length);
  for (const post of posts) {
    const values = post.filters![0]!.value as string[];
    assert.ok(values.includes(pseudonymizer.of(upn)), 'the filter has the pseudonym');
    assert.ok(
      values.every((v) => isPseudonym(v)),
      'only pseudonyms: the rows carry no identity in clear, and the queue keeps none',
    );
  }
});

test('off: without the workspace setting or without the export, the erasure says so and nothing is queued', async () => {
  const { store } = await analysedStore(world, { records: 200, seed: 47 });
  const withoutWorkspace = { ...env(), LOG_ANALYTICS_PURGE_WORKSPACE_ID: '' };
  const withoutExport = { LOG_ANALYTICS_PURGE_WORKSPACE_ID: workspace.workspaceResourceId };
  assert.equal(readPurgeSettings(withoutWorkspace), undefined);
  assert.equal(readPurgeSettings(withoutExport), undefined);
  assert.equal(logPurgeFromEnv(store, capture().log, withoutExport), undefined);
  const response = await answerErasure(
    { id: 'someone@contoso.com', query: {} },
    { store, log: capture().log, pseudonymizer: () => undefined, logPurge: () => undefined },
  );
  assert.deepEqual(logAnalyticsOf(response.body), { state: 'off' });
  const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  assert.deepEqual(await queue.open(), []);
  const run = await runLogPurge(store, capture().log, withoutWorkspace);
  assert.deepEqual(run, { state: 'off' });
});

test('the workspace setting must be a workspace resource id', () => {
  assert.deepEqual(parseWorkspaceId(workspace.workspaceResourceId), {
    subscriptionId: workspace.subscriptionId,
    resourceGroup: workspace.resourceGroup,
    workspace: workspace.workspace,
  });
  assert.throws(
    () => readPurgeSettings({ ...env(), LOG_ANALYTICS_PURGE_WORKSPACE_ID: 'log-teams-test' }),
    (error: unknown) => error instanceof LogAnalyticsSettingsError && /resource id/.test(error.message),
  );
});

test('the purge queue creates its table when the deployment predates it', async () => {
  workspace.calls.length = 0;
  const { store } = await analysedStore(world, { records: 200, seed: 53 });
  await store.clients.table(store.names.tables.logPurges).deleteTable();
  const { log } = capture();
  const purge = purgeFor(store, log, () => new Date());
  const response = await answerErasure(
    { id: 'someone@contoso.com', query: {} },
    { store, log, pseudonymizer: () => undefined, logPurge: () => purge },
  );
  assert.equal(response.status, 200, response.body);
  assert.equal((logAnalyticsOf(response.body) as ErasurePurgeStatus).state, 'submitted');
  assert.equal(workspace.calls.filter((c) => c.method === 'POST' && c.status === 202).length, PURGE_TARGETS.length);
});

test('a badly formed workspace setting: the erasure says misconfigured, naming the setting and its form; the identifiers wait in the queue and go once it is fixed', async () => {
  workspace.calls.length = 0;
  workspace.forgetAccepted();
  const { store } = await analysedStore(world, { records: 200, seed: 59 });
  const wrong = { ...env(), LOG_ANALYTICS_PURGE_WORKSPACE_ID: 'log-teams-test' };
  const { lines, log } = capture();
  const response = await answerErasure(
    { id: 'someone@contoso.com', query: {} },
    { store, log, pseudonymizer: () => undefined, env: wrong },
  );
  assert.equal(response.status, 200, response.body);
  const answer = logAnalyticsOf(response.body) as { state: string; message: string; id?: string };
  assert.equal(answer.state, 'misconfigured');
  assert.match(answer.message, /^LOG_ANALYTICS_PURGE_WORKSPACE_ID must be/);
  assert.match(
    answer.message,
    /\/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft\.OperationalInsights/,
  );
  assert.ok(answer.id, 'the identifiers are queued');
  assert.equal(workspace.calls.length, 0, 'nothing is sent while the setting is wrong');
  assert.ok(lines.some((l) => l.includes('misconfigured')));
  const run = await runLogPurge(store, log, wrong);
  assert.equal(run.state, 'misconfigured');

  workspace.pollsUntilCompleted = 1;
  const fixed = purgeFor(store, log, () => new Date());
  await runLogPurge(store, log, env(), fixed);
  assert.equal((await fixed.status(answer.id))?.state, 'completed', 'sent once the setting is right');
  assert.equal(workspace.calls.filter((c) => c.method === 'POST' && c.status === 202).length, PURGE_TARGETS.length);
});

test('/api/health shows the purge: off, then ok with the queued erasures, their age, the 429 wait and the last error; misconfigured with its message', async () => {
  workspace.calls.length = 0;
  workspace.forgetAccepted();
  const { store } = await analysedStore(world, { records: 200, seed: 61 });
  let clock = Date.parse('2026-03-02T10:00:00Z');
  const now = (): Date => new Date(clock);
  const health = async (settings: NodeJS.ProcessEnv): Promise<Record<string, unknown>> => {
    const response = await answerReport(
      { route: 'health', params: {}, query: {} },
      { store, config: new CachedConfig(store.config), env: settings, now },
    );
    assert.equal(response.status, 200, response.body);
    return (JSON.parse(response.body) as { logAnalyticsPurge: Record<string, unknown> }).logAnalyticsPurge;
  };
  assert.deepEqual(await health({}), { state: 'off' });
  assert.deepEqual(await health(env()), {
    state: 'ok',
    queued: 0,
    oldestQueuedAt: null,
    oldestQueuedAgeSeconds: null,
    notBefore: null,
    lastError: null,
    lastAttemptAt: null,
    unfinishedOperations: 0,
    unknownOperations: 0,
  });

  const { log } = capture();
  const purge = purgeFor(store, log, now);
  workspace.faults.push({ status: 429, retryAfterSeconds: 1800 });
  await purge.queue(['someone@contoso.com']);
  await purge.submit();
  clock += 600_000;
  const throttled = await health(env());
  assert.deepEqual(throttled, {
    state: 'ok',
    queued: 1,
    oldestQueuedAt: '2026-03-02T10:00:00.000Z',
    oldestQueuedAgeSeconds: 600,
    notBefore: '2026-03-02T10:30:00.000Z',
    lastError: 'HTTP 429 TooManyRequests',
    lastAttemptAt: '2026-03-02T10:00:00.000Z',
    unfinishedOperations: 0,
    unknownOperations: 0,
  });
  assert.ok(!JSON.stringify(throttled).includes('someone'), 'no identifier');

  const wrong = await health({ ...env(), LOG_ANALYTICS_PURGE_WORKSPACE_ID: 'log-teams-test' });
  assert.equal(wrong['state'], 'misconfigured');
  assert.match(String(wrong['message']), /LOG_ANALYTICS_PURGE_WORKSPACE_ID must be the workspace's resource id/);
  assert.equal(wrong['queued'], 1);

  clock += 1800_000;
  await purge.submit();
  const sent = await health(env());
  assert.equal(sent['queued'], 0);
  assert.equal(sent['notBefore'], null);
  assert.equal(sent['unfinishedOperations'], PURGE_TARGETS.length);
});

test('an erasure call and the timer submitting at the same moment: the batch is claimed once and sent once', async () => {
  workspace.calls.length = 0;
  workspace.forgetAccepted();
  const { store } = await analysedStore(world, { records: 200, seed: 71 });
  const { lines, log } = capture();
  const erasureCall = purgeFor(store, log, () => new Date());
  const timer = purgeFor(store, log, () => new Date());
  const id = await erasureCall.queue(['someone@contoso.com', 'someone.else@contoso.com']);
  const outcomes = await Promise.all([erasureCall.submit(), timer.submit()]);
  const posts = workspace.calls.filter((c) => c.method === 'POST');
  assert.equal(posts.length, PURGE_TARGETS.length, 'one request per target, not one per submitter');
  assert.equal(outcomes[0].submitted + outcomes[1].submitted, PURGE_TARGETS.length);
  assert.equal(outcomes[0].failed + outcomes[1].failed, 0, lines.join('\n'));
  assert.equal((await erasureCall.status(id!))?.state, 'submitted');
  const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  const entry = await queue.get(id!);
  assert.equal(entry?.claimedUntil, undefined, 'the claim is released after the run');
});

test('a claim left by a run that stopped expires: another submitter takes the erasure over after it', async () => {
  workspace.calls.length = 0;
  workspace.forgetAccepted();
  const { store } = await analysedStore(world, { records: 200, seed: 73 });
  let clock = Date.parse('2026-03-02T10:00:00Z');
  const { log } = capture();
  const purge = purgeFor(store, log, () => new Date(clock));
  const id = await purge.queue(['someone@contoso.com']);
  const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
  const crashed = await queue.claim(await queue.open(), 'crashed-run', new Date(clock), new Date(clock + CLAIM_MS));
  assert.equal(crashed.length, 1);
  assert.equal((await purge.submit()).submitted, 0, 'held by the other run');
  assert.equal(workspace.calls.length, 0);
  clock += CLAIM_MS + 1000;
  assert.equal((await purge.submit()).submitted, PURGE_TARGETS.length, 'the expired claim is taken over');
  assert.equal((await purge.status(id!))?.state, 'submitted');
});

test('an operation the service forgot (404 on every status read) becomes unknown after a bounded number of checks and is sent again once', async () => {
  workspace.calls.length = 0;
  workspace.forgetAccepted();
  workspace.pollsUntilCompleted = 1000;
  try {
    const { store } = await analysedStore(world, { records: 200, seed: 79 });
    const { lines, log } = capture();
    const purge = purgeFor(store, log, () => new Date());
    const id = await purge.queue(['someone@contoso.com']);
    await purge.submit();
    const forget = (): void => workspace.operations.clear();
    forget();
    const notFoundWarnings = (): string[] =>
      lines.filter((l) => /not found by the service|unknown to the service/.test(l));
    for (let run = 1; run < MAX_NOT_FOUND_CHECKS; run++) await purge.refresh();
    assert.equal((await purge.status(id!))?.state, 'submitted', 'not given up before the bound');
    await purge.refresh();
    const reopened = await purge.status(id!);
    assert.equal(reopened?.state, 'queued', 'unknown: re-opened for every target');
    assert.equal(
      notFoundWarnings().length,
      PURGE_TARGETS.length * MAX_NOT_FOUND_CHECKS,
      'one warning per check, the last says it is sent again',
    );

    const postsBefore = workspace.calls.filter((c) => c.method === 'POST' && c.status === 202).length;
    await purge.submit();
    assert.equal(
      workspace.calls.filter((c) => c.method === 'POST' && c.status === 202).length - postsBefore,
      PURGE_TARGETS.length,
      'sent again, once per target',
    );
    assert.equal((await purge.status(id!))?.state, 'submitted');

    // Forgotten again: unknown, not sent a third time, the identifiers cleared, and no more warnings.
    forget();
    for (let run = 0; run < MAX_NOT_FOUND_CHECKS; run++) await purge.refresh();
    assert.equal((await purge.status(id!))?.state, 'unknown');
    const queue = new LogPurgeQueue(store.clients.table(store.names.tables.logPurges));
    assert.deepEqual(await queue.open(), []);
    assert.deepEqual((await queue.get(id!))?.identifiers, []);
    const warnings = notFoundWarnings().length;
    const reads = workspace.calls.filter((c) => c.method === 'GET').length;
    await purge.refresh();
    await purge.submit();
    assert.equal(notFoundWarnings().length, warnings, 'no warning every hour forever');
    assert.equal(
      workspace.calls.filter((c) => c.method === 'GET').length,
      reads,
      'unknown operations are not read again',
    );
    assert.ok(lines.some((l) => l.includes('send the erasure again')));
  } finally {
    workspace.pollsUntilCompleted = 1;
  }
});
