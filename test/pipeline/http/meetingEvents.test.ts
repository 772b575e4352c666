// /api/meetings/{meetingId} lists the meeting's hand-offs (and other detector notes) and mass events,
// as the CLI's in-memory analysis of the same export finds them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { formatIsoUtc } from '../../../src/audit/time.js';
import { focusFixture, type FocusFixture } from './focusFixture.js';
import type { MeetingBody } from './reportBodies.js';
import { present } from '../../support/jsonBody.js';

let fx: FocusFixture;

before(async () => {
  // Enough meetings for hand-offs and at least one mass event.
  fx = await focusFixture('events', 6000, 9);
});

test('hand-offs and other notes of a meeting, with ISO times', async () => {
  const withHandoff = fx.expected.find(({ analysis }) => analysis.notes.some((n) => n.kind === 'device-handoff'));
  assert.ok(withHandoff, 'the generated export has a hand-off');
  const { analysis } = withHandoff;
  const r = await fx.get<MeetingBody>('meetings/{*meetingId}', { include: 'all' }, { meetingId: analysis.meetingId });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(
    r.json.notes,
    analysis.notes.map((n) => ({
      participantKey: n.participantKey,
      kind: n.kind,
      time: formatIsoUtc(n.time),
      reason: n.reason,
      recordIds: n.recordIds,
    })),
  );
  assert.deepEqual(r.json.massEvents, []);
});

test('mass events of a meeting, and its drops carry their id', async () => {
  const withMass = fx.expected.find(({ analysis }) => analysis.massEvents.length > 0);
  assert.ok(withMass, 'the generated export has a mass event');
  const { analysis } = withMass;
  const r = await fx.get<MeetingBody>('meetings/{*meetingId}', { include: 'all' }, { meetingId: analysis.meetingId });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(
    r.json.massEvents,
    analysis.massEvents.map((m) => ({
      id: m.id,
      start: formatIsoUtc(m.start),
      end: formatIsoUtc(m.end),
      participants: m.participants,
      humansInMeeting: m.humansInMeeting,
      sites: m.sites,
      reason: m.reason,
    })),
  );
  const ids = new Set(present(r.json.massEvents, 'massEvents').map((m) => m.id));
  assert.ok(present(r.json.disconnections, 'disconnections').some((d) => ids.has(d.massEventId)));
});
