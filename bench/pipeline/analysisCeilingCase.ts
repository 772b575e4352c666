// Bench child: the analysis ceiling. Marks the same 2,000 meetings as the analysis case, then does
// the analysis job's table work without classifying or detecting anything: the config and mark reads,
// each meeting's records read as the analysis reads them, its results written with the same writer
// (results computed beforehand, outside the timing, so the rows are those the analysis writes), its
// marks cleared, the run status recorded; with the analysis job's concurrency.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { ANALYSIS_CONCURRENCY, buildMeetingResult } from '../../src/pipeline/analyse.js';
import { meetingFromStorage, readMeetingRecords, unmarked } from '../../src/storage/meetingRecords.js';
import { replaceMeetingResults, type MeetingResult } from '../../src/storage/resultsWriter.js';
import type { PendingMeeting } from '../../src/storage/marks.js';
import type { Store } from '../../src/storage/store.js';
import {
  ANALYSIS_MEETINGS,
  BIG_STORE_PREFIX,
  bigMeetingId,
  recordResult,
  resultsDir,
  storeWithPrefix,
} from './common.js';

/** The results of the analysed meetings, computed once per bench run and kept beside the measurements. */
async function precomputedResults(store: Store): Promise<Map<string, MeetingResult>> {
  const path = join(resultsDir(), 'analysis-ceiling-results.json');
  if (existsSync(path)) return new Map(JSON.parse(readFileSync(path, 'utf8')) as Array<[string, MeetingResult]>);
  const config = await store.config.load();
  const classifier = new SessionClassifier(
    config.siteMap === undefined ? { rules: config.rules } : { rules: config.rules, siteMap: config.siteMap },
  );
  const results = new Map<string, MeetingResult>();
  for (let i = 0; i < ANALYSIS_MEETINGS; i++) {
    const meetingId = bigMeetingId(i);
    const records = await readMeetingRecords(store, unmarked(meetingId));
    const meeting = meetingFromStorage(meetingId, records.sessions, records.details);
    results.set(meetingId, buildMeetingResult(meeting, config, classifier, new Date().toISOString()));
  }
  writeFileSync(path, JSON.stringify([...results]));
  return results;
}

async function main(): Promise<void> {
  const [caseId] = process.argv.slice(2);
  if (caseId === undefined) throw new Error('usage: analysisCeilingCase CASE_ID');
  const store = storeWithPrefix(BIG_STORE_PREFIX);
  const results = await precomputedResults(store);
  await store.marks.mark(Array.from({ length: ANALYSIS_MEETINGS }, (_, i) => bigMeetingId(i)));

  const started = process.hrtime.bigint();
  await Promise.all([store.config.load(), store.marks.configState()]);
  const marks = await store.marks.listPending();
  let next = 0;
  let written = 0;
  const one = async (pending: PendingMeeting): Promise<void> => {
    const records = await readMeetingRecords(store, pending);
    const result = results.get(pending.meetingId);
    if (result === undefined) throw new Error(`no precomputed result for ${pending.meetingId}`);
    await replaceMeetingResults(store, { ...result, records: records.keys }, {}, { location: records.location });
    await store.marks.clear(pending);
    written++;
  };
  await Promise.all(
    Array.from({ length: ANALYSIS_CONCURRENCY }, async () => {
      while (next < marks.length) await one(marks[next++]!);
    }),
  );
  const now = new Date().toISOString();
  await store.marks.recordRun({
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    analysed: written,
    failed: 0,
    remaining: 0,
    stoppedByDeadline: false,
    remarkedForConfigChange: 0,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (written !== ANALYSIS_MEETINGS) throw new Error(`wrote ${written} of ${ANALYSIS_MEETINGS} meetings`);
  recordResult(caseId, { ms, meetings: written });
}

main().catch((error: unknown) => {
  process.stderr.write(`analysisCeilingCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
