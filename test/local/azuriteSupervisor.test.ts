// npm start's supervised Azurite under the local host running the REAL registrations: Azurite (its own
// instance, with a data folder) is SIGKILLed; the host log says so and what happens next, a timer fired
// while it is down waits and runs once the restart is through, /api/health shows the restart (attempt k
// of N); when it cannot be restarted, the log and /api/health say what to do. The pause before each
// restart is a gate the test opens, so the order of events is fixed, not timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { captureRegistrations, findPackageRoot } from '../../src/local/captureRegistrations.js';
import { readHostJson, startHost, type InvocationEvent, type RunningHost } from '../../src/local/host.js';
import { freePort } from '../../src/local/azuriteProcess.js';
import { startSupervisedStorage, type SupervisedStorage } from '../../src/local/supervisedStorage.js';
import { storageClientsFromConnectionString, type StorageClients } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';

const lines: string[] = [];
const events: InvocationEvent[] = [];
let storage: SupervisedStorage;
let host: RunningHost;
let openGate: (() => void) | undefined;
let blocker: Server | undefined;
let clients: StorageClients;
let store: Store;

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; log:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function logged(pattern: RegExp): boolean {
  return lines.some((l) => pattern.test(l));
}

async function health(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${host.url}/api/health`);
  return { status: res.status, body: await res.json() };
}

/** Kills the running Azurite as a crash would, and waits until the supervisor is about to restart it. */
async function crash(): Promise<void> {
  openGate = undefined;
  process.kill(storage.supervisor.pid()!, 'SIGKILL');
  await waitFor(() => openGate !== undefined, 'the supervisor to wait before restarting');
}

before(async () => {
  const location = join(mkdtempSync(join(tmpdir(), 'supervised-')), 'azurite');
  storage = await startSupervisedStorage({
    location,
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
    log: (line) => lines.push(line),
    // As npm start does: what Azurite had not saved when it died (tables created just before) is created again.
    afterRestart: () => store.ensureCreated(),
    supervisor: {
      maxAttempts: 2,
      sleep: () =>
        new Promise<void>((resolve) => {
          openGate = resolve;
        }),
    },
  });
  const connection = storage.connectionString;
  clients = storageClientsFromConnectionString(connection, {
    maxRetries: 1,
    retryDelayInMs: 50,
    maxRetryDelayInMs: 100,
  });
  store = openStore(clients, prefixedStoreNames('sup'));
  await store.ensureCreated();
  usePipelineServices(servicesFor(store));
  process.env['AzureWebJobsStorage'] = connection;
  process.env['EXPORTS_CONTAINER'] = store.names.containers.exports;

  const packageRoot = findPackageRoot(__dirname);
  const functions = await captureRegistrations({ packageRoot });
  host = await startHost({
    functions: storage.guard(functions, {
      exportsContainer: store.names.containers.exports,
      ledger: store.ledger,
      blobService: clients.blobService,
      healthFunction: 'reportHealth',
    }),
    storageFor: () => clients,
    port: 0,
    hostJson: readHostJson(packageRoot),
    blobPollIntervalMs: 200,
    runTimers: false,
    log: (line) => lines.push(line),
    functionLog: () => {},
  });
  host.onInvocation((e) => events.push(e));
});

after(async () => {
  await host?.stop();
  await storage?.stop();
  blocker?.close();
});

test('health shows the emulator running before anything happens', async () => {
  const { status, body } = await health();
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.storage.emulator.state, 'running');
  assert.equal(body.storage.emulator.restarts, 0);
  assert.equal(body.storage.emulator.maxAttempts, 2);
});

test('Azurite killed: the log says how it ended and what happens next; health says restarting, attempt 1 of 2', async () => {
  await crash();
  assert.ok(logged(/^Azurite stopped unexpectedly \(signal SIGKILL\) after running /), lines.join('\n'));
  assert.ok(
    logged(
      /^Storage is down: timers and blob triggers wait, reports answer 503\. Restarting Azurite in .* \(attempt 1 of 2\)$/,
    ),
    lines.join('\n'),
  );
  const { status, body } = await health();
  assert.equal(status, 503);
  assert.equal(body.status, 'unavailable');
  assert.equal(body.storage.reachable, false);
  assert.equal(body.storage.problem, 'Azurite is restarting (attempt 1 of 2)');
  assert.deepEqual(
    [body.storage.emulator.state, body.storage.emulator.attempt, body.storage.emulator.maxAttempts],
    ['restarting', 1, 2],
  );
  assert.equal(body.storage.emulator.lastExit.how, 'signal SIGKILL');
});

test('a timer fired while storage is down waits, and runs once Azurite is back', async () => {
  const res = await fetch(`${host.url}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': host.adminKey },
  });
  assert.equal(res.status, 202);
  await waitFor(
    () =>
      logged(/^'analyzeDisconnections' waits: Azurite is restarting \(attempt 1 of 2\); it runs once storage is back$/),
    'the wait line',
  );
  assert.equal(
    events.filter((e) => e.functionName === 'analyzeDisconnections').length,
    0,
    'the timer has not run against dead storage',
  );

  openGate!();
  await waitFor(
    () => logged(/^Azurite restarted \(attempt 1 of 2\); storage is back, timers and blob triggers resume$/),
    'the restart',
  );
  await waitFor(() => events.some((e) => e.functionName === 'analyzeDisconnections'), 'the analysis');
  const run = events.find((e) => e.functionName === 'analyzeDisconnections')!;
  assert.equal(run.outcome, 'succeeded', run.error);

  const { status, body } = await health();
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.storage.reachable, true);
  assert.deepEqual([body.storage.emulator.state, body.storage.emulator.restarts], ['running', 1]);
  assert.equal(body.storage.emulator.lastExit.how, 'signal SIGKILL');
});

test('Azurite that cannot be restarted: bounded attempts, then the log and health say what to do; timers fail fast', async () => {
  // A crash soon after a restart counts as the next attempt; a port taken by something else makes it fail.
  const blob = Number(/BlobEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(storage.connectionString)![1]);
  await crash();
  assert.ok(logged(/Restarting Azurite in .* \(attempt 2 of 2\)$/), lines.join('\n'));
  // It accepts connections (the port is taken) and drops them, so no client waits on it for an answer.
  blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker!.listen(blob, '127.0.0.1', resolve));
  openGate!();
  await waitFor(
    () => logged(/^Azurite restart attempt 2 of 2 failed: Port \d+ is already in use/),
    'the failed attempt',
  );
  await waitFor(() => logged(/^Azurite could not be kept running: 2 restart attempts/), 'giving up');
  const final = lines.find((l) => /^Azurite could not be kept running/.test(l))!;
  assert.match(
    final,
    /Storage stays down: reports answer 503, and timers and blob triggers fail with this message\. Stop npm start \(Ctrl-C\) and start it again/,
  );

  const { status, body } = await health();
  assert.equal(status, 503);
  assert.equal(body.storage.emulator.state, 'failed');
  assert.match(body.storage.emulator.action, /Stop npm start \(Ctrl-C\) and start it again/);
  assert.match(body.storage.problem, /^Azurite could not be restarted; Stop npm start/);

  const before = events.length;
  const res = await fetch(`${host.url}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': host.adminKey },
  });
  assert.equal(res.status, 202);
  await waitFor(() => events.length > before, 'the refused timer run');
  const run = events[events.length - 1]!;
  assert.equal(run.outcome, 'failed');
  assert.match(run.error ?? '', /^Azurite could not be restarted; Stop npm start/);
});
