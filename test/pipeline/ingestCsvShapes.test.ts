// The blob function's ingestion of CSV shapes real admins produce, against Azurite: a row over 8 MiB
// (rejected with its size; every other row stored and counted), Excel's `;` CSV (UTF-8 and
// Windows-1252) and "Unicode text" (UTF-16LE, TAB): the same rows stored as from the comma export.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingestExport } from '../../src/pipeline/ingest.js';
import type { UploadEntry } from '../../src/storage/ledger.js';
import type { Store } from '../../src/storage/store.js';
import { excelUnicodeText, generatedCsv, windows1252, withHugeRow, withSeparator } from '../audit/csvShapes.fixture.js';
import { freshStore } from '../storage/testStore.js';
import { DETAILS_ONLY, countRows, dumpTable } from './pipelineFixtures.js';

/** Where a row came from differs between the shapes (file name, row number); the rest must not. */
const SOURCE = ['sourceFile', 'sourceLine'];

interface Ingested {
  entry: UploadEntry;
  store: Store;
  sessions: unknown[];
  meetings: unknown[];
}

async function ingest(label: string, blobName: string, content: Buffer): Promise<Ingested> {
  const store = await freshStore(label);
  const { outcome, entry } = await ingestExport({ blobName, etag: '"1"', content }, { store });
  assert.equal(outcome, 'completed', entry.error);
  assert.equal(entry.rowsRead, entry.accepted + entry.duplicates + entry.skipped + entry.rejected);
  // The meetings table's MeetingDetail rows (its session bundles and detail copies are keyed by the blob's name).
  const meetings = (await dumpTable(store.meetings.client, SOURCE)).filter((e) => String(e.rowKey) < '~~b|');
  return { entry, store, sessions: await dumpTable(store.sessions.client, SOURCE), meetings };
}

const counts = (e: UploadEntry) => [e.rowsRead, e.accepted, e.duplicates, e.skipped, e.rejected];

let plain: Ingested;
let truth: ReturnType<typeof generatedCsv>['truth'];
let text: string;
before(async () => {
  ({ text, truth } = generatedCsv({ records: 1999 }));
  plain = await ingest('csvp', 'plain.csv', Buffer.from(text));
  assert.equal(await countRows(plain.store.sessions.client), truth.sessionRecords);
  assert.equal(await countRows(plain.store.meetings.client, DETAILS_ONLY), truth.meetingDetailRecords);
});

test('a 20 MB row at row 11: rejected with its size in the ledger and rejects blob; every other row is stored and counted', async () => {
  const huge = await ingest('csvh', 'huge-row.csv', Buffer.from(withHugeRow(text, 11, 20_000_000)));
  const e = huge.entry;
  assert.deepEqual(counts(e), [
    2000,
    plain.entry.accepted,
    plain.entry.duplicates,
    plain.entry.skipped,
    plain.entry.rejected + 1,
  ]);
  assert.deepEqual(e.warnings, plain.entry.warnings);
  const rejection = e.firstRejections.find((r) => r.line === 11);
  assert.ok(rejection, JSON.stringify(e.firstRejections));
  assert.equal(rejection.field, 'CSV');
  assert.match(
    rejection.reason,
    /^this row is 20,000,\d{3} bytes \(19\.1 MiB\) long, more than the 8 MiB a row may have, so it was not read/,
  );
  const rejects = await huge.store.rejects.read('huge-row.csv');
  assert.deepEqual(
    rejects?.rejections.map((r) => r.line),
    [11],
  );
  assert.deepEqual(huge.sessions, plain.sessions);
  assert.deepEqual(huge.meetings, plain.meetings);
});

test('Excel `;` CSV (UTF-8 and Windows-1252) and "Unicode text" (UTF-16, TAB) store what the comma export stores', async () => {
  const shapes: Array<[string, Buffer]> = [
    ['semicolons.csv', Buffer.from(withSeparator(text, ';'))],
    ['unicode.txt', excelUnicodeText(text)],
  ];
  for (const [name, content] of shapes) {
    const shaped = await ingest(`csv${name.slice(0, 1)}`, name, content);
    assert.deepEqual(counts(shaped.entry), counts(plain.entry), name);
    assert.equal(shaped.entry.csvVariant, 'purview-v3');
    assert.deepEqual(shaped.entry.warnings, []);
    assert.deepEqual(shaped.sessions, plain.sessions, name);
    assert.deepEqual(shaped.meetings, plain.meetings, name);
  }
  const cp1252 = await ingest('csvw', 'windows-1252.csv', windows1252(withSeparator(text, ';')));
  assert.deepEqual(counts(cp1252.entry), counts(plain.entry));
  assert.match(cp1252.entry.warnings.join('\n'), /not valid UTF-8/);
  assert.equal(await countRows(cp1252.store.sessions.client), truth.sessionRecords);
});
