// What the local host refuses before a function runs (stand-in functions, test Azurite): requests
// addressed to another name (DNS rebinding), admin calls without this start's key or from another
// origin, admin inputs outside the watched container, bodies where none belongs or over the limit,
// bad percent-encodings. And what it passes on: every value of a repeated query parameter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { startHost, type InvocationEvent, type RunningHost } from '../../src/local/host.js';
import { rawRequest, type RawRequest, type RawResponse } from './rawHttp.js';
import { captureStandIns, startStandInHost, testStorage } from './localHost.fixture.js';

const container = `guards-${randomBytes(4).toString('hex')}`;
const env = {
  ...process.env,
  FIXTURE_CONTAINER: container,
  FIXTURE_SCHEDULE: '0 0 0 1 1 *',
  FIXTURE_SLOW_SCHEDULE: '0 0 0 1 1 *',
};
let host: RunningHost;
let events: InvocationEvent[];
let logLines: string[];

before(async () => {
  const functions = await captureStandIns(['httpFixtures.js', 'echoFixture.js', 'blobFixture.js', 'timerFixture.js']);
  const storage = testStorage();
  await storage.blobService.getContainerClient(container).create();
  await storage.blobService.getContainerClient(container).getBlockBlobClient('good.csv').upload('a,b\n', 4);
  ({
    host,
    events,
    lines: logLines,
  } = await startStandInHost({
    functions,
    storage,
    env,
    host: { runTimers: false, blobPollIntervalMs: 60_000 },
  }));
});

after(async () => {
  await host?.stop();
});

/** A host that waits for a body it should refuse never answers: such a test then fails instead of hanging. */
const HANG = 60_000;

/** A request addressed as a local tool addresses it (Host: localhost:<port>), headers added or replaced. */
function send(request: Omit<RawRequest, 'port'>): Promise<RawResponse> {
  return rawRequest({ port: host.port, ...request, headers: { host: `localhost:${host.port}`, ...request.headers } });
}

function admin(name: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  return send({
    method: 'POST',
    path: `/admin/functions/${name}`,
    headers: { 'x-functions-key': host.adminKey, ...headers },
    body,
  });
}

test('a Host header naming anything but localhost, 127.0.0.1 or [::1] is refused (DNS rebinding)', async () => {
  for (const name of [
    'attacker.example:7071',
    'attacker.example',
    'localhost.attacker.example',
    '127.0.0.2',
    '[::2]',
    `0.0.0.0:${host?.port}`,
    'localhost:7071@attacker.example',
  ]) {
    const res = await send({ method: 'GET', path: '/api/things', headers: { host: name } });
    assert.equal(res.status, 403, `Host ${JSON.stringify(name)}`);
    assert.match(res.text, /answers only requests addressed to localhost, 127\.0\.0\.1, \[::1\].*DNS rebinding/s);
    assert.doesNotMatch(res.text, /"list"/, 'no data');
  }
  const admin = await send({
    method: 'POST',
    path: '/admin/functions/tick',
    headers: { host: 'attacker.example:7071', 'x-functions-key': host.adminKey },
  });
  assert.equal(admin.status, 403, 'the admin API too, even with the key');
});

test('a request without a Host header (HTTP/1.0) is refused too', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1', () => socket.end('GET /api/things HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 403 /);
  assert.match(answer, /the Host header is none/);
});

test('loopback names are answered, with or without the port, in any case', async () => {
  for (const name of [
    `localhost:${host.port}`,
    'localhost',
    `127.0.0.1:${host.port}`,
    '127.0.0.1',
    `[::1]:${host.port}`,
    '[::1]',
    `LocalHost:${host.port}`,
  ]) {
    const res = await send({ method: 'GET', path: '/api/things', headers: { host: name } });
    assert.equal(res.status, 200, `Host ${name}: ${res.text}`);
    assert.equal(res.text, '{"list":true}');
  }
});

test('the admin API needs the key of this start in x-functions-key', async () => {
  let res = await send({ method: 'POST', path: '/admin/functions/tick' });
  assert.equal(res.status, 401);
  assert.match(res.text, /needs the key printed at start .* x-functions-key header/);
  res = await admin('tick', { 'x-functions-key': `${host.adminKey}x` });
  assert.equal(res.status, 401);
  assert.match(res.text, /does not hold this start's admin key/);
  res = await send({ method: 'POST', path: `/admin/functions/tick?code=${encodeURIComponent(host.adminKey)}` });
  assert.equal(res.status, 401, 'not in the URL, where a browser keeps it');
  res = await admin('tick');
  assert.equal(res.status, 202);

  const other = await startHost({ functions: [], storageFor: () => assert.fail('no storage'), port: 0, log: () => {} });
  try {
    assert.notEqual(other.adminKey, host.adminKey, 'a new key at each start');
    assert.ok(other.adminKey.length >= 40, 'at least 32 random bytes');
  } finally {
    await other.stop();
  }
});

test('cross-origin requests to the admin API are refused, even with the key (Origin, Sec-Fetch-Site)', async () => {
  // A page's form post: text/plain, another origin.
  let res = await admin('tick', { origin: 'http://attacker.example', 'content-type': 'text/plain' }, '{"input":"x"}');
  assert.equal(res.status, 403);
  assert.match(res.text, /cross-origin request \(Origin: "http:\/\/attacker\.example"\)/);
  res = await admin('tick', { origin: 'null' });
  assert.equal(res.status, 403, 'a sandboxed page');
  res = await admin('tick', { origin: `http://localhost:${host.port + 1}` });
  assert.equal(res.status, 403, 'another local port is another origin');
  res = await admin('tick', { 'sec-fetch-site': 'cross-site' });
  assert.equal(res.status, 403);
  assert.match(res.text, /cross-site request \(Sec-Fetch-Site: cross-site\)/);
  res = await admin('tick', { 'sec-fetch-site': 'same-site' });
  assert.equal(res.status, 403, 'a page on another port of localhost');

  res = await admin('tick', { origin: `http://localhost:${host.port}`, 'sec-fetch-site': 'same-origin' });
  assert.equal(res.status, 202, 'the same origin');
});

test('admin blob inputs stay in the watched container: "..", other containers, bad encodings get 400 with the reason', async () => {
  const json = (input: unknown) => JSON.stringify({ input });
  const cases: Array<[string | Buffer, RegExp]> = [
    [json(`${container}/../audit-rejects/x.json`), /"\." or "\.\." segment/],
    [json(`${container}/a/../../other/x.csv`), /"\." or "\.\." segment/],
    [json(`${container}/./good.csv`), /"\." or "\.\." segment/],
    [json(`${container}/..\\other\\x.csv`), /"\." or "\.\." segment/],
    [json(`${container}/..`), /"\." or "\.\." segment/],
    [json(`other-container/good.csv`), new RegExp(`must name a blob in ${container}, the container "collect" watches`)],
    [json(`${container}-2/good.csv`), new RegExp(`must name a blob in ${container}`)],
    [json(`${container}/`), /the blob name is empty/],
    [json(`${container}/${'a'.repeat(1025)}`), /longer than 1024 characters/],
    ['{"input":"' + container + '/bad-\\ud800.csv"}', /not well-formed Unicode/],
    [
      Buffer.concat([Buffer.from(`{"input":"${container}/`), Buffer.from([0xff, 0xfe]), Buffer.from('.csv"}')]),
      /not UTF-8/,
    ],
    [json(42), new RegExp(`send \\{ "input": "${container}/<blob name>" \\}`)],
  ];
  for (const [body, reason] of cases) {
    const res = await admin('collect', { 'content-type': 'application/json' }, body);
    assert.equal(res.status, 400, `${body.toString()}: ${res.text}`);
    assert.match(res.text, reason, body.toString());
  }
  assert.deepEqual(
    events.filter((e) => e.reason === 'admin' && e.functionName === 'collect'),
    [],
    'nothing was invoked',
  );

  const res = await admin('collect', { 'content-type': 'application/json' }, json(`${container}/good.csv`));
  assert.equal(res.status, 202, res.text);
});

test('bad percent-encoding anywhere in the path is a 400, never a 500', async () => {
  for (const [method, path] of [
    ['POST', '/admin/functions/%E0%A4%A'],
    ['POST', '/admin/functions/ti%ck'],
    ['GET', '/api/things/%E0%A4%A'],
    ['GET', '/api/files/a/%ZZ/b'],
    ['GET', '/api/%C0%AF'],
    ['GET', '/nowhere/%'],
  ] as const) {
    const res = await send({ method, path, headers: { 'x-functions-key': host.adminKey } });
    assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
    assert.match(res.text, /malformed percent-encoding/);
  }
  assert.ok(!logLines.some((l) => l.startsWith('Request handling failed')), logLines.join('\n'));
});

test('a body on a GET or HEAD is refused from its headers, without being read', { timeout: HANG }, async () => {
  // The body is declared and never sent: the answer can only come if the host does not wait for it.
  for (const method of ['GET', 'HEAD']) {
    const res = await send({
      method,
      path: '/api/echo/x',
      headers: { 'content-length': String(90 * 1024 * 1024) },
      holdBody: true,
    });
    assert.equal(res.status, 400, method);
    if (method === 'GET') assert.match(res.text, /A GET request carries no body/);
  }
  const chunked = await send({
    method: 'GET',
    path: '/api/things',
    headers: { 'transfer-encoding': 'chunked' },
    holdBody: true,
  });
  assert.equal(chunked.status, 400);
});

test(
  'a declared body over the limit gets 413 without being kept; a client waiting for "100 Continue" is not asked to send it',
  { timeout: HANG },
  async () => {
    let res = await send({
      method: 'POST',
      path: '/api/echo/x',
      headers: { 'content-length': String(150 * 1024 * 1024), expect: '100-continue' },
      holdBody: true,
    });
    assert.equal(res.status, 413);
    assert.match(res.text, /larger than 104857600 bytes/);
    assert.equal(res.continued, false, 'the client is told not to send the body');
    assert.equal(res.headers['connection'], 'close');
    // A client that sends at once, on a connection it asked to close: the answer still arrives.
    const size = 4 * 1024 * 1024;
    res = await send({
      method: 'POST',
      path: '/admin/functions/tick',
      headers: { 'x-functions-key': host.adminKey, 'content-length': String(size), connection: 'close' },
      streamBytes: size,
    });
    assert.equal(res.status, 413);
    assert.match(res.text, /larger than 65536 bytes/);
  },
);

test(
  'a streamed body passing the limit gets 413, and the connection is not reset while the client still sends',
  { timeout: HANG },
  async () => {
    for (const connection of ['close', 'keep-alive']) {
      const res = await send({
        method: 'POST',
        path: '/admin/functions/tick',
        headers: { 'x-functions-key': host.adminKey, connection },
        streamBytes: 4 * 1024 * 1024,
      });
      assert.equal(res.status, 413, connection);
      assert.match(res.text, /larger than 65536 bytes/);
    }
    // A body within the limit is read whole.
    const ok = await send({ method: 'POST', path: '/api/echo/x', streamBytes: 1024 * 1024 });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.text) as { bodyBytes: number }).bodyBytes, 1024 * 1024);
  },
);

test(
  'refusals decided from the headers (no key, wrong route) also answer a client still sending, without a reset',
  { timeout: HANG },
  async () => {
    for (const [path, status] of [
      ['/admin/functions/tick', 401],
      ['/api/nothing-here', 404],
      ['/api/things', 405],
    ] as const) {
      const res = await send({ method: 'PUT', path, headers: { connection: 'close' }, streamBytes: 4 * 1024 * 1024 });
      assert.equal(res.status, status, path);
    }
  },
);

test('repeated query parameters reach the function with every value, as a URLSearchParams', async () => {
  const res = await send({ method: 'GET', path: '/api/echo/x?limit=10&limit=20&q=a%20b&empty=' });
  assert.equal(res.status, 200);
  assert.deepEqual((JSON.parse(res.text) as { query: unknown }).query, {
    limit: ['10', '20'],
    q: ['a b'],
    empty: [''],
  });
});
