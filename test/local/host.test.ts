// The local host running the REAL registrations (package.json `main`) against the test Azurite:
// an upload lands in the exports container, ingestExport runs on it, the report routes answer, and
// POST /admin/functions/analyzeDisconnections runs the analysis. Runs in its own process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { usesDeferredBinding } from '../../src/local/captureRegistrations.js';
import { runUpload } from '../../src/cli/upload.js';
import { writeExport, type GroundTruth } from '../../src/generator/exportGenerator.js';
import { freshStore } from '../storage/testStore.js';
import type { Store } from '../../src/storage/store.js';
import { textSink } from '../support/textSink.js';
import { startRealHost, type RealHost } from './localHost.fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'host-real-'));
const blobName = `export-${randomBytes(3).toString('hex')}.csv`;
let store: Store;
let real: RealHost;
let truth: GroundTruth;
let meetingIds: string[];

before(async () => {
  // Tables and containers of our own, so that test files running in parallel never share marks.
  store = await freshStore('host');
  real = await startRealHost({ store, host: { blobPollIntervalMs: 200 }, timeoutMs: 60_000 });
  // ingestExport is an SDK binding: this host, like the Functions host, sends it model binding data, not the bytes.
  assert.ok(usesDeferredBinding(real.functions.find((f) => f.name === 'ingestExport')!.trigger));

  const file = join(dir, blobName);
  truth = await writeExport(file, { seed: 31, records: 400, scenario: 'mixed', format: 'purview-v3' });
  // Meeting ids with a planted drop, to ask the reports about.
  meetingIds = [...new Set(truth.drops.filter((d) => d.massEventId === undefined).map((d) => d.meetingId))];
  assert.ok(meetingIds.length > 0, 'the sample has planted drops');
  assert.ok(readFileSync(file, 'utf8').includes(meetingIds[0]!));
});

after(async () => {
  await real?.host.stop();
});

test('an uploaded export is picked up by ingestExport and recorded in the ledger', async () => {
  const out = textSink();
  const err = textSink();
  const code = await runUpload([join(dir, blobName)], { stdout: out.stream, stderr: err.stream });
  assert.equal(code, 0, err.text());
  assert.match(out.text(), new RegExp(`to ${store.names.containers.exports}/${blobName.replace('.', '\\.')} `));

  await real.waitFor(
    () =>
      real.events.some((e) => e.functionName === 'ingestExport' && e.blobName === blobName && e.outcome !== 'failed'),
    'ingestExport',
  );
  const ingest = real.events.filter((e) => e.functionName === 'ingestExport');
  assert.deepEqual(
    ingest.map((e) => [e.blobName, e.outcome, e.attempt]),
    [[blobName, 'succeeded', 1]],
  );

  const res = await fetch(`${real.host.url}/api/uploads/${encodeURIComponent(blobName)}`);
  assert.equal(res.status, 200);
  const body = JSON.stringify(await res.json());
  assert.match(body, /"completed"/, body);
  assert.match(body, new RegExp(`"rowsRead":${truth.rows}\\b`), body);
});

test('GET /api/health answers, and a meeting from the export is served', async () => {
  await real.waitFor(
    () => real.events.some((e) => e.functionName === 'ingestExport' && e.outcome === 'succeeded'),
    'ingestExport',
  );
  let res = await fetch(`${real.host.url}/api/health`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { storage: { reachable: boolean } }).storage.reachable, true);

  res = await fetch(`${real.host.url}/api/meetings/${encodeURIComponent(meetingIds[0]!)}`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), new RegExp(meetingIds[0]!));

  res = await fetch(`${real.host.url}/api/meetings/no-such-meeting`);
  assert.equal(res.status, 404);

  res = await fetch(`${real.host.url}/api/meetings`, { method: 'POST' });
  assert.equal(res.status, 405, 'report routes are GET only');
});

test('POST /admin/functions/analyzeDisconnections answers 202, runs the analysis, and the drops are reported', async () => {
  await real.waitFor(
    () => real.events.some((e) => e.functionName === 'ingestExport' && e.outcome === 'succeeded'),
    'ingestExport',
  );
  const res = await fetch(`${real.host.url}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': real.host.adminKey },
  });
  assert.equal(res.status, 202);
  await real.waitFor(
    () => real.events.some((e) => e.functionName === 'analyzeDisconnections' && e.reason === 'admin'),
    'the analysis',
    120_000,
  );
  const run = real.events.find((e) => e.functionName === 'analyzeDisconnections')!;
  assert.equal(run.outcome, 'succeeded', run.error);

  const csv = await fetch(
    `${real.host.url}/api/disconnections?format=csv&meeting=${encodeURIComponent(meetingIds[0]!)}`,
  );
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  const lines = (await csv.text()).trim().split('\n');
  assert.ok(
    lines.length >= 2,
    `a header and at least one disconnection for a meeting with a planted drop, got ${lines.length} line(s)`,
  );
  assert.ok(
    lines.slice(1).every((l) => l.startsWith(meetingIds[0]!)),
    'only the requested meeting',
  );
});

test('a repeated query parameter reaches the report handler as given, which refuses it with the documented 400', async () => {
  const res = await fetch(`${real.host.url}/api/meetings?limit=10&limit=20`);
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; parameter: string; message: string } };
  assert.equal(body.error.parameter, 'limit');
  assert.match(body.error.message, /given more than once/);
});

test('an export whose blob name holds a newline is processed (or its failure reported), never silently left', async () => {
  const name = `odd\nname-${randomBytes(3).toString('hex')}.csv`;
  const text = readFileSync(join(dir, blobName), 'utf8');
  await store.exports.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  await real.host.pollBlobsNow();
  await real.waitFor(
    () => real.events.some((e) => e.functionName === 'ingestExport' && e.blobName === name && e.outcome !== 'failed'),
    'ingestExport of the odd name',
  );
  const outcome = real.events.find(
    (e) => e.functionName === 'ingestExport' && e.blobName === name && e.outcome !== 'failed',
  )!;
  assert.equal(outcome.outcome, 'succeeded', outcome.error);
});
