import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TokenKeyTable, TOKEN_KEY_BYTES } from '../../src/storage/tokenKeyTable.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { freshStore, testConnectionString } from './testStore.js';

test('instances starting at once agree on one key, and a later instance reads the same key', async () => {
  const store = await freshStore('key');
  const tableName = store.names.tables.tokenKeys;
  // Each instance has its own clients and would create its own random key.
  const instances = Array.from(
    { length: 6 },
    () => new TokenKeyTable(storageClientsFromConnectionString(testConnectionString()).table(tableName)),
  );
  const keys = await Promise.all(instances.map((i) => i.key()));
  assert.equal(keys[0]!.length, TOKEN_KEY_BYTES);
  for (const key of keys) assert.deepEqual(key, keys[0]);
  const later = new TokenKeyTable(storageClientsFromConnectionString(testConnectionString()).table(tableName), () =>
    randomBytes(TOKEN_KEY_BYTES),
  );
  assert.deepEqual(await later.key(), keys[0]);
  // Cached: the same buffer again without another read.
  assert.equal(await instances[0]!.key(), keys[0]);
});

test('a failed read is not cached: the next call tries again', async () => {
  const store = await freshStore('kef');
  const table = new TokenKeyTable(store.clients.table(`${store.names.tables.tokenKeys}missing`));
  await assert.rejects(table.key(), (error: unknown) => (error as { statusCode?: number }).statusCode === 404);
  await store.clients.table(`${store.names.tables.tokenKeys}missing`).createTable();
  assert.equal((await table.key()).length, TOKEN_KEY_BYTES);
});
