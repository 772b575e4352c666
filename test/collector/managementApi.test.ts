import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createCollectorClient } from '../../src/collector/factory.js';
import { readCollectorConfig } from '../../src/collector/config.js';
import { withPublisherIdentifier, type ContentItem } from '../../src/collector/managementApi.js';
import { CollectorPermissionError, ManagementApiError, SubscriptionMissingError } from '../../src/collector/errors.js';
import { FakeManagementApi } from './fakeManagementApi.js';
import { meetingDetail, participantDetail, powerBi } from './auditRecords.js';

let server: FakeManagementApi;
const HOUR = 3_600_000;

before(async () => {
  server = await FakeManagementApi.start();
});
after(() => server.close());
beforeEach(() => server.reset('enabled'));

function client(): ReturnType<typeof createCollectorClient> {
  const config = readCollectorConfig(server.settings());
  assert.ok(config.configured);
  return createCollectorClient(config.config, { sleep: async () => {}, credentialOptions: server.credentialOptions });
}

async function listAll(
  api: ReturnType<typeof createCollectorClient>['api'],
  start: Date,
  end: Date,
): Promise<ContentItem[]> {
  const items: ContentItem[] = [];
  for await (const page of api.listContent('Audit.General', start, end)) items.push(...page.items);
  return items;
}

function addContents(count: number, end: Date): void {
  for (let i = 0; i < count; i++) {
    server.addContent({
      contentId: `c${i}$x`,
      created: new Date(end.getTime() - (i + 1) * 60_000),
      records: [participantDetail(`p${i}`, 'm', i)],
    });
  }
}

test('withPublisherIdentifier appends once and leaves the rest of the URL untouched', () => {
  assert.equal(withPublisherIdentifier('https://h/a', 'T'), 'https://h/a?PublisherIdentifier=T');
  assert.equal(withPublisherIdentifier('https://h/a?x=1%3A2', 'T'), 'https://h/a?x=1%3A2&PublisherIdentifier=T');
  assert.equal(
    withPublisherIdentifier('https://h/a?publisheridentifier=U&x=1', 'T'),
    'https://h/a?publisheridentifier=U&x=1',
  );
  assert.equal(withPublisherIdentifier('https://h/a?', 'T'), 'https://h/a?PublisherIdentifier=T');
});

test('listing follows NextPageUri until the last page, with PublisherIdentifier on every call', async () => {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  addContents(5, end);
  const items = await listAll(client().api, new Date(end.getTime() - HOUR), end);
  assert.deepEqual(items.map((i) => i.contentId).sort(), ['c0$x', 'c1$x', 'c2$x', 'c3$x', 'c4$x']);
  const listings = server.requestsOf('content-list');
  assert.equal(listings.length, 3, '5 items at 2 per page');
  assert.deepEqual(
    listings.map((r) => r.url.searchParams.get('nextPage')),
    [null, 'page-2', 'page-4'],
  );
  for (const request of server.requests) {
    assert.deepEqual(request.publisherIdentifiers, [server.tenantId], `${request.kind} ${request.url.pathname}`);
  }
});

for (const header of ['nextpageuri', 'NEXTPAGEURI', 'NextPageUrl']) {
  test(`the next-page header is found as "${header}"`, async () => {
    server.nextPageHeader = header;
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    addContents(3, end);
    assert.equal((await listAll(client().api, new Date(end.getTime() - HOUR), end)).length, 3);
    assert.equal(server.requestsOf('content-list').length, 2);
  });
}

test('a NextPageUri that already carries PublisherIdentifier is not given a second one', async () => {
  server.nextPageCarriesPublisher = true;
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  addContents(3, end);
  await listAll(client().api, new Date(end.getTime() - HOUR), end);
  for (const request of server.requestsOf('content-list'))
    assert.deepEqual(request.publisherIdentifiers, [server.tenantId]);
});

test('a NextPageUri or contentUri on another host is refused: the token is never sent there', async () => {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  server.faults.push({
    kind: 'content-list',
    status: 200,
    body: [],
    headers: { NextPageUri: 'https://evil.example/api/next' },
  });
  await assert.rejects(
    listAll(client().api, new Date(end.getTime() - HOUR), end),
    (error: unknown) =>
      error instanceof ManagementApiError &&
      /points to https:\/\/evil\.example, not to the configured API host/.test(error.message),
  );
  await assert.rejects(
    client().api.fetchContent({
      contentType: 'Audit.General',
      contentId: 'x',
      contentUri: 'https://evil.example/audit/x',
    }),
    (error: unknown) => error instanceof ManagementApiError && /contentUri of x/.test(error.message),
  );
  assert.equal(server.requests.filter((r) => r.url.hostname === 'evil.example').length, 0);
});

test('content blobs come back as arrays of records; expired content (AF20051) is reported, not thrown', async () => {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  server.addContent({
    contentId: 'live',
    created: new Date(end.getTime() - 60_000),
    records: [meetingDetail('m1'), powerBi('b1')],
  });
  server.addContent({ contentId: 'old', created: new Date(end.getTime() - 120_000), records: [], expired: true });
  const api = client().api;
  const items = await listAll(api, new Date(end.getTime() - HOUR), end);
  const byId = new Map(items.map((i) => [i.contentId, i]));
  const live = await api.fetchContent(byId.get('live')!);
  assert.equal(live.kind, 'records');
  assert.deepEqual(live.kind === 'records' ? live.records.map((r) => (r as { Id: string }).Id) : [], ['m1', 'b1']);
  const old = await api.fetchContent(byId.get('old')!);
  assert.equal(old.kind, 'expired');
  assert.match(old.kind === 'expired' ? old.message : '', /AF20051/);
});

test('no subscription (AF20022) and a disabled one (AF20023) are SubscriptionMissingError', async () => {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (const [state, code] of [
    ['none', 'AF20022'],
    ['disabled', 'AF20023'],
  ] as const) {
    server.subscription = state;
    await assert.rejects(
      listAll(client().api, new Date(end.getTime() - HOUR), end),
      (error: unknown) => error instanceof SubscriptionMissingError && error.apiCode === code,
    );
  }
});

test('subscriptions: list and start', async () => {
  server.subscription = 'none';
  const api = client().api;
  assert.deepEqual(await api.listSubscriptions(), []);
  assert.deepEqual(await api.startSubscription('Audit.General'), { contentType: 'Audit.General', status: 'enabled' });
  assert.deepEqual(await api.listSubscriptions(), [{ contentType: 'Audit.General', status: 'enabled' }]);
  const start = server.requestsOf('subscriptions-start')[0]!;
  assert.equal(start.method, 'POST');
  assert.equal(start.url.searchParams.get('contentType'), 'Audit.General');
});

test('missing ActivityFeed.Read: a CollectorPermissionError that names the permission and admin consent (after one fresh token)', async () => {
  server.permissionGranted = false;
  await assert.rejects(client().api.listSubscriptions(), (error: unknown) => {
    assert.ok(error instanceof CollectorPermissionError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.apiCode, 'AF10001');
    assert.match(error.message, /ActivityFeed\.Read on "Office 365 Management APIs"/);
    assert.match(error.message, /admin consent/);
    return true;
  });
  assert.equal(server.tokenRequests, 2, 'the 401 was retried once with a new token');
  assert.equal(server.requestsOf('subscriptions-list').length, 2);
});

test('a token the API no longer accepts is replaced once and the call succeeds', async () => {
  const c = client();
  await c.api.listSubscriptions();
  server.tokens.clear();
  assert.deepEqual(await c.api.listSubscriptions(), [{ contentType: 'Audit.General', status: 'enabled' }]);
  assert.equal(server.tokenRequests, 2);
});

test('an API refusal that is not throttling, auth or subscription becomes a ManagementApiError with the AF code', async () => {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  await assert.rejects(
    listAll(client().api, new Date(end.getTime() - 25 * HOUR), end),
    (error: unknown) =>
      error instanceof ManagementApiError &&
      error.status === 400 &&
      error.apiCode === 'AF20055' &&
      /24 hours/.test(error.message),
  );
});
