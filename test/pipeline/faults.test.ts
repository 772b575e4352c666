// Faults: storage going away in the middle of an ingestion, and concurrent ingestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../src/local/azuriteProcess.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames } from '../../src/storage/store.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { freshStore } from '../storage/testStore.js';
import { DETAILS_ONLY, countRows, dumpTable, generated, ndjson, ndjsonLines } from './pipelineFixtures.js';

test('Azurite stopped mid-ingestion fails the invocation; after a restart the retry completes with nothing lost or duplicated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'azurite-fault-'));
  let azurite: RunningAzurite | undefined = await startAzurite({ location: dir });
  try {
    const ports = azurite.ports;
    const fast = { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 200 };
    const store = openStore(
      storageClientsFromConnectionString(azurite.connectionString, fast),
      prefixedStoreNames('fault'),
    );
    await store.ensureCreated();
    const { text, truth } = generated({ records: 8000, seed: 17 });
    const content = Buffer.from(text);
    const input = { blobName: 'big.ndjson', etag: '"0xF"', content };

    let committed = 0;
    let stopping: Promise<void> | undefined;
    const running = azurite;
    await assert.rejects(
      ingestExport(input, {
        store,
        onTransaction: () => {
          committed++;
          if (committed === 15) stopping = running.stop();
        },
      }),
      (e: unknown) => e instanceof Error && /Ingestion of "big\.ndjson" failed after \d+ rows: /.test(e.message),
    );
    assert.ok(stopping, 'Azurite was stopped during the ingestion');
    await stopping;
    assert.ok(committed < truth.sessionRecords / 100, 'the ingestion was cut short');

    azurite = await startAzurite({ location: dir, ports });
    const retried = await ingestExport(input, { store });
    assert.equal(retried.outcome, 'completed');
    assert.equal(retried.entry.attempts, 2, 'the ledger counts both attempts');
    assert.equal(retried.entry.sessions, truth.sessionRecords);
    assert.equal(await countRows(store.sessions.client), truth.sessionRecords);
    assert.equal(await countRows(store.meetings.client, DETAILS_ONLY), truth.meetingDetailRecords);
    assert.equal((await store.marks.listPending()).length, truth.meetings);

    // The same state as an ingestion that never failed.
    const clean = openStore(storageClientsFromConnectionString(azurite.connectionString), prefixedStoreNames('clean'));
    await clean.ensureCreated();
    await ingestExport(input, { store: clean });
    assert.deepEqual(await dumpTable(store.sessions.client), await dumpTable(clean.sessions.client));
    assert.deepEqual(await dumpTable(store.meetings.client), await dumpTable(clean.meetings.client));
    assert.deepEqual(await dumpTable(store.users.client), await dumpTable(clean.users.client));
  } finally {
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent ingestion of overlapping exports ends in the same state as sequential ingestion', async () => {
  const { text } = generated({ records: 3000, seed: 29 });
  const lines = ndjsonLines(text);
  const third = Math.floor(lines.length / 3);
  const files = [
    { blobName: 'p1.ndjson', etag: '"1"', content: ndjson(lines.slice(0, 2 * third)) },
    { blobName: 'p2.ndjson', etag: '"1"', content: ndjson(lines.slice(third)) },
    { blobName: 'p3.ndjson', etag: '"1"', content: ndjson([...lines.slice(0, third / 2), ...lines.slice(2 * third)]) },
  ];
  const sequential = await freshStore('seq');
  for (const f of files) await ingestExport(f, { store: sequential });
  const concurrent = await freshStore('con');
  await Promise.all(files.map((f) => ingestExport(f, { store: concurrent })));

  const noSource = ['sourceFile', 'sourceLine'];
  assert.deepEqual(
    await dumpTable(concurrent.sessions.client, noSource),
    await dumpTable(sequential.sessions.client, noSource),
  );
  assert.deepEqual(
    await dumpTable(concurrent.meetings.client, noSource),
    await dumpTable(sequential.meetings.client, noSource),
  );
  // Users too, seenAt included: it is the latest record time of any export that named the id, whatever the order.
  assert.deepEqual(await dumpTable(concurrent.users.client), await dumpTable(sequential.users.client));
  // Marks name the same bundles and details (their times and tokens differ).
  assert.deepEqual(
    await dumpTable(concurrent.marks.client, ['markedAt', 'token']),
    await dumpTable(sequential.marks.client, ['markedAt', 'token']),
  );

  await analyseMarkedMeetings({ store: sequential }, { deadline: Date.now() + 600_000 });
  await analyseMarkedMeetings({ store: concurrent }, { deadline: Date.now() + 600_000 });
  const results = async (store: typeof sequential) => ({
    listings: await dumpTable(store.meetingResults.client, ['analysedAt', 'data']),
    disconnections: await dumpTable(store.disconnections.client),
    aggregates: await dumpTable(store.aggregates.client),
  });
  assert.deepEqual(await results(concurrent), await results(sequential));
});
