// The withdrawal's registration as the Functions host receives it (captured from the real app): DELETE on
// the same route as the upload report, admin key required; and routed by method as the local host does.
// Runs in its own process: nothing may load @azure/functions first.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { captureRegistrations, findPackageRoot, type CapturedFunction } from '../../src/local/captureRegistrations.js';
import { compareRoutePrecedence, compileRoute } from '../../src/local/templates.js';

let functions: CapturedFunction[];

before(async () => {
  delete process.env['HTTP_AUTH'];
  functions = await captureRegistrations({ packageRoot: findPackageRoot(__dirname) });
});

test('withdrawUpload: DELETE uploads/{*name}, authLevel admin, answer through $return', () => {
  const fn = functions.find((f) => f.name === 'withdrawUpload');
  assert.ok(fn, 'withdrawUpload is registered');
  assert.equal(fn.trigger.type, 'httpTrigger');
  assert.equal(fn.trigger['route'], 'uploads/{*name}');
  assert.deepEqual(fn.trigger['methods'], ['DELETE']);
  assert.equal(fn.trigger['authLevel'], 'admin');
  assert.deepEqual(
    fn.bindings.filter((b) => b !== fn.trigger),
    [{ type: 'http', name: '$return', direction: 'out' }],
  );
});

test('a request reaches the function registered for its method: GET the upload report, DELETE the withdrawal', () => {
  const http = functions
    .filter((f) => f.trigger.type === 'httpTrigger')
    .map((fn) => ({
      fn,
      route: compileRoute(typeof fn.trigger['route'] === 'string' ? fn.trigger['route'] : fn.name, fn.name),
      methods: new Set(fn.trigger['methods'] as string[]),
    }))
    .sort((a, b) => compareRoutePrecedence(a.route, b.route));
  const resolve = (method: string, path: string) => {
    const hit = http
      .map((h) => ({ h, m: h.route.match(path) }))
      .find((x) => x.m !== undefined && x.h.methods.has(method));
    return hit === undefined ? undefined : { name: hit.h.fn.name, params: hit.m!.params };
  };
  assert.deepEqual(resolve('DELETE', 'uploads/2026/03/export.csv'), {
    name: 'withdrawUpload',
    params: { name: '2026/03/export.csv' },
  });
  assert.deepEqual(resolve('GET', 'uploads/2026/03/export.csv'), {
    name: 'reportUpload',
    params: { name: '2026/03/export.csv' },
  });
  // The catch-all also takes an empty name; the handler answers 400 for it (test/pipeline/withdraw.test.ts).
  assert.deepEqual(resolve('DELETE', 'uploads'), { name: 'withdrawUpload', params: {} });
  assert.equal(resolve('DELETE', 'meetings/m-1'), undefined);
});
