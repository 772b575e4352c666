import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphConfigError, readGraphNamesSettings } from '../../src/graph/config.js';
import { pseudonymizeUsers } from '../../src/privacyMode.js';

const ON = { GRAPH_NAMES: 'true' };

test('off by default, and off in pseudonymised mode even when GRAPH_NAMES is true', () => {
  assert.deepEqual(readGraphNamesSettings({}), { enabled: false, why: 'GRAPH_NAMES is not true' });
  const pseudonymised = readGraphNamesSettings({ ...ON, PSEUDONYMIZE_USERS: 'TRUE' });
  assert.equal(pseudonymised.enabled, false);
  assert.match(pseudonymised.enabled ? '' : pseudonymised.why, /PSEUDONYMIZE_USERS is true/);
  assert.equal(pseudonymizeUsers({ PSEUDONYMIZE_USERS: 'false' }), false);
  assert.equal(pseudonymizeUsers({}), false);
});

test('on: the public Graph, a week of freshness, 2000 ids a run, the system-assigned identity unless a client id is set', () => {
  assert.deepEqual(readGraphNamesSettings(ON), {
    enabled: true,
    config: {
      baseUrl: 'https://graph.microsoft.com',
      scope: 'https://graph.microsoft.com/.default',
      refreshMs: 168 * 3_600_000,
      maxPerRun: 2000,
    },
  });
  const custom = readGraphNamesSettings({
    ...ON,
    GRAPH_BASE_URL: 'https://graph.microsoft.us/',
    GRAPH_NAMES_REFRESH_HOURS: '24',
    GRAPH_NAMES_MAX_PER_RUN: '100',
    GRAPH_MANAGED_IDENTITY_CLIENT_ID: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  });
  assert.deepEqual(custom, {
    enabled: true,
    config: {
      baseUrl: 'https://graph.microsoft.us',
      scope: 'https://graph.microsoft.us/.default',
      refreshMs: 24 * 3_600_000,
      maxPerRun: 100,
      identityClientId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    },
  });
});

test('unusable values are refused with the setting named and what it must be', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ GRAPH_NAMES: 'yes' }, /GRAPH_NAMES must be true or false/],
    [{ ...ON, GRAPH_BASE_URL: 'http://graph.microsoft.com' }, /GRAPH_BASE_URL must be an https:\/\/ address/],
    [{ ...ON, GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0' }, /without \/v1\.0/],
    [{ ...ON, GRAPH_BASE_URL: 'graph' }, /GRAPH_BASE_URL must be the Graph host/],
    [
      { ...ON, GRAPH_NAMES_REFRESH_HOURS: '0' },
      /GRAPH_NAMES_REFRESH_HOURS must be a whole number from 1 to 8760, got "0"/,
    ],
    [{ ...ON, GRAPH_NAMES_MAX_PER_RUN: '1e3' }, /GRAPH_NAMES_MAX_PER_RUN must be a whole number/],
    [
      { ...ON, GRAPH_MANAGED_IDENTITY_CLIENT_ID: 'my-identity' },
      /GRAPH_MANAGED_IDENTITY_CLIENT_ID must be the client id \(a GUID\)/,
    ],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => readGraphNamesSettings(env),
      (e: unknown) => e instanceof GraphConfigError && message.test(e.message),
    );
});
