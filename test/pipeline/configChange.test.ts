import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { remarkAfterConfigChange } from '../../src/pipeline/configChange.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { answerReport } from '../../src/pipeline/answerReport.js';
import { CachedConfig } from '../../src/storage/configBlobs.js';
import { entityToListing, type MeetingListing } from '../../src/storage/meetingResultsTable.js';
import { entityToDisconnection } from '../../src/storage/disconnectionsTable.js';
import { listAll } from '../../src/storage/tableEntities.js';
import type { Store } from '../../src/storage/store.js';
import { CONFIG_BLOBS } from '../../src/names.js';
import { freshStore } from '../storage/testStore.js';
import { jsonBody, present } from '../support/jsonBody.js';
import type { HealthBody } from './http/reportBodies.js';
import { generated, ndjson, sessionLine } from './pipelineFixtures.js';

const FAR = () => Date.now() + 600_000;
const SITE_MAP = 'NetworkIP,NetworkName,NetworkRange,BuildingName\n10.57.0.0,HQ Network,16,HQ\n';
const ODD_MEETING = 'config/meeting#?\\1';

/** A meeting where ann, on 10.57.1.10 (network "HQ Network" in SITE_MAP), drops for 30 s. */
const DROP = [
  sessionLine('c1', ODD_MEETING, 'ann', '2026-03-03T10:00:00', '2026-03-03T10:20:00', '10.57.1.10'),
  sessionLine('c2', ODD_MEETING, 'ann', '2026-03-03T10:20:30', '2026-03-03T11:00:00', '10.57.1.10'),
  sessionLine('c3', ODD_MEETING, 'bob', '2026-03-03T10:00:00', '2026-03-03T11:00:00', '10.58.1.1'),
];

/** A store holding a generated export and the DROP meeting, all analysed (the first run records the fingerprint). */
async function analysedStore(label: string, records = 1200): Promise<{ store: Store; meetings: number }> {
  const store = await freshStore(label);
  const { text } = generated({ records, seed: 17 });
  await ingestExport({ blobName: 'gen.ndjson', content: Buffer.from(text) }, { store });
  await ingestExport({ blobName: 'drop.ndjson', content: ndjson(DROP) }, { store });
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.failed + run.remaining + run.markedAgain, 0);
  return { store, meetings: run.analysed };
}

async function listings(store: Store): Promise<MeetingListing[]> {
  return (await listAll(store.meetingResults.client, "PartitionKey ge 'day|' and PartitionKey lt 'day}'")).map(
    entityToListing,
  );
}

async function dropSite(store: Store): Promise<string | undefined> {
  const all = (await listAll(store.disconnections.client, undefined)).map(entityToDisconnection);
  return all.find((d) => d.disconnection.meetingId === ODD_MEETING)?.site;
}

test('the first run records the config fingerprint and marks nothing again; an unchanged config marks nothing', async () => {
  const { store, meetings } = await analysedStore('cfirst');
  const config = await store.config.load();
  const state = await store.marks.configState();
  assert.equal(state?.fingerprint, config.fingerprint);
  assert.equal(state?.remarking, undefined);
  assert.equal(state?.lastRemark, undefined);
  const status = await store.marks.lastRun();
  assert.equal(status?.configFingerprint, config.fingerprint);
  assert.equal(status?.remarkedForConfigChange, 0);
  assert.ok(meetings > 5);

  const again = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(again.remarkedForConfigChange, 0);
  assert.equal(again.marked, 0);

  // The users file only feeds e-mail lookups: changing it re-analyses nothing.
  await store.config.upload(CONFIG_BLOBS.users, 'oid-ann,ann.other@contoso.com\n');
  const afterUsers = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(afterUsers.remarkedForConfigChange, 0);
  assert.equal(afterUsers.marked, 0);
  assert.equal((await store.marks.configState())?.fingerprint, config.fingerprint);
});

test('a new site map marks exactly the analysed meetings again, and the next run gives them the new site labels', async () => {
  const { store, meetings } = await analysedStore('csite');
  assert.equal(await dropSite(store), 'unmapped');
  const before = await listings(store);
  assert.equal(before.length, meetings);
  const oldFingerprint = (await store.marks.configState())?.fingerprint;

  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  const fingerprint = (await store.config.load()).fingerprint;
  assert.notEqual(fingerprint, oldFingerprint);
  // Re-marking alone (in pages of 7): the marked meetings are exactly those with results.
  const remark = await remarkAfterConfigChange(store, fingerprint, { deadline: FAR(), pageSize: 7 });
  assert.deepEqual(remark, { outcome: 'finished', remarked: meetings });
  assert.deepEqual(
    (await store.marks.listPending()).map((p) => p.meetingId).sort(),
    before.map((l) => l.meetingId).sort(),
  );
  const state = await store.marks.configState();
  assert.equal(state?.fingerprint, fingerprint);
  assert.equal(state?.remarking, undefined);
  assert.equal(state?.lastRemark?.meetings, meetings);
  assert.equal(state?.lastRemark?.previousFingerprint, oldFingerprint);

  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.remarkedForConfigChange, 0, 'already marked');
  assert.equal(run.analysed, meetings);
  assert.equal(await dropSite(store), 'HQ Network');
  assert.equal((await store.marks.listPending()).length, 0);
});

test('the analysis run itself re-marks after a config change, and /api/health shows it', async () => {
  const { store, meetings } = await analysedStore('crun', 600);
  const started = new Date().toISOString();
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  const run = await analyseMarkedMeetings({ store, remarkPageSize: 4 }, { deadline: FAR() });
  assert.equal(run.remarkedForConfigChange, meetings);
  assert.equal(run.analysed, meetings);
  assert.equal(await dropSite(store), 'HQ Network');
  assert.ok(
    (await listings(store)).every((l) => l.analysedAt >= started),
    'every meeting was analysed with the new config',
  );
  const fingerprint = (await store.config.load()).fingerprint;
  assert.equal(run.configFingerprint, fingerprint);
  assert.equal((await store.marks.lastRun())?.remarkedForConfigChange, meetings);

  const health = jsonBody<HealthBody>(
    await answerReport({ route: 'health', params: {}, query: {} }, { store, config: new CachedConfig(store.config) }),
  );
  assert.equal(health.config.fingerprint, fingerprint);
  const analysisConfig = present(health.analysis.config, 'analysis.config');
  assert.equal(analysisConfig.fingerprint, fingerprint);
  assert.equal(analysisConfig.remarking, null);
  const lastRemark = present(analysisConfig.lastRemark, 'analysis.config.lastRemark');
  assert.equal(lastRemark.meetings, meetings);
  assert.ok(lastRemark.finishedAt >= started);
  assert.equal(health.analysis.lastRun?.remarkedForConfigChange, meetings);

  // The same site map uploaded again is the same config.
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  const same = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(same.remarkedForConfigChange, 0);
  assert.equal(same.marked, 0);
});

test('a re-marking stopped by the deadline, or by the run dying, loses nothing: the next run finishes it', async () => {
  const { store, meetings } = await analysedStore('cdead');
  assert.ok(meetings > 20);
  const oldFingerprint = (await store.marks.configState())?.fingerprint;
  await store.config.upload(CONFIG_BLOBS.detectionParams, '{"strongGapSeconds": 45}');

  // A run whose deadline has passed starts nothing, but says a re-marking is due.
  const late = await analyseMarkedMeetings({ store }, { deadline: Date.now() - 1 });
  assert.equal(late.remarkedForConfigChange, 0);
  assert.equal(late.stoppedByDeadline, true);
  let state = await store.marks.configState();
  assert.equal(state?.fingerprint, oldFingerprint, 'the new fingerprint is recorded only once every meeting is marked');
  assert.equal(state?.remarking?.meetings, 0);

  // A re-marking stopped after two pages of 5.
  const fingerprint = (await store.config.load()).fingerprint;
  let checks = 0;
  const stopped = await remarkAfterConfigChange(store, fingerprint, {
    deadline: 2,
    clock: () => checks++,
    pageSize: 5,
  });
  assert.deepEqual(stopped, { outcome: 'unfinished', remarked: 10 });
  state = await store.marks.configState();
  assert.equal(state?.fingerprint, oldFingerprint);
  assert.equal(state?.remarking?.meetings, 10);
  assert.equal((await store.marks.listPending()).length, 10);

  // A run that dies (here: its clock throws) after one more page.
  checks = 0;
  await assert.rejects(
    remarkAfterConfigChange(store, fingerprint, {
      deadline: FAR(),
      pageSize: 5,
      clock: () => {
        if (checks++ === 1) throw new Error('host stopped');
        return Date.now();
      },
    }),
  );
  assert.equal((await store.config.load()).fingerprint, fingerprint);
  assert.equal((await store.marks.configState())?.remarking?.meetings, 15);
  assert.equal((await store.marks.listPending()).length, 15);

  // The next run continues where the last page ended, and every meeting ends analysed with the new config.
  const started = new Date().toISOString();
  const next = await analyseMarkedMeetings({ store, remarkPageSize: 5 }, { deadline: FAR() });
  assert.equal(next.remarkedForConfigChange, meetings - 15);
  assert.equal(next.analysed, meetings);
  assert.equal(next.stoppedByDeadline, false);
  assert.ok((await listings(store)).every((l) => l.analysedAt >= started));
  state = await store.marks.configState();
  assert.equal(state?.fingerprint, fingerprint);
  assert.equal(state?.remarking, undefined);
  assert.equal(state?.lastRemark?.meetings, meetings);
});

test('a config changed again during a re-marking starts it over', async () => {
  const { store, meetings } = await analysedStore('cagain', 600);
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  const b = (await store.config.load()).fingerprint;
  let checks = 0;
  const partial = await remarkAfterConfigChange(store, b, { deadline: 1, clock: () => checks++, pageSize: 3 });
  assert.deepEqual(partial, { outcome: 'unfinished', remarked: 3 });
  // Those 3 may be analysed with config B before the site map changes again.
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP.replace('HQ Network', 'Head office'));
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.remarkedForConfigChange, meetings);
  assert.equal(await dropSite(store), 'Head office');
  assert.equal((await store.marks.configState())?.lastRemark?.meetings, meetings);
});
