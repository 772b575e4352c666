// One retention run (the applyRetention timer, docs/privacy.md): deletes what is past its period, page by
// page, oldest kind last: records (RETENTION_RECORDS_DAYS), then results and per-user aggregates
// (RETENTION_RESULTS_DAYS), then the site/subnet/platform/day aggregates (RETENTION_AGGREGATES_DAYS).
// Idempotent: every step works from what still matches, so a run cut short is finished by the next one.
// The run's counts and the days before which each kind is gone are kept for /api/health and the reports.
import type { Store } from '../storage/store.js';
import type { EntityKey } from '../storage/purge.js';
import { listingsBefore, retireListings, summaryOnlyRowsBefore } from '../storage/summaryOnlyRows.js';
import { RetentionState, type PurgedBefore, type RetentionRunStatus } from '../storage/retentionState.js';
import { utcDay } from '../storage/disconnectionsTable.js';
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

    const results = store.meetingResults;
    counts.disconnections = await eachPage(store.disconnections.daysBefore(days.results), stop, (page) =>
      store.disconnections.deleteKeys(page),
    );
    // Each listing is replaced by a summary-only row (counts without the organiser) that the totals and rankings
    // read until the aggregates' period ends.
    counts.meetingListings = await eachPage(listingsBefore(results, days.results), stop, (page) =>
      retireListings(results, page),
    );
    counts.meetingLocations = await purgeLocations(store, days.results, stop);
    counts.userAggregates = await eachPage(store.aggregates.userRowsBefore(days.results), stop, (page) =>
      store.aggregates.deleteKeys(page),
    );
    // Users (object id, e-mails, Graph names) no export has named in records since the cut-off.
    counts.users = await eachPage(store.users.notSeenSince(cut.results), stop, (page) => store.users.deleteKeys(page));
    if (!stop()) purgedBefore.results = later(previous.results, days.results);

    counts.aggregates = await eachPage(store.aggregates.daysBefore(days.aggregates), stop, (page) =>
      store.aggregates.deleteKeys(page),
    );
    counts.meetingSummaries = await eachPage(summaryOnlyRowsBefore(results, days.aggregates), stop, (page) =>
      results.deleteKeys(page),
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
 * Runs `work` on each page of `pages` (a storage query of rows to delete or move) until they end or `stop()` says
 * so, checked before each page's work; returns the sum of what `work` counted.
 */
async function eachPage<T extends EntityKey>(
  pages: AsyncIterable<T[]>,
  stop: () => boolean,
  work: (page: T[]) => Promise<number>,
): Promise<number> {
  let done = 0;
  for await (const page of pages) {
    if (stop()) break;
    done += await work(page);
  }
  return done;
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
