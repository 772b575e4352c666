// The function handlers as the host calls them (InvocationContext, HttpRequest, Timer), in the
// library's test mode, on a store of their own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { ingestExportHandler, blobIdentity, blobTriggerSource } from '../../src/functions/ingestExport.js';
import { analyzeDisconnectionsHandler } from '../../src/functions/analyzeDisconnections.js';
import { reportHandlers } from '../../src/functions/reports.js';
import { withdrawHandler } from '../../src/functions/withdrawUpload.js';
import { servicesFor, usePipelineServices, type PipelineServices } from '../../src/pipeline/services.js';
import { freshStore } from '../storage/testStore.js';
import { generated } from '../pipeline/pipelineFixtures.js';
import type { NamedMeetingRow } from '../../src/reports/meetings.js';
import type { WithdrawalResult } from '../../src/pipeline/withdraw.js';
import { parseJson, type ErrorBody, type PageBody } from '../support/jsonBody.js';
import { type UploadEntry } from '../support/responses.js';

/** The text body of a handler's answer (these handlers answer with text). */
function bodyText(response: { body?: unknown }): string {
  if (typeof response.body !== 'string') throw new Error(`expected a text body, got ${typeof response.body}`);
  return response.body;
}

let services: PipelineServices;
const logs: string[] = [];

function context(functionName: string, triggerMetadata?: Record<string, unknown>): InvocationContext {
  const init: ConstructorParameters<typeof InvocationContext>[0] = {
    functionName,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  };
  if (triggerMetadata !== undefined) init.triggerMetadata = triggerMetadata;
  return new InvocationContext(init);
}

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

before(async () => {
  services = servicesFor(await freshStore('fn'));
  usePipelineServices(services);
});
after(() => usePipelineServices(undefined));

test('blob metadata gives the blob name and ETag; the trigger source setting is checked', () => {
  const ctx = context('ingestExport', {
    name: 'dir/export.csv',
    blobTrigger: 'audit-exports/dir/export.csv',
    properties: { eTag: '"0x8D"' },
  });
  assert.deepEqual(blobIdentity(ctx), { blobName: 'dir/export.csv', etag: '"0x8D"' });
  assert.deepEqual(blobIdentity(context('x', { blobTrigger: 'audit-exports/a.csv' })), { blobName: 'a.csv' });
  assert.equal(blobTriggerSource({}), 'EventGrid');
  assert.equal(blobTriggerSource({ EXPORTS_TRIGGER_SOURCE: 'LogsAndContainerScan' }), 'LogsAndContainerScan');
  assert.throws(
    () => blobTriggerSource({ EXPORTS_TRIGGER_SOURCE: 'Polling' }),
    /EXPORTS_TRIGGER_SOURCE must be EventGrid or LogsAndContainerScan/,
  );
});

test('blob trigger, timer and HTTP handlers run the pipeline end to end', async () => {
  const { text, truth } = generated({ records: 600, seed: 13, format: 'purview-v3' });
  const ctx = context('ingestExport', { name: 'march.csv', properties: { eTag: '"0x1"' } });
  const ingested = (await ingestExportHandler(Buffer.from(text), ctx))!;
  assert.equal(ingested.entry.sessions, truth.sessionRecords);
  assert.ok(logs.some((l) => l.startsWith('information: ingestExport: march.csv:')));

  const analysed = await analyzeDisconnectionsHandler(timer, context('analyzeDisconnections'));
  assert.equal(analysed.analysed, truth.meetings);

  const request = new HttpRequest({
    method: 'GET',
    url: 'http://localhost/api/meetings?limit=5',
    query: { limit: '5' },
  });
  const response = await reportHandlers.reportMeetings!(request, context('reportMeetings'));
  assert.equal(response.status, 200);
  const body = parseJson<PageBody<NamedMeetingRow>>(bodyText(response));
  assert.equal(body.items.length, 5);
  assert.equal(typeof body.continuationToken, 'string');

  const meetingId = body.items[0]!.meetingId;
  const one = await reportHandlers.reportMeeting!(
    new HttpRequest({
      method: 'GET',
      url: `http://localhost/api/meetings/${encodeURIComponent(meetingId)}`,
      params: { meetingId },
    }),
    context('reportMeeting'),
  );
  assert.equal(one.status, 200);
  assert.equal(parseJson<{ meeting: NamedMeetingRow | null }>(bodyText(one)).meeting?.meetingId, meetingId);

  const csv = await reportHandlers.reportDisconnections!(
    new HttpRequest({ method: 'GET', url: 'http://localhost/api/disconnections', headers: { accept: 'text/csv' } }),
    context('reportDisconnections'),
  );
  assert.equal(csv.status, 200);
  assert.match(String((csv.headers as Record<string, string>)['content-type']), /^text\/csv/);

  const bad = await reportHandlers.reportDisconnections!(
    new HttpRequest({ method: 'GET', url: 'http://localhost/api/disconnections?ipRegex=(a', query: { ipRegex: '(a' } }),
    context('reportDisconnections'),
  );
  assert.equal(bad.status, 400);
  assert.equal(parseJson<ErrorBody>(bodyText(bad)).error.parameter, 'ipRegex');

  const uploads = await reportHandlers.reportUpload!(
    new HttpRequest({ method: 'GET', url: 'http://localhost/api/uploads/march.csv', params: { name: 'march.csv' } }),
    context('reportUpload'),
  );
  assert.equal(parseJson<PageBody<UploadEntry>>(bodyText(uploads)).items[0]?.etag, '"0x1"');
});

test('an unreadable blob ends the invocation normally (nothing for the host to retry); the ledger and the log say why', async () => {
  logs.length = 0;
  const result = await ingestExportHandler(
    Buffer.from([0, 1, 2, 3]),
    context('ingestExport', { name: 'bad.bin', properties: { eTag: '"b"' } }),
  );
  assert.equal(result?.outcome, 'failed');
  const entry = await services.store.ledger.get('bad.bin', '"b"');
  assert.equal(entry?.status, 'failed');
  assert.equal(entry?.permanent, true);
  assert.match(
    entry?.error ?? '',
    /^The export "bad\.bin" cannot be read: the file contains NUL bytes.*It is not retried/,
  );
  assert.ok(
    logs.some((l) => l.startsWith('error: The export "bad.bin" cannot be read')),
    logs.join('\n'),
  );
});

test('the HTTP handlers answer 503 without internals when storage is not configured', async () => {
  usePipelineServices(undefined);
  const saved = { ...process.env };
  delete process.env.AzureWebJobsStorage;
  try {
    const r = await reportHandlers.reportHealth!(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' }),
      context('reportHealth'),
    );
    assert.equal(r.status, 503);
    assert.deepEqual(parseJson<ErrorBody>(bodyText(r)).error.code, 'StorageUnavailable');
    assert.doesNotMatch(bodyText(r), /AzureWebJobsStorage|StorageConfigError/);
  } finally {
    process.env = saved;
    usePipelineServices(services);
  }
});

test('DELETE /api/uploads/{name} withdraws an export; with HTTP_AUTH=entra a caller Easy Auth did not sign in is refused', async () => {
  const { text } = generated({ records: 300, seed: 19 });
  await ingestExportHandler(
    Buffer.from(text),
    context('ingestExport', { name: 'gone.csv', properties: { eTag: '"0x2"' } }),
  );
  const request = () =>
    new HttpRequest({ method: 'DELETE', url: 'http://localhost/api/uploads/gone.csv', params: { name: 'gone.csv' } });

  const saved = { ...process.env };
  process.env['HTTP_AUTH'] = 'entra';
  process.env['WEBSITE_AUTH_ENABLED'] = 'True';
  try {
    const refused = await withdrawHandler(request(), context('withdrawUpload'));
    assert.equal(refused.status, 401);
    assert.equal(
      (await services.store.ledger.listForBlob('gone.csv'))[0]!.status,
      'completed',
      'nothing was withdrawn',
    );
  } finally {
    process.env = saved;
  }

  const response = await withdrawHandler(request(), context('withdrawUpload'));
  assert.equal(response.status, 200, bodyText(response));
  const body = parseJson<WithdrawalResult>(bodyText(response));
  assert.equal(body.versions[0]?.status, 'withdrawn');
  assert.ok(body.sessionsRemoved > 0);
  assert.ok(logs.some((l) => l.startsWith('information: withdrawExport: gone.csv')));
});
