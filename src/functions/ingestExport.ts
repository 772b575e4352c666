// Blob trigger ingestExport: a new export in the exports container (%EXPORTS_CONTAINER%) is parsed and
// stored by src/pipeline/ingest.ts: plain, gzip-compressed, or a zip archive of exports, recognised from
// its bytes. The trigger is an SDK binding (`sdkBinding: true`): the host sends model binding data, our
// factory (blobClientFactory.ts) turns it into a BlobClient, and the export is streamed from storage
// (ranged reads for a zip archive), so memory does not grow with the file. A host that sends the bytes
// instead (no deferred-binding support) still works, from memory. The trigger source comes from
// EXPORTS_TRIGGER_SOURCE (EventGrid by default; Flex Consumption supports only EventGrid). A file that
// cannot be read at all is a permanent error: the ledger says so and the invocation succeeds, so the host
// does not retry it; a storage error fails the invocation, and the host retries it (host.json
// poisonBlobThreshold).
import { app, type InvocationContext } from '@azure/functions';
import type { BlobClient } from '@azure/storage-blob';
import { SETTINGS, setting } from '../names.js';
import { ingestExport, type IngestInput, type IngestResult } from '../pipeline/ingest.js';
import { refusedContent } from '../pipeline/exportInput.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { escapeForLog } from '../pipeline/log.js';
import { BlobChangedError, openExportBlob } from '../storage/exportBlob.js';
import { registerBlobClientFactory } from './blobClientFactory.js';
import { applyIngestHeapTuning } from './ingestHeap.js';

export const FUNCTION_NAME = 'ingestExport';

export type BlobTriggerSource = 'EventGrid' | 'LogsAndContainerScan';

/** The trigger source from its app setting; anything else stops the app from loading, with a message. */
export function blobTriggerSource(env: NodeJS.ProcessEnv = process.env): BlobTriggerSource {
  const value = setting(SETTINGS.blobTriggerSource, env);
  if (value === 'EventGrid' || value === 'LogsAndContainerScan') return value;
  throw new Error(
    `App setting ${SETTINGS.blobTriggerSource} must be EventGrid or LogsAndContainerScan, not "${value}"`,
  );
}

/** The blob name and ETag the host passes in the trigger metadata (`{name}` token, blob properties). */
export function blobIdentity(context: InvocationContext): { blobName: string; etag?: string } {
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  let blobName = typeof metadata.name === 'string' ? metadata.name : '';
  if (blobName === '' && typeof metadata.blobTrigger === 'string')
    blobName = metadata.blobTrigger.replace(/^[^/]*\//, '');
  if (blobName === '') throw new Error(`${FUNCTION_NAME}: the trigger metadata has no blob name`);
  const properties = (metadata.properties ?? {}) as Record<string, unknown>;
  const etag = [properties.eTag, properties.etag, properties.ETag].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  return etag === undefined ? { blobName } : { blobName, etag };
}

/** The BlobClient our factory returns, or the one inside the companion package's client. */
export function asBlobClient(value: unknown): BlobClient | undefined {
  const v = value as { download?: unknown; getProperties?: unknown; getBlobClient?: unknown } | null;
  if (typeof v !== 'object' || v === null || Buffer.isBuffer(v) || v instanceof Uint8Array) return undefined;
  if (typeof v.download === 'function' && typeof v.getProperties === 'function') return v as unknown as BlobClient;
  if (typeof v.getBlobClient === 'function') return (v.getBlobClient as () => BlobClient).call(v);
  return undefined;
}

function bytesOf(blob: unknown, blobName: string): Buffer {
  if (Buffer.isBuffer(blob)) return blob;
  if (blob instanceof Uint8Array) return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (typeof blob === 'string') return Buffer.from(blob, 'utf8');
  throw new Error(
    `${FUNCTION_NAME}: the blob "${escapeForLog(blobName)}" was delivered neither as a blob client nor as bytes`,
  );
}

export function makeIngestExportHandler(services: () => PipelineServices = pipelineServices) {
  return async (blob: unknown, context: InvocationContext): Promise<IngestResult | undefined> => {
    const { blobName, etag } = blobIdentity(context);
    const blobClient = asBlobClient(blob);
    let input: IngestInput;
    if (blobClient !== undefined && blobClient.name !== blobName) {
      // A `.` or `..` segment in a storage URL is resolved: the client would read another blob.
      const reason = 'the blob name has a "." or ".." segment, so storage URLs lead to another blob; rename the blob';
      input = { blobName, ...(etag === undefined ? {} : { etag }), content: refusedContent(blobName, reason) };
    } else if (blobClient !== undefined) {
      let source;
      try {
        source = await openExportBlob(blobClient, etag);
      } catch (error) {
        // The version that triggered this invocation is gone; a replacement triggers its own.
        if (!(error instanceof BlobChangedError)) throw error;
        context.warn(escapeForLog(`${FUNCTION_NAME}: ${error.message}; nothing ingested`));
        return undefined;
      }
      // The ledger is keyed by the trigger's ETag; without one, by the ETag the reads are pinned to.
      const key = etag ?? (source.etag === '' ? undefined : source.etag);
      input = key === undefined ? { blobName, content: source } : { blobName, etag: key, content: source };
    } else {
      const content = bytesOf(blob, blobName);
      context.warn(
        `${FUNCTION_NAME}: the host sent the blob's ${content.length} bytes, not binding data (sdkBinding); ingesting from memory`,
      );
      input = etag === undefined ? { blobName, content } : { blobName, etag, content };
    }
    const s = services();
    await s.ready();
    return ingestExport(input, { store: s.store }, context);
  };
}

export const ingestExportHandler = makeIngestExportHandler();

registerBlobClientFactory();
applyIngestHeapTuning();

app.storageBlob(FUNCTION_NAME, {
  path: `%${SETTINGS.exportsContainer}%/{name}`,
  connection: SETTINGS.storageConnection,
  source: blobTriggerSource(),
  // The host sends model binding data (connection, container, blob), not the bytes.
  sdkBinding: true,
  handler: async (blob, context) => {
    await ingestExportHandler(blob, context);
  },
});
