// The bindings the Functions host would receive from the REAL app (package.json `main`), captured
// through the fake core module. Runs in its own process: nothing may load @azure/functions first.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { captureRegistrations, findPackageRoot, type CapturedFunction } from '../../src/local/captureRegistrations.js';
import { compareRoutePrecedence, compileRoute, resolveSettings } from '../../src/local/templates.js';
import { parseNcrontab } from '../../src/local/ncrontab.js';
import { parseJson } from '../support/jsonBody.js';

const root = findPackageRoot(__dirname);
let functions: CapturedFunction[];
const byName = (name: string): CapturedFunction => {
  const fn = functions.find((f) => f.name === name);
  assert.ok(fn, `no function "${name}" among ${functions.map((f) => f.name).join(', ')}`);
  return fn;
};

before(async () => {
  // The defaults must come from the code, not from this environment.
  for (const name of ['EXPORTS_TRIGGER_SOURCE', 'EXPORTS_CONTAINER', 'ANALYSIS_SCHEDULE']) delete process.env[name];
  functions = await captureRegistrations({ packageRoot: root });
});

test('ingestExport: blob trigger on %EXPORTS_CONTAINER%/{name}, connection AzureWebJobsStorage, source EventGrid', () => {
  const { trigger, bindings } = byName('ingestExport');
  assert.equal(trigger.type, 'blobTrigger');
  assert.equal(trigger.direction, 'in');
  assert.equal(trigger['path'], '%EXPORTS_CONTAINER%/{name}');
  assert.equal(trigger['connection'], 'AzureWebJobsStorage');
  assert.equal(trigger['source'], 'EventGrid', 'Flex Consumption runs blob triggers only with the Event Grid source');
  // An SDK binding: the host sends model binding data, which the app's own factory turns into a BlobClient.
  assert.equal(trigger['sdkBinding'], true);
  assert.deepEqual(trigger['properties'], { supportsDeferredBinding: 'true' });
  assert.deepEqual(bindings, [trigger], 'no extra inputs or outputs');
  assert.equal(resolveSettings(String(trigger['path']), {}, 'test'), 'audit-exports/{name}');
});

test('analyzeDisconnections: timer on %ANALYSIS_SCHEDULE%, every 10 minutes by default', () => {
  const { trigger, bindings } = byName('analyzeDisconnections');
  assert.equal(trigger.type, 'timerTrigger');
  assert.equal(trigger['schedule'], '%ANALYSIS_SCHEDULE%');
  assert.notEqual(trigger['runOnStartup'], true, 'runOnStartup should not be used in production');
  assert.deepEqual(bindings, [trigger]);
  const schedule = parseNcrontab(resolveSettings(String(trigger['schedule']), {}, 'test'));
  const from = new Date('2026-03-02T08:03:00Z');
  const first = schedule.next(from)!;
  assert.equal(first.toISOString(), '2026-03-02T08:10:00.000Z');
  assert.equal(schedule.next(first)!.getTime() - first.getTime(), 10 * 60_000);
});

test('every HTTP function requires a function key (none anonymous), the withdrawal and the privacy routes the admin key, and returns through $return', () => {
  const http = functions.filter((f) => f.trigger.type === 'httpTrigger');
  assert.ok(http.length >= 10, `expected the report routes, found ${http.length} HTTP functions`);
  for (const fn of http) {
    const level = ['withdrawUpload', 'eraseUser', 'pseudonymLookup'].includes(fn.name) ? 'admin' : 'function';
    assert.equal(fn.trigger['authLevel'], level, `${fn.name} must have authLevel '${level}'`);
    assert.deepEqual(
      fn.bindings.filter((b) => b !== fn.trigger),
      [{ type: 'http', name: '$return', direction: 'out' }],
      fn.name,
    );
  }
});

test('the report routes of issue 3 answer GET only, each reaching one function with its parameter', () => {
  const http = functions
    .filter((f) => f.trigger.type === 'httpTrigger')
    .map((fn) => ({
      fn,
      route: compileRoute(typeof fn.trigger['route'] === 'string' ? fn.trigger['route'] : fn.name, fn.name),
      methods: fn.trigger['methods'] as string[],
    }))
    .sort((a, b) => compareRoutePrecedence(a.route, b.route));
  const resolve = (path: string) => {
    const hit = http.map((h) => ({ h, m: h.route.match(path) })).find((x) => x.m);
    assert.ok(hit, `no function answers /api/${path}`);
    return { name: hit.h.fn.name, params: hit.m!.params, methods: hit.h.methods };
  };
  const expected: Array<[string, Record<string, string>]> = [
    ['meetings', {}],
    ['meetings/m-123', { meetingId: 'm-123' }],
    ['attendees', {}],
    ['disconnections', {}],
    ['summary', {}],
    ['users', {}],
    ['uploads', {}],
    ['uploads/export.csv', { name: 'export.csv' }],
    ['health', {}],
  ];
  const seen = new Set<string>();
  for (const [path, params] of expected) {
    const r = resolve(path);
    assert.deepEqual(r.params, params, `/api/${path} -> ${r.name}`);
    assert.deepEqual(r.methods, ['GET'], `/api/${path} -> ${r.name} answers GET only`);
    seen.add(r.name);
  }
  assert.equal(seen.size, expected.length, 'each report route has its own function');
});

/** Captures ingestExport's trigger in a fresh process with the given environment. */
function captureInChild(env: NodeJS.ProcessEnv): Promise<{ ok: boolean; out: string }> {
  const capture = join(root, 'dist', 'src', 'local', 'captureRegistrations.js');
  const script = `require(${JSON.stringify(capture)}).captureRegistrations({ packageRoot: ${JSON.stringify(root)} })
    .then((fns) => { console.log(JSON.stringify(fns.find((f) => f.name === 'ingestExport').trigger)); process.exit(0); })
    .catch((e) => { console.log(e.message); process.exit(3); });`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { env, timeout: 60_000 }, (err, out) =>
      resolve({ ok: !err, out: out.trim().split('\n').at(-1) ?? '' }),
    );
  });
}

test('the blob trigger source follows EXPORTS_TRIGGER_SOURCE; a wrong value stops the app loading', async () => {
  const polled = await captureInChild({ ...process.env, EXPORTS_TRIGGER_SOURCE: 'LogsAndContainerScan' });
  assert.ok(polled.ok, polled.out);
  assert.equal(parseJson<{ source?: unknown }>(polled.out).source, 'LogsAndContainerScan');

  const wrong = await captureInChild({ ...process.env, EXPORTS_TRIGGER_SOURCE: 'Polling' });
  assert.equal(wrong.ok, false);
  assert.match(
    wrong.out,
    /ingestExport\.js failed: .*EXPORTS_TRIGGER_SOURCE must be EventGrid or LogsAndContainerScan/,
  );
});
