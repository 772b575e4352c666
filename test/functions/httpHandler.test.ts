// The HTTP functions that use the store share one wrapper (src/functions/httpHandler.ts): each of them (a report,
// the withdrawal, the erasure and the pseudonym lookup) refuses a caller Easy Auth did not sign in before touching
// storage, answers 503 StorageUnavailable with Retry-After and without internals when storage cannot be reached
// (logging why, without the request's identifiers), and otherwise hands the pipeline's answer to the host as it is.
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { makeReportHandler } from '../../src/functions/reports.js';
import { makeWithdrawHandler } from '../../src/functions/withdrawUpload.js';
import { makeEraseHandler, makePseudonymsHandler } from '../../src/functions/eraseUser.js';
import { REPORT_ROUTES, STORAGE_RETRY_AFTER_SECONDS } from '../../src/pipeline/answerReport.js';
import { servicesFor, type PipelineServices } from '../../src/pipeline/services.js';
import { freshStore, STORAGE_INTERNALS, unreachableStore } from '../storage/testStore.js';
import { parseJson, type ErrorBody } from '../support/jsonBody.js';

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
type MakeHandler = (services: () => PipelineServices) => Handler;

const UPN = 'ann.example@contoso.com';
const meetingsRoute = REPORT_ROUTES.find((r) => r.name === 'reportMeetings')!;

/** Each function with a request it would take. */
const FUNCTIONS: Array<{ name: string; make: MakeHandler; request: () => HttpRequest }> = [
  {
    name: 'reportMeetings',
    make: (services) => makeReportHandler(meetingsRoute, services),
    request: () =>
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/meetings?limit=5', query: { limit: '5' } }),
  },
  {
    name: 'withdrawUpload',
    make: makeWithdrawHandler,
    request: () =>
      new HttpRequest({ method: 'DELETE', url: 'http://localhost/api/uploads/a.csv', params: { name: 'a.csv' } }),
  },
  {
    name: 'eraseUser',
    make: makeEraseHandler,
    request: () =>
      new HttpRequest({
        method: 'DELETE',
        url: `http://localhost/api/privacy/users/${encodeURIComponent(UPN)}`,
        params: { objectIdOrUpn: UPN },
      }),
  },
  {
    name: 'pseudonymLookup',
    make: makePseudonymsHandler,
    request: () =>
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/privacy/pseudonyms',
        body: { string: JSON.stringify({ candidates: [UPN] }) },
      }),
  },
];

const logs: string[] = [];
function context(functionName: string): InvocationContext {
  return new InvocationContext({
    functionName,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
}

function bodyText(response: HttpResponseInit): string {
  if (typeof response.body !== 'string') throw new Error(`expected a text body, got ${typeof response.body}`);
  return response.body;
}

function header(response: HttpResponseInit, name: string): string | undefined {
  return (response.headers as Record<string, string> | undefined)?.[name];
}

/** Services on a storage account nobody listens at (a port just freed): ready() fails as for a real outage. */
async function unreachableServices(): Promise<PipelineServices> {
  return servicesFor(await unreachableStore());
}

let ready: PipelineServices;
const savedEnv = { ...process.env };

before(async () => {
  ready = servicesFor(await freshStore('wrap'));
});

afterEach(() => {
  process.env = { ...savedEnv };
  logs.length = 0;
});

test('with HTTP_AUTH=entra, a caller Easy Auth did not sign in gets 401 from every function, before storage is asked', async () => {
  process.env['HTTP_AUTH'] = 'entra';
  process.env['WEBSITE_AUTH_ENABLED'] = 'True';
  for (const fn of FUNCTIONS) {
    let asked = 0;
    const handler = fn.make(() => {
      asked++;
      return ready;
    });
    const response = await handler(fn.request(), context(fn.name));
    assert.equal(response.status, 401, fn.name);
    assert.equal(header(response, 'www-authenticate'), 'Bearer', fn.name);
    assert.equal(parseJson<ErrorBody>(bodyText(response)).error.code, 'SignInRequired', fn.name);
    assert.equal(asked, 0, `${fn.name}: storage was not asked`);
  }
});

test('with HTTP_AUTH=entra but App Service authentication off, every function answers 503 SignInNotEnforced', async () => {
  process.env['HTTP_AUTH'] = 'entra';
  delete process.env['WEBSITE_AUTH_ENABLED'];
  for (const fn of FUNCTIONS) {
    const request = fn.request();
    request.headers.set('x-ms-client-principal-id', 'someone');
    const response = await fn.make(() => ready)(request, context(fn.name));
    assert.equal(response.status, 503, fn.name);
    assert.equal(parseJson<ErrorBody>(bodyText(response)).error.code, 'SignInNotEnforced', fn.name);
  }
});

test('storage that cannot be reached: every function answers 503 StorageUnavailable without internals, and logs why without identifiers', async () => {
  const gone = await unreachableServices();
  for (const fn of FUNCTIONS) {
    logs.length = 0;
    const response = await fn.make(() => gone)(fn.request(), context(fn.name));
    assert.equal(response.status, 503, fn.name);
    assert.equal(parseJson<ErrorBody>(bodyText(response)).error.code, 'StorageUnavailable', fn.name);
    assert.equal(header(response, 'retry-after'), String(STORAGE_RETRY_AFTER_SECONDS), fn.name);
    assert.doesNotMatch(bodyText(response), STORAGE_INTERNALS, fn.name);
    assert.equal(logs.length, 1, `${fn.name}: ${logs.join('\n')}`);
    assert.match(logs[0]!, new RegExp(`^error: ${fn.name}: storage is not ready: .+`), fn.name);
    assert.ok(!logs[0]!.includes(UPN), `${fn.name}: the log names no one`);
  }
});

test('services that cannot even be built (no storage setting) answer the same 503', async () => {
  for (const fn of FUNCTIONS) {
    logs.length = 0;
    const response = await fn.make(() => {
      throw new Error('AzureWebJobsStorage is not set');
    })(fn.request(), context(fn.name));
    assert.equal(response.status, 503, fn.name);
    assert.equal(parseJson<ErrorBody>(bodyText(response)).error.code, 'StorageUnavailable', fn.name);
    assert.doesNotMatch(bodyText(response), /AzureWebJobsStorage/, fn.name);
    assert.deepEqual(logs, [`error: ${fn.name}: storage is not ready: AzureWebJobsStorage is not set`]);
  }
});

test("once storage is ready, each function's own answer reaches the host unchanged", async () => {
  delete process.env['PSEUDONYMIZE_USERS'];
  const meetings = await FUNCTIONS[0]!.make(() => ready)(FUNCTIONS[0]!.request(), context('reportMeetings'));
  assert.equal(meetings.status, 200);
  assert.equal(header(meetings, 'cache-control'), 'no-store');
  assert.deepEqual(JSON.parse(bodyText(meetings)), { items: [], continuationToken: null });

  const withdrawn = await makeWithdrawHandler(() => ready)(FUNCTIONS[1]!.request(), context('withdrawUpload'));
  assert.equal(withdrawn.status, 404);
  assert.equal(parseJson<ErrorBody>(bodyText(withdrawn)).error.code, 'UploadNotFound');

  const erase = new HttpRequest({
    method: 'DELETE',
    url: 'http://localhost/api/privacy/users/x?force=1',
    params: { objectIdOrUpn: 'x' },
    query: { force: '1' },
  });
  const refused = await makeEraseHandler(() => ready)(erase, context('eraseUser'));
  assert.equal(refused.status, 400);
  assert.deepEqual(parseJson<ErrorBody>(bodyText(refused)).error.parameter, 'force');

  const lookup = await makePseudonymsHandler(() => ready)(FUNCTIONS[3]!.request(), context('pseudonymLookup'));
  assert.equal(lookup.status, 409);
  assert.equal(parseJson<ErrorBody>(bodyText(lookup)).error.code, 'NotPseudonymised');
});
