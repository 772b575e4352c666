// The collector's part of /api/health: whether its settings are present, its last run and error, and the end
// of the last listing window it collected completely.
import { missingCollectorSettings } from '../collector/config.js';
import { CollectorState, type CollectorRunStatus } from '../storage/collectorState.js';

export interface CollectorHealth {
  /** The settings the collector needs are present (O365_TENANT_ID, O365_CLIENT_ID, a secret or certificate). */
  configured: boolean;
  missingSettings: string[];
  lastRun?: CollectorRunStatus;
  /** The last run's error, when it did not succeed. */
  lastError?: string;
  /** End of the last listing window whose content was all collected (Audit.General). */
  lastWindowEnd?: string;
}

export async function readCollectorHealth(
  state: CollectorState,
  env: NodeJS.ProcessEnv = process.env,
  contentType = 'Audit.General',
): Promise<CollectorHealth> {
  const missingSettings = missingCollectorSettings(env);
  const health: CollectorHealth = { configured: missingSettings.length === 0, missingSettings };
  const [lastRun, lastWindowEnd] = await Promise.all([state.lastRun(), state.lastWindowEnd(contentType)]);
  if (lastRun !== undefined) {
    health.lastRun = lastRun;
    if (lastRun.status !== 'succeeded' && lastRun.error !== undefined) health.lastError = lastRun.error;
  }
  if (lastWindowEnd !== undefined) health.lastWindowEnd = lastWindowEnd.toISOString();
  return health;
}
