// Test helper: a Store on the test Azurite (TEST_STORAGE_CONNECTION) with names unique to the caller,
// so test files running in parallel never see each other's tables or containers.
import { randomBytes } from 'node:crypto';
import { connectionStringFor, freePort } from '../../src/local/azuriteProcess.js';
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

/** A store on an account nobody listens at (a port just freed), without retries: every call fails as in an outage. */
export async function unreachableStore(): Promise<Store> {
  const port = await freePort();
  const clients = storageClientsFromConnectionString(connectionStringFor({ blob: port, queue: port, table: port }), {
    maxRetries: 0,
  });
  return openStore(clients, prefixedStoreNames('gone'));
}

/** What an outage answer must not show a caller: addresses, error classes, the emulator account, stack frames. */
export const STORAGE_INTERNALS = /127\.0\.0\.1|ECONNREFUSED|REQUEST_SEND_ERROR|RestError|devstoreaccount1|\n\s+at /;
