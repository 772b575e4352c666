// Timer function resolveUserNames: on GRAPH_NAMES_SCHEDULE (hourly by default) looks the users' object ids up in
// Microsoft Graph with the Function App's managed identity and keeps display names and UPNs in the users table
// (src/pipeline/namesRun.ts). Off unless GRAPH_NAMES=true, and always off when PSEUDONYMIZE_USERS=true
// (docs/graph-names.md).
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../names.js';
import { makeNamesRunner, type NamesRunnerDeps } from '../pipeline/namesRun.js';
import { NAMES_FUNCTION_NAME } from '../pipeline/resolveNames.js';
import { pipelineServices } from '../pipeline/services.js';

export const FUNCTION_NAME = NAMES_FUNCTION_NAME;

export function makeResolveUserNamesHandler(deps: Partial<NamesRunnerDeps> = {}) {
  const run = makeNamesRunner({ services: pipelineServices, ...deps });
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    await run(context);
  };
}

app.timer(FUNCTION_NAME, {
  schedule: `%${SETTINGS.graphNamesSchedule}%`,
  handler: makeResolveUserNamesHandler(),
});
