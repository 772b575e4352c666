// Model binding data of a blob (what the Functions host sends for `sdkBinding: true`) turned into a
// BlobClient: the content's fields, the connection settings (connection string, identity-based), and a
// client that reads the named blob on the test Azurite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import {
  BLOB_BINDING_SOURCE,
  BindingBlobClients,
  BlobBindingError,
  blobModelBindingData,
  blobServiceForConnection,
  parseBlobBindingData,
} from '../../src/storage/bindingBlobClient.js';
import { freshStore, testConnectionString } from './testStore.js';

test('model binding data names the connection, container and blob as the host writes them', () => {
  const data = blobModelBindingData({
    connection: 'AzureWebJobsStorage',
    container: 'audit-exports',
    blobName: 'dir/march.csv',
  });
  assert.equal(data.source, BLOB_BINDING_SOURCE);
  assert.equal(data.version, '1.0');
  assert.equal(data.contentType, 'application/json');
  assert.deepEqual(JSON.parse(Buffer.from(data.content as Uint8Array).toString('utf8')), {
    Connection: 'AzureWebJobsStorage',
    ContainerName: 'audit-exports',
    BlobName: 'dir/march.csv',
  });
  // The host's own bytes (serialized by .NET, other spacing) read the same.
  const hostBytes = Buffer.from(
    '{"Connection":"AzureWebJobsStorage","ContainerName":"audit-exports","BlobName":"dir/march.csv"}',
  );
  assert.deepEqual(
    parseBlobBindingData({
      source: 'AzureStorageBlobs',
      version: '1.0',
      contentType: 'application/json',
      content: new Uint8Array(hostBytes),
    }),
    { connection: 'AzureWebJobsStorage', container: 'audit-exports', blobName: 'dir/march.csv' },
  );
});

test("binding data that is not a blob's, or lacks a field, is refused with what is wrong", () => {
  const content = (fields: Record<string, unknown>): Uint8Array => Buffer.from(JSON.stringify(fields));
  assert.throws(
    () => parseBlobBindingData({ source: 'AzureCosmosDB', content: content({}) }),
    /from "AzureCosmosDB" is not a blob's/,
  );
  assert.throws(
    () => parseBlobBindingData({ source: BLOB_BINDING_SOURCE, version: '2.0', content: content({}) }),
    /version 2\.0 is not supported/,
  );
  assert.throws(() => parseBlobBindingData({ source: BLOB_BINDING_SOURCE }), /has no content/);
  assert.throws(
    () => parseBlobBindingData({ content: Buffer.from('not json') }),
    (e: unknown) => e instanceof BlobBindingError && /is not JSON/.test(e.message),
  );
  assert.throws(
    () => parseBlobBindingData({ content: content({ Connection: 'C', ContainerName: 'x' }) }),
    /names no BlobName/,
  );
});

test('a connection string setting gives a client of that account; identity-based settings a client with the app identity', () => {
  const viaString = blobServiceForConnection('Conn', {
    Conn: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net',
  });
  assert.equal(viaString.accountName, 'acct');

  const user = blobServiceForConnection('AzureWebJobsStorage', {
    AzureWebJobsStorage__blobServiceUri: 'https://stx.blob.core.windows.net',
    AzureWebJobsStorage__credential: 'managedidentity',
    AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
  });
  assert.equal(user.url.replace(/\/$/, ''), 'https://stx.blob.core.windows.net');
  assert.ok(user.credential instanceof ManagedIdentityCredential);

  const byName = blobServiceForConnection('AzureWebJobsStorage', { AzureWebJobsStorage__accountName: 'sty' });
  assert.equal(byName.url.replace(/\/$/, ''), 'https://sty.blob.core.windows.net');
  assert.ok(byName.credential instanceof DefaultAzureCredential);

  assert.throws(
    () => blobServiceForConnection('AzureWebJobsStorage', {}),
    /Storage connection "AzureWebJobsStorage" is not configured: set AzureWebJobsStorage to a connection string/,
  );
});

test('real binding data becomes a client that reads the named blob on Azurite; service clients are shared per connection', async () => {
  const store = await freshStore('mbd');
  const blobName = `in/${randomBytes(3).toString('hex')}.csv`;
  const body = 'CreationDate,UserIds,Operations,AuditData\n';
  await store.exports.getBlockBlobClient(blobName).upload(body, body.length);
  const clients = new BindingBlobClients({ AzureWebJobsStorage: testConnectionString() });
  const data = blobModelBindingData({
    connection: 'AzureWebJobsStorage',
    container: store.names.containers.exports,
    blobName,
  });
  const client = clients.clientFor(data);
  assert.equal(client.name, blobName);
  assert.equal(client.containerName, store.names.containers.exports);
  assert.equal((await client.downloadToBuffer()).toString('utf8'), body);
  const other = clients.clientFor(
    blobModelBindingData({
      connection: 'AzureWebJobsStorage',
      container: store.names.containers.exports,
      blobName: 'x.csv',
    }),
  );
  assert.equal(other.credential, client.credential);
  assert.throws(
    () => clients.clientFor(blobModelBindingData({ connection: 'OtherStorage', container: 'c', blobName: 'b' })),
    /Storage connection "OtherStorage" is not configured/,
  );
});
