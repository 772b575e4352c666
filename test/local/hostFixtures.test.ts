// The local host driving stand-in functions (test/fixtures) against the test Azurite: blob polling
// with retries, poison and receipts; timers; HTTP routing; the admin endpoint; shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CapturedFunction } from '../../src/local/captureRegistrations.js';
import { readHostJson, startHost, type InvocationEvent, type RunningHost } from '../../src/local/host.js';
import type { StorageClients } from '../../src/storage/clients.js';
import { runUpload } from '../../src/cli/upload.js';
import type { FixtureCall } from '../fixtures/functions/fixtureLog.js';
import { assertSecondHostRunsNothing, captureStandIns, testStorage } from './localHost.fixture.js';
import { textSink } from '../support/textSink.js';

const connection = process.env['TEST_STORAGE_CONNECTION'];
const container = `fixture-${randomBytes(4).toString('hex')}`;
// slowTick's schedule (midnight on January 1st) never comes during the test; it runs through the admin API.
const env = {
  ...process.env,
  FIXTURE_CONTAINER: container,
  FIXTURE_SCHEDULE: '*/2 * * * * *',
  FIXTURE_SLOW_SCHEDULE: '0 0 0 1 1 *',
};
const workDir = mkdtempSync(join(tmpdir(), 'host-fixtures-'));
let functions: CapturedFunction[];
let storage: StorageClients;
let host: RunningHost;
const events: InvocationEvent[] = [];

async function waitFor(
  predicate: (all: InvocationEvent[]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(events)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function upload(name: string, content: string): Promise<void> {
  const path = join(workDir, name);
  writeFileSync(path, content);
  const out = textSink();
  const err = textSink();
  const code = await runUpload([path, '--container', container, '--connection-string', connection!], {
    stdout: out.stream,
    stderr: err.stream,
  });
  assert.equal(code, 0, err.text());
}

before(async () => {
  functions = await captureStandIns(['httpFixtures.js', 'blobFixture.js', 'timerFixture.js']);
  storage = testStorage();
  await storage.blobService.getContainerClient(container).create();
  host = await startHost({
    functions,
    storageFor: () => storage,
    env,
    port: 0,
    hostJson: { poisonBlobThreshold: 3, maxDegreeOfParallelism: 2 },
    blobPollIntervalMs: 200,
    blobRetryDelayMs: 20,
    log: () => {},
    functionLog: () => {},
  });
  host.onInvocation((e) => events.push(e));
});

after(async () => {
  await host?.stop();
});

test('a new blob invokes the blob function once; a failing one is retried up to the threshold, then poisoned', async () => {
  await upload('good.csv', 'a,b\n1,2\n');
  await upload('FAIL-bad.csv', 'FAIL\n');
  await waitFor((all) => all.some((e) => e.blobName === 'good.csv' && e.outcome === 'succeeded'), 'good.csv');
  await waitFor((all) => all.some((e) => e.blobName === 'FAIL-bad.csv' && e.outcome === 'poisoned'), 'poisoning');
  const bad = events.filter((e) => e.blobName === 'FAIL-bad.csv');
  assert.deepEqual(
    bad.map((e) => [e.attempt, e.outcome]),
    [
      [1, 'failed'],
      [2, 'failed'],
      [3, 'poisoned'],
    ],
  );
  assert.ok(bad.every((e) => e.error === 'fixture refuses this blob'));

  // Several more polls: neither blob is invoked again.
  const before = events.length;
  await new Promise((r) => setTimeout(r, 800));
  await host.pollBlobsNow();
  assert.equal(
    events.filter((e) => e.reason === 'blob').length,
    events.slice(0, before).filter((e) => e.reason === 'blob').length,
  );
});

test('uploading the same name again (new ETag) invokes the function again', async () => {
  const count = () =>
    events.filter((e) => e.blobName === 'good.csv' && e.reason === 'blob' && e.outcome === 'succeeded').length;
  await waitFor(() => count() >= 1, 'first good.csv');
  const first = count();
  await upload('good.csv', 'a,b\n3,4\n');
  await waitFor(() => count() === first + 1, 'second good.csv');
});

test('receipts survive a restart: a second host over the same storage does not re-run processed blobs', async () => {
  await waitFor((all) => all.some((e) => e.blobName === 'FAIL-bad.csv' && e.outcome === 'poisoned'), 'poisoning');
  await assertSecondHostRunsNothing({ functions, storage, env });
});

test('the timer fires on its schedule and gets a Timer object', async () => {
  await waitFor(
    (all) => all.some((e) => e.functionName === 'tick' && e.reason === 'timer' && e.outcome === 'succeeded'),
    'a timer run',
    6000,
  );
});

test('HTTP routes: params, query, methods, catch-all, errors', async () => {
  let res = await fetch(`${host.url}/api/things/42?q=hi`, { headers: { 'x-test': 'yes' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: '42', q: 'hi', body: null, method: 'GET', header: 'yes' });
  assert.equal(res.headers.get('x-fixture'), 'yes');
  assert.deepEqual(res.headers.getSetCookie(), ['session=abc; Path=/; HttpOnly']);

  res = await fetch(`${host.url}/api/things/42`, { method: 'POST', body: 'posted' });
  assert.equal(res.status, 201);
  assert.equal(((await res.json()) as { body: string }).body, 'posted');

  res = await fetch(`${host.url}/api/things`);
  assert.deepEqual(await res.json(), { list: true });

  res = await fetch(`${host.url}/api/things/not-a-number`);
  assert.equal(res.status, 404, '{id:int} refuses non-integers');

  res = await fetch(`${host.url}/api/things`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.match(await res.text(), /use GET/);

  res = await fetch(`${host.url}/api/files/a/b%20c/d.csv`);
  assert.deepEqual(await res.json(), { path: 'a/b c/d.csv' });

  res = await fetch(`${host.url}/api/boom`);
  assert.equal(res.status, 500);
  assert.equal(await res.text(), '', 'no error details leak to the client');

  res = await fetch(`${host.url}/elsewhere`);
  assert.equal(res.status, 404);
});

/** POST /admin/functions/{name} with this start's key. */
function adminPost(name: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(`${host.url}/admin/functions/${name}`, {
    method: 'POST',
    body: init.body,
    headers: { 'x-functions-key': host.adminKey, ...init.headers },
  });
}

test('POST /admin/functions/{name} runs a non-HTTP function at once and answers 202', async () => {
  const adminRuns = () => events.filter((e) => e.reason === 'admin');
  let res = await adminPost('tick');
  assert.equal(res.status, 202);
  await waitFor(() => adminRuns().some((e) => e.functionName === 'tick' && e.outcome === 'succeeded'), 'admin tick');

  res = await adminPost('collect', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: `${container}/good.csv` }),
  });
  assert.equal(res.status, 202);
  await waitFor(
    () =>
      adminRuns().some((e) => e.functionName === 'collect' && e.blobName === 'good.csv' && e.outcome === 'succeeded'),
    'admin collect',
  );

  res = await adminPost('collect');
  assert.equal(res.status, 400);
  assert.match(await res.text(), new RegExp(`"input": "${container}/<blob name>"`));

  res = await adminPost('collect', { body: '{not json' });
  assert.equal(res.status, 400);

  res = await adminPost('thing');
  assert.equal(res.status, 400, 'HTTP functions are called at their route');

  res = await adminPost('nothing');
  assert.equal(res.status, 404);
});

test('runs of one timer never overlap: an invocation during a run waits for it, then runs, past due (over 1 s late)', async () => {
  const slowCalls = () =>
    ((globalThis as unknown as { __fixtureCalls?: FixtureCall[] }).__fixtureCalls ?? []).filter(
      (c) => c.fn === 'slowTick',
    ) as Array<FixtureCall & { started: number; ended: number; isPastDue: boolean }>;
  const [a, b] = await Promise.all([adminPost('slowTick'), adminPost('slowTick')]);
  assert.deepEqual([a.status, b.status], [202, 202]);
  await waitFor(
    (all) => all.filter((e) => e.functionName === 'slowTick' && e.outcome === 'succeeded').length === 2,
    'two slowTick runs',
  );
  const [first, second] = slowCalls();
  assert.ok(first && second);
  assert.ok(
    second.started >= first.ended,
    `second run started ${first.ended - second.started} ms before the first ended`,
  );
  assert.deepEqual([first.isPastDue, second.isPastDue], [false, true]);
  assert.deepEqual(
    events.filter((e) => e.functionName === 'slowTick').map((e) => e.reason),
    ['admin', 'admin'],
  );
});

test('stop() closes the HTTP server', async () => {
  const extra = await startHost({
    functions,
    storageFor: () => storage,
    env,
    port: 0,
    runTimers: false,
    log: () => {},
  });
  const res = await fetch(`${extra.url}/api/things`);
  assert.equal(res.status, 200);
  await extra.stop();
  await assert.rejects(fetch(`${extra.url}/api/things`));
});

test('host.json settings: poison threshold, parallelism and route prefix, with the Functions defaults', () => {
  const withJson = join(workDir, 'app-with-host-json');
  mkdirSync(withJson, { recursive: true });
  writeFileSync(
    join(withJson, 'host.json'),
    JSON.stringify({
      version: '2.0',
      extensions: { blobs: { poisonBlobThreshold: 3, maxDegreeOfParallelism: 2 }, http: { routePrefix: '' } },
    }),
  );
  assert.deepEqual(readHostJson(withJson), { routePrefix: '', poisonBlobThreshold: 3, maxDegreeOfParallelism: 2 });
  const without = join(workDir, 'app-without-host-json');
  mkdirSync(without, { recursive: true });
  assert.deepEqual(readHostJson(without), { routePrefix: 'api', poisonBlobThreshold: 5, maxDegreeOfParallelism: 8 });
});
