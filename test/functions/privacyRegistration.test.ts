// The privacy functions as the Functions host receives them (captured from the real app): the retention timer on
// %RETENTION_SCHEDULE%, the erasure (DELETE) and pseudonym (POST) routes with the admin key, outside the host's
// reserved /admin prefix. Runs in its own process: nothing may load @azure/functions first.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import names from '../../src/names.json';
import { captureRegistrations, findPackageRoot, type CapturedFunction } from '../../src/local/captureRegistrations.js';

let functions: CapturedFunction[];

before(async () => {
  delete process.env['HTTP_AUTH'];
  functions = await captureRegistrations({ packageRoot: findPackageRoot(__dirname) });
});

test('applyRetention is a timer on RETENTION_SCHEDULE (daily by default)', () => {
  const fn = functions.find((f) => f.name === 'applyRetention');
  assert.ok(fn, 'applyRetention is registered');
  assert.equal(fn.trigger.type, 'timerTrigger');
  assert.equal(fn.trigger['schedule'], `%${names.settings.retentionSchedule}%`);
  assert.equal(
    names.settingDefaults[names.settings.retentionSchedule as keyof typeof names.settingDefaults],
    '0 15 2 * * *',
  );
});

test('eraseUser and pseudonymLookup: admin key, DELETE and POST, routes not under the reserved admin prefix', () => {
  const erase = functions.find((f) => f.name === 'eraseUser');
  const lookup = functions.find((f) => f.name === 'pseudonymLookup');
  assert.ok(erase && lookup);
  assert.equal(erase.trigger['route'], 'privacy/users/{objectIdOrUpn}');
  assert.deepEqual(erase.trigger['methods'], ['DELETE']);
  assert.equal(erase.trigger['authLevel'], 'admin');
  assert.equal(lookup.trigger['route'], 'privacy/pseudonyms');
  assert.deepEqual(lookup.trigger['methods'], ['POST']);
  assert.equal(lookup.trigger['authLevel'], 'admin');
  for (const fn of functions)
    assert.doesNotMatch(
      typeof fn.trigger['route'] === 'string' ? fn.trigger['route'] : fn.name,
      /^admin/i,
      `${fn.name}: the host reserves routes starting with admin`,
    );
});
