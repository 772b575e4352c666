// Bench child: marks the first 2,000 meetings of the big store (100,000 sessions) and runs the
// analysis job on them, recording its time.
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ANALYSIS_MEETINGS, BIG_STORE_PREFIX, bigMeetingId, recordResult, storeWithPrefix } from './common.js';

async function main(): Promise<void> {
  const [caseId] = process.argv.slice(2);
  if (caseId === undefined) throw new Error('usage: analysisCase CASE_ID');
  const store = storeWithPrefix(BIG_STORE_PREFIX);
  await store.marks.mark(Array.from({ length: ANALYSIS_MEETINGS }, (_, i) => bigMeetingId(i)));
  const started = process.hrtime.bigint();
  const result = await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.analysed !== ANALYSIS_MEETINGS || result.failed > 0) {
    throw new Error(`analysed ${result.analysed} of ${ANALYSIS_MEETINGS} meetings, ${result.failed} failed`);
  }
  recordResult(caseId, { ms, meetings: result.analysed, disconnections: result.disconnections });
}

main().catch((error: unknown) => {
  process.stderr.write(`analysisCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
