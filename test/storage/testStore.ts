// Test helper: a Store on the test Azurite (TEST_STORAGE_CONNECTION) with names unique to the caller,
// so test files running in parallel never see each other's tables or containers.
import { randomBytes } from 'node:crypto';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';

export function testConnectionString(): string {
  const cs = process.env.TEST_STORAGE_CONNECTION;
  if (!cs)
    throw new Error(
      'TEST_STORAGE_CONNECTION is not set: run the tests with `npm test` (scripts/run-tests.mjs starts Azurite)',
    );
  return cs;
}

/** A fresh store with a random prefix, its tables and containers created. */
export async function freshStore(label = 't', connectionString = testConnectionString()): Promise<Store> {
  const prefix = `${label}${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9]/g, '');
  const store = openStore(storageClientsFromConnectionString(connectionString), prefixedStoreNames(prefix));
  await store.ensureCreated();
  return store;
}
