// Identical Table page reads that overlap in time share one request. Twenty dashboards opening the
// default page of /api/disconnections at once make one query, not twenty: on Azurite every query scans
// and sorts its whole table on one thread, so concurrent copies queue behind each other. A read that
// joins one already under way gets what that query returns (started at most one query's time before);
// a read that starts after it ended makes its own.
import type { TableClient } from '@azure/data-tables';
import { listPage, type TablePage } from '../../storage/tableEntities.js';

type PageQuery = Parameters<typeof listPage>[1];
type Page = TablePage<Record<string, unknown> & { partitionKey: string; rowKey: string }>;

const inFlight = new Map<string, Promise<Page>>();

/** listPage, shared with an identical read of the same table already under way (callers must not modify the page). */
export function sharedPage(client: TableClient, query: PageQuery): Promise<Page> {
  const key = JSON.stringify([
    client.url,
    client.tableName,
    query.filter ?? null,
    query.select ?? null,
    query.limit,
    query.continuationToken ?? null,
  ]);
  let page = inFlight.get(key);
  if (page === undefined) {
    page = listPage(client, query).finally(() => inFlight.delete(key));
    inFlight.set(key, page);
  }
  return page;
}

/** Reads under way (tests). */
export function sharedReadsInFlight(): number {
  return inFlight.size;
}
