// The analysis job: for each meeting marked by ingestion, read its records (by point reads of the
// session bundles and details named by its marks and its previous result, or by partition query when
// they are not indexed), run the detector, and replace the meeting's results (listing,
// disconnections, aggregates); then clear the marks unless they were set again meanwhile. Stops
// starting meetings before the deadline, or once storage cannot be reached; the rest stay marked.
// First, when the config changed since the last run, every meeting with results is marked again
// (src/pipeline/configChange.ts).
import { SessionClassifier } from '../analysis/classify.js';
import { analyseMeeting, siteLabel } from '../analysis/detect.js';
import { contributions, summariseMeeting } from '../analysis/metrics.js';
import type { ClassifiedSession, Meeting } from '../analysis/model.js';
import { meetingRow } from '../reports/meetings.js';
import type { Store } from '../storage/store.js';
import type { PendingMeeting } from '../storage/marks.js';
import { meetingFromStorage, readMeetingRecords } from '../storage/meetingRecords.js';
import type { PipelineConfig } from '../storage/configBlobs.js';
import type { StoredDisconnection } from '../storage/disconnectionsTable.js';
import { removeMeetingResults, replaceMeetingResults, utcDay, type MeetingResult } from '../storage/resultsWriter.js';
import { isStorageUnreachable } from '../storage/unreachable.js';
import { forEachBounded } from '../concurrency.js';
import { describeError } from '../errors.js';
import { SILENT_LOG, type PipelineLog } from './log.js';
import { remarkAfterConfigChange } from './configChange.js';

/** Meetings analysed at once unless AnalysisDeps.concurrency says otherwise. */
export const ANALYSIS_CONCURRENCY = 8;

export interface AnalysisDeps {
  store: Store;
  /** Meetings analysed at once (default ANALYSIS_CONCURRENCY). */
  concurrency?: number;
  now?: () => Date;
  /** Meetings marked per step when the config changed (default 1000). */
  remarkPageSize?: number;
  /** Called with each new result once stored, before the meeting's marks are cleared (the Log Analytics export queues it). */
  onStored?: (result: MeetingResult, run: { run: string; configFingerprint: string }) => Promise<void>;
}

export interface AnalysisOptions {
  /** Epoch ms after which no further meeting is started. */
  deadline: number;
  log?: PipelineLog;
}

export interface AnalysisRunResult {
  marked: number;
  analysed: number;
  /** Meetings whose mark was set again during their analysis (they stay marked for the next run). */
  markedAgain: number;
  /** Marks of meetings with nothing stored (cleared; any results they had are deleted). */
  empty: number;
  failed: number;
  /** Marks not started because the deadline came or storage could not be reached. */
  remaining: number;
  stoppedByDeadline: boolean;
  /** Stopped early because storage could not be reached (the meetings not started stay marked). */
  stoppedByUnreachableStorage: boolean;
  disconnections: number;
  configProblems: string[];
  /** Fingerprint of the config this run analysed with. */
  configFingerprint: string;
  /** Meetings with results marked again by this run because the config changed (all analysed in this run or later). */
  remarkedForConfigChange: number;
  durationMs: number;
}

/** Analyses one meeting from its stored records and builds what the result tables hold. */
export function buildMeetingResult(
  meeting: Meeting,
  config: PipelineConfig,
  classifier: SessionClassifier,
  analysedAt: string,
): MeetingResult {
  const analysis = analyseMeeting(meeting, (s) => classifier.classify(s), config.params);
  const summary = summariseMeeting(analysis, meeting);
  const row = meetingRow({ meeting, analysis });
  const day = utcDay(analysis.instanceStart);
  const byRecord = new Map<string, ClassifiedSession>(analysis.sessions.map((s) => [s.session.recordId, s]));
  const disconnections: StoredDisconnection[] = analysis.disconnections.map((d) => {
    const lost = byRecord.get(d.lostRecordId);
    return {
      disconnection: d,
      organizerEmail: summary.organizerUpn,
      organizerId: summary.organizerId,
      meetingType: summary.meetingType,
      meetingStart: analysis.instanceStart,
      lostClientIp: lost?.session.clientIp ?? d.network.ipBefore,
      site: siteLabel(d.network.ipBefore, d.network.siteBefore),
    };
  });
  return {
    listing: {
      meetingId: meeting.meetingId,
      day,
      start: analysis.instanceStart,
      end: analysis.instanceEnd,
      summary,
      row,
      analysedAt,
    },
    disconnections,
    contributions: contributions(analysis).map((c) => ({ ...c, day: c.day || day })),
  };
}

export async function analyseMarkedMeetings(deps: AnalysisDeps, options: AnalysisOptions): Promise<AnalysisRunResult> {
  const { store } = deps;
  const log = options.log ?? SILENT_LOG;
  const now = deps.now ?? (() => new Date());
  const started = now();
  const config = await store.config.load();
  const configProblems = config.problems.map((p) => `${p.blob}: ${p.message}`);
  // Details (which may quote config lines) are shown by /api/health, not logged.
  for (const p of config.problems)
    log.warn(`analyzeDisconnections: ${p.blob} in the config container has problems; see /api/health`);
  const classifier = new SessionClassifier(
    config.siteMap === undefined ? { rules: config.rules } : { rules: config.rules, siteMap: config.siteMap },
  );

  let lastError: string | undefined;
  let remarked = 0;
  let remarkUnfinished = false;
  try {
    const remark = await remarkAfterConfigChange(store, config.fingerprint, {
      deadline: options.deadline,
      now,
      log,
      ...(deps.remarkPageSize === undefined ? {} : { pageSize: deps.remarkPageSize }),
    });
    remarked = remark.remarked;
    remarkUnfinished = remark.outcome === 'unfinished';
  } catch (error) {
    // The marks written so far stay; the next run continues from the recorded progress.
    lastError = `marking meetings for the new config: ${describeError(error)}`;
    log.error(`analyzeDisconnections: ${lastError}`);
  }

  const marks = await store.marks.listPending();
  const result: AnalysisRunResult = {
    marked: marks.length,
    analysed: 0,
    markedAgain: 0,
    empty: 0,
    failed: 0,
    remaining: 0,
    stoppedByDeadline: remarkUnfinished,
    stoppedByUnreachableStorage: false,
    disconnections: 0,
    configProblems,
    configFingerprint: config.fingerprint,
    remarkedForConfigChange: remarked,
    durationMs: 0,
  };
  const analyseOne = async (pending: PendingMeeting): Promise<void> => {
    const records = await readMeetingRecords(store, pending);
    if (records.sessions.length === 0 && records.details.length === 0) {
      if (await store.meetings.recordsPurged(pending.meetingId)) {
        // Its records are past their retention (src/pipeline/retention.ts): the results stay until theirs is.
        await store.marks.clear(pending);
        result.empty++;
        return;
      }
      // Nothing left (its exports were withdrawn or replaced): its results go too.
      await removeMeetingResults(store, pending.meetingId, { location: records.location });
      await store.marks.clear(pending);
      result.empty++;
      return;
    }
    const meeting = meetingFromStorage(pending.meetingId, records.sessions, records.details);
    const meetingResult = buildMeetingResult(meeting, config, classifier, now().toISOString());
    meetingResult.records = records.keys;
    await replaceMeetingResults(store, meetingResult, {}, { location: records.location });
    await deps.onStored?.(meetingResult, { run: started.toISOString(), configFingerprint: config.fingerprint });
    result.analysed++;
    result.disconnections += meetingResult.disconnections.length;
    if (!(await store.marks.clear(pending))) result.markedAgain++;
  };

  // No meeting starts once storage is unreachable or the deadline has come.
  const stop = (): boolean => {
    if (result.stoppedByUnreachableStorage) return true;
    if (Date.now() < options.deadline) return false;
    result.stoppedByDeadline = true;
    return true;
  };
  const startedMeetings = await forEachBounded(
    marks,
    async (mark) => {
      try {
        await analyseOne(mark);
      } catch (error) {
        result.failed++;
        lastError = describeError(error);
        log.error(`analyzeDisconnections: meeting ${mark.meetingId} failed and stays marked: ${lastError}`);
        // Every other meeting would fail the same way until the deadline: stop starting them.
        if (isStorageUnreachable(error) && !result.stoppedByUnreachableStorage) {
          result.stoppedByUnreachableStorage = true;
          log.error(
            `analyzeDisconnections: storage cannot be reached; no further meetings are started, the rest stay marked for the next run`,
          );
        }
      }
    },
    { concurrency: deps.concurrency ?? ANALYSIS_CONCURRENCY, stop },
  );
  result.remaining = marks.length - startedMeetings;
  result.durationMs = now().getTime() - started.getTime();

  const status: Parameters<Store['marks']['recordRun']>[0] = {
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    durationMs: result.durationMs,
    analysed: result.analysed,
    failed: result.failed,
    remaining: result.remaining + result.failed + result.markedAgain,
    stoppedByDeadline: result.stoppedByDeadline,
    configFingerprint: result.configFingerprint,
    remarkedForConfigChange: result.remarkedForConfigChange,
  };
  if (lastError !== undefined) status.lastError = lastError;
  try {
    await store.marks.recordRun(status);
  } catch (error) {
    log.warn(`analyzeDisconnections: could not record the run status: ${describeError(error)}`);
  }
  log.info(
    `analyzeDisconnections: ${result.analysed} of ${result.marked} marked meetings analysed, ${result.disconnections} disconnections, ` +
      `${result.failed} failed, ${result.markedAgain} marked again, ${result.remaining} left for the next run` +
      (result.remarkedForConfigChange > 0
        ? `, ${result.remarkedForConfigChange} marked because the config changed`
        : ''),
  );
  return result;
}
