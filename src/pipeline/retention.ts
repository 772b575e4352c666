// One retention run (the applyRetention timer, docs/privacy.md): deletes what is past its period, page by
// page, oldest kind last: records (RETENTION_RECORDS_DAYS), then results and per-user aggregates
// (RETENTION_RESULTS_DAYS), then the site/subnet/platform/day aggregates (RETENTION_AGGREGATES_DAYS).
// Idempotent: every step works from what still matches, so a run cut short is finished by the next one.
// The run's counts and the days before which each kind is gone are kept for /api/health and the reports.
import type { Store } from '../storage/store.js';
import { deleteEntities, deleteMatching, pagesOf } from '../storage/purge.js';
import { LISTING_PREFIX } from '../storage/meetingResultsTable.js';
import { SUMMARY_ONLY_PREFIX, summaryOnlyEntity } from '../storage/summaryOnlyRows.js';
import { RetentionState, type PurgedBefore, type RetentionRunStatus } from '../storage/retentionState.js';
import { num, stringLiteral } from '../storage/tableEntities.js';
import { utcDay } from '../storage/disconnectionsTable.js';
import { prefixUpperBound } from '../storage/keys.js';
import { describeError } from '../errors.js';
import { SILENT_LOG, type PipelineLog } from './log.js';
import type { RetentionPeriods } from './retentionSettings.js';
import {
  cutDisconnectionIps,
  emptyRecordsCounts,
  purgeBlobs,
  purgeMeetingDetails,
  purgeSessions,
  type PurgeContext,
} from './retentionRecords.js';

export const RETENTION_FUNCTION_NAME = 'applyRetention';
const DAY_MS = 86_400_000;

export interface RetentionDeps {
  store: Store;
  now: () => Date;
  log?: PipelineLog;
}

export function retentionState(store: Store): RetentionState {
  return new RetentionState(store.marks.client);
}

/** The cut-off times of the periods at `now`: data before them is past its retention. */
export function retentionCutoffs(
  periods: RetentionPeriods,
  now: Date,
): { records: number; results: number; aggregates: number } {
  const t = now.getTime();
  return {
    records: t - periods.recordsDays * DAY_MS,
    results: t - periods.resultsDays * DAY_MS,
    aggregates: t - periods.aggregatesDays * DAY_MS,
  };
}

/** Runs retention until done or `deadline` (epoch ms); records and returns the run's status. */
export async function applyRetention(
  deps: RetentionDeps,
  periods: RetentionPeriods,
  deadline: number,
): Promise<RetentionRunStatus> {
  const { store, now } = deps;
  const log = deps.log ?? SILENT_LOG;
  const started = now();
  const cut = retentionCutoffs(periods, started);
  const days = { records: utcDay(cut.records), results: utcDay(cut.results), aggregates: utcDay(cut.aggregates) };
  const stop = (): boolean => Date.now() >= deadline;
  const ctx: PurgeContext = { store, now, stop };
  const state = retentionState(store);
  const previous = (await state.last())?.purgedBefore ?? {};
  const purgedBefore: PurgedBefore = { ...previous };
  const records = emptyRecordsCounts();
  const counts: Record<string, number> = {};
  let lastError: string | undefined;
  try {
    await purgeSessions(ctx, cut.records, records);
    await purgeMeetingDetails(ctx, cut.records, records);
    records.exportBlobs = await purgeBlobs(store.exports, cut.records, stop);
    records.rejectsBlobs = await purgeBlobs(store.rejects.container, cut.records, stop);
    await cutDisconnectionIps(ctx, days.records, records);
    if (!stop()) purgedBefore.records = later(previous.records, days.records);

    counts.disconnections = await deleteMatching(
      store.disconnections.client,
      `PartitionKey lt ${stringLiteral(days.results)}`,
      stop,
    );
    counts.meetingListings = await retireListings(store, days.results, stop);
    counts.meetingLocations = await purgeLocations(store, days.results, stop);
    counts.userAggregates = await deleteMatching(
      store.aggregates.client,
      `PartitionKey lt ${stringLiteral(days.results)} and RowKey ge 'user|' and RowKey lt ${stringLiteral(prefixUpperBound('user|'))}`,
      stop,
    );
    counts.users = await purgeUsers(store, cut.results, stop);
    if (!stop()) purgedBefore.results = later(previous.results, days.results);

    counts.aggregates = await deleteMatching(
      store.aggregates.client,
      `PartitionKey lt ${stringLiteral(days.aggregates)}`,
      stop,
    );
    counts.meetingSummaries = await deleteMatching(
      store.meetingResults.client,
      `PartitionKey ge ${stringLiteral(SUMMARY_ONLY_PREFIX)} and PartitionKey lt ${stringLiteral(SUMMARY_ONLY_PREFIX + days.aggregates)}`,
      stop,
    );
    if (!stop()) purgedBefore.aggregates = later(previous.aggregates, days.aggregates);
  } catch (error) {
    lastError = describeError(error);
    log.error(`${RETENTION_FUNCTION_NAME}: failed: ${lastError}`);
  }
  const status: RetentionRunStatus = {
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    periods,
    purgedBefore,
    counts: { ...records, ...counts },
    stoppedByDeadline: stop(),
  };
  if (lastError !== undefined) status.lastError = lastError;
  await state.record(status);
  log.info(
    `${RETENTION_FUNCTION_NAME}: ${Object.entries(status.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${status.stoppedByDeadline ? '; stopped by its deadline' : ''}`,
  );
  if (lastError !== undefined) throw new Error(`retention failed: ${lastError}`);
  return status;
}

function later(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}

/**
 * Replaces the listing rows of days before `cutoffDay` by summary-only rows (counts without the organiser, which
 * the totals and rankings read until the aggregates' period ends); returns how many listings went.
 */
async function retireListings(store: Store, cutoffDay: string, stop: () => boolean): Promise<number> {
  const client = store.meetingResults.client;
  const filter = `PartitionKey ge ${stringLiteral(LISTING_PREFIX)} and PartitionKey lt ${stringLiteral(LISTING_PREFIX + cutoffDay)}`;
  let retired = 0;
  for (;;) {
    if (stop()) return retired;
    const first = await pagesOf(client, filter).next();
    if (first.done || first.value.length === 0) return retired;
    // The summary first, then the listing: a run cut short in between finds the listing again.
    for (const listing of first.value) await client.upsertEntity(summaryOnlyEntity(listing), 'Replace');
    retired += await deleteEntities(client, first.value);
  }
}

/** Deletes the location rows of meetings whose result (its day) is before `cutoffDay`. */
async function purgeLocations(store: Store, cutoffDay: string, stop: () => boolean): Promise<number> {
  let deleted = 0;
  let after: string | undefined;
  for (;;) {
    if (stop()) return deleted;
    const page = await store.meetingResults.analysedMeetingsPage(after);
    for (const meetingId of page.meetingIds) {
      const location = await store.meetingResults.getLocation(meetingId);
      if (location === undefined) continue;
      const days = [location.current?.day, ...location.listings.map((l) => l.day)].filter(
        (d): d is string => d !== undefined,
      );
      if (days.length > 0 && days.every((d) => d < cutoffDay)) {
        await store.meetingResults.deleteLocation(meetingId);
        deleted++;
      }
    }
    if (page.done) return deleted;
    after = page.cursor;
  }
}

/**
 * Deletes the users (object id, e-mails, Graph names) not seen in records since `cutoff`: `seenAt` is the latest
 * record time of the last export that named them; rows written before it existed go by their Timestamp.
 */
async function purgeUsers(store: Store, cutoff: number, stop: () => boolean): Promise<number> {
  let deleted = 0;
  const filter = `PartitionKey ge 'user-' and PartitionKey lt 'user.'`;
  for await (const page of pagesOf(store.users.client, filter, {
    select: ['PartitionKey', 'RowKey', 'seenAt', 'Timestamp'],
  })) {
    if (stop()) break;
    const old = page.filter((e) => {
      const timestamp = e['timestamp'];
      const seen = num(e, 'seenAt') ?? (typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN);
      return Number.isFinite(seen) && seen < cutoff;
    });
    deleted += await deleteEntities(store.users.client, old);
  }
  return deleted;
}
