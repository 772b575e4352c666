// Continuation tokens are signed with the account's key: forged, altered, foreign or malformed tokens
// are a 400 naming continuationToken (never a 500), and every instance on the account accepts the
// tokens of every other.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { answerReport, type ReportDeps } from '../../../src/pipeline/answerReport.js';
import { encodeToken } from '../../../src/pipeline/http/paging.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import { CachedConfig } from '../../../src/storage/configBlobs.js';
import { storageClientsFromConnectionString } from '../../../src/storage/clients.js';
import { openStore, type Store } from '../../../src/storage/store.js';
import { freshStore, testConnectionString } from '../../storage/testStore.js';
import { generated } from '../pipelineFixtures.js';
import type { NamedMeetingRow } from '../../../src/reports/meetings.js';
import {
  parseJson,
  present,
  withJson,
  type ErrorBody,
  type JsonAnswer,
  type PageBody,
} from '../../support/jsonBody.js';

let store: Store;
let deps: ReportDeps;

before(async () => {
  store = await freshStore('tok');
  deps = { store, config: new CachedConfig(store.config) };
  const { text } = generated({ records: 400, seed: 21 });
  await ingestExport({ blobName: 'tok.ndjson', etag: '"t"', content: Buffer.from(text) }, { store });
  await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
});

/** A page of meetings or a refusal: which one is what the tests assert. */
type MeetingsAnswer = JsonAnswer<Partial<PageBody<NamedMeetingRow> & ErrorBody>>;

async function get(route: string, query: Record<string, string>, on: ReportDeps = deps): Promise<MeetingsAnswer> {
  return withJson(await answerReport({ route, params: {}, query }, on));
}

function assertRefused(r: MeetingsAnswer, what: string): void {
  assert.equal(r.status, 400, what);
  assert.equal(r.json.error?.code, 'InvalidContinuationToken', what);
  assert.equal(r.json.error?.parameter, 'continuationToken', what);
}

/** The fingerprint the API binds a token to for a route with no filter and no path parameters. */
const NO_FILTER = '\n{}';

test('a token minted the way anyone could before (unkeyed hash, garbage inner table token) is refused, not a 500', async () => {
  const q = createHash('sha256').update('meetings\n\n{}').digest('base64url').slice(0, 16);
  const forged = Buffer.from(JSON.stringify({ v: 1, r: 'meetings', q, t: 'garbage!!', s: 0, n: 100 })).toString(
    'base64url',
  );
  assertRefused(await get('meetings', { continuationToken: forged }), 'v1 forgery');
});

test('an altered token (page size, skip or offset changed, signature kept) is refused', async () => {
  const first = await get('meetings', { limit: '3' });
  const token = present(first.json.continuationToken, 'continuationToken');
  assert.equal((await get('meetings', { continuationToken: token })).status, 200);
  const [body, mac] = token.split('.') as [string, string];
  const decoded = parseJson<Record<string, unknown>>(Buffer.from(body, 'base64url').toString('utf8'));
  for (const change of [{ n: 1_000_000_000 }, { s: 2 }, { o: 5 }]) {
    const altered = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url') + '.' + mac;
    assertRefused(await get('meetings', { continuationToken: altered }), JSON.stringify(change));
  }
  assertRefused(await get('meetings', { continuationToken: `${body}.${'A'.repeat(43)}` }), 'wrong signature');
  assertRefused(await get('meetings', { continuationToken: body }), 'no signature');
});

test('a correctly signed token with out-of-bounds or malformed content is refused (defence in depth)', async () => {
  const key = await store.tokenKey.key();
  const cases = [
    { skip: 0, pageSize: 1_000_000 },
    { skip: 100, pageSize: 100 },
    { skip: 0, pageSize: 100, offset: 1e9 },
    { skip: 0, pageSize: 100, table: 'garbage!!' },
    { skip: 0, pageSize: 100, table: Buffer.from('{"nextPartitionKey":5}').toString('base64') },
    { skip: 0, pageSize: 100, table: Buffer.from('not json').toString('base64') },
  ];
  for (const state of cases) {
    assertRefused(
      await get('meetings', { continuationToken: encodeToken(key, 'meetings', NO_FILTER, state) }),
      JSON.stringify(state),
    );
    assertRefused(
      await get('disconnections', { continuationToken: encodeToken(key, 'disconnections', NO_FILTER, state) }),
      JSON.stringify(state),
    );
  }
  // The same shape with a sound state is accepted: the refusals above are about the content.
  assert.equal(
    (await get('meetings', { continuationToken: encodeToken(key, 'meetings', NO_FILTER, { skip: 1, pageSize: 100 }) }))
      .status,
    200,
  );
});

test('a token from another storage account (another key) is refused', async () => {
  const other = await freshStore('tko');
  const foreign = encodeToken(await other.tokenKey.key(), 'meetings', NO_FILTER, { skip: 1, pageSize: 100 });
  assertRefused(await get('meetings', { continuationToken: foreign }), 'foreign key');
});

test('another instance on the same account (fresh clients, fresh cache) accepts the tokens of the first', async () => {
  const first = await get('meetings', { limit: '2' });
  const second = openStore(storageClientsFromConnectionString(testConnectionString()), store.names);
  const next = await get(
    'meetings',
    { limit: '2', continuationToken: present(first.json.continuationToken, 'continuationToken') },
    { store: second, config: new CachedConfig(second.config) },
  );
  assert.equal(next.status, 200);
  assert.equal(next.json.items?.length, 2);
  assert.notDeepEqual(next.json.items, first.json.items);
});
