// The export blobs part of erasing one person (./erasure.ts, docs/privacy.md): each export blob naming the person
// is rewritten without the person's records (src/audit/exportRewrite.ts) as a new version of the same blob name,
// written only if the blob still has the ETag it was read with. The blob trigger ingests that version, and
// ingestion's replace path swaps the old version's contribution for it. With `keep`, blobs are only searched.
import type { ContainerClient } from '@azure/storage-blob';
import type { ExportFormat } from '../audit/records.js';
import { linkedIdentifiers, rewriteExportWithout } from '../audit/exportRewrite.js';
import { PersonPattern } from '../audit/personPattern.js';
import { UPLOADED_AT_METADATA, uploadedAt } from './purge.js';

/** What erasure does to the export blobs: `rewrite` them without the person (default), or `keep` and list them. */
export const EXPORT_ERASURE_MODES = ['rewrite', 'keep'] as const;
export type ExportErasureMode = (typeof EXPORT_ERASURE_MODES)[number];

export interface RewrittenExport {
  blob: string;
  format: ExportFormat;
  /** Set for a gzip-compressed export (rewritten inside, compressed again). */
  compression?: 'gzip';
  /** The person's session records removed. */
  recordsRemoved: number;
  /** Other records naming the person (as organiser, in a join link), kept with the identifiers replaced. */
  recordsRedacted: number;
  /** The new version's ETag: its ingestion replaces the old version. */
  etag: string;
}

export interface ExportNotRewritten {
  blob: string;
  /** False when the blob could not be searched (compressed): it may or may not name the person. */
  searched: boolean;
  reason: string;
}

export interface ExportErasure {
  mode: ExportErasureMode;
  rewritten: RewrittenExport[];
  notRewritten: ExportNotRewritten[];
}

export interface ExportErasureOptions {
  mode: ExportErasureMode;
  /** Called after a blob is read, before its rewrite is written (tests change the blob there). */
  afterRead?: (blob: string) => Promise<void>;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

async function bufferOf(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream !== undefined) for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const CHANGED =
  'the blob changed after it was read (a new version was uploaded): it was not overwritten; that version is ' +
  'ingested on its own: erase again once it is, to rewrite it';

async function download(container: ContainerClient, name: string) {
  try {
    const response = await container.getBlockBlobClient(name).download(0);
    return { response, content: await bufferOf(response.readableStreamBody) };
  } catch (error) {
    if (statusOf(error) === 404) return undefined; // deleted since the listing
    throw error;
  }
}

/**
 * Searches every export blob for the person (`identifiers`, with those the exports' records link to them) and, in
 * `rewrite` mode, rewrites those that name them.
 */
export async function eraseFromExports(
  container: ContainerClient,
  identifiers: readonly string[],
  options: ExportErasureOptions,
): Promise<ExportErasure> {
  const result: ExportErasure = { mode: options.mode, rewritten: [], notRewritten: [] };
  if (!(await container.exists())) return result;
  const names: string[] = [];
  for await (const item of container.listBlobsFlat()) names.push(item.name);
  // First the identifiers the records link to the person (an object id next to its UPN), then the rewrite.
  const all = new Set(identifiers);
  const given = new PersonPattern(identifiers);
  for (const name of names) {
    const read = await download(container, name);
    if (read !== undefined) for (const id of await linkedIdentifiers(read.content, name, given)) all.add(id);
  }
  const person = new PersonPattern(all);
  for (const name of names) {
    const item = { name };
    const blob = container.getBlockBlobClient(name);
    const read = await download(container, name);
    if (read === undefined) continue;
    const { response, content } = read;
    const outcome = await rewriteExportWithout(content, item.name, person);
    if (outcome.kind === 'unchanged') continue;
    if (outcome.kind === 'refused') {
      const searched = !outcome.reason.startsWith('not searched');
      result.notRewritten.push({ blob: item.name, searched, reason: outcome.reason });
      continue;
    }
    if (options.mode === 'keep') {
      result.notRewritten.push({ blob: item.name, searched: true, reason: 'kept as it is (exports=keep)' });
      continue;
    }
    await options.afterRead?.(item.name);
    try {
      const written = await blob.uploadData(outcome.content, {
        conditions: { ifMatch: response.etag! },
        // Retention keeps counting from the first upload, not from this rewrite.
        metadata: {
          ...response.metadata,
          [UPLOADED_AT_METADATA]: new Date(
            uploadedAt({ lastModified: response.lastModified ?? new Date(), metadata: response.metadata }),
          ).toISOString(),
        },
        blobHTTPHeaders: {
          blobContentType: response.contentType,
          blobContentEncoding: response.contentEncoding,
          blobContentLanguage: response.contentLanguage,
          blobContentDisposition: response.contentDisposition,
          blobCacheControl: response.cacheControl,
        },
      });
      result.rewritten.push({
        blob: item.name,
        format: outcome.format,
        ...(outcome.compression === undefined ? {} : { compression: outcome.compression }),
        recordsRemoved: outcome.recordsRemoved,
        recordsRedacted: outcome.recordsRedacted,
        etag: written.etag ?? '',
      });
    } catch (error) {
      const status = statusOf(error);
      if (status === 412) result.notRewritten.push({ blob: item.name, searched: true, reason: CHANGED });
      else if (status === 404)
        result.notRewritten.push({
          blob: item.name,
          searched: true,
          reason: 'the blob was deleted after it was read (withdrawn): nothing to rewrite',
        });
      else throw error;
    }
  }
  return result;
}
