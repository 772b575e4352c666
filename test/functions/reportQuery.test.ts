// The report handlers as the Functions host calls them: the host's query map joins a repeated parameter's
// values with a comma and hides bad percent-encoding, so the handlers read the query from the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { reportHandlers } from '../../src/functions/reports.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { freshStore } from '../storage/testStore.js';
import { generated } from '../pipeline/pipelineFixtures.js';
import type { NamedMeetingRow } from '../../src/reports/meetings.js';
import { parseJson, type ErrorBody, type PageBody } from '../support/jsonBody.js';

/** The text body of a handler's answer (these handlers answer with text). */
function bodyText(response: { body?: unknown }): string {
  if (typeof response.body !== 'string') throw new Error(`expected a text body, got ${typeof response.body}`);
  return response.body;
}

before(async () => {
  const store = await freshStore('rq');
  const { text } = generated({ records: 300, seed: 17 });
  await ingestExport({ blobName: 'rq.ndjson', etag: '"q"', content: Buffer.from(text) }, { store });
  await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
  usePipelineServices(servicesFor(store));
});
after(() => usePipelineServices(undefined));

const context = () => new InvocationContext({ functionName: 'reportMeetings', logHandler: () => {} });

/** A request as the host hands it over without HTTP streaming: the raw URL, and its own query map. */
function hostRequest(search: string, hostQuery: Record<string, string>): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost/api/meetings${search}`, query: hostQuery });
}

async function call(search: string, hostQuery: Record<string, string>) {
  const response = await reportHandlers.reportMeetings!(hostRequest(search, hostQuery), context());
  return { status: response.status, text: bodyText(response) };
}

/** The API error of a refused call. */
const errorOf = (r: { text: string }) => parseJson<ErrorBody>(r.text).error;
/** The meetings of a call that answered 200. */
const meetingsOf = (r: { text: string }) => parseJson<PageBody<NamedMeetingRow>>(r.text).items;

test('a repeated parameter is refused (400 naming it), though the host joined its values', async () => {
  for (const [search, hostQuery, name] of [
    ['?limit=10&limit=20', { limit: '10,20' }, 'limit'],
    ['?organizer=a%40contoso.com&organizer=b%40contoso.com', { organizer: 'a@contoso.com,b@contoso.com' }, 'organizer'],
    ['?limit=5&from=2026-01-01&limit=5', { limit: '5,5', from: '2026-01-01' }, 'limit'],
  ] as const) {
    const r = await call(search, hostQuery);
    assert.equal(r.status, 400, search);
    assert.equal(errorOf(r).parameter, name, search);
    assert.match(errorOf(r).message, /more than once/, search);
  }
});

test('bad percent-encoding in the query is a 400 naming the parameter', async () => {
  for (const [search, name] of [
    ['?organizer=%E0%A4%A', 'organizer'],
    ['?organizer=%ZZ', 'organizer'],
    ['?organizer=%FF', 'organizer'],
  ] as const) {
    const r = await call(search, { organizer: '\uFFFD' });
    assert.equal(r.status, 400, search);
    assert.equal(errorOf(r).code, 'InvalidEncoding', search);
    assert.equal(errorOf(r).parameter, name, search);
  }
  const badName = await call('?%E0%A4=1', { '\uFFFD': '1' });
  assert.equal(badName.status, 400);
  assert.equal(errorOf(badName).code, 'InvalidEncoding');
});

test('well-formed queries decode as before: %XX, + as a space, an empty continuationToken', async () => {
  const r = await call('?limit=%203%20&continuationToken=', { limit: ' 3 ', continuationToken: '' });
  assert.equal(r.status, 200);
  assert.equal(meetingsOf(r).length, 3);
  const organizer = meetingsOf(r)[0]!.organizerEmail;
  const encoded = encodeURIComponent(organizer.toUpperCase()).replace(/%20/g, '+');
  const byOrganizer = await call(`?organizer=${encoded}&limit=1000`, { organizer: organizer.toUpperCase() });
  assert.equal(byOrganizer.status, 200);
  assert.ok(meetingsOf(byOrganizer).length >= 1);
  assert.ok(meetingsOf(byOrganizer).every((m) => m.organizerEmail.toLowerCase() === organizer.toLowerCase()));
});
