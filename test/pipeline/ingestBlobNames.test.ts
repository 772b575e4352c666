// Blob names the trigger accepts, however odd, through the blob function and the report API: each
// export is ingested from storage (as the host's SDK binding delivers it) or from the bytes, gets its
// ledger entry under its exact name, its rejects blob inside the rejects container, and is found by
// /api/uploads/{name}; no log line carries a raw control character of the name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { ingestExportHandler } from '../../src/functions/ingestExport.js';
import { reportHandlers } from '../../src/functions/reports.js';
import { servicesFor, usePipelineServices, type PipelineServices } from '../../src/pipeline/services.js';
import { freshStore } from '../storage/testStore.js';
import { parseJson } from '../support/jsonBody.js';
import { generated } from './pipelineFixtures.js';

/** The text body of a handler's answer (these handlers answer with text). */
function bodyText(response: { body?: unknown }): string {
  if (typeof response.body !== 'string') throw new Error(`expected a text body, got ${typeof response.body}`);
  return response.body;
}

let services: PipelineServices;
const logs: string[] = [];

/** A line break, or a character that hides or reorders what follows it. */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const ODD_NAMES: ReadonlyArray<{ what: string; name: string }> = [
  {
    what: 'a newline that would forge a log line',
    name: "feb.csv\n[2026-12-06T10:00:00Z] Executed 'ingestExport' (Succeeded, Id=00000000).csv",
  },
  { what: 'CR, escape sequences, BEL, DEL, C1 controls', name: 'ctl\r\u0001\u001b[31mred\u0007\u007f\u0085\u009b.csv' },
  { what: 'a right-to-left override', name: 'invoice-\u202ecod.exe.csv' },
  { what: '#', name: 'weird#name.csv' },
  { what: '? and &', name: 'what?x=1&y=2.csv' },
  { what: '%, percent escapes and a broken one', name: 'percent%20%2F%zz%.csv' },
  { what: 'unicode and an emoji', name: 'Export März 2026 – Teams ü 📊.csv' },
  {
    what: '1,024 characters (the longest blob name)',
    name: `long/${'x'.repeat(1024 - 'long/'.length - '.csv'.length)}.csv`,
  },
  { what: 'a leading =', name: '=HYPERLINK("http://example.invalid","x").csv' },
  { what: 'a leading @', name: '@SUM(1+1).csv' },
  // (No backslash: storage takes it for "/", so no blob name holds one.)
  { what: 'quotes', name: 'dir/"quoted" name.csv' },
];

/** Names with `.` or `..` segments: a storage URL resolves them to another blob, so they are only ever delivered as bytes here. */
const DOT_SEGMENT_NAMES: readonly string[] = ['../audit-config/users.csv', 'a/./b/../../c.csv', '..'];

function context(name: string, etag: string): InvocationContext {
  return new InvocationContext({
    functionName: 'ingestExport',
    triggerMetadata: { name, properties: { eTag: etag } },
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
}

function exportText(seed: number): { text: string; rows: number; badRows: number } {
  const { text, truth } = generated({
    records: 80,
    seed,
    format: 'purview-v3',
    badRowShare: 0.05,
    meetingIdPrefix: (0xe000 + seed).toString(16),
  });
  assert.ok(truth.badRows > 0, 'each export has a rejected row, so it has a rejects blob');
  return { text, rows: truth.rows, badRows: truth.badRows };
}

type UploadLookup = { items?: Array<{ blobName: string; status: string }> };

async function lookup(name: string): Promise<{ status: number; body: UploadLookup }> {
  const response = await reportHandlers.reportUpload!(
    new HttpRequest({
      method: 'GET',
      url: `http://localhost/api/uploads/${name.split('/').map(encodeURIComponent).join('/')}`,
      params: { name },
    }),
    new InvocationContext({ functionName: 'reportUpload', logHandler: () => {} }),
  );
  return { status: response.status ?? 200, body: parseJson<UploadLookup>(bodyText(response)) };
}

/** The ledger entry, the rejects blob and the upload lookup of an ingested export. */
async function assertRecorded(name: string, etag: string, rows: number, badRows: number): Promise<string> {
  const { store } = services;
  const entry = await store.ledger.get(name, etag);
  assert.equal(entry?.blobName, name);
  assert.equal(entry?.status, 'completed', entry?.error);
  assert.equal(entry?.rowsRead, rows);
  assert.equal(entry?.rejected, badRows);
  const rejectsBlob = entry?.rejectsBlob;
  assert.ok(rejectsBlob !== undefined, 'a rejects blob is named');
  // The blob is in the rejects container under exactly that name (not listed: Azurite cannot list names with control characters).
  const client = store.rejects.container.getBlobClient(rejectsBlob);
  assert.equal(client.name, rejectsBlob, 'a URL of the rejects container leads to it');
  assert.equal(await client.exists(), true);
  const document = await store.rejects.read(name);
  assert.equal(document?.export, name);
  assert.equal(document?.count, badRows);
  const found = await lookup(name);
  assert.equal(found.status, 200);
  assert.deepEqual(
    found.body.items?.map((i) => [i.blobName, i.status]),
    [[name, 'completed']],
  );
  return rejectsBlob;
}

function assertLogsAreSingleLines(name: string): void {
  const mine = logs.filter((l) => l.includes('ingestExport'));
  assert.ok(mine.length > 0);
  for (const line of mine) assert.doesNotMatch(line, UNSAFE, `log line ${JSON.stringify(line)}`);
  if (UNSAFE.test(name)) assert.ok(!logs.some((l) => l.includes(name)), 'the raw name is never logged');
}

before(async () => {
  services = servicesFor(await freshStore('names'));
  usePipelineServices(services);
});
after(() => usePipelineServices(undefined));

ODD_NAMES.forEach(({ what, name }, i) => {
  test(`a blob name with ${what} is ingested from storage, recorded and found`, async () => {
    logs.length = 0;
    const { text, rows, badRows } = exportText(100 + i);
    const blob = services.store.exports.getBlockBlobClient(name);
    const uploaded = await blob.uploadData(Buffer.from(text));
    assert.equal(blob.name, name, 'storage keeps the name as it is');
    const result = await ingestExportHandler(services.store.exports.getBlobClient(name), context(name, uploaded.etag!));
    assert.equal(result?.outcome, 'completed');
    const rejectsBlob = await assertRecorded(name, uploaded.etag!, rows, badRows);
    if (name.length + '.rejects.json'.length <= 1024) assert.equal(rejectsBlob, `${name}.rejects.json`);
    else assert.match(rejectsBlob, /^by-name-digest\/[0-9a-f]{64}\.rejects\.json$/);
    assertLogsAreSingleLines(name);
  });
});

DOT_SEGMENT_NAMES.forEach((name, i) => {
  test(`a name with dot segments (${JSON.stringify(name)}) delivered as bytes keeps its rejects blob inside the rejects container`, async () => {
    logs.length = 0;
    const { text, rows, badRows } = exportText(200 + i);
    const etag = `"0xD${i}"`;
    const result = await ingestExportHandler(Buffer.from(text), context(name, etag));
    assert.equal(result?.outcome, 'completed');
    const rejectsBlob = await assertRecorded(name, etag, rows, badRows);
    assert.match(rejectsBlob, /^by-name-digest\/[0-9a-f]{64}\.rejects\.json$/);
    assertLogsAreSingleLines(name);
  });
});

test('a blob client that storage URLs resolved to another blob than the trigger named is refused, not read', async () => {
  logs.length = 0;
  const name = 'elsewhere/../target.csv';
  const { text } = exportText(300);
  // The blob the resolved URL points at exists: it must not be ingested under the trigger's name.
  const uploaded = await services.store.exports.getBlockBlobClient('target.csv').uploadData(Buffer.from(text));
  const client = services.store.exports.getBlobClient(name);
  assert.equal(client.name, 'target.csv', 'the SDK resolves the dot segments');
  const result = await ingestExportHandler(client, context(name, uploaded.etag!));
  assert.equal(result?.outcome, 'failed');
  const entry = await services.store.ledger.get(name, uploaded.etag);
  assert.equal(entry?.status, 'failed');
  assert.equal(entry?.permanent, true);
  assert.equal(entry?.rowsRead, 0);
  assert.match(entry?.error ?? '', /has a "\." or "\.\." segment/);
  assert.equal((await lookup(name)).body.items?.[0]?.status, 'failed');
  assert.equal(await services.store.ledger.get('target.csv', uploaded.etag), undefined, 'target.csv was not ingested');
});
