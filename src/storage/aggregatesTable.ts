// The dailyaggregates table: each meeting's contributions to the site/platform/user/day rankings,
// PartitionKey = UTC day of the meeting start, RowKey = dimension|key|meeting, so re-analysing a
// meeting overwrites its own rows and a ranking over a period reads one key range per day.
import type { TableClient } from '@azure/data-tables';
import type { Contribution } from '../analysis/metrics.js';
import { keyComponent, MAX_ID_KEY_CHARS, prefixUpperBound } from './keys.js';
import { guardEntity, type TableEntityShape } from './entityGuards.js';
import { double, listAll, num, str, stringLiteral } from './tableEntities.js';

export const DIMENSIONS: ReadonlyArray<Contribution['dimension']> = ['site', 'platform', 'user', 'day'];

export function aggregateRowKey(c: Contribution, meetingId: string): string {
  return `${c.dimension}|${keyComponent(c.key)}|${keyComponent(meetingId, MAX_ID_KEY_CHARS)}`;
}

export function contributionToEntity(c: Contribution, meetingId: string): TableEntityShape {
  return guardEntity({
    partitionKey: c.day,
    rowKey: aggregateRowKey(c, meetingId),
    meetingId,
    dimension: c.dimension,
    key: c.key,
    eligibleSessions: c.eligibleSessions,
    drops: c.drops,
    lostSeconds: double(c.lostSeconds),
    participants: c.participants,
  }).entity;
}

export function entityToContribution(entity: Record<string, unknown>): Contribution & { meetingId: string } {
  return {
    meetingId: str(entity, 'meetingId'),
    dimension: str(entity, 'dimension') as Contribution['dimension'],
    key: str(entity, 'key'),
    day: str(entity, 'partitionKey'),
    eligibleSessions: num(entity, 'eligibleSessions') ?? 0,
    drops: num(entity, 'drops') ?? 0,
    lostSeconds: num(entity, 'lostSeconds') ?? 0,
    participants: num(entity, 'participants') ?? 0,
  };
}

export class AggregatesTable {
  constructor(readonly client: TableClient) {}

  /** Contributions of one dimension over days [fromDay, toDay] (inclusive; either may be open). */
  async list(dimension: Contribution['dimension'], fromDay?: string, toDay?: string): Promise<Array<Contribution & { meetingId: string }>> {
    const prefix = `${dimension}|`;
    const parts = [`RowKey ge ${stringLiteral(prefix)}`, `RowKey lt ${stringLiteral(prefixUpperBound(prefix))}`];
    if (fromDay !== undefined) parts.unshift(`PartitionKey ge ${stringLiteral(fromDay)}`);
    if (toDay !== undefined) parts.unshift(`PartitionKey le ${stringLiteral(toDay)}`);
    return (await listAll(this.client, parts.join(' and '))).map(entityToContribution);
  }

  /** RowKeys of one meeting's rows in one day (a filtered scan of that day; used when no key list was kept). */
  async rowKeysOfMeeting(day: string, meetingId: string): Promise<string[]> {
    const filter = `PartitionKey eq ${stringLiteral(day)} and meetingId eq ${stringLiteral(meetingId)}`;
    return (await listAll(this.client, filter, ['RowKey'])).map((e) => e.rowKey);
  }
}
