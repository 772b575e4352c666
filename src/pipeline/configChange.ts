// Re-analysis after a config change: when the analysis config's fingerprint differs from the one
// recorded, every meeting with results is marked again, one page at a time, each page's progress
// recorded after its marks are written. The new fingerprint is recorded only once all are marked, so
// a run that dies or reaches its deadline half-way leaves the rest to the next run (marks are
// idempotent: a page marked twice costs a second analysis, nothing is lost).
import type { Store } from '../storage/store.js';
import type { ConfigRemarking } from '../storage/marks.js';
import { SILENT_LOG, type PipelineLog } from './log.js';

export interface ConfigRemarkOptions {
  /** Epoch ms after which no further page is started. */
  deadline: number;
  /** Meetings listed and marked per step (default 1000). */
  pageSize?: number;
  /** The clock the deadline is checked against (default Date.now). */
  clock?: () => number;
  now?: () => Date;
  log?: PipelineLog;
}

export interface ConfigRemarkOutcome {
  /**
   * `first`: no fingerprint was recorded, this one now is; `unchanged`: nothing to do; `finished`: every
   * meeting with results is marked and the fingerprint recorded; `unfinished`: the deadline came first.
   */
  outcome: 'first' | 'unchanged' | 'finished' | 'unfinished';
  /** Meetings marked by this call. */
  remarked: number;
}

/** Marks every analysed meeting again when the config changed since the recorded fingerprint (see the module header). */
export async function remarkAfterConfigChange(
  store: Store,
  fingerprint: string,
  options: ConfigRemarkOptions,
): Promise<ConfigRemarkOutcome> {
  const clock = options.clock ?? Date.now;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? SILENT_LOG;
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const state = await store.marks.configState();
  if (state === undefined) {
    await store.marks.recordConfigState({ fingerprint, recordedAt: now().toISOString() });
    return { outcome: 'first', remarked: 0 };
  }
  if (state.remarking === undefined && state.fingerprint === fingerprint) return { outcome: 'unchanged', remarked: 0 };

  // A re-marking for another config (changed again meanwhile) starts over: meetings it marked may
  // have been analysed with that config since.
  let progress: ConfigRemarking;
  if (state.remarking?.fingerprint === fingerprint) {
    progress = state.remarking;
  } else {
    progress = { fingerprint, startedAt: now().toISOString(), meetings: 0 };
    await store.marks.recordConfigState({ ...state, remarking: progress });
    log.info(
      `analyzeDisconnections: the config changed (${short(state.fingerprint)} -> ${short(fingerprint)}); marking every analysed meeting for re-analysis`,
    );
  }

  let remarked = 0;
  for (;;) {
    if (clock() >= options.deadline) {
      log.info(
        `analyzeDisconnections: ${progress.meetings} meetings marked for the new config so far; the next run continues`,
      );
      return { outcome: 'unfinished', remarked };
    }
    const page = await store.meetingResults.analysedMeetingsPage(progress.cursor, pageSize);
    if (page.meetingIds.length > 0) await store.marks.mark(page.meetingIds, now());
    remarked += page.meetingIds.length;
    progress = { ...progress, meetings: progress.meetings + page.meetingIds.length };
    if (page.cursor !== undefined) progress.cursor = page.cursor;
    if (page.done) break;
    await store.marks.recordConfigState({ ...state, remarking: progress });
  }
  await store.marks.recordConfigState({
    fingerprint,
    recordedAt: now().toISOString(),
    lastRemark: {
      fingerprint,
      previousFingerprint: state.fingerprint,
      startedAt: progress.startedAt,
      finishedAt: now().toISOString(),
      meetings: progress.meetings,
    },
  });
  log.info(
    `analyzeDisconnections: ${progress.meetings} analysed meetings marked for re-analysis with config ${short(fingerprint)}`,
  );
  return { outcome: 'finished', remarked };
}

/** The first 12 hex digits, enough to tell fingerprints apart in a log. */
function short(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}
