// GET /api/openapi.json on the local host running the REAL registrations (package.json `main`): the
// document served is held equal to what is registered (functions, routes, methods, authLevel) and to
// what the running routes accept (their own list of parameters, JSON or CSV). Runs in its own process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CapturedFunction } from '../../src/local/captureRegistrations.js';
import type { RunningHost } from '../../src/local/host.js';
import { compileRoute } from '../../src/local/templates.js';
import { freshStore } from '../storage/testStore.js';
import { startRealHost } from './localHost.fixture.js';
import { openApiProblems } from '../pipeline/http/openApiRules.js';
import { parseJson, responseJson, type ErrorBody } from '../support/jsonBody.js';

/** The parts of the served document these tests read; openApiProblems checks its shape first. */
interface Operation {
  operationId: string;
  parameters: Array<{ name: string; in: string }>;
  security?: unknown;
  responses: Record<string, { content: Record<string, unknown> }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}
let functions: CapturedFunction[];
let host: RunningHost;
let doc: OpenApiDoc;

/** The described operations: path, method and the operation. */
const operations = (): Array<{ path: string; method: string; op: Operation }> =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

/** The HTTP functions the document describes: all but the dashboard (HTML, left out on purpose). */
const described = (): CapturedFunction[] =>
  functions.filter((f) => f.trigger.type === 'httpTrigger' && f.name !== 'dashboard');

/** A document path with each {parameter} replaced by a sample value. */
const samplePath = (path: string): string => path.replace(/\{([^}]+)\}/g, (_, name: string) => `sample-${name}`);

before(async () => {
  delete process.env['HTTP_AUTH']; // the default mode: function keys
  const real = await startRealHost({ store: await freshStore('openapi'), timeoutMs: 20_000 });
  ({ functions, host } = real);
  const res = await fetch(`${host.url}/api/openapi.json`);
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  doc = await responseJson<OpenApiDoc>(res);
});

after(async () => {
  await host?.stop();
});

test('the local host serves GET /api/openapi.json: an OpenAPI 3.1 document', () => {
  assert.deepEqual(openApiProblems(doc), []);
  assert.match(doc.openapi, /^3\.1\.\d+$/);
});

test('each registered HTTP function is described, at its route, with its methods, and nothing else is', () => {
  const registered = described();
  assert.ok(registered.length >= 11, `found ${registered.map((f) => f.name).join(', ')}`);
  assert.ok(
    registered.some((f) => f.name === 'reportOpenApi'),
    'the document is served by a registered function',
  );
  const ops = operations();
  assert.deepEqual(
    ops.map((o) => o.op.operationId).sort(),
    registered.flatMap((f) => (f.trigger['methods'] as string[]).map(() => f.name)).sort(),
  );
  for (const fn of registered) {
    const mine = ops.filter((o) => o.op.operationId === fn.name);
    assert.deepEqual(
      mine.map((o) => o.method.toUpperCase()).sort(),
      [...(fn.trigger['methods'] as string[])].sort(),
      fn.name,
    );
    const route = compileRoute(String(fn.trigger['route']), fn.name);
    for (const { path, op } of mine) {
      // The documented path, with sample values, reaches this registration with the documented path parameters.
      const match = route.match(samplePath(path).slice(1));
      assert.ok(match, `${fn.name}: ${path} does not match the registered route ${String(fn.trigger['route'])}`);
      const pathParams = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(Object.keys(match.params).sort(), [...pathParams].sort(), `${fn.name}: path parameters`);
    }
  }
});

test('security follows each registration: authLevel function -> the function key, admin -> the admin key', () => {
  for (const fn of described()) {
    const expected = { function: [{ functionKey: [] }], admin: [{ adminKey: [] }] }[
      String(fn.trigger['authLevel']) as 'function' | 'admin'
    ];
    assert.ok(expected, `${fn.name}: unexpected authLevel ${String(fn.trigger['authLevel'])}`);
    for (const { op } of operations().filter((o) => o.op.operationId === fn.name))
      assert.deepEqual(op.security, expected, fn.name);
  }
});

/** A request to the running host for one documented operation, with extra query parameters. */
async function call(
  path: string,
  method: string,
  query: string,
): Promise<{ status: number; type: string; body: string }> {
  const headers: Record<string, string> = method === 'get' ? {} : { 'x-functions-key': host.adminKey };
  const res = await fetch(`${host.url}/api${samplePath(path)}?${query}`, { method: method.toUpperCase(), headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

test("each operation's query parameters are the ones the running route accepts (as its UnknownParameter answer lists them)", async () => {
  for (const { path, method, op } of operations()) {
    const documented = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
    const res = await call(path, method, 'notAParameter=1');
    assert.equal(res.status, 400, `${method} ${path}: ${res.body}`);
    const { error } = parseJson<ErrorBody>(res.body);
    assert.equal(error.code, 'UnknownParameter', `${method} ${path}`);
    assert.equal(error.parameter, 'notAParameter');
    const listed = /it accepts: (.*)$/.exec(error.message)?.[1]?.split(', ') ?? [];
    assert.deepEqual([...documented].sort(), [...listed].sort(), `${method} ${path}: documented vs accepted`);
  }
});

test('text/csv is documented exactly for the GET routes that answer format=csv', async () => {
  for (const { path, method, op } of operations().filter((o) => o.method === 'get')) {
    const offersCsv = 'text/csv' in op.responses['200']!.content;
    const res = await call(path, method, 'format=csv');
    const refused = res.status === 400 && parseJson<ErrorBody>(res.body).error.parameter === 'format';
    assert.equal(refused, !offersCsv, `${path}: ${res.status} ${res.body.slice(0, 200)}`);
    if (res.status === 200) assert.match(res.type, /^text\/csv/, path);
  }
});
