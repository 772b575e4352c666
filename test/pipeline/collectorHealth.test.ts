// The collector's part of /api/health, read from its state table on Azurite.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { CollectorState } from '../../src/storage/collectorState.js';
import { readCollectorHealth } from '../../src/pipeline/collectorHealth.js';
import { collectorRun as run, freshCollectorState } from '../storage/collectorStateFixture.js';

let state: CollectorState;

before(async () => {
  state = await freshCollectorState('collectorhealth');
});

test('health reports configuration, the last error and the position', async () => {
  await state.setLastWindowEnd('Audit.General', new Date('2026-03-09T10:00:00.000Z'), new Date());
  const health0 = await readCollectorHealth(state, {});
  assert.equal(health0.configured, false);
  assert.deepEqual(health0.missingSettings, [
    'O365_TENANT_ID',
    'O365_CLIENT_ID',
    'O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE or O365_MANAGED_IDENTITY_CLIENT_ID',
  ]);

  await state.recordRun(
    run({
      status: 'failed',
      errorKind: 'credentials',
      error: `AADSTS7000215 ${'x'.repeat(3000)}`,
      finishedAt: '2026-03-09T10:00:05.000Z',
    }),
  );

  const env = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_CLIENT_SECRET: 's' };
  const health = await readCollectorHealth(state, env);
  assert.equal(health.configured, true);
  assert.deepEqual(health.missingSettings, []);
  assert.equal(health.lastRun?.status, 'failed');
  assert.match(health.lastError ?? '', /^AADSTS7000215/);
  assert.equal(health.lastWindowEnd, '2026-03-09T10:00:00.000Z');

  await state.recordRun(run({ status: 'succeeded', lastWindowEnd: '2026-03-09T11:00:00.000Z' }));
  const ok = await readCollectorHealth(state, env);
  assert.equal(ok.lastError, undefined, 'a successful run clears the error');
  assert.deepEqual(ok.lastRun, run({ status: 'succeeded', lastWindowEnd: '2026-03-09T11:00:00.000Z' }));
});

test('health on a table with nothing in it yet', async () => {
  assert.deepEqual(await readCollectorHealth(await freshCollectorState('collectorempty'), {}), {
    configured: false,
    missingSettings: [
      'O365_TENANT_ID',
      'O365_CLIENT_ID',
      'O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE or O365_MANAGED_IDENTITY_CLIENT_ID',
    ],
  });
});
