// Timer analyzeDisconnections: on %ANALYSIS_SCHEDULE% (every 10 minutes by default) analyses the
// meetings marked by ingestion (src/pipeline/analyse.ts), stopping before the function timeout; then sends the new
// results to Log Analytics when the export is configured (src/pipeline/logAnalytics/).
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { functionTimeoutMs, runBudgetMs } from '../hostSettings.js';
import { SETTINGS } from '../names.js';
import { analyseMarkedMeetings, type AnalysisRunResult } from '../pipeline/analyse.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import { logAnalyticsExportFor, type LogAnalyticsExport } from '../pipeline/logAnalytics/exportService.js';
import type { Store } from '../storage/store.js';

export const FUNCTION_NAME = 'analyzeDisconnections';
/** Time kept back from the function timeout for the meetings in progress and the run status. */
export const DEADLINE_MARGIN_MS = 2 * 60_000;

export function makeAnalyzeDisconnectionsHandler(
  services: () => PipelineServices = pipelineServices,
  timeoutMs = functionTimeoutMs(),
  logExport: (store: Store, log: InvocationContext) => LogAnalyticsExport | undefined = logAnalyticsExportFor,
) {
  return async (_timer: Timer, context: InvocationContext): Promise<AnalysisRunResult> => {
    const deadline = Date.now() + runBudgetMs(DEADLINE_MARGIN_MS, timeoutMs);
    const s = services();
    await s.ready();
    const exporter = logExport(s.store, context);
    const result = await analyseMarkedMeetings(
      { store: s.store, ...(exporter ? { onStored: exporter.queue } : {}) },
      { deadline, log: context },
    );
    // Half the margin for the export, which never throws (a failed upload stays queued for the next run).
    if (exporter) await exporter.run({ deadline: deadline + DEADLINE_MARGIN_MS / 2, log: context });
    if (result.failed > 0) {
      throw new Error(
        `${FUNCTION_NAME}: ${result.failed} of ${result.marked} meetings failed and stay marked for the next run`,
      );
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
