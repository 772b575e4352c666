// The retention periods (RETENTION_RECORDS_DAYS, RETENTION_RESULTS_DAYS, RETENTION_AGGREGATES_DAYS): read and
// checked in one place. A period must be a whole number of days, at least 1; results are kept at least as long
// as records, and aggregates at least as long as results (otherwise a report would outlive its basis).
import { SETTINGS, setting } from '../names.js';

export interface RetentionPeriods {
  recordsDays: number;
  resultsDays: number;
  aggregatesDays: number;
}

export class RetentionSettingsError extends Error {
  override name = 'RetentionSettingsError';
}

function days(name: string, env: NodeJS.ProcessEnv): number {
  const text = setting(name, env).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new RetentionSettingsError(`${name} must be a whole number of days, at least 1 (got "${text}")`);
  }
  return value;
}

export function readRetentionPeriods(env: NodeJS.ProcessEnv = process.env): RetentionPeriods {
  const periods = {
    recordsDays: days(SETTINGS.retentionRecordsDays, env),
    resultsDays: days(SETTINGS.retentionResultsDays, env),
    aggregatesDays: days(SETTINGS.retentionAggregatesDays, env),
  };
  if (periods.resultsDays < periods.recordsDays) {
    throw new RetentionSettingsError(
      `${SETTINGS.retentionResultsDays} (${periods.resultsDays}) must be at least ${SETTINGS.retentionRecordsDays} (${periods.recordsDays})`,
    );
  }
  if (periods.aggregatesDays < periods.resultsDays) {
    throw new RetentionSettingsError(
      `${SETTINGS.retentionAggregatesDays} (${periods.aggregatesDays}) must be at least ${SETTINGS.retentionResultsDays} (${periods.resultsDays})`,
    );
  }
  return periods;
}
