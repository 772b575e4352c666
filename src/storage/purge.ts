// Paging, deleting and rewriting entities by key for retention and erasure: the helpers the table modules build
// their purge queries on (each table module builds the filters of its own table).
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { mapBounded } from '../concurrency.js';
import { isNotFound } from './tableEntities.js';

export type StoredEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };
/** The keys of an entity: all that deleting it takes. */
export interface EntityKey {
  partitionKey: string;
  rowKey: string;
}

export interface PageOptions {
  select?: string[];
  pageSize?: number;
}

/** Entities matching `filter`, one page (at most `pageSize`) at a time; every page, to the end. */
export async function* pagesOf(
  client: TableClient,
  filter: string | undefined,
  options: PageOptions = {},
): AsyncGenerator<StoredEntity[]> {
  const queryOptions: { filter?: string; select?: string[] } = {};
  if (filter !== undefined) queryOptions.filter = filter;
  if (options.select !== undefined) queryOptions.select = options.select;
  for await (const page of client
    .listEntities<Record<string, unknown>>({ queryOptions })
    .byPage({ maxPageSize: options.pageSize ?? 1000 })) {
    // The service may answer a cross-partition query with an empty page and a continuation.
    if (page.length === 0) continue;
    yield [...page] as StoredEntity[];
  }
}

/**
 * The first page of entities matching `filter`, queried again from the start each time the next is asked for,
 * until nothing matches: for a caller that deletes or moves every page it is given before asking for the next
 * (one that does not would be given the same page again).
 */
export async function* firstPagesOf(
  client: TableClient,
  filter: string,
  options: PageOptions = {},
): AsyncGenerator<StoredEntity[]> {
  for (;;) {
    const first = await pagesOf(client, filter, options).next();
    if (first.done === true || first.value.length === 0) return;
    yield first.value;
  }
}

/** Deletes the given entities, `concurrency` at a time (those already gone count 0); returns how many were deleted. */
export async function deleteEntities(
  client: TableClient,
  keys: ReadonlyArray<EntityKey>,
  concurrency = 8,
): Promise<number> {
  const done = await mapBounded(
    keys,
    async ({ partitionKey, rowKey }) => {
      try {
        await client.deleteEntity(partitionKey, rowKey);
        return 1;
      } catch (error) {
        if (isNotFound(error)) return 0;
        throw error;
      }
    },
    concurrency,
  );
  return done.reduce<number>((a, b) => a + b, 0);
}

/**
 * Metadata an erasure's rewrite leaves on a blob: when its content was first stored (ISO 8601), so that retention
 * still counts from the upload, not from the rewrite.
 */
export const UPLOADED_AT_METADATA = 'uploadedat';

/** When a blob's content was first stored (epoch ms): its `uploadedat` metadata, else its last-modified time. */
export function uploadedAt(blob: { lastModified: Date; metadata?: Record<string, string> | undefined }): number {
  const stamp = Date.parse(blob.metadata?.[UPLOADED_AT_METADATA] ?? '');
  return Number.isFinite(stamp) ? stamp : blob.lastModified.getTime();
}

/** The blobs of a container uploaded before `cutoff` (epoch ms, see uploadedAt), a page of names at a time. */
export async function* blobsModifiedBefore(container: ContainerClient, cutoff: number): AsyncGenerator<string[]> {
  for await (const page of container.listBlobsFlat({ includeMetadata: true }).byPage({ maxPageSize: 500 })) {
    const names = page.segment.blobItems
      .filter((blob) => uploadedAt({ lastModified: blob.properties.lastModified, metadata: blob.metadata }) < cutoff)
      .map((blob) => blob.name);
    if (names.length > 0) yield names;
  }
}

/** Deletes the named blobs of a container with their snapshots (those already gone count 0); returns how many. */
export async function deleteBlobs(container: ContainerClient, names: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const name of names) {
    const response = await container.getBlobClient(name).deleteIfExists({ deleteSnapshots: 'include' });
    if (response.succeeded) deleted++;
  }
  return deleted;
}
