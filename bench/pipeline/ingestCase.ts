// Bench child: ingests one export blob the way the Functions host drives ingestExport: the blob's model
// binding data goes through the resource factory the library asks (src/functions/blobClientFactory.ts),
// and the handler streams the blob from the bench Azurite into a fresh store. Records the time the
// handler took. The blob is uploaded beforehand by the section, so this process never holds the file.
import { InvocationContext } from '@azure/functions';
import type { BlobClient } from '@azure/storage-blob';
import { makeIngestExportHandler } from '../../src/functions/ingestExport.js';
import { libraryResourceFactoryResolver } from '../../src/functions/blobClientFactory.js';
import { BLOB_BINDING_SOURCE, blobModelBindingData } from '../../src/storage/bindingBlobClient.js';
import { servicesFor } from '../../src/pipeline/services.js';
import { connectionString, dropStore, freshBenchStore, recordResult } from './common.js';

async function main(): Promise<void> {
  const [container, blobName, caseId] = process.argv.slice(2);
  if (container === undefined || blobName === undefined || caseId === undefined)
    throw new Error('usage: ingestCase CONTAINER BLOB CASE_ID');
  process.env['AzureWebJobsStorage'] = connectionString();
  const store = await freshBenchStore('ing');
  const data = blobModelBindingData({ connection: 'AzureWebJobsStorage', container, blobName });
  const client = libraryResourceFactoryResolver().createClient(BLOB_BINDING_SOURCE, data) as BlobClient;
  const { etag } = await client.getProperties();
  const context = new InvocationContext({
    functionName: 'ingestExport',
    triggerMetadata: { name: blobName, properties: { eTag: etag } },
    logHandler: () => {},
  });
  const handler = makeIngestExportHandler(() => servicesFor(store));
  const started = process.hrtime.bigint();
  const result = await handler(client, context);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result?.entry.status !== 'completed')
    throw new Error(`ingestion ended ${result?.entry.status ?? 'without reading the blob'}`);
  const { entry } = result;
  recordResult(caseId, {
    ms,
    rows: entry.rowsRead,
    entities: entry.sessions + entry.meetingDetails,
    skipped: entry.skipped,
  });
  await dropStore(store);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingestCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
