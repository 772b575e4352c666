// The disconnections table: one entity per detected disconnection, PartitionKey = UTC day of the
// meeting-instance start, RowKey = start|meeting|sequence (a day's page is a key range, one meeting's
// rows are known keys; neither touches the sessions table). Filterable fields are stored as properties.
import type { TableClient } from '@azure/data-tables';
import type { Disconnection } from '../analysis/model.js';
import { keyComponent, MAX_ID_KEY_CHARS, prefixUpperBound, sortableNumber } from './keys.js';
import { guardEntity, readSplitString, type TableEntityShape } from './entityGuards.js';
import { allOf, anyOf, before, dayBounds, eq, timeRange, type RecordFilter, type TableQuery } from './odata.js';
import { deleteEntities, firstPagesOf, pagesOf, type EntityKey } from './purge.js';
import { subnetOf } from '../analysis/ip.js';
import { mapBounded } from '../concurrency.js';
import { getEntityIfExists, double, stringLiteral } from './tableEntities.js';

/** What the disconnections report selects rows by (RecordFilter's bounds are on the meeting start). */
export interface DisconnectionFilter extends Omit<RecordFilter, 'meeting'> {
  /** One meeting instance's rows, at its current result location. */
  meeting?: { meetingId: string; day: string; start: number };
  /** Site label (case-insensitive). */
  site?: string;
  /** Undefined: every band. */
  bands?: readonly string[];
  classes?: readonly string[];
}

/** What a stored disconnection carries besides the detector's result. */
export interface StoredDisconnection {
  disconnection: Disconnection;
  /** Organiser UPN of the meeting (for the report row). */
  organizerEmail: string;
  organizerId: string;
  meetingType: string;
  meetingStart: number;
  /** ClientIP of the lost session as recorded (tala's `-i` tests this string). */
  lostClientIp: string;
  /** Site label of the lost session (site name, `unmapped` or `no IP`). */
  site: string;
}

/** YYYY-MM-DD (UTC) of a time; '0000-00-00' when it is not a usable time. */
export function utcDay(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : '0000-00-00';
}

/** RowKey prefix shared by all disconnections of one meeting instance. */
export function disconnectionPrefix(meetingId: string, meetingStart: number): string {
  return `${sortableNumber(meetingStart)}|${keyComponent(meetingId, MAX_ID_KEY_CHARS)}|`;
}

/** RowKey of the disconnection number `sequence` of a meeting instance. */
export function disconnectionRowKey(prefix: string, sequence: number): string {
  return prefix + sortableNumber(sequence, 6);
}

export function disconnectionToEntity(item: StoredDisconnection, sequence: number): TableEntityShape {
  const d = item.disconnection;
  return guardEntity(
    {
      partitionKey: utcDay(item.meetingStart),
      rowKey: disconnectionRowKey(disconnectionPrefix(d.meetingId, item.meetingStart), sequence),
      meetingId: d.meetingId,
      meetingStart: double(item.meetingStart),
      organizerLower: item.organizerEmail.toLowerCase(),
      organizerId: item.organizerId.toLowerCase(),
      participantKeyLower: d.participantKey.toLowerCase(),
      upnLower: (d.upn ?? '').toLowerCase(),
      participantClass: d.participantClass,
      band: d.band,
      kind: d.kind,
      counted: d.counted,
      leaveTime: double(d.leaveTime),
      site: item.site,
      siteLower: item.site.toLowerCase(),
      lostClientIp: item.lostClientIp,
      ipBefore: d.network.ipBefore,
      data: JSON.stringify(item),
    },
    { splittable: ['data'] },
  ).entity;
}

export function entityToDisconnection(entity: Record<string, unknown>): StoredDisconnection {
  return JSON.parse(readSplitString(entity, 'data') ?? '{}') as StoredDisconnection;
}

/** The network of an address (`10.1.2.0/24`, `2001:db8:1::/48`); '' when it is not an address. */
export function networkOf(ip: string): string {
  if (ip === '') return '';
  return subnetOf(ip) ?? '';
}

export class DisconnectionsTable {
  constructor(readonly client: TableClient) {}

  /** The query for the disconnections matching `filter`. */
  query(filter: DisconnectionFilter): TableQuery {
    const meeting = filter.meeting;
    const prefix = meeting === undefined ? undefined : disconnectionPrefix(meeting.meetingId, meeting.start);
    const { fromDay, toDay } = dayBounds(filter.from, filter.to);
    const organizer = filter.organizer?.toLowerCase();
    const user = filter.user?.toLowerCase();
    const query = allOf([
      meeting === undefined || prefix === undefined
        ? undefined
        : allOf([
            eq('PartitionKey', meeting.day),
            `RowKey ge ${stringLiteral(prefix)}`,
            `RowKey lt ${stringLiteral(prefixUpperBound(prefix))}`,
          ]),
      fromDay === undefined ? undefined : `PartitionKey ge ${stringLiteral(fromDay)}`,
      toDay === undefined ? undefined : `PartitionKey le ${stringLiteral(toDay)}`,
      timeRange('meetingStart', filter.from, filter.to),
      organizer === undefined ? undefined : anyOf([eq('organizerLower', organizer), eq('organizerId', organizer)]),
      user === undefined ? undefined : anyOf([eq('participantKeyLower', user), eq('upnLower', user)]),
      filter.site === undefined ? undefined : eq('siteLower', filter.site.toLowerCase()),
      filter.bands === undefined ? undefined : anyOf(filter.bands.map((b) => eq('band', b))),
      filter.classes === undefined ? undefined : anyOf(filter.classes.map((c) => eq('participantClass', c))),
    ]);
    return query === undefined ? { table: this.client } : { table: this.client, filter: query };
  }

  /** Disconnections `first` … `count - 1` of one meeting instance by point reads (rows already gone are skipped). */
  async readFor(day: string, prefix: string, count: number, first = 0): Promise<StoredDisconnection[]> {
    const sequences = Array.from({ length: Math.max(0, count - first) }, (_, i) => first + i);
    const rows = await mapBounded(sequences, async (i) => {
      const entity = await getEntityIfExists(this.client, day, disconnectionRowKey(prefix, i));
      return entity === undefined ? undefined : entityToDisconnection(entity);
    });
    return rows.filter((r): r is StoredDisconnection => r !== undefined);
  }

  /**
   * The keys of the rows of days before `cutoffDay` whose IP addresses are not cut yet, page by page. Reads keys and
   * the flag only: the rows already cut (most of them, after the first run) are not downloaded.
   */
  async *uncutBefore(cutoffDay: string): AsyncGenerator<EntityKey[]> {
    const select = ['PartitionKey', 'RowKey', 'ipCut'];
    for await (const page of pagesOf(this.client, before('PartitionKey', cutoffDay), { select, pageSize: 500 }))
      yield page.filter((e) => e['ipCut'] !== true).map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey }));
  }

  /** Replaces a row's IP addresses by their networks (the site stays) and flags it `ipCut`. */
  async cutIps(key: EntityKey): Promise<void> {
    const entity = await this.client.getEntity<Record<string, unknown>>(key.partitionKey, key.rowKey);
    const item = entityToDisconnection(entity);
    item.lostClientIp = networkOf(item.lostClientIp ?? '');
    const n = item.disconnection?.network;
    if (n !== undefined) {
      n.ipBefore = networkOf(n.ipBefore);
      n.ipAfter = networkOf(n.ipAfter);
    }
    const data = guardEntity({ ...key, data: JSON.stringify(item) }, { splittable: ['data'] }).entity;
    await this.client.updateEntity(
      { ...data, lostClientIp: item.lostClientIp, ipBefore: n?.ipBefore ?? '', ipCut: true },
      'Merge',
    );
  }

  /** The keys of the rows of days before `cutoffDay`, the first page again each time (delete each page given). */
  daysBefore(cutoffDay: string): AsyncGenerator<EntityKey[]> {
    return firstPagesOf(this.client, before('PartitionKey', cutoffDay), { select: ['PartitionKey', 'RowKey'] });
  }

  /** Deletes rows by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    return deleteEntities(this.client, keys);
  }
}
