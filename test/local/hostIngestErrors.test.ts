// The local host's retry path with the REAL ingestExport registration: a blob that cannot be read at
// all is invoked once (its ledger entry says failed, permanent), while a storage failure fails the
// invocation and the host's retry ingests it. Storage faults come from a TCP relay in front of the test
// Azurite's table endpoint that drops connections while told to. Runs in its own process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import { generated } from '../pipeline/pipelineFixtures.js';
import { testConnectionString } from '../storage/testStore.js';
import { startRealHost, type RealHost } from './localHost.fixture.js';

let relay: { server: Server; port: number; dropping: boolean; sockets: Set<Socket> };
let store: Store;
let real: RealHost;

/** Relays TCP to `port`; while `dropping`, new and open connections are destroyed. */
async function startRelay(port: number): Promise<typeof relay> {
  const state = { dropping: false, sockets: new Set<Socket>() } as typeof relay;
  state.server = createServer((client) => {
    if (state.dropping) {
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      state.sockets.add(s);
      s.on('close', () => state.sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as { port: number }).port;
  return state;
}

function eventsFor(blobName: string): Array<[string, number | undefined]> {
  return real.events
    .filter((e) => e.functionName === 'ingestExport' && e.blobName === blobName)
    .map((e) => [e.outcome, e.attempt]);
}

before(async () => {
  const connection = testConnectionString();
  const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)\//.exec(connection)?.[1]);
  assert.ok(tablePort > 0, 'the test connection string names a table endpoint');
  relay = await startRelay(tablePort);
  // The pipeline's tables go through the relay (no SDK retries: the host's retry is under test);
  // the blobs, which the host lists and the binding reads, do not.
  const relayed = connection.replace(
    /TableEndpoint=http:\/\/127\.0\.0\.1:\d+\//,
    `TableEndpoint=http://127.0.0.1:${relay.port}/`,
  );
  store = openStore(
    storageClientsFromConnectionString(relayed, { maxRetries: 0 }),
    prefixedStoreNames(`herr${process.pid}`),
  );
  await store.ensureCreated();
  real = await startRealHost({ store, host: { blobPollIntervalMs: 200, blobRetryDelayMs: 500 }, timeoutMs: 90_000 });
  assert.ok(real.hostJson.poisonBlobThreshold >= 2, 'host.json allows a retry');
});

after(async () => {
  await real?.host.stop();
  for (const s of relay?.sockets ?? []) s.destroy();
  relay?.server.close();
});

test('an empty blob and a blob that is not an export are invoked once: the ledger says failed, permanent, not retried', async () => {
  const cases = [
    { name: 'empty.csv', bytes: Buffer.alloc(0), reason: /cannot be read: the file is empty\. It is not retried/ },
    {
      name: 'photo.csv',
      bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 7)]),
      reason: /cannot be read: the file is a PDF document, not an export/,
    },
  ];
  for (const c of cases) {
    const uploaded = await store.exports.getBlockBlobClient(c.name).uploadData(c.bytes);
    await real.waitFor(() => eventsFor(c.name).length > 0, `ingestExport of ${c.name}`);
    const entry = await store.ledger.get(c.name, uploaded.etag);
    assert.equal(entry?.status, 'failed');
    assert.equal(entry?.permanent, true);
    assert.equal(entry?.attempts, 1);
    assert.match(entry?.error ?? '', c.reason);
  }
  // Later polls see receipts: still one invocation each.
  await real.host.pollBlobsNow();
  await real.host.pollBlobsNow();
  for (const c of cases) assert.deepEqual(eventsFor(c.name), [['succeeded', 1]]);
});

test('a storage failure fails the invocation; the host retries and the export is ingested', async () => {
  const { text, truth } = generated({ records: 200, seed: 71, format: 'purview-v3', meetingIdPrefix: 'f7' });
  relay.dropping = true;
  for (const s of relay.sockets) s.destroy(); // kept-alive connections too
  const uploaded = await store.exports.getBlockBlobClient('flaky.csv').uploadData(Buffer.from(text));
  await real.waitFor(() => eventsFor('flaky.csv').length > 0, 'the first attempt');
  relay.dropping = false;
  await real.waitFor(() => eventsFor('flaky.csv').some(([outcome]) => outcome !== 'failed'), 'the retry');
  // The relay is switched back on when the first failure is seen; on a busy machine a retry may already be under
  // way then, so the failures before the success are counted, not fixed: at least one, then one success.
  const outcomes = eventsFor('flaky.csv');
  const failures = outcomes.length - 1;
  assert.ok(failures >= 1, 'the first attempt failed');
  assert.deepEqual(outcomes, [
    ...Array.from({ length: failures }, (_, i) => ['failed', i + 1]),
    ['succeeded', failures + 1],
  ]);
  const entry = await store.ledger.get('flaky.csv', uploaded.etag);
  assert.equal(entry?.status, 'completed');
  assert.equal(entry?.rowsRead, truth.rows);
  assert.equal(entry?.permanent, undefined);
});
