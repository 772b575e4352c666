// An export blob read from storage without holding it: its size and ETag, then the whole content or
// any byte range as a stream (a zip archive needs ranges). Every read is pinned to the ETag the
// ingestion is recorded under, so a blob replaced meanwhile fails the read instead of mixing versions.
import type { BlobClient, ContainerClient } from '@azure/storage-blob';

export interface ExportBlob {
  readonly size: number;
  /** The ETag every read is conditioned on (quoted, as storage returns it). */
  readonly etag: string;
  /** Bytes [start, end) as a stream; the whole blob by default. */
  read(start?: number, end?: number): AsyncIterable<Uint8Array>;
}

/** The blob changed (or disappeared) after it triggered the function. */
export class BlobChangedError extends Error {
  override name = 'BlobChangedError';
}

/** Retries of a download broken mid-stream (resumed from where it stopped). */
const DOWNLOAD_RETRIES = 5;

/** An ETag as an If-Match value: storage quotes ETags, some metadata carries them bare. */
export function quotedEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function changed(blob: BlobClient, error: unknown): Error {
  const status = statusOf(error);
  if (status === 412)
    return new BlobChangedError(
      `The blob "${blob.name}" was replaced after it triggered this invocation; its new version is ingested on its own`,
      { cause: error },
    );
  if (status === 404)
    return new BlobChangedError(`The blob "${blob.name}" was deleted after it triggered this invocation`, {
      cause: error,
    });
  return error instanceof Error ? error : new Error(String(error));
}

/** Opens an export blob: reads its properties (conditioned on `etag` when given). */
export async function openExportBlob(blob: BlobClient, etag?: string): Promise<ExportBlob> {
  let properties;
  try {
    properties = await blob.getProperties(etag === undefined ? {} : { conditions: { ifMatch: quotedEtag(etag) } });
  } catch (error) {
    throw changed(blob, error);
  }
  const size = properties.contentLength ?? 0;
  const pinned = properties.etag ?? (etag === undefined ? '' : quotedEtag(etag));
  async function* read(start = 0, end = size): AsyncGenerator<Uint8Array> {
    if (end <= start) return;
    let response;
    try {
      response = await blob.download(start, end - start, {
        ...(pinned === '' ? {} : { conditions: { ifMatch: pinned } }),
        maxRetryRequests: DOWNLOAD_RETRIES,
      });
    } catch (error) {
      throw changed(blob, error);
    }
    const body = response.readableStreamBody;
    if (body === undefined) throw new Error(`Downloading the blob "${blob.name}" returned no body`);
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) yield chunk;
    } finally {
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
  }
  return { size, etag: pinned, read };
}

/** The ETag of the blob now in the container (quoted, as storage returns it), or undefined when there is none. */
/**
 * The blob of that name in the container, or undefined when storage URLs cannot name it as it is (a `.` or `..`
 * segment, which URL resolution would turn into another blob's name).
 */
export function addressableBlob(container: ContainerClient, name: string): BlobClient | undefined {
  if (name.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  try {
    return container.getBlobClient(name);
  } catch {
    return undefined;
  }
}

/** The ETag of the blob of that name now in the container, or undefined when there is none (or none can be named so). */
export async function currentBlobEtag(container: ContainerClient, name: string): Promise<string | undefined> {
  const blob = addressableBlob(container, name);
  if (blob === undefined) return undefined;
  try {
    return (await blob.getProperties()).etag ?? undefined;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
