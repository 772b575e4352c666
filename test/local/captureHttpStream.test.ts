// With app.setup({ enableHttpStream: true }) the library reads requests from, and writes responses
// to, its own HTTP proxy; invoke() must drive that path too. The library's proxy server cannot be
// closed from outside, so the scenario runs in a child process that exits when done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const capture = join(__dirname, '..', '..', 'src', 'local', 'captureRegistrations.js');
const fixtures = join(__dirname, '..', 'fixtures');

const script = `
const { captureRegistrations } = require(${JSON.stringify(capture)});
(async () => {
  const fns = await captureRegistrations({ files: [
    ${JSON.stringify(join(fixtures, 'stream', 'enableStream.js'))},
    ${JSON.stringify(join(fixtures, 'functions', 'httpFixtures.js'))},
  ] });
  const thing = fns.find((f) => f.name === 'thing');
  const post = await thing.invoke({ kind: 'http', method: 'POST', url: 'http://localhost:7071/api/things/5?q=x',
    headers: { 'x-test': 'h', 'content-type': 'text/plain' }, params: { id: '5' }, body: Buffer.from('streamed body') },
    { log: () => {} });
  const boom = fns.find((f) => f.name === 'boom');
  let boomError = null;
  try { await boom.invoke({ kind: 'http', method: 'GET', url: 'http://localhost:7071/api/boom', headers: {}, params: {} }); }
  catch (e) { boomError = e.message; }
  console.log(JSON.stringify({ status: post.http.status, body: post.http.body.toString(), headers: post.http.headers,
    cookies: post.http.cookies, boomError }));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`;

test('HTTP streaming mode: request and response go through the library proxy', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`child failed: ${err.message}\n${errOut}`));
      else resolve(out);
    });
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    status: number;
    body: string;
    headers: Array<[string, string]>;
    cookies: string[];
    boomError: string | null;
  };
  assert.equal(result.status, 201);
  assert.deepEqual(JSON.parse(result.body), { id: '5', q: 'x', body: 'streamed body', method: 'POST', header: 'h' });
  assert.equal(new Map(result.headers).get('x-fixture'), 'yes');
  assert.equal(result.cookies.length, 1);
  assert.match(result.cookies[0]!, /^session=abc; Path=\/; HttpOnly$/);
  assert.equal(result.boomError, 'fixture handler failed');
});
