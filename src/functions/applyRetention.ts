// Timer applyRetention: on %RETENTION_SCHEDULE% (daily at 02:15 UTC by default) deletes what is past its
// retention period (src/pipeline/retention.ts, docs/privacy.md), stopping before the function timeout; the
// next run finishes what one cut short.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../names.js';
import { applyRetention, RETENTION_FUNCTION_NAME } from '../pipeline/retention.js';
import { readRetentionPeriods } from '../pipeline/retentionSettings.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';
import type { RetentionRunStatus } from '../storage/retentionState.js';
import { DEADLINE_MARGIN_MS } from './analyzeDisconnections.js';
import { functionTimeoutMs } from '../hostSettings.js';

export const FUNCTION_NAME = RETENTION_FUNCTION_NAME;

export function makeApplyRetentionHandler(
  services: () => PipelineServices = pipelineServices,
  options: { env?: NodeJS.ProcessEnv; now?: () => Date; timeoutMs?: number } = {},
) {
  return async (_timer: Timer, context: InvocationContext): Promise<RetentionRunStatus> => {
    // A wrong setting fails the run with a message naming it (nothing is deleted).
    const periods = readRetentionPeriods(options.env ?? process.env);
    const deadline = Date.now() + Math.max(30_000, (options.timeoutMs ?? functionTimeoutMs()) - DEADLINE_MARGIN_MS);
    const s = services();
    await s.ready();
    return applyRetention({ store: s.store, now: options.now ?? (() => new Date()), log: context }, periods, deadline);
  };
}

app.timer(FUNCTION_NAME, {
  schedule: `%${SETTINGS.retentionSchedule}%`,
  handler: async (timer, context) => {
    await makeApplyRetentionHandler()(timer, context);
  },
});
