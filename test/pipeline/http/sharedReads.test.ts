import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPage, sharedReadsInFlight } from '../../../src/pipeline/http/sharedReads.js';
import { freshStore } from '../../storage/testStore.js';

test('identical page reads under way at once make one Table request; a later read makes its own', async () => {
  const store = await freshStore('shr');
  const client = store.users.client;
  await client.createEntity({ partitionKey: 'user-0', rowKey: 'a', uuid: 'a' });
  let requests = 0;
  const listEntities = client.listEntities.bind(client);
  client.listEntities = (...args: Parameters<typeof listEntities>) => {
    requests++;
    return listEntities(...args);
  };
  const query = { filter: "PartitionKey eq 'user-0'", limit: 10 };
  const pages = await Promise.all(Array.from({ length: 20 }, () => sharedPage(client, query)));
  assert.equal(requests, 1);
  for (const page of pages)
    assert.deepEqual(
      page.items.map((e) => e.rowKey),
      ['a'],
    );
  assert.equal(sharedReadsInFlight(), 0);
  // Another query, or the same one after the first ended, is read again (and sees new rows).
  await client.createEntity({ partitionKey: 'user-0', rowKey: 'b', uuid: 'b' });
  const [again, other] = await Promise.all([sharedPage(client, query), sharedPage(client, { ...query, limit: 1 })]);
  assert.equal(requests, 3);
  assert.deepEqual(
    again.items.map((e) => e.rowKey),
    ['a', 'b'],
  );
  assert.equal(other.items.length, 1);
});

test('a failed read fails every caller that shared it, and is not kept', async () => {
  const store = await freshStore('shf');
  const missing = store.clients.table(`${store.names.tables.users}gone`);
  const results = await Promise.allSettled([sharedPage(missing, { limit: 5 }), sharedPage(missing, { limit: 5 })]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal(sharedReadsInFlight(), 0);
});
