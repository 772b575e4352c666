// A meeting's current result as stored (listing row, disconnections, site and platform contributions), read by
// point reads through its location row, for the Log Analytics export.
import type { Contribution } from '../../analysis/metrics.js';
import { aggregateRowKey, entityToContributions } from '../../storage/aggregatesTable.js';
import { disconnectionPrefix, type StoredDisconnection } from '../../storage/disconnectionsTable.js';
import type { MeetingListing } from '../../storage/meetingResultsTable.js';
import type { Store } from '../../storage/store.js';
import { mapBounded } from '../../concurrency.js';
import { isNotFound } from '../../storage/tableEntities.js';

export interface CurrentResult {
  listing: MeetingListing;
  disconnections: StoredDisconnection[];
  contributions: Contribution[];
}

/** The meeting's current result restricted to `dimensions`; undefined when it has none (never analysed, or removed). */
export async function readCurrentResult(
  store: Store,
  meetingId: string,
  dimensions: ReadonlyArray<Contribution['dimension']>,
): Promise<CurrentResult | undefined> {
  const location = await store.meetingResults.getLocation(meetingId);
  const current = location?.current;
  if (location === undefined || current === undefined) return undefined;
  const listing = await store.meetingResults.getListing(meetingId, current.day, current.start);
  if (listing === undefined) return undefined;
  const disconnections = await store.disconnections.readFor(
    current.day,
    disconnectionPrefix(meetingId, current.start),
    current.disconnections,
  );
  // Row keys start with the dimension; a meeting's rows of one dimension are parts 0, 1, ...
  const prefixes = dimensions.map((d) => aggregateRowKey(d, meetingId, 0).replace(/\|0+$/, '|'));
  const keys =
    location.aggregateKeys !== undefined
      ? location.aggregateKeys
      : (
          await Promise.all(
            location.aggregateDays.map(async (day) =>
              (await store.aggregates.rowKeysOfMeeting(day, meetingId)).map((rowKey) => ({ day, rowKey })),
            ),
          )
        ).flat();
  const wanted = keys.filter((k) => prefixes.some((p) => k.rowKey.startsWith(p)));
  const entities = await mapBounded(
    wanted,
    async (k) => {
      try {
        return await store.aggregates.client.getEntity<Record<string, unknown>>(k.day, k.rowKey);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    8,
  );
  const contributions = entities
    .filter((e): e is NonNullable<typeof e> => e !== undefined)
    .flatMap(entityToContributions)
    .map(({ meetingId: _meeting, ...c }) => c);
  return { listing, disconnections, contributions };
}
