// The Graph client against the local Graph, with tokens from the real ManagedIdentityCredential: batches of at most
// 20, answers matched by id, guests and external users, throttling waited out per item and per request, failures
// that leave ids unanswered, and a missing permission that says what to grant.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readGraphNamesSettings } from '../../src/graph/config.js';
import { GraphUsersClient, type GraphUsersOptions } from '../../src/graph/graphUsers.js';
import { GraphPermissionError, graphText, managedIdentityGraphTokens } from '../../src/graph/tokens.js';
import {
  EXTERNAL_ID,
  GUEST,
  IDENTITY_CLIENT_ID,
  MEMBER,
  recordingSleep,
  startGraphStandIns,
  type GraphStandIns,
} from './graphStandIns.js';

let s: GraphStandIns;

before(async () => {
  s = await startGraphStandIns();
});
after(async () => {
  await s.close();
});
beforeEach(() => {
  s.graph.batches.length = 0;
  s.graph.requestFaults.length = 0;
  s.graph.userFaults.clear();
  s.identity.requests.length = 0;
});

const UNGRANTED_CLIENT_ID = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';

function client(
  extra: Partial<GraphUsersOptions> = {},
  env: Record<string, string> = {},
): { client: GraphUsersClient; waits: number[] } {
  const settings = readGraphNamesSettings({ ...s.settings, ...env });
  assert.ok(settings.enabled);
  const { sleep, waits } = recordingSleep();
  return {
    client: new GraphUsersClient({
      baseUrl: settings.config.baseUrl,
      tokens: managedIdentityGraphTokens(settings.config),
      sleep,
      random: () => 0.5,
      ...extra,
    }),
    waits,
  };
}

function generatedIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `44444444-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`);
}

test('45 ids go in three $batch requests of 20, 20 and 5, on one managed identity token; members, guests and unknown ids answered', async () => {
  const unknown = generatedIds(42);
  const ids = [MEMBER.id, GUEST.id.toUpperCase(), EXTERNAL_ID, ...unknown];
  const { client: c, waits } = client();
  const result = await c.lookUp([...ids, 'not-an-object-id', 'someone@contoso.com']);

  assert.deepEqual(
    s.graph.batches.map((b) => b.ids.length),
    [20, 20, 5],
  );
  assert.deepEqual(
    s.graph.batches.flatMap((b) => b.ids),
    ids,
    'each id once, in order; ids that are not object ids are never sent',
  );
  assert.equal(s.identity.requests.length, 1, 'the token is cached between batches');
  assert.deepEqual(s.identity.requests[0], {
    resource: s.graph.baseUrl,
    clientId: IDENTITY_CLIENT_ID,
    apiVersion: '2019-08-01',
    headerOk: true,
    status: 200,
  });
  assert.deepEqual(result.answers.get(MEMBER.id), {
    status: 'found',
    displayName: 'Ada Member',
    userPrincipalName: 'ada@contoso.com',
    mail: 'ada.member@contoso.com',
    userType: 'Member',
  });
  assert.deepEqual(result.answers.get(GUEST.id.toUpperCase()), {
    status: 'found',
    displayName: 'Gus Guest',
    userPrincipalName: GUEST.userPrincipalName,
    mail: 'gus@fabrikam.com',
    userType: 'Guest',
  });
  assert.deepEqual(result.answers.get(EXTERNAL_ID), { status: 'notInTenant' });
  for (const id of unknown) assert.deepEqual(result.answers.get(id), { status: 'notInTenant' });
  assert.equal(result.failed.size, 0);
  assert.deepEqual(waits, []);
});

test('items throttled inside a batch are sent again, alone, after the longest Retry-After they asked for', async () => {
  s.graph.userFaults.set(MEMBER.id, [
    { status: 429, retryAfter: '7' },
    { status: 429, retryAfter: '3' },
  ]);
  s.graph.userFaults.set(GUEST.id, [{ status: 429, retryAfter: '2' }]);
  const { client: c, waits } = client();
  const result = await c.lookUp([MEMBER.id, GUEST.id, EXTERNAL_ID]);

  assert.deepEqual(
    s.graph.batches.map((b) => b.ids),
    [[MEMBER.id, GUEST.id, EXTERNAL_ID], [MEMBER.id, GUEST.id], [MEMBER.id]],
  );
  assert.deepEqual(waits, [7000, 3000]);
  assert.equal(result.answers.get(MEMBER.id)?.status, 'found');
  assert.equal(result.answers.get(GUEST.id)?.status, 'found');
  assert.equal(result.answers.get(EXTERNAL_ID)?.status, 'notInTenant');
  assert.equal(result.failed.size, 0);
});

test('a whole request throttled (429 with Retry-After) is waited out, then answered', async () => {
  s.graph.requestFaults.push({ status: 429, retryAfter: '11' });
  const { client: c, waits } = client();
  const result = await c.lookUp([MEMBER.id, GUEST.id]);
  assert.deepEqual(
    s.graph.batches.map((b) => b.status),
    [429, 200],
  );
  assert.deepEqual(waits, [11000]);
  assert.equal(result.answers.size, 2);
});

test('a server error on one item is retried with a backoff; the others are not asked again', async () => {
  s.graph.userFaults.set(GUEST.id, [{ status: 503 }]);
  const { client: c, waits } = client({ baseDelayMs: 400 });
  const result = await c.lookUp([MEMBER.id, GUEST.id]);
  assert.deepEqual(
    s.graph.batches.map((b) => b.ids),
    [[MEMBER.id, GUEST.id], [GUEST.id]],
  );
  assert.deepEqual(waits, [300], 'backoff 400 ms spread by the random factor 0.75');
  assert.equal(result.answers.get(GUEST.id)?.status, 'found');
});

test('a Graph that keeps failing (503): the ids stay unanswered after the attempts allowed, with the reason, and nothing is thrown', async () => {
  s.graph.requestFaults.push({ status: 503, times: 100 });
  const { client: c, waits } = client({ maxRounds: 4 });
  const result = await c.lookUp([MEMBER.id, GUEST.id]);
  assert.equal(s.graph.batches.length, 4);
  assert.equal(waits.length, 3);
  assert.equal(result.answers.size, 0);
  assert.deepEqual([...result.failed], [['HTTP 503 (gave up after 4 attempts)', 2]]);
});

test('a Retry-After longer than a run waits ends the attempts at once', async () => {
  s.graph.requestFaults.push({ status: 429, retryAfter: '3600' });
  const { client: c, waits } = client();
  const result = await c.lookUp([MEMBER.id]);
  assert.deepEqual(waits, []);
  assert.equal(s.graph.batches.length, 1);
  assert.match([...result.failed.keys()][0] ?? '', /throttled \(Graph asked to wait 3600 s/);
});

test('a wait that would pass the deadline stops the lookup; later batches are not sent', async () => {
  s.graph.requestFaults.push({ status: 429, retryAfter: '30' });
  let clock = 1_000_000;
  const { client: c } = client({
    now: () => clock,
    deadline: 1_000_000 + 10_000,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  const result = await c.lookUp(generatedIds(25));
  assert.equal(result.stoppedByDeadline, true);
  assert.equal(s.graph.batches.length, 1);
  assert.deepEqual([...result.failed], [['deadline', 25]]);
});

test('without the User.Read.All application permission: an error that says what to grant, naming no user', async () => {
  // Another identity of the app, never granted the permission (a token's roles are fixed while it is cached).
  s.identity.identities.set(UNGRANTED_CLIENT_ID, '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f');
  const { client: c } = client({}, { GRAPH_MANAGED_IDENTITY_CLIENT_ID: UNGRANTED_CLIENT_ID });
  const error = await c.lookUp([MEMBER.id]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof GraphPermissionError, String(error));
  assert.match(error.message, /HTTP 403, Authorization_RequestDenied/);
  assert.match(error.message, /User\.Read\.All/);
  assert.match(error.message, /docs\/graph-names\.md/);
  assert.doesNotMatch(error.message, /[0-9a-f]{8}-[0-9a-f]{4}-/i, 'no user or request id');
});

test('a request Graph refuses for another reason (400): those ids stay unanswered, the reason quotes Graph without ids', async () => {
  s.graph.requestFaults.push({ status: 400 });
  const { client: c, waits } = client();
  const result = await c.lookUp([MEMBER.id, GUEST.id]);
  assert.deepEqual(waits, [], 'not retried');
  assert.equal(result.answers.size, 0);
  const [reason, count] = [...result.failed][0]!;
  assert.equal(count, 2);
  assert.equal(reason, 'HTTP 400 ServiceUnavailable: Scripted fault.', "Graph's message, not its whole body");
});

test("Graph's words in messages lose ids, addresses and tokens", () => {
  assert.equal(
    graphText(
      `Resource '${MEMBER.id}' for ada@contoso.com does not exist (request-id ${GUEST.id.toUpperCase()}); Bearer abc.def`,
    ),
    "Resource '[id]' for [address] does not exist (request-id [id]); Bearer [removed]",
  );
});

test('a token Graph does not accept (another audience): one fresh token is tried, then the error names the Graph host setting', async () => {
  const settings = readGraphNamesSettings({ ...s.settings });
  assert.ok(settings.enabled);
  const wrongAudience = managedIdentityGraphTokens({
    ...settings.config,
    scope: 'https://graph.microsoft.com/.default',
  });
  const c = new GraphUsersClient({ baseUrl: settings.config.baseUrl, tokens: wrongAudience, sleep: async () => {} });
  const error = await c.lookUp([MEMBER.id]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof GraphPermissionError, String(error));
  assert.match(error.message, /HTTP 401, InvalidAuthenticationToken/);
  assert.match(error.message, /GRAPH_BASE_URL/);
  assert.equal(s.graph.batches.length, 0, 'refused before any batch was read');
});
