// Retention of the raw records (RETENTION_RECORDS_DAYS): session records (with IP addresses and user agents),
// their copies in session bundles, MeetingDetail records and their copies, the export and rejects blobs;
// and the IP addresses kept in older disconnections cut to their network (/24, /48). Every step deletes or
// rewrites what still matches its query, so a run cut short is finished by the next one.
import type { ContainerClient } from '@azure/storage-blob';
import type { Store } from '../storage/store.js';
import { BUNDLE_PREFIX } from '../storage/meetingsTable.js';
import { deleteEntities, pagesOf, type StoredEntity } from '../storage/purge.js';
import { guardEntity, readSplitString } from '../storage/entityGuards.js';
import { doubleLiteral, num, stringLiteral } from '../storage/tableEntities.js';
import { prefixUpperBound } from '../storage/keys.js';
import { subnetOf } from '../analysis/ip.js';
import type { StoredDisconnection } from '../storage/disconnectionsTable.js';

export interface RecordsPurgeCounts {
  sessions: number;
  meetingRecords: number;
  bundlesRewritten: number;
  bundlesDeleted: number;
  exportBlobs: number;
  rejectsBlobs: number;
  disconnectionIpsCut: number;
}

export function emptyRecordsCounts(): RecordsPurgeCounts {
  return {
    sessions: 0,
    meetingRecords: 0,
    bundlesRewritten: 0,
    bundlesDeleted: 0,
    exportBlobs: 0,
    rejectsBlobs: 0,
    disconnectionIpsCut: 0,
  };
}

/** The latest usable time of a record (join, leave, start, end, creation), or undefined when it has none. */
function latestTime(entity: Record<string, unknown>, fields: readonly string[]): number | undefined {
  let latest: number | undefined;
  for (const f of fields) {
    const v = num(entity, f);
    if (v !== undefined && Number.isFinite(v) && (latest === undefined || v > latest)) latest = v;
  }
  return latest;
}

const SESSION_TIMES = ['joinTime', 'leaveTime', 'creationTime'] as const;
const DETAIL_TIMES = ['startTime', 'endTime', 'creationTime'] as const;

function olderThan(fields: readonly string[], cutoff: number): string {
  return '(' + fields.map((f) => `${f} lt ${doubleLiteral(cutoff)}`).join(' or ') + ')';
}

export interface PurgeContext {
  store: Store;
  now: () => Date;
  /** True once the run must stop (checked between pages). */
  stop: () => boolean;
}

/**
 * Deletes session records whose latest time is before `cutoff` (epoch ms), their bundle copies first. Goes through
 * every page of candidates (a row deleted behind the continuation does not disturb it): a session that started
 * before the cut-off but ended after it is a candidate that stays.
 */
export async function purgeSessions(ctx: PurgeContext, cutoff: number, counts: RecordsPurgeCounts): Promise<void> {
  const { store } = ctx;
  const select = ['PartitionKey', 'RowKey', ...SESSION_TIMES];
  for await (const page of pagesOf(store.sessions.client, olderThan(SESSION_TIMES, cutoff), { select })) {
    if (ctx.stop()) return;
    const old = page.filter((e) => (latestTime(e, SESSION_TIMES) ?? Infinity) < cutoff);
    // Bundles first: a run cut short finds the session rows again, and with them the partition.
    for (const partitionKey of new Set(old.map((e) => e.partitionKey))) {
      await store.meetings.markRecordsPurged(partitionKey, ctx.now());
      await purgeBundles(ctx, partitionKey, cutoff, counts);
    }
    counts.sessions += await deleteEntities(store.sessions.client, old);
  }
}

/** Drops sessions older than `cutoff` from the bundles of one meeting partition (a bundle left empty is deleted). */
async function purgeBundles(
  ctx: PurgeContext,
  partitionKey: string,
  cutoff: number,
  counts: RecordsPurgeCounts,
): Promise<void> {
  const client = ctx.store.meetings.client;
  const filter = `PartitionKey eq ${stringLiteral(partitionKey)} and RowKey ge ${stringLiteral(BUNDLE_PREFIX)} and RowKey lt ${stringLiteral(prefixUpperBound(BUNDLE_PREFIX))}`;
  // Small pages: a bundle can be close to 1 MiB.
  for await (const page of pagesOf(client, filter, { pageSize: 20 })) {
    for (const bundle of page) {
      const sessions = JSON.parse(readSplitString(bundle, 'sessions') ?? '[]') as Array<Record<string, unknown>>;
      const kept = sessions.filter((s) => (latestTime(s, SESSION_TIMES) ?? Infinity) >= cutoff);
      if (kept.length === sessions.length) continue;
      if (kept.length === 0) {
        counts.bundlesDeleted += await deleteEntities(client, [bundle]);
        continue;
      }
      const rewritten = guardEntity(
        { partitionKey, rowKey: bundle.rowKey, count: kept.length, sessions: JSON.stringify(kept) },
        { splittable: ['sessions'] },
      );
      await client.upsertEntity(rewritten.entity, 'Replace');
      counts.bundlesRewritten++;
    }
  }
}

/** Deletes MeetingDetail records and their detail copies whose latest time is before `cutoff` (every page of candidates). */
export async function purgeMeetingDetails(
  ctx: PurgeContext,
  cutoff: number,
  counts: RecordsPurgeCounts,
): Promise<void> {
  const { store } = ctx;
  const select = ['PartitionKey', 'RowKey', ...DETAIL_TIMES];
  for await (const page of pagesOf(store.meetings.client, olderThan(DETAIL_TIMES, cutoff), { select })) {
    if (ctx.stop()) return;
    const old = page.filter((e) => (latestTime(e, DETAIL_TIMES) ?? Infinity) < cutoff);
    for (const partitionKey of new Set(old.map((e) => e.partitionKey)))
      await store.meetings.markRecordsPurged(partitionKey, ctx.now());
    counts.meetingRecords += await deleteEntities(store.meetings.client, old);
  }
}

/** Deletes the blobs of a container last modified before `cutoff`; returns how many. */
export async function purgeBlobs(container: ContainerClient, cutoff: number, stop: () => boolean): Promise<number> {
  let deleted = 0;
  for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 500 })) {
    if (stop()) return deleted;
    for (const blob of page.segment.blobItems) {
      if (blob.properties.lastModified.getTime() >= cutoff) continue;
      const response = await container.getBlobClient(blob.name).deleteIfExists({ deleteSnapshots: 'include' });
      if (response.succeeded) deleted++;
    }
  }
  return deleted;
}

/** The network of an address (`10.1.2.0/24`, `2001:db8:1::/48`); '' when it is not an address. */
export function networkOf(ip: string): string {
  if (ip === '') return '';
  return subnetOf(ip) ?? '';
}

/**
 * In disconnections of meetings on days before `cutoffDay`, replaces the IP addresses by their network (the
 * site stays). Rows already cut carry `ipCut: true` and are left alone.
 */
export async function cutDisconnectionIps(
  ctx: PurgeContext,
  cutoffDay: string,
  counts: RecordsPurgeCounts,
): Promise<void> {
  const client = ctx.store.disconnections.client;
  // Keys and the flag only: the rows already cut (most of them, after the first run) are not downloaded.
  const select = ['PartitionKey', 'RowKey', 'ipCut'];
  for await (const page of pagesOf(client, `PartitionKey lt ${stringLiteral(cutoffDay)}`, { select, pageSize: 500 })) {
    if (ctx.stop()) return;
    for (const key of page) {
      if (key['ipCut'] === true) continue;
      const entity = await client.getEntity<Record<string, unknown>>(key.partitionKey, key.rowKey);
      await client.updateEntity(cutEntity({ ...entity, partitionKey: key.partitionKey, rowKey: key.rowKey }), 'Merge');
      counts.disconnectionIpsCut++;
    }
  }
}

/** The properties to merge into a disconnection row: its IP addresses cut to their networks. */
function cutEntity(entity: StoredEntity): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const item = JSON.parse(readSplitString(entity, 'data') ?? '{}') as StoredDisconnection;
  item.lostClientIp = networkOf(item.lostClientIp ?? '');
  const n = item.disconnection?.network;
  if (n !== undefined) {
    n.ipBefore = networkOf(n.ipBefore);
    n.ipAfter = networkOf(n.ipAfter);
  }
  const data = guardEntity(
    { partitionKey: entity.partitionKey, rowKey: entity.rowKey, data: JSON.stringify(item) },
    { splittable: ['data'] },
  ).entity;
  return { ...data, lostClientIp: item.lostClientIp, ipBefore: n?.ipBefore ?? '', ipCut: true };
}
