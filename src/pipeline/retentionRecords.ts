// Retention of the raw records (RETENTION_RECORDS_DAYS): session records (with IP addresses and user agents),
// their copies in session bundles, MeetingDetail records and their copies, the export and rejects blobs;
// and the IP addresses kept in older disconnections cut to their network (/24, /48). Every step deletes or
// rewrites what still matches its query, so a run cut short is finished by the next one.
import type { ContainerClient } from '@azure/storage-blob';
import type { Store } from '../storage/store.js';
import { blobsModifiedBefore, deleteBlobs } from '../storage/purge.js';

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

export interface PurgeContext {
  store: Store;
  now: () => Date;
  /** True once the run must stop (checked between pages). */
  stop: () => boolean;
}

/**
 * Deletes session records whose latest time is before `cutoff` (epoch ms), their bundle copies first. Goes through
 * every page of candidates: a session that started before the cut-off but ended after it stays.
 */
export async function purgeSessions(ctx: PurgeContext, cutoff: number, counts: RecordsPurgeCounts): Promise<void> {
  const { store } = ctx;
  for await (const old of store.sessions.olderThan(cutoff)) {
    if (ctx.stop()) return;
    // Bundles first: a run cut short finds the session rows again, and with them the partition.
    for (const partitionKey of new Set(old.map((e) => e.partitionKey))) {
      await store.meetings.markRecordsPurged(partitionKey, ctx.now());
      const bundles = await store.meetings.dropBundledSessionsBefore(partitionKey, cutoff);
      counts.bundlesRewritten += bundles.rewritten;
      counts.bundlesDeleted += bundles.deleted;
    }
    counts.sessions += await store.sessions.deleteKeys(old);
  }
}

/** Deletes MeetingDetail records and their detail copies whose latest time is before `cutoff` (every page of candidates). */
export async function purgeMeetingDetails(
  ctx: PurgeContext,
  cutoff: number,
  counts: RecordsPurgeCounts,
): Promise<void> {
  const { store } = ctx;
  for await (const old of store.meetings.detailsOlderThan(cutoff)) {
    if (ctx.stop()) return;
    for (const partitionKey of new Set(old.map((e) => e.partitionKey)))
      await store.meetings.markRecordsPurged(partitionKey, ctx.now());
    counts.meetingRecords += await store.meetings.deleteKeys(old);
  }
}

/** Deletes the blobs of a container last modified before `cutoff`; returns how many. */
export async function purgeBlobs(container: ContainerClient, cutoff: number, stop: () => boolean): Promise<number> {
  let deleted = 0;
  for await (const names of blobsModifiedBefore(container, cutoff)) {
    if (stop()) return deleted;
    deleted += await deleteBlobs(container, names);
  }
  return deleted;
}

/**
 * In disconnections of meetings on days before `cutoffDay`, replaces the IP addresses by their network (the
 * site stays). Rows already cut are left alone.
 */
export async function cutDisconnectionIps(
  ctx: PurgeContext,
  cutoffDay: string,
  counts: RecordsPurgeCounts,
): Promise<void> {
  for await (const uncut of ctx.store.disconnections.uncutBefore(cutoffDay)) {
    if (ctx.stop()) return;
    for (const key of uncut) {
      await ctx.store.disconnections.cutIps(key);
      counts.disconnectionIpsCut++;
    }
  }
}
