// Ingestion from a blob read as a stream (ranged reads for a zip archive) stores the same rows and the
// same ledger entry as ingestion of the same bytes in memory, on the test Azurite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ingestExport, type IngestResult } from '../../src/pipeline/ingest.js';
import type { RangedExport } from '../../src/pipeline/exportInput.js';
import { openExportBlob } from '../../src/storage/exportBlob.js';
import type { UploadEntry } from '../../src/storage/ledger.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { zipArchive } from '../audit/zipWriter.js';
import { dumpTable, generated } from './pipelineFixtures.js';

function comparable(entry: UploadEntry): Partial<UploadEntry> {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, ...rest } = entry;
  return rest;
}

async function contents(store: Store): Promise<unknown> {
  return {
    sessions: await dumpTable(store.sessions.client),
    meetings: await dumpTable(store.meetings.client),
    users: await dumpTable(store.users.client, ['lastSeen', 'updatedAt']),
    marks: (await store.marks.listPending()).length,
  };
}

/** Ingests `bytes` from memory into one store and from a blob (streamed) into another; returns both. */
async function both(
  name: string,
  bytes: Buffer,
  observe?: (source: RangedExport) => RangedExport,
): Promise<{ memory: IngestResult; streamed: IngestResult; memoryStore: Store; streamStore: Store }> {
  const memoryStore = await freshStore('mem');
  const streamStore = await freshStore('str');
  const blob = streamStore.exports.getBlockBlobClient(name);
  const { etag } = await blob.uploadData(bytes);
  const memory = await ingestExport({ blobName: name, etag: etag!, content: bytes }, { store: memoryStore });
  const opened = await openExportBlob(blob, etag);
  const streamed = await ingestExport(
    { blobName: name, etag: etag!, content: observe ? observe(opened) : opened },
    { store: streamStore },
  );
  return { memory, streamed, memoryStore, streamStore };
}

test('a CSV blob streamed from storage gives the rows and ledger entry of the same bytes in memory', async () => {
  const { text } = generated({
    records: 1200,
    seed: 41,
    format: 'purview-v3',
    badRowShare: 0.02,
    duplicateShare: 0.02,
    otherOperationsShare: 0.05,
    meetingIdPrefix: 'e1',
  });
  const r = await both('march.csv', Buffer.from(text));
  assert.equal(r.streamed.entry.status, 'completed');
  assert.ok(r.streamed.entry.rejected > 0 && r.streamed.entry.skipped > 0);
  assert.deepEqual(comparable(r.streamed.entry), comparable(r.memory.entry));
  assert.deepEqual(await contents(r.streamStore), await contents(r.memoryStore));
  const rejects = async (store: Store): Promise<unknown> => ({
    ...(await store.rejects.read('march.csv')),
    writtenAt: undefined,
  });
  assert.deepEqual(await rejects(r.streamStore), await rejects(r.memoryStore));
});

test('a gzip blob is decompressed as it streams', async () => {
  const { text, truth } = generated({ records: 600, seed: 42, format: 'ndjson', meetingIdPrefix: 'e2' });
  const r = await both('april.ndjson.gz', gzipSync(text));
  assert.equal(r.streamed.entry.sessions, truth.sessionRecords);
  assert.deepEqual(comparable(r.streamed.entry), comparable(r.memory.entry));
  assert.deepEqual(await contents(r.streamStore), await contents(r.memoryStore));
});

test('a zip blob is read by ranges, never whole, and stores what the archive in memory stores', async () => {
  const a = generated({ records: 700, seed: 43, format: 'purview-v2', meetingIdPrefix: 'e3' });
  const b = generated({ records: 500, seed: 44, format: 'ndjson', meetingIdPrefix: 'e4' });
  const zip = zipArchive([
    { name: 'week1.csv', data: a.text, method: 'deflate' },
    { name: 'week2.ndjson', data: b.text },
    { name: 'notes.txt', data: 'exported on Monday\n' },
  ]);
  const reads: Array<[number, number]> = [];
  const counting = (source: RangedExport): RangedExport => ({
    size: source.size,
    read: (start = 0, end = source.size) => {
      reads.push([start, end]);
      return source.read(start, end);
    },
  });
  const r = await both('may.zip', zip, counting);
  assert.equal(r.streamed.entry.format, 'zip');
  assert.equal(r.streamed.entry.sessions, a.truth.sessionRecords + b.truth.sessionRecords);
  assert.deepEqual(comparable(r.streamed.entry), comparable(r.memory.entry));
  assert.deepEqual(await contents(r.streamStore), await contents(r.memoryStore));
  assert.ok(
    !reads.some(([start, end]) => start === 0 && end === zip.length),
    `no read of the whole archive: ${JSON.stringify(reads)}`,
  );
  assert.ok(reads.length <= 12, `a few ranged reads for three files: ${JSON.stringify(reads)}`);
});
