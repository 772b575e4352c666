import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionRecord } from '../../src/audit/records.js';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { buildMeetingResult } from '../../src/pipeline/analyse.js';
import { meetingFromStorage } from '../../src/storage/meetingRecords.js';
import { replaceMeetingResults, type ResultTables } from '../../src/storage/resultsWriter.js';
import { AggregatesTable } from '../../src/storage/aggregatesTable.js';
import type { Store } from '../../src/storage/store.js';
import { freshStore } from './testStore.js';
import { dumpTable } from '../pipeline/pipelineFixtures.js';

const MEETING = 'results/meeting?1';

function session(recordId: string, user: string, join: string, leave: string): SessionRecord {
  return {
    kind: 'session',
    recordId,
    meetingId: MEETING,
    organizerUpn: 'org@contoso.com',
    organizerId: 'org',
    organizerOrganizationId: 't',
    meetingType: 'ScheduledMeeting',
    attendee: { userObjectId: `oid-${user}`, upn: `${user}@contoso.com`, recipientType: 'User' },
    joinTime: Date.parse(`${join}Z`),
    leaveTime: Date.parse(`${leave}Z`),
    joinTimeRaw: join,
    leaveTimeRaw: leave,
    clientIp: '10.1.1.1',
    deviceInformation: 'Windows',
    deviceId: `d-${user}`,
    userAgent: 'CallSignalingAgent (49/1)',
    source: { file: 'f', line: 1 },
  };
}

async function resultOf(store: Store, sessions: SessionRecord[]) {
  const config = await store.config.load();
  const meeting = meetingFromStorage(MEETING, sessions, []);
  return buildMeetingResult(meeting, config, new SessionClassifier(), new Date().toISOString());
}

async function allRows(store: Store) {
  return {
    results: (await dumpTable(store.meetingResults.client, ['analysedAt', 'data'])).map(
      (e) => `${String(e.partitionKey)}/${String(e.rowKey)}`,
    ),
    disconnections: (await dumpTable(store.disconnections.client)).map(
      (e) => `${String(e.partitionKey)}/${String(e.rowKey)}`,
    ),
    aggregates: (await dumpTable(store.aggregates.client)).map((e) => `${String(e.partitionKey)}/${String(e.rowKey)}`),
  };
}

// Day 1: two drops; day 2 (the meeting moved, e.g. after a corrected MeetingDetail): one drop and fewer people.
const first = [
  session('a1', 'ann', '2026-03-02T10:00:00', '2026-03-02T10:10:00'),
  session('a2', 'ann', '2026-03-02T10:10:20', '2026-03-02T10:30:00'),
  session('a3', 'ann', '2026-03-02T10:30:15', '2026-03-02T11:00:00'),
  session('b1', 'bob', '2026-03-02T10:00:00', '2026-03-02T11:00:00'),
  session('c1', 'cat', '2026-03-02T10:00:00', '2026-03-02T11:00:00'),
];
const second = [
  session('x1', 'ann', '2026-03-03T09:00:00', '2026-03-03T09:10:00'),
  session('x2', 'ann', '2026-03-03T09:10:20', '2026-03-03T10:00:00'),
  session('y1', 'bob', '2026-03-03T09:00:00', '2026-03-03T10:00:00'),
];

test('replacing a meeting result leaves exactly the new rows, even when the meeting moved to another day', async () => {
  const store = await freshStore('res');
  const a = await resultOf(store, first);
  const b = await resultOf(store, second);
  assert.equal(a.disconnections.length, 2);
  assert.equal(b.disconnections.length, 1);
  assert.notEqual(a.listing.day, b.listing.day);

  const fresh = await freshStore('resb');
  await replaceMeetingResults(fresh, b);
  const expected = await allRows(fresh);

  await replaceMeetingResults(store, a);
  const deleted = await replaceMeetingResults(store, b);
  assert.ok(deleted > 0);
  assert.deepEqual(await allRows(store), expected);
  const location = await store.meetingResults.getLocation(MEETING);
  assert.equal(location?.current?.day, b.listing.day);
});

test('a replacement cut short is cleaned up by the next one', async () => {
  const store = await freshStore('cut');
  const a = await resultOf(store, first);
  const b = await resultOf(store, second);
  await replaceMeetingResults(store, a);

  // The aggregates writes of result b fail after its listing and disconnections were written.
  const failing = Object.create(store.aggregates.client) as typeof store.aggregates.client;
  failing.submitTransaction = async () => {
    throw new Error('simulated outage');
  };
  const broken: ResultTables = {
    meetingResults: store.meetingResults,
    disconnections: store.disconnections,
    aggregates: new AggregatesTable(failing),
  };
  await assert.rejects(replaceMeetingResults(broken, b), /simulated outage/);
  // Readers still see result a.
  assert.equal((await store.meetingResults.getLocation(MEETING))?.current?.day, a.listing.day);

  // The next analysis produces result a again: nothing of b may remain.
  await replaceMeetingResults(store, a);
  const fresh = await freshStore('cuta');
  await replaceMeetingResults(fresh, a);
  assert.deepEqual(await allRows(store), await allRows(fresh));
});
