// The analysis stops starting meetings once storage cannot be reached (an Azurite of its own, killed
// after the marks are listed): it fails at most the meetings already in progress, instead of failing
// every marked meeting until its deadline; the marks stay for the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { startAzurite } from '../../src/local/azuriteProcess.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import type { PipelineLog } from '../../src/pipeline/log.js';
import { generated } from './pipelineFixtures.js';

test('storage lost during an analysis: the run stops early, the meetings not analysed stay marked', async () => {
  const azurite = await startAzurite();
  try {
    const store = openStore(
      storageClientsFromConnectionString(azurite.connectionString, { maxRetries: 1, retryDelayInMs: 50 }),
      prefixedStoreNames('gone'),
    );
    await store.ensureCreated();
    const { text, truth } = generated({ records: 1500, seed: 11 });
    await ingestExport({ blobName: 'e.ndjson', content: Buffer.from(text) }, { store });
    assert.ok(truth.meetings > 40, `enough meetings to tell stopping from failing each (${truth.meetings})`);

    // The real Azurite dies right after the marks are read.
    const marks = Object.create(store.marks) as Store['marks'];
    marks.listPending = async () => {
      const pending = await store.marks.listPending();
      process.kill(azurite.pid!, 'SIGKILL');
      await azurite.exited;
      return pending;
    };
    const errors: string[] = [];
    const log: PipelineLog = { info: () => {}, warn: () => {}, error: (m: string) => errors.push(m) };
    const concurrency = 4;
    const run = await analyseMarkedMeetings(
      { store: { ...store, marks }, concurrency },
      { deadline: Date.now() + 600_000, log },
    );

    assert.equal(run.marked, truth.meetings);
    assert.equal(run.stoppedByUnreachableStorage, true);
    assert.equal(run.stoppedByDeadline, false);
    assert.equal(run.analysed, 0);
    assert.ok(run.failed >= 1 && run.failed <= concurrency, `only the meetings in progress fail (${run.failed})`);
    assert.equal(run.remaining, run.marked - run.failed, 'the meetings not started are left for the next run');
    assert.equal(
      errors.filter((e) => /storage cannot be reached; no further meetings are started/.test(e)).length,
      1,
      errors.join('\n'),
    );
  } finally {
    await azurite.stop();
  }
});
