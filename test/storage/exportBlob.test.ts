// An export blob read by ranges on the test Azurite: size and ETag, whole and partial reads, and reads
// pinned to the ETag that triggered the invocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobChangedError, openExportBlob, quotedEtag } from '../../src/storage/exportBlob.js';
import { freshStore } from './testStore.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

test('an export blob gives its size, ETag, whole content and any range', async () => {
  const store = await freshStore('xb');
  const content = randomBytes(300_000);
  const blob = store.exports.getBlockBlobClient(`r-${randomBytes(3).toString('hex')}.bin`);
  const uploaded = await blob.uploadData(content);
  const source = await openExportBlob(blob, uploaded.etag);
  assert.equal(source.size, content.length);
  assert.equal(source.etag, uploaded.etag);
  assert.ok((await collect(source.read())).equals(content));
  assert.ok((await collect(source.read(1000, 1010))).equals(content.subarray(1000, 1010)));
  assert.ok((await collect(source.read(content.length - 7))).equals(content.subarray(content.length - 7)));
  assert.equal((await collect(source.read(5, 5))).length, 0);
  // An ETag without quotes (as some metadata carries it) opens the same version.
  assert.equal((await openExportBlob(blob, uploaded.etag!.replace(/"/g, ''))).etag, uploaded.etag);
  assert.equal(quotedEtag('0x8D1'), '"0x8D1"');
  assert.equal(quotedEtag('"0x8D1"'), '"0x8D1"');
});

test('a blob replaced after the trigger is not read: opening or reading says it changed', async () => {
  const store = await freshStore('xc');
  const blob = store.exports.getBlockBlobClient(`c-${randomBytes(3).toString('hex')}.csv`);
  const first = await blob.upload('v1', 2);
  const source = await openExportBlob(blob, first.etag);
  await blob.upload('version 2', 9);
  await assert.rejects(
    collect(source.read()),
    (e: unknown) => e instanceof BlobChangedError && /was replaced after it triggered/.test(e.message),
  );
  await assert.rejects(openExportBlob(blob, first.etag), BlobChangedError);
  await blob.delete();
  await assert.rejects(openExportBlob(blob), /was deleted after it triggered/);
});
