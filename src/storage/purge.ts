// Deleting and rewriting entities by key, page by page, for retention and erasure: what a table module
// does not own because it spans tables (each caller builds the filters of the table it purges).
import type { TableClient } from '@azure/data-tables';
import { mapBounded } from '../concurrency.js';
import { isNotFound } from './tableEntities.js';

export type StoredEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Entities matching `filter`, one page (at most `pageSize`) at a time; every page, to the end. */
export async function* pagesOf(
  client: TableClient,
  filter: string | undefined,
  options: { select?: string[]; pageSize?: number } = {},
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

/** Deletes the given entities (those already gone count 0); returns how many were deleted. */
export async function deleteEntities(
  client: TableClient,
  keys: ReadonlyArray<{ partitionKey: string; rowKey: string }>,
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
    8,
  );
  return done.reduce<number>((a, b) => a + b, 0);
}

/** Deletes every entity matching `filter`, page by page, until none is left or `stop()` says so; returns how many. */
export async function deleteMatching(
  client: TableClient,
  filter: string,
  stop: () => boolean = () => false,
): Promise<number> {
  let deleted = 0;
  // Deleted rows no longer match: a page at a time from the start again until nothing matches.
  for (;;) {
    if (stop()) return deleted;
    const first = await pagesOf(client, filter, { select: ['PartitionKey', 'RowKey'] }).next();
    if (first.done || first.value.length === 0) return deleted;
    deleted += await deleteEntities(client, first.value);
  }
}
