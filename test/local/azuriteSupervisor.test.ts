// npm start's supervised Azurite under the local host running the REAL registrations: Azurite (its own
// instance, with a data folder) is SIGKILLed; the host log says so and what happens next, a timer fired
// while it is down waits and runs once the restart is through, /api/health shows the restart (attempt k
// of N); when it cannot be restarted, the log and /api/health say what to do. The pause before each
// restart is a gate the test opens, so the order of events is fixed, not timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { startSupervisedHost, type SupervisedHost } from './localHost.fixture.js';

let sup: SupervisedHost;
let openGate: (() => void) | undefined;
let blocker: Server | undefined;

const waitFor = (predicate: () => boolean, what: string) => sup.waitFor(predicate, what);
const logged = (pattern: RegExp) => sup.logged(pattern);
const health = () => sup.health();

/** Kills the running Azurite as a crash would, and waits until the supervisor is about to restart it. */
async function crash(): Promise<void> {
  openGate = undefined;
  process.kill(sup.storage.supervisor.pid()!, 'SIGKILL');
  await waitFor(() => openGate !== undefined, 'the supervisor to wait before restarting');
}

before(async () => {
  sup = await startSupervisedHost({
    prefix: 'sup',
    storage: {
      supervisor: {
        maxAttempts: 2,
        sleep: () =>
          new Promise<void>((resolve) => {
            openGate = resolve;
          }),
      },
    },
    // As npm start does: what Azurite had not saved when it died (tables created just before) is created again.
    recreateAfterRestart: true,
    clientRetry: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 100 },
    blobPollIntervalMs: 200,
    timeoutMs: 60_000,
  });
});

after(async () => {
  await sup?.stop();
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
  assert.ok(logged(/^Azurite stopped unexpectedly \(signal SIGKILL\) after running /), sup.lines.join('\n'));
  assert.ok(
    logged(
      /^Storage is down: timers and blob triggers wait, reports answer 503\. Restarting Azurite in .* \(attempt 1 of 2\)$/,
    ),
    sup.lines.join('\n'),
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
  assert.equal(body.storage.emulator.lastExit?.how, 'signal SIGKILL');
});

test('a timer fired while storage is down waits, and runs once Azurite is back', async () => {
  const res = await fetch(`${sup.host.url}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': sup.host.adminKey },
  });
  assert.equal(res.status, 202);
  await waitFor(
    () =>
      logged(/^'analyzeDisconnections' waits: Azurite is restarting \(attempt 1 of 2\); it runs once storage is back$/),
    'the wait line',
  );
  assert.equal(
    sup.events.filter((e) => e.functionName === 'analyzeDisconnections').length,
    0,
    'the timer has not run against dead storage',
  );

  openGate!();
  await waitFor(
    () => logged(/^Azurite restarted \(attempt 1 of 2\); storage is back, timers and blob triggers resume$/),
    'the restart',
  );
  await waitFor(() => sup.events.some((e) => e.functionName === 'analyzeDisconnections'), 'the analysis');
  const run = sup.events.find((e) => e.functionName === 'analyzeDisconnections')!;
  assert.equal(run.outcome, 'succeeded', run.error);

  const { status, body } = await health();
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.storage.reachable, true);
  assert.deepEqual([body.storage.emulator.state, body.storage.emulator.restarts], ['running', 1]);
  assert.equal(body.storage.emulator.lastExit?.how, 'signal SIGKILL');
});

test('Azurite that cannot be restarted: bounded attempts, then the log and health say what to do; timers fail fast', async () => {
  // A crash soon after a restart counts as the next attempt; a port taken by something else makes it fail.
  const blob = Number(/BlobEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(sup.storage.connectionString)![1]);
  await crash();
  assert.ok(logged(/Restarting Azurite in .* \(attempt 2 of 2\)$/), sup.lines.join('\n'));
  // It accepts connections (the port is taken) and drops them, so no client waits on it for an answer.
  blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker!.listen(blob, '127.0.0.1', resolve));
  openGate!();
  await waitFor(
    () => logged(/^Azurite restart attempt 2 of 2 failed: Port \d+ is already in use/),
    'the failed attempt',
  );
  await waitFor(() => logged(/^Azurite could not be kept running: 2 restart attempts/), 'giving up');
  const final = sup.lines.find((l) => /^Azurite could not be kept running/.test(l))!;
  assert.match(
    final,
    /Storage stays down: reports answer 503, and timers and blob triggers fail with this message\. Stop npm start \(Ctrl-C\) and start it again/,
  );

  const { status, body } = await health();
  assert.equal(status, 503);
  assert.equal(body.storage.emulator.state, 'failed');
  assert.match(body.storage.emulator.action ?? '', /Stop npm start \(Ctrl-C\) and start it again/);
  assert.match(body.storage.problem ?? '', /^Azurite could not be restarted; Stop npm start/);

  const before = sup.events.length;
  const res = await fetch(`${sup.host.url}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': sup.host.adminKey },
  });
  assert.equal(res.status, 202);
  await waitFor(() => sup.events.length > before, 'the refused timer run');
  const run = sup.events[sup.events.length - 1]!;
  assert.equal(run.outcome, 'failed');
  assert.match(run.error ?? '', /^Azurite could not be restarted; Stop npm start/);
});
