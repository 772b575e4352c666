// Erasure reaches the export blobs (src/storage/exportErasure.ts) on Azurite with the real blob client: CSV, JSON
// array and NDJSON exports naming the person are rewritten without their records as new versions of the same
// blobs; once those versions are ingested (the replace path), the person is in no table and no blob and the
// reports equal the CLI's on the rewritten files; a blob replaced between read and write is not overwritten; an
// export that cannot be rewritten is listed with the reason; `exports=keep` changes no blob.
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import { answerReport, type ReportDeps } from '../../src/pipeline/answerReport.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { answerErasure, type AdminDeps } from '../../src/pipeline/http/eraseRoute.js';
import type { FullErasureResult } from '../../src/pipeline/logAnalytics/erasure.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import { erasePerson } from '../../src/storage/erasure.js';
import { runErase } from '../../src/cli/erase.js';
import { blobsModifiedBefore } from '../../src/storage/purge.js';
import { meetingRow } from '../../src/reports/meetings.js';
import { summarise, summariseMeeting } from '../../src/analysis/metrics.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { jsonBody, type PageBody } from '../support/jsonBody.js';
import type { SummaryBody } from './http/reportBodies.js';
import { analyseInMemory, dumpTable, generated, ndjsonLines } from './pipelineFixtures.js';
import { scanStore } from './privacyFixtures.js';
import { names, pickPerson, type ExportPerson } from '../audit/exportPeople.js';
import { zipArchive } from '../audit/zipWriter.js';

const FAR = () => Date.now() + 600_000;

type ExportFile = { name: string; content: Buffer };

/** The same records as NDJSON, a JSON array and a Purview CSV (`CreationDate,UserIds,Operations,AuditData`). */
function asNdjson(lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => l + '\n').join(''));
}
function asJsonArray(lines: string[]): Buffer {
  return Buffer.from(`[\n${lines.join(',\n')}\n]\n`);
}
function asCsv(lines: string[]): Buffer {
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const rows = lines.map((l) => {
    const r = JSON.parse(l) as { CreationTime: string; UserId: string; Operation: string };
    return `${r.CreationTime}Z,${r.UserId},${r.Operation},${quote(l)}\r\n`;
  });
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('CreationDate,UserIds,Operations,AuditData\r\n' + rows.join('')),
  ]);
}

/**
 * One generated export split three ways (the lines naming the person in turn, the others line i to file i mod 3),
 * uploaded and ingested, then analysed.
 */
async function threeExports(label: string): Promise<{ store: Store; files: ExportFile[]; person: ExportPerson }> {
  const store = await freshStore(label);
  const lines = ndjsonLines(generated({ records: 800, seed: 47 }).text);
  const person = await pickPerson(asNdjson(lines));
  const parts: string[][] = [[], [], []];
  let naming = 0;
  lines.forEach((l, i) => parts[names(l, person) ? naming++ % 3 : i % 3]!.push(l));
  const files = [
    { name: 'march/export.csv', content: asCsv(parts[0]!) },
    { name: 'march/export.json', content: asJsonArray(parts[1]!) },
    { name: 'march/export.ndjson', content: asNdjson(parts[2]!) },
  ];
  for (const f of files) await upload(store, f);
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  return { store, files, person };
}

async function upload(store: Store, file: ExportFile): Promise<void> {
  const response = await store.exports.getBlockBlobClient(file.name).upload(file.content, file.content.length);
  const result = await ingestExport({ blobName: file.name, etag: response.etag!, content: file.content }, { store });
  assert.equal(result.outcome, 'completed');
}

async function blobText(store: Store, name: string): Promise<Buffer> {
  return store.exports.getBlobClient(name).downloadToBuffer();
}

async function allItems(deps: ReportDeps, route: string, query: Record<string, string> = {}): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | null = null;
  do {
    const q: Record<string, string> =
      token === null ? { limit: '1000', ...query } : { limit: '1000', ...query, continuationToken: token };
    const r = await answerReport({ route, params: {}, query: q }, deps);
    assert.equal(r.status, 200, r.body);
    const body = jsonBody<PageBody<unknown>>(r);
    items.push(...body.items);
    token = body.continuationToken;
  } while (token !== null);
  return items;
}

function capture(): { lines: string[]; log: NonNullable<AdminDeps['log']> } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) } };
}

test('erasure rewrites the CSV, JSON and NDJSON exports; once ingested, the person is nowhere and the reports equal the CLI on the rewritten files', async () => {
  const { store, files, person } = await threeExports('erx');
  assert.ok(person.organises, 'the person attends and organises');
  const uploaded = new Map<string, Date>();
  for (const f of files)
    uploaded.set(f.name, (await store.exports.getBlobClient(f.name).getProperties()).lastModified!);
  const { lines: log, log: logger } = capture();
  const response = await answerErasure(
    { id: person.upn, query: {} },
    { store, log: logger, pseudonymizer: () => undefined },
  );
  assert.equal(response.status, 200, response.body);
  const result = jsonBody<FullErasureResult>(response);
  assert.equal(result.exports.mode, 'rewrite', 'rewrite is the default');
  assert.deepEqual(result.exports.notRewritten, []);
  assert.deepEqual(result.exports.rewritten.map((e) => [e.blob, e.format]).sort(), [
    ['march/export.csv', 'csv'],
    ['march/export.json', 'json-array'],
    ['march/export.ndjson', 'ndjson'],
  ]);
  assert.equal(
    result.exports.rewritten.reduce((n, e) => n + e.recordsRemoved, 0),
    person.sessions,
    'each of their sessions',
  );
  assert.deepEqual(result.exportsNamingPerson, []);

  // Every other row is byte-identical (the person's rows gone, their organiser mentions erased).
  const rewritten: ExportFile[] = [];
  for (const f of files) {
    const entry = result.exports.rewritten.find((e) => e.blob === f.name)!;
    const props = await store.exports.getBlobClient(f.name).getProperties();
    assert.equal(props.etag, entry.etag, 'the answer gives the new version');
    assert.equal(
      props.metadata?.['uploadedat'],
      uploaded.get(f.name)!.toISOString(),
      'retention still counts from the first upload',
    );
    const now = await blobText(store, f.name);
    assert.equal(names(now.toString('utf8'), person), false, `${f.name} names the person no more`);
    const keptLines = (b: Buffer) =>
      b
        .toString('utf8')
        .split('\n')
        .map((l) => l.replace(/,\r?$/, ''));
    assert.deepEqual(
      keptLines(now).filter((l) => !l.includes('erased')),
      keptLines(f.content).filter((l) => !names(l, person)),
      `${f.name}: the other rows are byte-identical`,
    );
    rewritten.push({ name: f.name, content: now });
  }

  // The blob trigger ingests each new version: the replace path swaps the old contribution for it.
  for (const f of rewritten) {
    const etag = result.exports.rewritten.find((e) => e.blob === f.name)!.etag;
    const ingested = await ingestExport({ blobName: f.name, etag, content: f.content }, { store });
    assert.equal(ingested.outcome, 'completed');
  }
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.failed + run.remaining, 0);
  const due: string[] = [];
  const firstUpload = Math.max(...[...uploaded.values()].map((d) => d.getTime()));
  for await (const page of blobsModifiedBefore(store.exports, firstUpload + 1)) due.push(...page);
  assert.deepEqual(due.sort(), files.map((f) => f.name).sort(), 'the rewritten blobs are as old as their uploads');
  const left = (await scanStore(store)).filter((s) => names(s.text, person)).map((s) => s.where);
  assert.deepEqual(left, [], 'no table and no blob names the person');

  const deps: ReportDeps = { store, config: new CachedConfig(store.config) };
  const expected = await analyseInMemory(rewritten);
  const byId = (a: { meetingId: string }, b: { meetingId: string }) =>
    a.meetingId < b.meetingId ? -1 : a.meetingId > b.meetingId ? 1 : 0;
  assert.deepEqual(
    ((await allItems(deps, 'meetings')) as Array<{ meetingId: string }>).sort(byId),
    expected.map((e) => ({ ...meetingRow(e), organizerName: '' })).sort(byId),
    'meeting rows = the CLI on the rewritten files',
  );
  type D = { meetingId: string; participantKey: string; gapSeconds: number; band: string };
  const key = (d: D) => `${d.meetingId}|${d.participantKey}|${d.gapSeconds}|${d.band}`;
  assert.deepEqual(
    ((await allItems(deps, 'disconnections', { band: 'all' })) as D[]).map(key).sort(),
    expected
      .flatMap((e) => e.analysis.disconnections)
      .map(key)
      .sort(),
    'disconnections = the CLI on the rewritten files',
  );
  const summary = await answerReport({ route: 'summary', params: {}, query: {} }, deps);
  assert.deepEqual(
    jsonBody<SummaryBody>(summary).totals,
    summarise(expected.map((e) => summariseMeeting(e.analysis, e.meeting))),
    'summary totals = the CLI on the rewritten files',
  );
  const fresh = await freshStore('erxf');
  for (const f of rewritten) await ingestExport({ blobName: f.name, content: f.content }, { store: fresh });
  assert.equal(
    (await dumpTable(store.sessions.client)).length,
    (await dumpTable(fresh.sessions.client)).length,
    'the same sessions as a store that only ingested the rewritten files',
  );
  for (const message of log) assert.equal(names(message, person), false, `the log names no identifier: ${message}`);

  const again = jsonBody<FullErasureResult>(
    await answerErasure({ id: person.oid, query: {} }, { store, pseudonymizer: () => undefined }),
  );
  assert.deepEqual([again.exports.rewritten, again.exports.notRewritten], [[], []], 'a second erasure finds nothing');
});

test('a blob replaced between read and write is not overwritten and is reported; keep changes nothing', async () => {
  const { store, files, person } = await threeExports('erxr');
  const replacement = Buffer.concat([files[2]!.content, Buffer.from('\n')]);
  const result = await erasePerson(
    {
      store,
      exports: {
        mode: 'rewrite',
        afterRead: async (name) => {
          if (name === 'march/export.ndjson')
            await store.exports.getBlockBlobClient(name).upload(replacement, replacement.length);
        },
      },
    },
    person.upn,
  );
  const raced = result.exports.notRewritten.find((e) => e.blob === 'march/export.ndjson');
  assert.ok(raced !== undefined, JSON.stringify(result.exports));
  assert.match(raced.reason, /changed after it was read/);
  assert.deepEqual(await blobText(store, 'march/export.ndjson'), replacement, 'the concurrent version wins');
  assert.deepEqual(
    result.exportsNamingPerson,
    ['march/export.ndjson'],
    'and it still names the person, as the answer says',
  );

  const before = await blobText(store, 'march/export.ndjson');
  const response = await answerErasure(
    { id: person.oid, query: { exports: 'keep' } },
    { store, pseudonymizer: () => undefined },
  );
  const kept = jsonBody<FullErasureResult>(response);
  assert.equal(kept.exports.mode, 'keep');
  assert.deepEqual(
    kept.exports.notRewritten.map((e) => [e.blob, e.reason]),
    [['march/export.ndjson', 'kept as it is (exports=keep)']],
  );
  assert.deepEqual(await blobText(store, 'march/export.ndjson'), before, 'keep leaves the blob as it was');

  const bad = await answerErasure(
    { id: person.oid, query: { exports: 'delete' } },
    { store, pseudonymizer: () => undefined },
  );
  assert.equal(bad.status, 400);
  assert.match(bad.body, /must be .*rewrite.* or .*keep/);
  const twice = await answerErasure(
    { id: person.oid, query: new URLSearchParams('exports=keep&exports=rewrite') },
    { store, pseudonymizer: () => undefined },
  );
  assert.equal(twice.status, 400);
  const other = await answerErasure(
    { id: person.oid, query: { force: '1' } },
    { store, pseudonymizer: () => undefined },
  );
  assert.equal(other.status, 400);
  assert.match(other.body, /unknown parameter .*; it accepts: exports"/);
  const err: string[] = [];
  const sink = new Writable({
    write(chunk, _e, done) {
      err.push(String(chunk));
      done();
    },
  });
  assert.equal(await runErase([person.oid, '--exports', 'delete'], { stdout: sink, stderr: sink }), 2);
  assert.match(err.join(''), /--exports must be rewrite or keep/);
});

test('exports that cannot be rewritten are listed with the reason and left as they were; a gzip export is rewritten', async () => {
  const store = await freshStore('erxz');
  const lines = ndjsonLines(generated({ records: 800, seed: 47 }).text);
  const person = await pickPerson(asNdjson(lines));
  const zip = zipArchive([{ name: 'inner.ndjson', data: asNdjson(lines) }]);
  const wrapper = Buffer.from(JSON.stringify({ value: lines.map((l) => JSON.parse(l) as unknown) }, null, 1));
  const gz = gzipSync(asNdjson(lines));
  for (const [name, content] of [
    ['a.zip', zip],
    ['b.json', wrapper],
    ['c.ndjson.gz', gz],
  ] as const)
    await store.exports.getBlockBlobClient(name).upload(content, content.length);
  const result = await erasePerson({ store }, person.upn);
  const reasons = Object.fromEntries(result.exports.notRewritten.map((e) => [e.blob, e.reason]));
  assert.match(reasons['a.zip'] ?? '', /zip archives are not rewritten/);
  assert.match(reasons['b.json'] ?? '', /json-wrapper exports .* are not rewritten/);
  assert.deepEqual(result.exportsNamingPerson, ['b.json']);
  assert.equal(result.exportsNotSearched, 1);
  assert.deepEqual(await blobText(store, 'a.zip'), zip);
  assert.deepEqual(await blobText(store, 'b.json'), wrapper);
  assert.deepEqual(
    result.exports.rewritten.map((e) => [e.blob, e.format, e.compression, e.recordsRemoved]),
    [['c.ndjson.gz', 'ndjson', 'gzip', person.sessions]],
  );
  assert.equal(names(gunzipSync(await blobText(store, 'c.ndjson.gz')).toString('utf8'), person), false);
});
