// Blob trigger ingestExport: a new export in the exports container (%EXPORTS_CONTAINER%) is parsed and
// stored by src/pipeline/ingest.ts: plain, gzip-compressed, or a zip archive of exports, recognised from
// its bytes (the blob arrives whole, as a Buffer). The trigger source comes from EXPORTS_TRIGGER_SOURCE
// (EventGrid by default; Flex Consumption supports only EventGrid). A file that cannot be read fails the
// invocation.
import { app, type InvocationContext } from '@azure/functions';
import { SETTINGS, setting } from '../names.js';
import { ingestExport, type IngestResult } from '../pipeline/ingest.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';

export const FUNCTION_NAME = 'ingestExport';

export type BlobTriggerSource = 'EventGrid' | 'LogsAndContainerScan';

/** The trigger source from its app setting; anything else stops the app from loading, with a message. */
export function blobTriggerSource(env: NodeJS.ProcessEnv = process.env): BlobTriggerSource {
  const value = setting(SETTINGS.blobTriggerSource, env);
  if (value === 'EventGrid' || value === 'LogsAndContainerScan') return value;
  throw new Error(`App setting ${SETTINGS.blobTriggerSource} must be EventGrid or LogsAndContainerScan, not "${value}"`);
}

/** The blob name and ETag the host passes in the trigger metadata (`{name}` token, blob properties). */
export function blobIdentity(context: InvocationContext): { blobName: string; etag?: string } {
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  let blobName = typeof metadata.name === 'string' ? metadata.name : '';
  if (blobName === '' && typeof metadata.blobTrigger === 'string') blobName = metadata.blobTrigger.replace(/^[^/]*\//, '');
  if (blobName === '') throw new Error(`${FUNCTION_NAME}: the trigger metadata has no blob name`);
  const properties = (metadata.properties ?? {}) as Record<string, unknown>;
  const etag = [properties.eTag, properties.etag, properties.ETag].find((v): v is string => typeof v === 'string' && v !== '');
  return etag === undefined ? { blobName } : { blobName, etag };
}

export function makeIngestExportHandler(services: () => PipelineServices = pipelineServices) {
  return async (blob: unknown, context: InvocationContext): Promise<IngestResult> => {
    const { blobName, etag } = blobIdentity(context);
    let content: Buffer;
    if (Buffer.isBuffer(blob)) content = blob;
    else if (blob instanceof Uint8Array) content = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    else if (typeof blob === 'string') content = Buffer.from(blob, 'utf8');
    else throw new Error(`${FUNCTION_NAME}: the blob "${blobName}" was not delivered as bytes`);
    const s = services();
    await s.ready();
    const input = etag === undefined ? { blobName, content } : { blobName, etag, content };
    return ingestExport(input, { store: s.store }, context);
  };
}

export const ingestExportHandler = makeIngestExportHandler();

app.storageBlob(FUNCTION_NAME, {
  path: `%${SETTINGS.exportsContainer}%/{name}`,
  connection: SETTINGS.storageConnection,
  source: blobTriggerSource(),
  handler: async (blob, context) => {
    await ingestExportHandler(blob, context);
  },
});
