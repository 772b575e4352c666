// Timer purgeLogAnalytics: on %LOG_ANALYTICS_PURGE_SCHEDULE% (hourly by default) submits the Log Analytics purges
// that erasures queued and that could not go at once (throttled or failed), and reads the status of the purges
// not yet completed (src/pipeline/logAnalytics/purge.ts, docs/privacy.md). Does nothing while the purge is off.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../names.js';
import { readPurgeSettings, runLogPurge, type LogPurgeRun } from '../pipeline/logAnalytics/purgeService.js';
import { LogAnalyticsSettingsError } from '../pipeline/logAnalytics/exportService.js';
import { pipelineServices, type PipelineServices } from '../pipeline/services.js';

export const FUNCTION_NAME = 'purgeLogAnalytics';

export function makePurgeLogAnalyticsHandler(
  services: () => PipelineServices = pipelineServices,
  env: NodeJS.ProcessEnv = process.env,
) {
  return async (_timer: Timer, context: InvocationContext): Promise<LogPurgeRun> => {
    if (purgeIsOff(env)) return { state: 'off' };
    const s = services();
    await s.ready();
    return runLogPurge(s.store, context, env);
  };
}

/** Off without its settings; a wrong setting is not "off": the run logs it and returns state misconfigured. */
function purgeIsOff(env: NodeJS.ProcessEnv): boolean {
  try {
    return readPurgeSettings(env) === undefined;
  } catch (error) {
    if (error instanceof LogAnalyticsSettingsError) return false;
    throw error;
  }
}

app.timer(FUNCTION_NAME, {
  schedule: `%${SETTINGS.logAnalyticsPurgeSchedule}%`,
  handler: async (timer, context) => {
    await makePurgeLogAnalyticsHandler()(timer, context);
  },
});
