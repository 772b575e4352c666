// Timer function collectAuditRecords: on COLLECTOR_SCHEDULE, pulls Teams meeting records from the
// Office 365 Management Activity API into the exports container (src/pipeline/collectorRun.ts). Off unless
// O365_TENANT_ID, O365_CLIENT_ID and one credential are set: O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE (Key
// Vault references), or O365_MANAGED_IDENTITY_CLIENT_ID (docs/collector-credentials.md); the host-level switch is
// AzureWebJobs.collectAuditRecords.Disabled.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../names.js';
import { COLLECTOR_FUNCTION_NAME, makeCollectorRunner, type CollectorHandlerDeps } from '../pipeline/collectorRun.js';

export const FUNCTION_NAME = COLLECTOR_FUNCTION_NAME;

export type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/** The handler, with its dependencies replaceable for tests. */
export function makeCollectAuditRecordsHandler(deps: CollectorHandlerDeps = {}): TimerHandler {
  const run = makeCollectorRunner(deps);
  return (_timer: Timer, context: InvocationContext) => run(context);
}

export const collectAuditRecordsHandler: TimerHandler = makeCollectAuditRecordsHandler();

app.timer(FUNCTION_NAME, {
  schedule: `%${SETTINGS.collectorSchedule}%`,
  handler: collectAuditRecordsHandler,
});
