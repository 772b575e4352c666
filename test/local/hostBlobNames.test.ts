// Blob names the Azure blob trigger hands to a function, through the local host (stand-in function,
// test Azurite): each odd name is invoked once with the name unchanged, its receipt keeps it from
// running again (also after a restart), and the host log shows it escaped on one line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CapturedFunction } from '../../src/local/captureRegistrations.js';
import { startHost, type InvocationEvent, type RunningHost } from '../../src/local/host.js';
import { escapeForLog } from '../../src/local/logText.js';
import type { StorageClients } from '../../src/storage/clients.js';
import type { FixtureCall } from '../fixtures/functions/fixtureLog.js';
import {
  assertSecondHostRunsNothing,
  captureStandIns,
  startStandInHost,
  testStorage,
  type WatchedHost,
} from './localHost.fixture.js';

const container = `names-${randomBytes(4).toString('hex')}`;
const env = { ...process.env, FIXTURE_CONTAINER: container };

/** Names Azure Storage accepts and the Functions blob trigger passes on: label, name, and the name as stored if it differs. */
const ODD_NAMES: ReadonlyArray<readonly [string, string, string?]> = [
  ['a newline', 'line\nbreak.csv'],
  ['a carriage return', 'carriage\rreturn.csv'],
  ['a tab, DEL and a C1 control', 'tab\there\u007f\u0085.csv'],
  [
    'a line that forges a host log line',
    "x.csv', Attempt=1)\n[12:00:00.000] Executed 'collect' (Succeeded, Id=deadbeef, Duration=1ms)",
  ],
  ['a line separator', 'line\u2028separator.csv'],
  ['#', 'hash#name.csv'],
  ['% and a %-sequence', 'percent%20and%.csv'],
  ['an XML character reference', 'amp&#xD;literal.csv'],
  ['? & =', 'weird?&x=1.csv'],
  ['unicode and emoji', 'Export März 2026 – Teams ü 📊.csv'],
  ['a right-to-left override', 'report\u202Evsc.exe'],
  ['spaces at both ends', ' spaced name .csv '],
  // Storage turns a backslash into a slash; the trigger sees the stored name.
  ['a backslash', 'back\\slash.csv', 'back/slash.csv'],
  ['folders', '2026/03/nested/export.csv'],
  ['a formula start', '=HYPERLINK("x").csv'],
  ['1,000 characters', `${'n'.repeat(996)}.csv`],
  ['1,024 characters (the limit) in folders', `${'d/'.repeat(300)}${'f'.repeat(420)}.csv`],
];
const STORED = ODD_NAMES.map(([, name, stored]) => stored ?? name);

let functions: CapturedFunction[];
let storage: StorageClients;
let local: WatchedHost;
let host: RunningHost;
let events: InvocationEvent[];
let logLines: string[];

function calls(): FixtureCall[] {
  return ((globalThis as unknown as { __fixtureCalls?: FixtureCall[] }).__fixtureCalls ?? []).filter(
    (c) => c.fn === 'collect',
  );
}

const waitFor = (predicate: () => boolean, what: string) => local.waitFor(predicate, what);

before(async () => {
  functions = await captureStandIns(['blobFixture.js']);
  storage = testStorage();
  const client = storage.blobService.getContainerClient(container);
  await client.create();
  for (const [, name] of ODD_NAMES) await client.getBlockBlobClient(name).upload('a,b\n', 4);
  local = await startStandInHost({
    functions,
    storage,
    env,
    host: { hostJson: { poisonBlobThreshold: 2 }, blobPollIntervalMs: 100, blobRetryDelayMs: 10 },
  });
  ({ host, events, lines: logLines } = local);
});

after(async () => {
  await host?.stop();
});

for (const [label, uploaded, stored] of ODD_NAMES) {
  const name = stored ?? uploaded;
  test(`a blob name with ${label} is processed once, under its own name`, async () => {
    assert.ok(name.length <= 1024);
    await waitFor(() => events.some((e) => e.blobName === name), `the blob named with ${label}`);
    assert.deepEqual(
      events.filter((e) => e.blobName === name).map((e) => [e.outcome, e.attempt]),
      [['succeeded', 1]],
    );
    const call = calls().find((c) => c.name === name);
    assert.ok(call, 'the function got the name as {name}');
    assert.equal(call.blobTrigger, `${container}/${name}`);
    assert.equal(call.text, 'a,b\n', 'and the content of that very blob');
    const shown = `${container}/${escapeForLog(name)}`;
    assert.ok(
      logLines.some((l) => l.includes(`(Reason='New blob detected: ${shown}', Attempt=1)`)),
      'the log names it, escaped',
    );
  });
}

test('the host log has one line per entry, whatever the names hold', async () => {
  await waitFor(() => STORED.every((name) => events.some((e) => e.blobName === name)), 'every blob');
  for (const line of logLines) {
    assert.doesNotMatch(
      line,
      // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/,
      `a raw control character in ${JSON.stringify(line)}`,
    );
  }
  assert.ok(!logLines.some((l) => l.startsWith('[12:00:00.000]')), 'no forged line');
});

test('processed odd names are not run again, by later polls or by a restarted host (their receipts are readable)', async () => {
  await waitFor(() => STORED.every((name) => events.some((e) => e.blobName === name)), 'every blob');
  const before = events.length;
  await host.pollBlobsNow();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(events.length, before);

  await assertSecondHostRunsNothing({ functions, storage, env });
});

test('the admin API takes the same odd names', async () => {
  const name = STORED[0]!;
  const res = await fetch(`${host.url}/admin/functions/collect`, {
    method: 'POST',
    headers: { 'x-functions-key': host.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ input: `${container}/${name}` }),
  });
  assert.equal(res.status, 202, await res.text());
  await waitFor(
    () => events.some((e) => e.reason === 'admin' && e.blobName === name && e.outcome === 'succeeded'),
    'the admin run',
  );
  assert.ok(
    logLines.some(
      (l) => l === `Executing 'collect' (Reason='Invoked via the admin API: ${container}/${escapeForLog(name)}')`,
    ),
  );
});

test('a container Azurite cannot list (a name with U+0001) is reported with what to do; other containers go on', async () => {
  const bad = `names-bad-${randomBytes(4).toString('hex')}`;
  const client = storage.blobService.getContainerClient(bad);
  await client.create();
  await client.getBlockBlobClient('control\u0001char.csv').upload('a,b\n', 4);
  const lines: string[] = [];
  const other = await startHost({
    functions,
    storageFor: () => storage,
    env: { ...env, FIXTURE_CONTAINER: bad },
    port: 0,
    runTimers: false,
    blobPollIntervalMs: 60_000,
    log: (line) => lines.push(line),
  });
  try {
    await other.pollBlobsNow();
    await other.pollBlobsNow();
    const reports = lines.filter((l) => l.startsWith(`Scanning ${bad} for 'collect' failed: `));
    assert.equal(reports.length, 1, `logged once while it lasts: ${lines.join(' / ')}`);
    assert.match(reports[0]!, /\(HTTP 500\).*control character .*rename or delete that blob/);
  } finally {
    await other.stop();
  }
});
