// The table store ceiling: the admission arithmetic and its messages; the size of gzip exports; and
// through the local host running the REAL registrations on a supervised Azurite of its own (with a
// small ceiling, so that small exports reach it): an export too large for what is left is refused up
// front with a `failed` ledger entry saying why and what to do, a small one is ingested, the host warns
// as the store grows, and /api/health reports it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { exportSize } from '../../src/local/storageGuards.js';
import {
  admitExport,
  DEFAULT_TABLE_STORE_LIMITS,
  tableStoreState,
  V8_MAX_STRING_LENGTH,
  type TableStoreLimits,
  type TableStoreStatus,
} from '../../src/local/tableStoreLimit.js';
import { generateExport } from '../../src/generator/exportGenerator.js';
import { listAll } from '../../src/storage/tableEntities.js';
import { responseJson, type PageBody } from '../support/jsonBody.js';
import { type UploadEntry } from '../support/responses.js';
import { startSupervisedHost, type SupervisedHost } from './localHost.fixture.js';

const limits: TableStoreLimits = {
  limitBytes: 4_000_000,
  warnAboveBytes: 150_000,
  ceilingBytes: 1_000_000,
  growthPerExportByte: 3,
  zipExpansion: 10,
};

function statusOf(bytes: number, reservedBytes = 0): TableStoreStatus {
  return {
    state: tableStoreState(bytes, limits),
    bytes,
    reservedBytes,
    limitBytes: limits.limitBytes,
    warnAboveBytes: limits.warnAboveBytes,
    ceilingBytes: limits.ceilingBytes,
  };
}

test("the default limit is V8's longest string; warning and ceiling are below it", () => {
  assert.equal(DEFAULT_TABLE_STORE_LIMITS.limitBytes, V8_MAX_STRING_LENGTH);
  assert.ok(V8_MAX_STRING_LENGTH >= 2 ** 28, `${V8_MAX_STRING_LENGTH}`);
  assert.ok(DEFAULT_TABLE_STORE_LIMITS.warnAboveBytes < DEFAULT_TABLE_STORE_LIMITS.ceilingBytes);
  assert.ok(DEFAULT_TABLE_STORE_LIMITS.ceilingBytes < DEFAULT_TABLE_STORE_LIMITS.limitBytes);
});

test('admission: under the ceiling with this export and those in progress, or refused with the figures and what to do', () => {
  assert.equal(admitExport(statusOf(100_000), { bytes: 200_000, basis: 'plain' }, limits, '/data/.azurite'), undefined);
  assert.equal(tableStoreState(100_000, limits), 'ok');
  assert.equal(tableStoreState(150_000, limits), 'warning');
  assert.equal(tableStoreState(1_000_000, limits), 'refusing');

  const upFront = admitExport(statusOf(100_000), { bytes: 400_000, basis: 'plain' }, limits, '/data/.azurite');
  assert.ok(upFront);
  assert.match(
    upFront.message,
    /^Refused by the local host: this export \(0\.4 MB\) would add about 1\.2 MB \(3 bytes per export byte, ingestion and analysis\) to Azurite's table store of 0\.1 MB, taking it over the ceiling: the local host keeps it under 1\.0 MB because Azurite aborts when it nears 4\.0 MB \(V8's longest string\)\./,
  );
  assert.match(
    upFront.message,
    /npx teams-audit FILE\.\.\..*delete \/data\/\.azurite \(all local data\).*LOCAL_STORAGE_CONNECTION=<connection string> npm start/,
  );

  const reserved = admitExport(
    statusOf(100_000, 700_000),
    { bytes: 100_000, basis: 'plain' },
    limits,
    '/data/.azurite',
  );
  assert.match(
    reserved?.message ?? '',
    /to Azurite's table store of 0\.1 MB \(and 0\.7 MB more expected from exports being ingested\), taking it over/,
  );

  const full = admitExport(statusOf(1_000_000), { bytes: 1, basis: 'plain' }, limits, '/data/.azurite');
  assert.match(
    full?.message ?? '',
    /^Refused by the local host: Azurite's table store is 1\.0 MB; the local host keeps it under 1\.0 MB/,
  );

  const zipped = admitExport(statusOf(0), { bytes: 500_000, basis: 'zip' }, limits, '/d');
  assert.match(zipped?.message ?? '', /this export \(0\.5 MB uncompressed, assumed 10x its size\)/);
});

let sup: SupervisedHost;

async function put(name: string, records: number, seed: number): Promise<number> {
  const text = [...generateExport({ seed, records, scenario: 'mixed', format: 'purview-v3' }).chunks()].join('');
  await sup.clients.blobService
    .getContainerClient(sup.store.names.containers.exports)
    .getBlockBlobClient(name)
    .upload(text, Buffer.byteLength(text));
  await sup.host.pollBlobsNow();
  return Buffer.byteLength(text);
}

async function ledger(name: string): Promise<UploadEntry[]> {
  const res = await fetch(`${sup.host.url}/api/uploads/${encodeURIComponent(name)}`);
  return res.status === 200 ? (await responseJson<PageBody<UploadEntry>>(res)).items : [];
}

before(async () => {
  sup = await startSupervisedHost({
    prefix: 'cap',
    storage: { limits, checkIntervalMs: 200 },
    blobPollIntervalMs: 60_000,
    timeoutMs: 90_000,
  });
});

after(async () => {
  await sup?.stop();
});

test('an export that would take the table store over its ceiling is refused up front: a failed ledger entry says why', async () => {
  const bytes = await put('big.csv', 1000, 3);
  assert.ok(bytes * limits.growthPerExportByte > limits.ceilingBytes, `${bytes}`);
  await sup.waitFor(() => sup.events.some((e) => e.blobName === 'big.csv'), 'the refusal');
  const entries = await ledger('big.csv');
  assert.equal(entries.length, 1, JSON.stringify(entries));
  const entry = entries[0]!;
  assert.equal(entry.status, 'failed');
  assert.equal(entry.rowsRead, 0);
  assert.match(
    entry.error ?? '',
    /^Refused by the local host: this export \(1\.\d MB\) would add about \d\.\d MB .* to Azurite's table store of 0\.\d MB, taking it over the ceiling: the local host keeps it under 1\.0 MB because Azurite aborts when it nears 4\.0 MB/,
  );
  assert.match(entry.error ?? '', /npx teams-audit FILE.*delete .*azurite \(all local data\).*Azure storage/);
  assert.ok(
    sup.lines.some((l) =>
      l.startsWith(
        `'ingestExport': ${sup.store.names.containers.exports}/big.csv not ingested. Refused by the local host:`,
      ),
    ),
    sup.lines.join('\n'),
  );
  assert.equal(
    (await listAll(sup.clients.table(sup.store.names.tables.sessions), undefined)).length,
    0,
    'nothing of the refused export was stored',
  );
  assert.equal(await sup.store.marks.countPending(), 0, 'no meeting was marked for analysis');
});

test('a small export is ingested; as the store grows past the warning line the host warns and health says degraded', async () => {
  await put('small.csv', 100, 4);
  await sup.waitFor(() => sup.events.some((e) => e.blobName === 'small.csv'), 'the ingestion');
  assert.equal((await ledger('small.csv'))[0]?.status, 'completed');
  // Azurite saves the table file every 5 s; the host checks its size every 200 ms here.
  await sup.waitFor(() => sup.lines.some((l) => l.startsWith("Warning: Azurite's table store is")), 'the warning');
  const warning = sup.lines.find((l) => l.startsWith("Warning: Azurite's table store is"))!;
  assert.match(
    warning,
    /Azurite aborts when it nears 4\.0 MB, and from 1\.0 MB on new exports are refused\. To go on:/,
  );

  const { status, body } = await sup.health();
  assert.equal(status, 200);
  assert.equal(body.status, 'degraded');
  assert.equal(body.storage.emulator.tableStore.state, 'warning');
  assert.ok(body.storage.emulator.tableStore.bytes >= limits.warnAboveBytes);
  assert.equal(body.storage.emulator.tableStore.ceilingBytes, limits.ceilingBytes);
});

test('gzip exports are measured by their uncompressed size', async () => {
  const text = 'x'.repeat(300_000);
  const gz = gzipSync(text);
  const blob = sup.clients.blobService
    .getContainerClient(sup.store.names.containers.config)
    .getBlockBlobClient('size-probe.gz');
  await blob.upload(gz, gz.length);
  assert.deepEqual(await exportSize(blob, gz.length, 10), { bytes: 300_000, basis: 'gzip' });
  await blob.upload(text, text.length);
  assert.deepEqual(await exportSize(blob, text.length, 10), { bytes: 300_000, basis: 'plain' });
});
