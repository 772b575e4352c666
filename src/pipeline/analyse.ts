// The analysis job: for each meeting marked by ingestion, read its partition, run the detector, and
// replace the meeting's results (listing, disconnections, aggregates); then clear the mark unless it
// was set again meanwhile. Stops starting meetings before the deadline; the rest stay marked.
import { Deduplicator } from '../audit/dataset.js';
import type { MeetingDetailRecord, SessionRecord } from '../audit/records.js';
import { SessionClassifier } from '../analysis/classify.js';
import { analyseMeeting, siteLabel } from '../analysis/detect.js';
import { contributions, summariseMeeting } from '../analysis/metrics.js';
import type { ClassifiedSession, Meeting } from '../analysis/model.js';
import { meetingRow } from '../reports/meetings.js';
import type { Store } from '../storage/store.js';
import type { Mark } from '../storage/marks.js';
import type { PipelineConfig } from '../storage/configBlobs.js';
import type { StoredDisconnection } from '../storage/disconnectionsTable.js';
import { replaceMeetingResults, utcDay, type MeetingResult } from '../storage/resultsWriter.js';
import { describeError, SILENT_LOG, type PipelineLog } from './log.js';

export interface AnalysisDeps {
  store: Store;
  /** Meetings analysed at once (default 8). */
  concurrency?: number;
  now?: () => Date;
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
  /** Marks of meetings with nothing stored (cleared). */
  empty: number;
  failed: number;
  /** Marks not started because the deadline came. */
  remaining: number;
  stoppedByDeadline: boolean;
  disconnections: number;
  configProblems: string[];
  durationMs: number;
}

/** The stored sessions of a meeting, de-duplicated the same way whatever order they were ingested in. */
export function meetingFromStorage(meetingId: string, sessions: SessionRecord[], details: MeetingDetailRecord[]): Meeting {
  const deduplicator = new Deduplicator();
  const sorted = [...sessions].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
  const kept = sorted.filter((s) => deduplicator.add(s) === 'accepted');
  const meeting: Meeting = { meetingId, sessions: kept };
  const detail = [...details].sort((a, b) => (b.creationTime ?? 0) - (a.creationTime ?? 0) || (a.recordId < b.recordId ? -1 : 1))[0];
  if (detail !== undefined) meeting.detail = detail;
  return meeting;
}

/** Analyses one meeting from its stored records and builds what the result tables hold. */
export function buildMeetingResult(meeting: Meeting, config: PipelineConfig, classifier: SessionClassifier, analysedAt: string): MeetingResult {
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
    listing: { meetingId: meeting.meetingId, day, start: analysis.instanceStart, end: analysis.instanceEnd, summary, row, analysedAt },
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
  for (const problem of configProblems) log.warn(`analyzeDisconnections: config problem: ${problem}`);
  const classifier = new SessionClassifier(config.siteMap === undefined ? { rules: config.rules } : { rules: config.rules, siteMap: config.siteMap });

  const marks = await store.marks.listPending();
  const result: AnalysisRunResult = {
    marked: marks.length, analysed: 0, markedAgain: 0, empty: 0, failed: 0, remaining: 0,
    stoppedByDeadline: false, disconnections: 0, configProblems, durationMs: 0,
  };
  let lastError: string | undefined;
  let next = 0;

  const analyseOne = async (mark: Mark): Promise<void> => {
    const [sessions, details] = await Promise.all([store.sessions.listMeeting(mark.meetingId), store.meetings.listMeeting(mark.meetingId)]);
    if (sessions.length === 0 && details.length === 0) {
      await store.marks.clear(mark);
      result.empty++;
      return;
    }
    const meeting = meetingFromStorage(mark.meetingId, sessions, details);
    const meetingResult = buildMeetingResult(meeting, config, classifier, now().toISOString());
    await replaceMeetingResults(store, meetingResult);
    result.analysed++;
    result.disconnections += meetingResult.disconnections.length;
    if (!(await store.marks.clear(mark))) result.markedAgain++;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (next >= marks.length) return;
      if (Date.now() >= options.deadline) {
        result.stoppedByDeadline = true;
        return;
      }
      const mark = marks[next++]!;
      try {
        await analyseOne(mark);
      } catch (error) {
        result.failed++;
        lastError = describeError(error);
        log.error(`analyzeDisconnections: meeting ${mark.meetingId} failed and stays marked: ${lastError}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
  result.remaining = marks.length - next;
  result.durationMs = now().getTime() - started.getTime();

  const status: Parameters<Store['marks']['recordRun']>[0] = {
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    durationMs: result.durationMs,
    analysed: result.analysed,
    failed: result.failed,
    remaining: result.remaining + result.failed + result.markedAgain,
    stoppedByDeadline: result.stoppedByDeadline,
  };
  if (lastError !== undefined) status.lastError = lastError;
  try {
    await store.marks.recordRun(status);
  } catch (error) {
    log.warn(`analyzeDisconnections: could not record the run status: ${describeError(error)}`);
  }
  log.info(
    `analyzeDisconnections: ${result.analysed} of ${result.marked} marked meetings analysed, ${result.disconnections} disconnections, ` +
      `${result.failed} failed, ${result.markedAgain} marked again, ${result.remaining} left for the next run`,
  );
  return result;
}
