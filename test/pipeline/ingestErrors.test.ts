// Which ingestion failures are permanent (recorded, not retried) and which are the storage's (thrown,
// so that the host retries): a read from storage that fails inside a zip archive is the storage's,
// never "a damaged file of the archive" (which would end the ingestion as completed without its rows).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ingestExport } from '../../src/pipeline/ingest.js';
import type { RangedExport } from '../../src/pipeline/exportInput.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { zipArchive } from '../audit/zipWriter.js';
import { generated } from './pipelineFixtures.js';

let store: Store;
before(async () => {
  store = await freshStore('ierr');
});

/** The bytes as a ranged source whose reads fail once `failAt` of them have been served (undefined: never). */
function rangedSource(bytes: Buffer, failAt?: number): RangedExport & { reads: number } {
  const source = {
    size: bytes.length,
    reads: 0,
    async *read(start = 0, end = bytes.length): AsyncGenerator<Uint8Array> {
      source.reads++;
      if (failAt !== undefined && source.reads > failAt) {
        throw Object.assign(new Error('read ECONNRESET'), { name: 'RestError', code: 'ECONNRESET' });
      }
      yield bytes.subarray(start, end);
    },
  };
  return source;
}

function twoFileZip(): { zip: Buffer; rows: number } {
  const a = generated({ records: 300, seed: 61, format: 'purview-v3', meetingIdPrefix: 'c1' });
  const b = generated({ records: 300, seed: 62, format: 'ndjson', meetingIdPrefix: 'c2' });
  return {
    zip: zipArchive([
      { name: 'a.csv', data: a.text },
      { name: 'b.ndjson', data: b.text },
    ]),
    rows: a.truth.rows + b.truth.rows,
  };
}

test('a zip read from storage whose later reads fail is a storage failure: thrown for a retry, not completed without a file', async () => {
  const { zip, rows } = twoFileZip();
  const whole = await ingestExport({ blobName: 'ok.zip', etag: '"1"', content: rangedSource(zip) }, { store });
  assert.equal(whole.entry.rowsRead, rows, 'the archive reads whole when storage answers');
  const readsNeeded = rangedSource(zip);
  await ingestExport({ blobName: 'count.zip', etag: '"1"', content: readsNeeded }, { store });
  assert.ok(readsNeeded.reads >= 3, `the archive takes several ranged reads (${readsNeeded.reads})`);

  // Every read after the directory and the first file fails.
  for (let failAt = 1; failAt < readsNeeded.reads; failAt++) {
    const name = `flaky-${failAt}.zip`;
    await assert.rejects(
      ingestExport({ blobName: name, etag: '"1"', content: rangedSource(zip, failAt) }, { store }),
      (e: unknown) =>
        e instanceof Error &&
        new RegExp(
          `^Ingestion of "${name.replace('.', '\\.')}" failed after \\d+ rows: reading the export from storage failed: read ECONNRESET$`,
        ).test(e.message),
      `reads failing after ${failAt}`,
    );
    const entry = await store.ledger.get(name, '"1"');
    assert.equal(entry?.status, 'failed');
    assert.equal(entry?.permanent, undefined, 'a storage failure is not permanent');
  }
});

test('a damaged zip is permanent: recorded as failed and not thrown', async () => {
  const { zip } = twoFileZip();
  const damaged = Buffer.from(zip);
  damaged.fill(0x20, damaged.length - 40); // the end of the central directory
  const { outcome, entry } = await ingestExport(
    { blobName: 'damaged.zip', etag: '"1"', content: rangedSource(damaged) },
    { store },
  );
  assert.equal(outcome, 'failed');
  assert.equal(entry.permanent, true);
  assert.match(
    entry.error ?? '',
    /^The export "damaged\.zip" cannot be read: the zip archive cannot be read \(damaged or truncated\?\)/,
  );
});
