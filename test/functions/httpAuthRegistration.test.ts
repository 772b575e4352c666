// With HTTP_AUTH=entra (set by the Bicep only together with App Service authentication) every HTTP function
// registers anonymous for the Functions host, and still refuses what Easy Auth did not sign in. The default
// (function keys) is covered by test/local/captureRegistrations.test.ts. Runs in its own process: the setting
// is read when the function modules load, during the capture.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureRegistrations, findPackageRoot, type CapturedFunction } from '../../src/local/captureRegistrations.js';

let functions: CapturedFunction[] = [];
/** Functions that change or reveal data and always take the admin key. */
const ADMIN_FUNCTIONS = new Set(['withdrawUpload', 'eraseUser', 'pseudonymLookup']);

before(async () => {
  process.env['HTTP_AUTH'] = 'entra';
  functions = await captureRegistrations({ packageRoot: findPackageRoot(__dirname) });
});

test('entra mode: every HTTP function, the dashboard included, is anonymous for the host, except the withdrawal and the privacy routes (admin key)', () => {
  const http = functions.filter((f) => f.trigger.type === 'httpTrigger');
  assert.ok(http.length >= 10, `found ${http.length} HTTP functions`);
  assert.ok(http.some((f) => f.name === 'dashboard'));
  for (const fn of http)
    assert.equal(fn.trigger['authLevel'], ADMIN_FUNCTIONS.has(fn.name) ? 'admin' : 'anonymous', fn.name);
});
