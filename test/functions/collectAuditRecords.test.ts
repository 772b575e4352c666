// The timer handler called directly (the @azure/functions package is in test mode here): off when not configured,
// a full run against the fake Management Activity API and Azurite when configured, and configuration or credential
// problems recorded for /api/health and failing the invocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { InvocationContext, type Timer } from '@azure/functions';
import { makeCollectAuditRecordsHandler } from '../../src/functions/collectAuditRecords.js';
import { storageClientsFromConnectionString, type StorageClients } from '../../src/storage/clients.js';
import { readCollectorHealth } from '../../src/pipeline/collectorHealth.js';
import { CollectorState } from '../../src/storage/collectorState.js';
import { TABLES } from '../../src/names.js';
import { FakeManagementApi } from '../collector/fakeManagementApi.js';
import { meetingDetail, participantDetail, powerBi } from '../collector/auditRecords.js';
import { testConnectionString } from '../storage/testStore.js';

const TIMER: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
let server: FakeManagementApi;
let storage: StorageClients;

before(async () => {
  server = await FakeManagementApi.start();
  storage = storageClientsFromConnectionString(testConnectionString());
});
after(() => server.close());

function context(lines: string[]): InvocationContext {
  return new InvocationContext({
    functionName: 'collectAuditRecords',
    logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`),
  });
}

test('not configured: logs once that the collector is off and how to turn it on or disable the timer, touches no storage', async () => {
  const lines: string[] = [];
  const handler = makeCollectAuditRecordsHandler({ env: {}, storage: () => assert.fail('storage must not be opened') });
  await handler(TIMER, context(lines));
  await handler(TIMER, context(lines));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^information collectAuditRecords: the Management Activity API collector is not configured/);
  assert.match(lines[0]!, /missing O365_TENANT_ID, O365_CLIENT_ID, O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE/);
  assert.match(lines[0]!, /AzureWebJobs\.collectAuditRecords\.Disabled=true/);
  assert.equal(server.requests.length, 0);
});

test('configured: a run collects into the EXPORTS_CONTAINER container and records its status', async () => {
  const container = `fn-exports-${randomBytes(4).toString('hex')}`;
  server.subscription = 'enabled';
  server.addContent({
    contentId: 'fn$1',
    created: new Date(Date.now() - 3_600_000),
    records: [meetingDetail('fn-m'), participantDetail('fn-p', 'fn-m', 1), powerBi('fn-b')],
  });
  const env = { ...server.settings(), EXPORTS_CONTAINER: container };
  const lines: string[] = [];
  await makeCollectAuditRecordsHandler({
    env,
    storage: () => storage,
    credentialOptions: server.credentialOptions,
    sleep: async () => {},
  })(TIMER, context(lines));
  const names: string[] = [];
  for await (const blob of storage.blobService.getContainerClient(container).listBlobsFlat()) names.push(blob.name);
  assert.deepEqual(names, [
    `management-api/Audit.General/${new Date(Date.now() - 3_600_000).toISOString().slice(0, 10)}/fn~241.json`,
  ]);
  assert.ok(
    lines.some((l) => /collectAuditRecords: succeeded: .* 2 meeting records kept in 1 new blobs/.test(l)),
    lines.join('\n'),
  );
  const health = await readCollectorHealth(new CollectorState(storage.table(TABLES.collectorState)), env);
  assert.equal(health.configured, true);
  assert.equal(health.lastRun?.status, 'succeeded');
  assert.equal(health.lastError, undefined);
  assert.ok(health.lastWindowEnd);
});

test('an unresolved Key Vault reference fails the invocation and shows in health', async () => {
  const env = {
    ...server.settings(),
    O365_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/o365-collector-secret/)',
  };
  const lines: string[] = [];
  await assert.rejects(
    makeCollectAuditRecordsHandler({ env, storage: () => storage, credentialOptions: server.credentialOptions })(
      TIMER,
      context(lines),
    ),
    /Key Vault reference/,
  );
  assert.ok(lines.some((l) => l.startsWith('error') && /Key Vault Secrets User/.test(l)));
  const health = await readCollectorHealth(new CollectorState(storage.table(TABLES.collectorState)), env);
  assert.equal(health.lastRun?.status, 'failed');
  assert.equal(health.lastRun?.errorKind, 'configuration');
  assert.match(health.lastError ?? '', /O365_CLIENT_SECRET still holds its Key Vault reference/);
});

test('bad credentials fail the invocation with the AADSTS code; the secret appears nowhere in the log', async () => {
  const secret = 'a-wrong-secret-value-9876543210';
  const env = { ...server.settings({ secret }), EXPORTS_CONTAINER: `fn-exports-${randomBytes(4).toString('hex')}` };
  const lines: string[] = [];
  await assert.rejects(
    makeCollectAuditRecordsHandler({ env, storage: () => storage, credentialOptions: server.credentialOptions })(
      TIMER,
      context(lines),
    ),
    /collectAuditRecords failed: .*AADSTS7000215/,
  );
  assert.ok(lines.some((l) => l.startsWith('error') && /AADSTS7000215/.test(l)));
  assert.ok(lines.every((l) => !l.includes(secret)));
  assert.equal(
    (await readCollectorHealth(new CollectorState(storage.table(TABLES.collectorState)), env)).lastRun?.errorKind,
    'credentials',
  );
});
