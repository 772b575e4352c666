import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionStringFor } from '../../src/local/azuriteProcess.js';

test('connection string names the three endpoints on the given ports', () => {
  const cs = connectionStringFor({ blob: 1, queue: 2, table: 3 });
  assert.match(cs, /BlobEndpoint=http:\/\/127\.0\.0\.1:1\/devstoreaccount1;/);
  assert.match(cs, /QueueEndpoint=http:\/\/127\.0\.0\.1:2\/devstoreaccount1;/);
  assert.match(cs, /TableEndpoint=http:\/\/127\.0\.0\.1:3\/devstoreaccount1;/);
});

test('the test command provides a running Azurite', async () => {
  const cs = process.env.TEST_STORAGE_CONNECTION;
  assert.ok(cs, 'TEST_STORAGE_CONNECTION must be set by scripts/run-tests.mjs');
  const port = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(cs)?.[1]);
  const res = await fetch(`http://127.0.0.1:${port}/devstoreaccount1/Tables`, { method: 'GET' });
  // Unauthenticated requests are refused, but the refusal proves the table service answers.
  assert.ok(res.status >= 200 && res.status < 500, `unexpected status ${res.status}`);
});
