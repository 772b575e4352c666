// Timer analyzeDisconnections: on %ANALYSIS_SCHEDULE% (every 10 minutes by default) analyses the
// meetings marked by ingestion (src/pipeline/analyse.ts), stopping before the function timeout.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../names.js';
import { analyseMarkedMeetings, type AnalysisRunResult } from '../pipeline/analyse.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';

export const FUNCTION_NAME = 'analyzeDisconnections';
/** Time kept back from the function timeout for the meetings in progress and the run status. */
export const DEADLINE_MARGIN_MS = 2 * 60_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** host.json functionTimeout (`hh:mm:ss`) in ms, or the 10-minute default when absent or unreadable. */
export function functionTimeoutMs(hostJsonPath = join(__dirname, '..', '..', '..', 'host.json')): number {
  try {
    if (!existsSync(hostJsonPath)) return DEFAULT_TIMEOUT_MS;
    const timeout = (JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { functionTimeout?: unknown }).functionTimeout;
    const m = typeof timeout === 'string' ? /^(\d+):(\d{2}):(\d{2})$/.exec(timeout) : null;
    if (!m) return DEFAULT_TIMEOUT_MS;
    return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
  } catch {
    return DEFAULT_TIMEOUT_MS;
  }
}

export function makeAnalyzeDisconnectionsHandler(services: () => PipelineServices = pipelineServices, timeoutMs = functionTimeoutMs()) {
  return async (_timer: Timer, context: InvocationContext): Promise<AnalysisRunResult> => {
    const deadline = Date.now() + Math.max(30_000, timeoutMs - DEADLINE_MARGIN_MS);
    const s = services();
    await s.ready();
    const result = await analyseMarkedMeetings({ store: s.store }, { deadline, log: context });
    if (result.failed > 0) {
      throw new Error(`${FUNCTION_NAME}: ${result.failed} of ${result.marked} meetings failed and stay marked for the next run`);
    }
    return result;
  };
}

export const analyzeDisconnectionsHandler = makeAnalyzeDisconnectionsHandler();

app.timer(FUNCTION_NAME, {
  schedule: `%${SETTINGS.analysisSchedule}%`,
  handler: async (timer, context) => {
    await analyzeDisconnectionsHandler(timer, context);
  },
});
