// Test helper: the collector's state table on the test Azurite, one per caller (random name), and a run status
// to record in it. The collector state, collector health and collection tests share them.
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { CollectorState, type CollectorRunStatus } from '../../src/storage/collectorState.js';
import { testConnectionString } from './testStore.js';

/** A CollectorState over a new, empty table named `label` and random hex (its client: `state.client`). */
export async function freshCollectorState(label: string): Promise<CollectorState> {
  const client = TableClient.fromConnectionString(testConnectionString(), `${label}${randomBytes(4).toString('hex')}`, {
    allowInsecureConnection: true,
  });
  const state = new CollectorState(client);
  await state.ensureTable();
  return state;
}

/** A run status with every count filled in (a run that succeeded), changed by `overrides`. */
export function collectorRun(overrides: Partial<CollectorRunStatus> = {}): CollectorRunStatus {
  return {
    startedAt: '2026-03-09T10:00:00.000Z',
    status: 'succeeded',
    windowsCompleted: 1,
    contentListed: 3,
    contentFetched: 2,
    contentSkipped: 1,
    contentExpired: 0,
    recordsKept: 10,
    blobsWritten: 2,
    retries: 0,
    ...overrides,
  };
}
