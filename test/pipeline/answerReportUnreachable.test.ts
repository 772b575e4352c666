// A report route whose storage cannot be reached while it runs answers 503 StorageUnavailable with Retry-After, by the one check
// of what "unreachable" means (src/storage/unreachable.ts): also when the error arrives wrapped as the cause of
// another; storage that answers but refuses stays a 500 InternalError. Neither shows internals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerReport,
  REPORT_ROUTES,
  STORAGE_RETRY_AFTER_SECONDS,
  type ReportDeps,
} from '../../src/pipeline/answerReport.js';
import type { PipelineLog } from '../../src/pipeline/log.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import { STORAGE_INTERNALS, testConnectionString, unreachableStore } from '../storage/testStore.js';

/** A store on a storage account nobody listens at (a port just freed). */
function depsOn(store: Store, errors: string[]): ReportDeps {
  const log: PipelineLog = { info: () => {}, warn: () => {}, error: (m: string) => errors.push(m) };
  return { store, config: new CachedConfig(store.config), log };
}

/** Routes that read storage (health reports an outage in its own body; the OpenAPI document reads nothing). */
const STORAGE_ROUTES = REPORT_ROUTES.filter((r) => r.name !== 'reportHealth' && r.name !== 'reportOpenApi');

test('storage unreachable while a route runs: 503 StorageUnavailable, logged, for every route that reads storage', async () => {
  const errors: string[] = [];
  const deps = depsOn(await unreachableStore(), errors);
  assert.ok(STORAGE_ROUTES.length >= 7, `routes: ${STORAGE_ROUTES.map((r) => r.route).join(', ')}`);
  for (const route of STORAGE_ROUTES) {
    errors.length = 0;
    const params = route.route.includes('{*meetingId}')
      ? { meetingId: 'm-1' }
      : route.route.includes('{*name}')
        ? { name: 'a.csv' }
        : {};
    const response = await answerReport({ route: route.route, params, query: {} }, deps);
    assert.equal(response.status, 503, `${route.route}: ${response.body}`);
    assert.equal(response.headers['retry-after'], String(STORAGE_RETRY_AFTER_SECONDS), route.route);
    assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'StorageUnavailable');
    assert.doesNotMatch(response.body, STORAGE_INTERNALS, route.route);
    assert.equal(errors.length, 1, `${route.route}: ${errors.join('\n')}`);
    assert.ok(errors[0]!.startsWith(`report ${route.route}: storage unavailable: `), errors[0]);
  }
});

test('an unreachable-storage error wrapped as the cause of another still answers 503', async () => {
  const store = await unreachableStore();
  const reached = await store.tokenKey.key().then(
    () => assert.fail('nothing listens at this port'),
    (error: unknown) => error,
  );
  // A storage module that adds what it was doing and keeps the client's error as the cause.
  const tokenKey = Object.create(store.tokenKey) as Store['tokenKey'];
  tokenKey.key = () => Promise.reject(new Error('the paging key could not be read', { cause: reached }));
  const errors: string[] = [];
  const response = await answerReport(
    { route: 'meetings', params: {}, query: {} },
    depsOn({ ...store, tokenKey }, errors),
  );
  assert.equal(response.status, 503, response.body);
  assert.equal(response.headers['retry-after'], String(STORAGE_RETRY_AFTER_SECONDS));
  assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'StorageUnavailable');
  assert.deepEqual(errors, ['report meetings: storage unavailable: the paging key could not be read']);
});

test('storage that answers but refuses (a wrong account key) is not an outage: 500 InternalError, logged', async () => {
  const wrongKey = testConnectionString().replace(
    /AccountKey=[^;]+/,
    `AccountKey=${Buffer.alloc(64, 7).toString('base64')}`,
  );
  const store = openStore(storageClientsFromConnectionString(wrongKey, { maxRetries: 0 }), prefixedStoreNames('wrong'));
  const errors: string[] = [];
  const response = await answerReport({ route: 'meetings', params: {}, query: {} }, depsOn(store, errors));
  assert.equal(response.status, 500, response.body);
  assert.equal(response.headers['retry-after'], undefined, 'nothing to wait for');
  assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'InternalError');
  assert.doesNotMatch(response.body, STORAGE_INTERNALS);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.ok(errors[0]!.startsWith('report meetings: failed: '), errors[0]);
});
