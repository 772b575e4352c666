// The dailyaggregates table: each meeting's contributions to the site/subnet/platform/user/day rankings.
// PartitionKey = UTC day of the meeting start; one entity per (dimension, meeting) holds that
// meeting's contributions under the dimension (RowKey `dimension|meeting|part`, a meeting with very
// many participants spreading over several parts), so re-analysing a meeting overwrites its own
// few rows and a ranking over a period reads one key range per day.
import type { TableClient } from '@azure/data-tables';
import type { Contribution } from '../analysis/metrics.js';
import { keyComponent, MAX_ID_KEY_CHARS, sortableNumber } from './keys.js';
import { guardEntity, readSplitString, type TableEntityShape } from './entityGuards.js';
import { listAll, stringLiteral, str } from './tableEntities.js';
import { allOf, before, startsWith } from './odata.js';
import { deleteEntities, firstPagesOf, type EntityKey } from './purge.js';

const KEYS_ONLY = { select: ['PartitionKey', 'RowKey'] };

export const DIMENSIONS: ReadonlyArray<Contribution['dimension']> = ['site', 'subnet', 'platform', 'user', 'day'];
/** Contributions per entity (about 100 characters each, well under the 1 MiB entity limit). */
const CONTRIBUTIONS_PER_PART = 2000;

/** What one entity stores per contribution (its dimension, day and meeting are in the keys). */
type StoredContribution = [
  key: string,
  eligibleSessions: number,
  drops: number,
  lostSeconds: number,
  participants: number,
];

export function aggregateRowKey(dimension: Contribution['dimension'], meetingId: string, part: number): string {
  return `${dimension}|${keyComponent(meetingId, MAX_ID_KEY_CHARS)}|${sortableNumber(part, 4)}`;
}

/** The entities holding a meeting's contributions (all of one day, the meeting's). */
export function contributionEntities(
  contributions: readonly Contribution[],
  meetingId: string,
  day: string,
): TableEntityShape[] {
  const entities: TableEntityShape[] = [];
  for (const dimension of DIMENSIONS) {
    const mine = contributions.filter((c) => c.dimension === dimension);
    for (let part = 0; part * CONTRIBUTIONS_PER_PART < mine.length; part++) {
      const slice = mine.slice(part * CONTRIBUTIONS_PER_PART, (part + 1) * CONTRIBUTIONS_PER_PART);
      const stored: StoredContribution[] = slice.map((c) => [
        c.key,
        c.eligibleSessions,
        c.drops,
        c.lostSeconds,
        c.participants,
      ]);
      const guarded = guardEntity(
        {
          partitionKey: day,
          rowKey: aggregateRowKey(dimension, meetingId, part),
          meetingId,
          dimension,
          count: slice.length,
          contributions: JSON.stringify(stored),
        },
        { splittable: ['contributions'] },
      );
      if (guarded.truncated.length > 0)
        throw new Error(`the ${dimension} contributions of a meeting do not fit in one entity`);
      entities.push(guarded.entity);
    }
  }
  return entities;
}

export function entityToContributions(entity: Record<string, unknown>): Array<Contribution & { meetingId: string }> {
  const meetingId = str(entity, 'meetingId');
  const dimension = str(entity, 'dimension') as Contribution['dimension'];
  const day = str(entity, 'partitionKey');
  const stored = JSON.parse(readSplitString(entity, 'contributions') ?? '[]') as StoredContribution[];
  return stored.map(([key, eligibleSessions, drops, lostSeconds, participants]) => ({
    meetingId,
    dimension,
    key,
    day,
    eligibleSessions,
    drops,
    lostSeconds,
    participants,
  }));
}

export class AggregatesTable {
  constructor(readonly client: TableClient) {}

  /** Contributions of one dimension over days [fromDay, toDay] (inclusive; either may be open). */
  async list(
    dimension: Contribution['dimension'],
    fromDay?: string,
    toDay?: string,
  ): Promise<Array<Contribution & { meetingId: string }>> {
    const prefix = `${dimension}|`;
    const parts = [startsWith('RowKey', prefix)];
    if (fromDay !== undefined) parts.unshift(`PartitionKey ge ${stringLiteral(fromDay)}`);
    if (toDay !== undefined) parts.unshift(`PartitionKey le ${stringLiteral(toDay)}`);
    return (await listAll(this.client, parts.join(' and '))).flatMap(entityToContributions);
  }

  /** RowKeys of one meeting's rows in one day (a filtered scan of that day; used when no key list was kept). */
  async rowKeysOfMeeting(day: string, meetingId: string): Promise<string[]> {
    const filter = `PartitionKey eq ${stringLiteral(day)} and meetingId eq ${stringLiteral(meetingId)}`;
    return (await listAll(this.client, filter, ['RowKey'])).map((e) => e.rowKey);
  }

  /** Keys of the per-user rows of days before `cutoffDay`, the first page again each time (delete each page given). */
  userRowsBefore(cutoffDay: string): AsyncGenerator<EntityKey[]> {
    const filter = allOf([before('PartitionKey', cutoffDay), startsWith('RowKey', 'user|')])!;
    return firstPagesOf(this.client, filter, KEYS_ONLY);
  }

  /** Keys of the rows of days before `cutoffDay`, the first page again each time (delete each page given). */
  daysBefore(cutoffDay: string): AsyncGenerator<EntityKey[]> {
    return firstPagesOf(this.client, before('PartitionKey', cutoffDay), KEYS_ONLY);
  }

  /** Deletes rows by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    return deleteEntities(this.client, keys);
  }
}
