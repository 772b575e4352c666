// ingestExport is an SDK-type blob trigger: captured the way the Node worker sees it, its binding asks
// the host for model binding data, our factory is the one the library finds for it, and an invocation
// with the host's model binding data (no bytes) ingests the blob from the test Azurite, storing what an
// ingestion of the same bytes in memory stores. Runs in its own process: nothing may load
// @azure/functions before the capture.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  captureRegistrations,
  usesDeferredBinding,
  type CapturedFunction,
} from '../../src/local/captureRegistrations.js';
import { testConnectionString, freshStore } from '../storage/testStore.js';
import { dumpTable, generated } from '../pipeline/pipelineFixtures.js';
import type { Store } from '../../src/storage/store.js';

let ingest: CapturedFunction;
let store: Store;

before(async () => {
  store = await freshStore('sdk');
  process.env['AzureWebJobsStorage'] = testConnectionString();
  process.env['EXPORTS_CONTAINER'] = store.names.containers.exports;
  const root = join(__dirname, '..', '..', '..');
  const functions = await captureRegistrations({
    packageRoot: root,
    files: [join(root, 'dist', 'src', 'functions', 'ingestExport.js')],
  });
  ingest = functions.find((f) => f.name === 'ingestExport')!;
  assert.ok(ingest, `registered: ${functions.map((f) => f.name).join(', ')}`);
  // The handler's services use this store.
  const services = require('../../src/pipeline/services.js') as typeof import('../../src/pipeline/services.js');
  services.usePipelineServices(services.servicesFor(store));
});

test('the blob trigger is registered with sdkBinding, and our factory answers for blob binding data', () => {
  assert.equal(ingest.trigger.type, 'blobTrigger');
  assert.deepEqual(ingest.trigger['properties'], { supportsDeferredBinding: 'true' });
  assert.ok(usesDeferredBinding(ingest.trigger));
  const { libraryResourceFactoryResolver, registerBlobClientFactory } =
    require('../../src/functions/blobClientFactory.js') as typeof import('../../src/functions/blobClientFactory.js');
  const resolver = libraryResourceFactoryResolver();
  assert.ok(resolver.hasResourceFactory('AzureStorageBlobs'));
  assert.equal(registerBlobClientFactory(resolver), false, 'registered once, when ingestExport loaded');
  assert.throws(() => resolver.createClient('AzureStorageBlobs', []), /receives one blob, not a collection/);
});

test('an invocation with model binding data streams the blob and stores what the bytes in memory store', async () => {
  const { text, truth } = generated({
    records: 800,
    seed: 51,
    format: 'purview-v3',
    badRowShare: 0.02,
    meetingIdPrefix: 'f1',
  });
  const blobName = 'uploads/june.csv';
  const uploaded = await store.exports.getBlockBlobClient(blobName).uploadData(Buffer.from(text));
  const messages: string[] = [];
  /** Invokes the trigger on the blob with the host's model binding data (no `content`), as the Functions host does. */
  const invoke = (uri: string, contentLength: number) =>
    ingest.invoke(
      {
        kind: 'blob',
        container: store.names.containers.exports,
        blobName,
        uri,
        properties: { eTag: uploaded.etag!, contentLength },
        pathParams: { name: blobName },
      },
      { log: (e) => messages.push(`${e.level}: ${e.message}`) },
    );
  await invoke(`http://127.0.0.1/${blobName}`, text.length);
  assert.ok(!messages.some((m) => /sent the blob's bytes/.test(m)), messages.join('\n'));
  const entry = await store.ledger.get(blobName, uploaded.etag);
  assert.equal(entry?.status, 'completed');
  assert.equal(entry?.rowsRead, truth.rows);
  assert.equal(entry?.sessions, truth.sessionRecords);
  assert.equal(entry?.rejected, truth.badRows);

  // The same bytes ingested from memory into another store give the same rows and ledger entry.
  const { ingestExport } = require('../../src/pipeline/ingest.js') as typeof import('../../src/pipeline/ingest.js');
  const other = await freshStore('sdm');
  const memory = await ingestExport({ blobName, etag: uploaded.etag!, content: Buffer.from(text) }, { store: other });
  const strip = (e: object): object =>
    Object.fromEntries(Object.entries(e).filter(([k]) => !['startedAt', 'finishedAt', 'durationMs'].includes(k)));
  assert.deepEqual(strip(entry), strip(memory.entry));
  assert.deepEqual(await dumpTable(store.sessions.client), await dumpTable(other.sessions.client));
  assert.deepEqual(await dumpTable(store.meetings.client), await dumpTable(other.meetings.client));

  // The same version again is skipped by its ETag; a version replaced since the trigger is not read.
  await invoke('', 0);
  assert.ok(messages.some((m) => /was already ingested on .*; skipped/.test(m)));
  await store.exports.getBlockBlobClient(blobName).upload('x', 1);
  await invoke('', 0);
  assert.ok(
    messages.some((m) =>
      /^warning: ingestExport: The blob "uploads\/june\.csv" was replaced after it triggered this invocation/.test(m),
    ),
    messages.join('\n'),
  );
});
