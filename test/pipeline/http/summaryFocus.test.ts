// /api/summary with site=, platform= or user=: the key's own numbers and trend, computed here
// independently from the CLI's in-memory analysis of the same export.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregate,
  contributions,
  summarise,
  summariseMeeting,
  type Contribution,
} from '../../../src/analysis/metrics.js';
import { DEFAULT_DETECTION_PARAMS } from '../../../src/analysis/model.js';
import { focusFixture, type FocusFixture } from './focusFixture.js';
import type { FocusedSummaryBody } from './reportBodies.js';
import type { ErrorBody } from '../../support/jsonBody.js';

let fx: FocusFixture;
let contribs: Array<Contribution & { meetingId: string }>;
const MIN = DEFAULT_DETECTION_PARAMS.minSessions;

before(async () => {
  fx = await focusFixture('focus');
  contribs = fx.expected.flatMap(({ analysis }) =>
    contributions(analysis).map((c) => ({ ...c, meetingId: analysis.meetingId })),
  );
});

function expectedFocus(dimension: Contribution['dimension'], key: string) {
  const rows = contribs.filter((c) => c.dimension === dimension && c.key.toLowerCase() === key.toLowerCase());
  const ranking = aggregate(rows, dimension, MIN)[0]!;
  return {
    rows,
    eligibleSessions: ranking.eligibleSessions,
    drops: ranking.drops,
    dropRatePct: ranking.dropRatePct,
    lostSeconds: ranking.lostSeconds,
    participants: ranking.participants,
    enoughData: ranking.enoughData,
    meetings: new Set(rows.map((c) => c.meetingId)).size,
    meetingsAffected: new Set(rows.filter((c) => c.drops > 0).map((c) => c.meetingId)).size,
  };
}

test("site= gives that site's sessions, drops, rate, time lost and meetings; the totals stay the tenant's", async () => {
  const r = await fx.get<FocusedSummaryBody>('summary', { site: 'HQ Network' });
  assert.equal(r.status, 200, r.body);
  const e = expectedFocus('site', 'HQ Network');
  assert.ok(e.drops > 0 && e.meetings > 1, 'the site has drops in several meetings');
  const { rows: _rows, ...numbers } = e;
  assert.deepEqual(r.json.focus, { dimension: 'site', key: 'HQ Network', ...numbers });
  const tenant = summarise(fx.expected.map(({ meeting, analysis }) => summariseMeeting(analysis, meeting)));
  assert.equal(r.json.totals.drops, tenant.drops);
  assert.ok(r.json.focus.drops < tenant.drops);
});

test("groupBy=day with a site is that site's trend; with the site's own dimension, its one row", async () => {
  const e = expectedFocus('site', 'Branch Network');
  const byDay = aggregate(
    e.rows.map((c) => ({ ...c, dimension: 'day' as const, key: c.day })),
    'day',
    MIN,
  );
  const r = await fx.get<FocusedSummaryBody>('summary', { site: 'branch network', groupBy: 'day' });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(
    r.json.items,
    byDay.map((row) => ({ dimension: 'day', ...row })),
  );
  assert.equal(
    r.json.items.reduce((n, row) => n + row.drops, 0),
    e.drops,
  );
  const same = await fx.get<FocusedSummaryBody>('summary', { site: 'Branch Network', groupBy: 'site' });
  assert.equal(same.json.items.length, 1);
  assert.equal(same.json.items[0]?.eligibleSessions, e.eligibleSessions);
});

test('platform= and user= (by object id or by e-mail learned at ingestion) focus the same way', async () => {
  const platform = await fx.get<FocusedSummaryBody>('summary', { platform: 'Windows' });
  assert.equal(platform.status, 200, platform.body);
  assert.equal(platform.json.focus.eligibleSessions, expectedFocus('platform', 'windows').eligibleSessions);

  const session = fx.expected
    .flatMap(({ meeting }) => meeting.sessions)
    .find((s) => s.attendee.upn && s.attendee.userObjectId);
  assert.ok(session);
  const id = session.attendee.userObjectId!;
  const e = expectedFocus('user', id);
  const byId = await fx.get<FocusedSummaryBody>('summary', { user: id });
  assert.equal(byId.json.focus.eligibleSessions, e.eligibleSessions);
  const byMail = await fx.get<FocusedSummaryBody>('summary', { user: session.attendee.upn!.toUpperCase() });
  assert.equal(byMail.status, 200, byMail.body);
  assert.equal(byMail.json.focus.eligibleSessions, e.eligibleSessions);
  assert.equal(byMail.json.focus.drops, e.drops);
});

test('an unknown key has zero numbers, not an error; CSV carries the focus rows', async () => {
  const r = await fx.get<FocusedSummaryBody>('summary', { site: 'Atlantis' });
  assert.equal(r.status, 200);
  assert.equal(r.json.focus.eligibleSessions, 0);
  assert.equal(r.json.focus.enoughData, false);
  const csv = await fx.get('summary', { site: 'HQ Network', format: 'csv' });
  assert.match(csv.body, /\r\nfocus\.drops,\d+\r\n/);
  assert.match(csv.body, /\r\ndrops,\d+\r\n/, 'the tenant totals stay in the CSV');
});

test('two focus keys, or a grouping the aggregates cannot give, are refused naming the parameter', async () => {
  const two = await fx.get<ErrorBody>('summary', { site: 'HQ Network', platform: 'windows' });
  assert.equal(two.status, 400);
  assert.equal(two.json.error.parameter, 'platform');
  const cross = await fx.get<ErrorBody>('summary', { site: 'HQ Network', groupBy: 'platform' });
  assert.equal(cross.status, 400);
  assert.equal(cross.json.error.parameter, 'groupBy');
  assert.match(cross.json.error.message, /day or site/);
  const elsewhere = await fx.get('meetings', { platform: 'windows' });
  assert.equal(elsewhere.status, 400, 'only the summary takes platform');
});
