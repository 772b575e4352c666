// The blob function (src/functions/ingestExport.ts) with compressed exports and JSON that wraps records,
// against the Azurite the test runner starts: one ledger entry per blob, accounting for every entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { InvocationContext } from '@azure/functions';
import { ingestExportHandler } from '../../src/functions/ingestExport.js';
import { servicesFor, usePipelineServices, type PipelineServices } from '../../src/pipeline/services.js';
import { freshStore } from '../storage/testStore.js';
import { zipArchive } from '../audit/zipWriter.js';
import { countRows, generated } from './pipelineFixtures.js';

let services: PipelineServices;

function blob(name: string, etag: string): InvocationContext {
  return new InvocationContext({
    functionName: 'ingestExport',
    triggerMetadata: { name, properties: { eTag: etag } },
    logHandler: () => {},
  });
}

before(async () => {
  services = servicesFor(await freshStore('arc'));
  usePipelineServices(services);
});
after(() => usePipelineServices(undefined));

test('a gzip-compressed CSV blob is ingested as the CSV would be', async () => {
  const { text, truth } = generated({ records: 700, seed: 31, format: 'purview-v3', meetingIdPrefix: 'a1' });
  const { entry } = (await ingestExportHandler(gzipSync(text), blob('march.csv.gz', '"g1"')))!;
  assert.equal(entry.status, 'completed');
  assert.equal(entry.format, 'csv');
  assert.equal(entry.rowsRead, truth.rows);
  assert.equal(entry.sessions, truth.sessionRecords);
  assert.equal(entry.meetingDetails, truth.meetingDetailRecords);
  assert.equal(entry.duplicates, truth.duplicates);
  assert.equal(entry.skipped, truth.otherOperations);
});

test('a zip blob: every export in it lands under one ledger entry; rejections and warnings name the entry', async () => {
  const csv = generated({ records: 800, seed: 32, format: 'purview-v2', meetingIdPrefix: 'b2', badRowShare: 0.02 });
  const nd = generated({ records: 500, seed: 33, format: 'ndjson', meetingIdPrefix: 'c3' });
  const zip = zipArchive([
    { name: 'exports/', data: '' },
    { name: 'exports/week1.csv', data: csv.text },
    { name: 'exports/week2.ndjson', data: nd.text },
    { name: 'exports/readme.txt', data: 'exported on Monday\n' },
  ]);
  const before = await countRows(services.store.sessions.client);
  const { entry } = (await ingestExportHandler(zip, blob('april.zip', '"z1"')))!;
  assert.equal(entry.status, 'completed');
  assert.equal(entry.format, 'zip');
  assert.equal(entry.rowsRead, csv.truth.rows + nd.truth.rows);
  assert.equal(entry.rowsRead, entry.accepted + entry.duplicates + entry.skipped + entry.rejected);
  assert.equal(entry.rejected, csv.truth.badRows);
  assert.equal(entry.sessions, csv.truth.sessionRecords + nd.truth.sessionRecords);
  assert.equal(
    (await countRows(services.store.sessions.client)) - before,
    csv.truth.sessionRecords + nd.truth.sessionRecords,
  );
  assert.equal(entry.warnings.length, 1);
  assert.match(entry.warnings[0]!, /^exports\/readme\.txt: not read: not a recognised audit export/);
  assert.ok(entry.firstRejections.length > 0);
  assert.ok(
    entry.firstRejections.every((r) => r.file === 'april.zip/exports/week1.csv'),
    JSON.stringify(entry.firstRejections[0]),
  );
  const rejects = await services.store.rejects.read('april.zip');
  assert.equal(rejects?.count, csv.truth.badRows);
  const stored = await services.store.ledger.get('april.zip', '"z1"');
  assert.equal(stored?.rowsRead, entry.rowsRead);
  assert.deepEqual(stored?.warnings, entry.warnings);
});

test('a Graph audit log page blob is read from auditData; a page with @odata.nextLink is warned in the ledger', async () => {
  const { text, truth } = generated({ records: 400, seed: 34, format: 'ndjson', meetingIdPrefix: 'd4' });
  const records = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const page = {
    '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#security/auditLog/queries('q')/records",
    value: records.map((r) => ({ id: r.Id, operation: r.Operation, createdDateTime: r.CreationTime, auditData: r })),
    '@odata.nextLink': 'https://graph.microsoft.com/v1.0/security/auditLog/queries/q/records?$skiptoken=abc',
  };
  const { entry } = (await ingestExportHandler(
    Buffer.from(JSON.stringify(page, null, 2)),
    blob('graph-page.json', '"p1"'),
  ))!;
  assert.equal(entry.format, 'json-wrapper');
  assert.equal(entry.rowsRead, truth.rows);
  assert.equal(entry.sessions, truth.sessionRecords);
  assert.equal(entry.warnings.length, 1);
  assert.match(entry.warnings[0]!, /more records exist that are not in the file/);
});

test('a zip blob with nothing readable, or JSON of another shape, fails its ledger entry with one message, not retried', async () => {
  const notes = await ingestExportHandler(
    zipArchive([{ name: 'notes.txt', data: 'hello\n' }]),
    blob('notes.zip', '"n1"'),
  );
  assert.equal(notes?.outcome, 'failed');
  assert.match(
    notes?.entry.error ?? '',
    /^The export "notes\.zip" cannot be read: no export could be read from the zip archive: notes\.txt: not read/,
  );
  const stored = await services.store.ledger.get('notes.zip', '"n1"');
  assert.equal(stored?.status, 'failed');
  assert.equal(stored?.permanent, true);
  const query = await ingestExportHandler(
    Buffer.from(JSON.stringify({ displayName: 'query', status: 'running' }, null, 2)),
    blob('query.json', '"q1"'),
  );
  assert.equal(query?.outcome, 'failed');
  assert.match(
    query?.entry.error ?? '',
    /query\.json" cannot be read: .*a JSON object with keys "displayName", "status"/,
  );
});
