// /api/meetings/{id} pages a big meeting's sessions and disconnections (limit, continuationToken), takes
// `include` to pick the parts, and returns hand-offs and mass events (include=events) on the first page.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { answerReport, type ReportDeps } from '../../../src/pipeline/answerReport.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import { CachedConfig } from '../../../src/storage/configBlobs.js';
import { freshStore } from '../../storage/testStore.js';
import { analyseInMemory, ndjson, sessionLine } from '../pipelineFixtures.js';
import type { AttendeeRow } from '../../../src/reports/attendees.js';
import { jsonBody, present, type ErrorBody, type PageBody } from '../../support/jsonBody.js';
import type { MeetingBody } from './reportBodies.js';

const TOWN_HALL = 'town-hall-paging';
/** A meeting small enough to be read whole (its bundles by point reads) and paged by offset. */
const SMALL = 'small-meeting-paging';
const ATTENDEES = 1200;
/** Every 10th attendee drops and rejoins 20 s later: 120 disconnections, 2,520 sessions with the stay-ons. */
const DROPPERS = 120;
let deps: ReportDeps;
let expectedRecordIds: string[];
let expectedDisconnections: number;

/** The meeting's rows as /api/attendees?meeting=… lists them (storage order). */
async function attendeesOfMeeting(meetingId = TOWN_HALL): Promise<string[]> {
  const ids: string[] = [];
  let token: string | null = null;
  do {
    const query: Record<string, string> = {
      meeting: meetingId,
      limit: '1000',
      ...(token === null ? {} : { continuationToken: token }),
    };
    const r = jsonBody<PageBody<AttendeeRow>>(await answerReport({ route: 'attendees', params: {}, query }, deps));
    ids.push(...r.items.map((s) => s.recordId));
    token = r.continuationToken;
  } while (token !== null);
  return ids;
}

function clock(minute: number, second = 0): string {
  return `2026-03-03T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
}

before(async () => {
  const lines: string[] = [];
  for (let i = 0; i < ATTENDEES; i++) {
    const user = `u${String(i).padStart(4, '0')}`;
    const join = clock(i % 7, i % 50);
    if (i % 10 === 0) {
      lines.push(sessionLine(`${user}-a`, TOWN_HALL, user, join, clock(30)));
      lines.push(sessionLine(`${user}-b`, TOWN_HALL, user, clock(30, 20), clock(59)));
    } else {
      lines.push(sessionLine(`${user}-a`, TOWN_HALL, user, join, clock(59)));
    }
  }
  for (let i = 0; i < 30; i++)
    lines.push(sessionLine(`s${String(i).padStart(2, '0')}`, SMALL, `small${i}`, clock(i), clock(40)));
  const content = ndjson(lines);
  const store = await freshStore('mpg');
  await ingestExport({ blobName: 'townhall.ndjson', etag: '"m"', content }, { store });
  await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
  deps = { store, config: new CachedConfig(store.config) };
  const expected = (await analyseInMemory([{ name: 'townhall.ndjson', content }])).find(
    (e) => e.meeting.meetingId === TOWN_HALL,
  );
  expectedRecordIds = expected!.meeting.sessions.map((s) => s.recordId).sort();
  expectedDisconnections = expected!.analysis.disconnections.length;
  assert.ok(expectedDisconnections >= DROPPERS * 0.9, `the fixture should hold about ${DROPPERS} disconnections`);
});

async function meeting(query: Record<string, string>, meetingId = TOWN_HALL) {
  const r = await answerReport({ route: 'meetings/{*meetingId}', params: { meetingId }, query }, deps);
  assert.equal(r.status, 200, r.body.slice(0, 300));
  return { json: jsonBody<MeetingBody>(r), bytes: Buffer.byteLength(r.body) };
}

test('a big meeting is answered a page at a time, with every session and disconnection once', async () => {
  const sessions: string[] = [];
  const disconnections: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const { json } = await meeting(
      token === null ? { limit: '500', include: 'all' } : { limit: '500', include: 'all', continuationToken: token },
    );
    pages++;
    const pageSessions = present(json.sessions, 'sessions');
    const pageDisconnections = present(json.disconnections, 'disconnections');
    assert.ok(pageSessions.length <= 500 && pageDisconnections.length <= 500);
    assert.equal(json.sessionsTotal, expectedRecordIds.length);
    assert.equal(json.disconnectionsTotal, expectedDisconnections);
    assert.equal(json.meeting?.meetingId, TOWN_HALL, 'every page carries the meeting row');
    assert.equal(Array.isArray(json.massEvents), pages === 1, 'events on the first page only');
    sessions.push(...pageSessions.map((s) => s.recordId));
    disconnections.push(...pageDisconnections.map((d) => d.lostRecordId));
    token = json.continuationToken;
  } while (token !== null && pages < 20);
  assert.equal(pages, Math.ceil(expectedRecordIds.length / 500));
  assert.deepEqual([...sessions].sort(), expectedRecordIds);
  assert.deepEqual(sessions, await attendeesOfMeeting(), 'in storage order, as /api/attendees?meeting=…');
  assert.equal(disconnections.length, expectedDisconnections);
  assert.equal(new Set(disconnections).size, expectedDisconnections);
});

test('the default page is bounded (100 sessions, no events), whatever the meeting size', async () => {
  const { json, bytes } = await meeting({});
  assert.equal(json.sessions?.length, 100);
  assert.equal(json.notes, undefined);
  assert.equal(json.massEvents, undefined);
  assert.equal(json.disconnections?.length, 100);
  assert.equal(typeof json.continuationToken, 'string');
  assert.ok(bytes < 400_000, `${bytes} bytes`);
});

test('include picks the parts; a token is bound to them', async () => {
  const only = await meeting({ include: 'disconnections', limit: '50' });
  assert.equal(only.json.sessions, undefined);
  assert.equal(only.json.massEvents, undefined);
  assert.equal(only.json.disconnections?.length, 50);
  // Listing disconnections only, the pages end with the disconnections.
  let token = only.json.continuationToken;
  let pages = 1;
  while (token !== null) {
    token = (await meeting({ include: 'disconnections', limit: '50', continuationToken: token })).json
      .continuationToken;
    pages++;
  }
  assert.equal(pages, Math.ceil(expectedDisconnections / 50));
  const events = await meeting({ include: 'events' });
  assert.ok(Array.isArray(events.json.notes) && Array.isArray(events.json.massEvents));
  assert.equal(events.json.continuationToken, null);
  const refused = await answerReport(
    {
      route: 'meetings/{*meetingId}',
      params: { meetingId: TOWN_HALL },
      query: { include: 'sessions', continuationToken: present(only.json.continuationToken, 'continuationToken') },
    },
    deps,
  );
  assert.equal(refused.status, 400);
  const unknown = await answerReport(
    { route: 'meetings/{*meetingId}', params: { meetingId: TOWN_HALL }, query: { include: 'attendees' } },
    deps,
  );
  assert.equal(unknown.status, 400);
  assert.equal(jsonBody<ErrorBody>(unknown).error.parameter, 'include');
});

test('a small meeting (read whole) pages the same way, in the same order', async () => {
  const ids: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const { json } = await meeting(token === null ? { limit: '7' } : { limit: '7', continuationToken: token }, SMALL);
    const pageSessions = present(json.sessions, 'sessions');
    assert.ok(pageSessions.length <= 7);
    assert.equal(json.sessionsTotal, 30);
    ids.push(...pageSessions.map((s) => s.recordId));
    token = json.continuationToken;
    pages++;
  } while (token !== null && pages < 10);
  assert.equal(pages, 5);
  assert.deepEqual(ids, await attendeesOfMeeting(SMALL));
  assert.equal(new Set(ids).size, 30);
});
