import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { meetingFromStorage, readMeetingRecords, unmarked } from '../../src/storage/meetingRecords.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { summariseMeeting, contributions } from '../../src/analysis/metrics.js';
import { meetingRow } from '../../src/reports/meetings.js';
import { entityToListing } from '../../src/storage/meetingResultsTable.js';
import { entityToDisconnection } from '../../src/storage/disconnectionsTable.js';
import { entityToContributions } from '../../src/storage/aggregatesTable.js';
import { listAll } from '../../src/storage/tableEntities.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from '../storage/testStore.js';
import { analyseInMemory, generated, ndjson, sessionLine } from './pipelineFixtures.js';

const FAR = () => Date.now() + 600_000;

async function storedResults(store: Store) {
  const listings = (
    await listAll(store.meetingResults.client, "PartitionKey ge 'day|' and PartitionKey lt 'day}'")
  ).map(entityToListing);
  const disconnections = (await listAll(store.disconnections.client, undefined)).map(entityToDisconnection);
  const contribs = (await listAll(store.aggregates.client, undefined)).flatMap(entityToContributions);
  return { listings, disconnections, contribs };
}

function disconnectionKey(d: {
  meetingId: string;
  participantKey: string;
  leaveTime: number;
  rejoinTime: number;
  band: string;
  kind: string;
  counted: boolean;
}): string {
  return [d.meetingId, d.participantKey, d.leaveTime, d.rejoinTime, d.band, d.kind, d.counted].join('|');
}

test('analysis of ingested exports gives the same results as the in-memory (CLI) analysis', async () => {
  const store = await freshStore('ana');
  const { text, truth } = generated({ records: 2500, seed: 5 });
  const content = Buffer.from(text);
  await ingestExport({ blobName: 'e.ndjson', content }, { store });
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.marked, truth.meetings);
  assert.equal(run.analysed, truth.meetings);
  assert.equal(run.failed + run.remaining + run.markedAgain, 0);
  assert.equal((await store.marks.listPending()).length, 0);

  const expected = await analyseInMemory([{ name: 'e.ndjson', content }]);
  const { listings, disconnections, contribs } = await storedResults(store);
  assert.equal(listings.length, expected.length);
  const byId = new Map(listings.map((l) => [l.meetingId, l]));
  for (const { meeting, analysis } of expected) {
    const listing = byId.get(meeting.meetingId);
    assert.ok(listing, `meeting ${meeting.meetingId} has a listing`);
    assert.deepEqual(listing.summary, summariseMeeting(analysis, meeting));
    assert.deepEqual(listing.row, meetingRow({ meeting, analysis }));
  }
  const expectedDisconnections = expected.flatMap((e) => e.analysis.disconnections);
  assert.ok(expectedDisconnections.length > 20, 'the data should hold disconnections');
  assert.deepEqual(
    disconnections.map((d) => disconnectionKey(d.disconnection)).sort(),
    expectedDisconnections.map(disconnectionKey).sort(),
  );
  const expectedContribs = expected.flatMap((e) =>
    contributions(e.analysis).map((c) => ({ ...c, meetingId: e.meeting.meetingId })),
  );
  const norm = (c: {
    meetingId: string;
    dimension: string;
    key: string;
    day: string;
    drops: number;
    eligibleSessions: number;
  }) => `${c.meetingId}|${c.dimension}|${c.key}|${c.day}|${c.drops}|${c.eligibleSessions}`;
  assert.deepEqual(contribs.map(norm).sort(), expectedContribs.map(norm).sort());
});

test('late records re-analyse their meeting and replace its results, leaving no stale rows', async () => {
  const store = await freshStore('late');
  const m = 'late/meeting#1';
  const early = [
    sessionLine('s1', m, 'ann', '2026-03-03T10:00:00', '2026-03-03T10:20:00'),
    sessionLine('s2', m, 'bob', '2026-03-03T10:00:00', '2026-03-03T11:00:00'),
    sessionLine('s3', m, 'cat', '2026-03-03T10:01:00', '2026-03-03T11:00:00'),
  ];
  await ingestExport({ blobName: 'early.ndjson', content: ndjson(early) }, { store });
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  let results = await storedResults(store);
  assert.equal(results.listings.length, 1);
  assert.equal(results.disconnections.length, 0);
  const firstStart = results.listings[0]!.start;

  // Later: ann's re-join 30 s after her leave (a drop), and dan, who joined before everyone (the
  // instance now starts earlier, so the listing and disconnection keys move).
  const late = [
    sessionLine('s4', m, 'ann', '2026-03-03T10:20:30', '2026-03-03T11:00:00'),
    sessionLine('s5', m, 'dan', '2026-03-03T09:55:00', '2026-03-03T11:00:00'),
  ];
  await ingestExport({ blobName: 'late.ndjson', content: ndjson(late) }, { store });
  assert.deepEqual(
    (await store.marks.listPending()).map((mk) => mk.meetingId),
    [m],
  );
  const run = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(run.analysed, 1);
  results = await storedResults(store);
  assert.equal(results.listings.length, 1, 'the old listing row was replaced, not kept');
  assert.ok(results.listings[0]!.start < firstStart);
  assert.equal(results.disconnections.length, 1);
  assert.equal(results.disconnections[0]!.disconnection.participantKey, 'oid-ann');
  assert.equal(results.disconnections[0]!.disconnection.gapSeconds, 30);
  const expected = await analyseInMemory([{ name: 'all', content: ndjson([...early, ...late]) }]);
  assert.deepEqual(results.listings[0]!.summary, summariseMeeting(expected[0]!.analysis, expected[0]!.meeting));
  const expectedContribs = contributions(expected[0]!.analysis);
  assert.equal(results.contribs.length, expectedContribs.length, 'no aggregate rows of the first analysis remain');

  // Analysing again without new records changes nothing.
  await store.marks.mark([m]);
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  const again = await storedResults(store);
  assert.deepEqual(again.disconnections, results.disconnections);
  assert.equal((await storedResults(store)).contribs.length, expectedContribs.length);
});

test('a mark set again while its meeting is analysed survives the run', async () => {
  const store = await freshStore('mark');
  await store.marks.mark(['m1', 'm2']);
  const [first] = await store.marks.listPending();
  assert.ok(first);
  await store.marks.mark([first.meetingId]); // new records arrived meanwhile
  assert.equal(await store.marks.clear(first), false);
  assert.equal(await store.marks.isMarked(first.meetingId), true);
  const [fresh] = (await store.marks.listPending()).filter((mk) => mk.meetingId === first.meetingId);
  assert.equal(await store.marks.clear(fresh!), true);
  assert.equal(await store.marks.isMarked(first.meetingId), false);
});

test('a run past its deadline starts nothing and leaves every mark for the next run', async () => {
  const store = await freshStore('dead');
  const { text, truth } = generated({ records: 300, seed: 9 });
  await ingestExport({ blobName: 'd.ndjson', content: Buffer.from(text) }, { store });
  const late = await analyseMarkedMeetings({ store }, { deadline: Date.now() - 1 });
  assert.equal(late.analysed, 0);
  assert.equal(late.stoppedByDeadline, true);
  assert.equal(late.remaining, truth.meetings);
  assert.equal((await store.marks.listPending()).length, truth.meetings);
  const status = await store.marks.lastRun();
  assert.equal(status?.remaining, truth.meetings);
  const next = await analyseMarkedMeetings({ store }, { deadline: FAR() });
  assert.equal(next.analysed, truth.meetings);
});

test('a meeting read through its bundles has the same records as read by partition query', async () => {
  const store = await freshStore('idx');
  const { text } = generated({ records: 1200, seed: 31, duplicateShare: 0.02 });
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // Two overlapping files, so bundles of both hold some of the same records.
  await ingestExport({ blobName: 'x1.ndjson', content: ndjson(lines.slice(0, 800)) }, { store });
  await ingestExport({ blobName: 'x2.ndjson', content: ndjson(lines.slice(400)) }, { store });
  const pending = await store.marks.listPending();
  assert.ok(pending.length > 20 && pending.every((p) => p.indexed && p.index.bundles.length > 0));
  const byId = (records: Array<{ recordId: string }>) => [...new Set(records.map((r) => r.recordId))].sort();
  for (const p of pending) {
    const indexed = await readMeetingRecords(store, p);
    const queried = await readMeetingRecords(store, unmarked(p.meetingId));
    assert.deepEqual(byId(indexed.sessions), byId(queried.sessions), p.meetingId);
    assert.deepEqual(byId(indexed.details), byId(queried.details));
    assert.deepEqual(indexed.keys, queried.keys, 'the partition holds exactly the bundles the marks name');
    const a = meetingFromStorage(p.meetingId, indexed.sessions, indexed.details);
    const b = meetingFromStorage(p.meetingId, queried.sessions, queried.details);
    assert.deepEqual(
      a.sessions.map((s) => ({ ...s, source: null })),
      b.sessions.map((s) => ({ ...s, source: null })),
    );
  }
});
