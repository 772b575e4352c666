import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectDisconnections } from '../../src/analysis/detect.js';
import {
  aggregate,
  contributions,
  GAP_BUCKETS,
  gapBucket,
  mergeTenantSummaries,
  PARTICIPANT_CLASSES,
  summarise,
  summariseMeeting,
  type ClassCounts,
  type Contribution,
  type MeetingSummary,
} from '../../src/analysis/metrics.js';
import type { ClassifiedSession, Meeting, MeetingAnalysis, ParticipantClass } from '../../src/analysis/model.js';
import { session, windowTo } from './classifiedSessionFixtures.js';

function analyse(sessions: ClassifiedSession[]): { analysis: MeetingAnalysis; meeting: Meeting } {
  const analysis = detectDisconnections('m1', sessions, windowTo(7200));
  return { analysis, meeting: { meetingId: 'm1', sessions: sessions.map((s) => s.session) } };
}

const counts = (c: Partial<ClassCounts>): ClassCounts => ({
  participants: 0,
  sessions: 0,
  eligibleSessions: 0,
  drops: 0,
  affectedParticipants: 0,
  lostSeconds: 0,
  ...c,
});

describe('summariseMeeting', () => {
  const sessions = [
    session({ key: 'u', join: 0, leave: 1000 }),
    session({ key: 'u', join: 1020, leave: 3000 }), // 20 s counted drop
    session({ key: 'v', join: 0, leave: 3000 }),
    session({ key: 'w', join: 0, leave: 1000 }),
    session({ key: 'w', join: 1400, leave: 3000 }), // 400 s: possible
    session({ key: 'late', join: 7300, leave: 7400 }), // joins after the instance end (7200): not eligible
    session({ key: 'tel', cls: 'phone', join: 0, leave: 1000 }),
    session({ key: 'tel', cls: 'phone', join: 1030, leave: 3000 }),
    session({ key: 'rec', cls: 'bot', join: 0, leave: 7000 }),
  ];

  test('keeps classes apart, with eligible sessions excluding bots and sessions after the end', () => {
    const { analysis, meeting } = analyse(sessions);
    const summary = summariseMeeting(analysis, meeting);
    assert.deepEqual(
      summary.byClass.human,
      counts({ participants: 4, sessions: 6, eligibleSessions: 5, drops: 1, affectedParticipants: 1, lostSeconds: 20 }),
    );
    assert.deepEqual(
      summary.byClass.phone,
      counts({ participants: 1, sessions: 2, eligibleSessions: 2, drops: 1, affectedParticipants: 1, lostSeconds: 30 }),
    );
    assert.deepEqual(summary.byClass.bot, counts({ participants: 1, sessions: 1 }));
    assert.deepEqual(summary.byClass.anonymous, counts({}));
    assert.equal(summary.possibleDrops, 1);
    assert.equal(summary.massEvents, 0);
    // Human gaps only: 20 s (10–30 bucket) and 400 s (300–600 bucket); the phone's 30 s is not in it.
    const expected = GAP_BUCKETS.map(() => 0);
    expected[2] = 1;
    expected[6] = 1;
    assert.deepEqual(summary.gapHistogram, expected);
    assert.equal(summary.meetingId, 'm1');
    assert.equal(summary.organizerUpn, 'organiser@contoso.example');
    assert.equal(summary.start, analysis.instanceStart);
  });

  test('counts human hand-offs and device switches; mass-event members are not drops', () => {
    const multi = analyse([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600 }),
      session({ key: 'u', device: 'phone', join: 500, leave: 2000 }),
      session({ key: 'v', device: 'laptop', join: 0, leave: 600 }),
      session({ key: 'v', device: 'phone', join: 640, leave: 2000 }),
    ]);
    const s = summariseMeeting(multi.analysis, multi.meeting);
    assert.equal(s.handoffs, 1);
    assert.equal(s.deviceSwitches, 1);
    assert.equal(s.byClass.human.drops, 1);

    const crowd: ClassifiedSession[] = [];
    for (const key of ['a', 'b', 'c'])
      crowd.push(session({ key, join: 0, leave: 1000 }), session({ key, join: 1020, leave: 3000 }));
    const mass = analyse(crowd);
    const m = summariseMeeting(mass.analysis, mass.meeting);
    assert.equal(m.massEvents, 1);
    assert.equal(m.byClass.human.drops, 0);
    assert.equal(m.byClass.human.affectedParticipants, 0);
    assert.equal(m.gapHistogram[2], 3, 'mass-event gaps stay in the histogram');
  });
});

test('gap buckets: <0, then 0 ≤ g ≤ 10, then from < g ≤ to', () => {
  assert.deepEqual(
    [-0.5, 0, 10, 10.001, 30, 60, 61, 120, 300, 301, 600, 900, 901, 5000].map(gapBucket),
    [0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8],
  );
});

describe('summarise', () => {
  const base = (
    byClass: Partial<Record<ParticipantClass, ClassCounts>>,
    extra: Partial<MeetingSummary> = {},
  ): MeetingSummary => {
    const full = {} as Record<ParticipantClass, ClassCounts>;
    for (const cls of PARTICIPANT_CLASSES) full[cls] = byClass[cls] ?? counts({});
    return {
      meetingId: 'm',
      start: 0,
      end: 0,
      organizerUpn: '',
      organizerId: '',
      meetingType: '',
      byClass: full,
      massEvents: 0,
      possibleDrops: 0,
      deviceSwitches: 0,
      handoffs: 0,
      gapHistogram: GAP_BUCKETS.map(() => 0),
      ...extra,
    };
  };

  test('no meetings: every count and rate is 0, never NaN', () => {
    const t = summarise([]);
    assert.equal(t.meetings, 0);
    assert.equal(t.meetingsAffectedPct, 0);
    assert.equal(t.dropRatePct, 0);
    assert.equal(t.participantMeetingsAffectedPct, 0);
    assert.equal(t.byClass.phone.dropRatePct, 0);
    assert.ok(!JSON.stringify(t).includes('null'), 'NaN would serialise as null');
    assert.deepEqual(
      t.gapHistogram.map((b) => b.label),
      GAP_BUCKETS.map((b) => b.label),
    );
  });

  test('rates use their own denominators; human headline only from humans', () => {
    const t = summarise([
      base(
        {
          human: counts({
            participants: 4,
            sessions: 6,
            eligibleSessions: 5,
            drops: 1,
            affectedParticipants: 1,
            lostSeconds: 20,
          }),
          phone: counts({
            participants: 1,
            sessions: 2,
            eligibleSessions: 2,
            drops: 1,
            affectedParticipants: 1,
            lostSeconds: 30,
          }),
        },
        { possibleDrops: 2, massEvents: 1, gapHistogram: [0, 0, 1, 0, 0, 0, 1, 0, 0] },
      ),
      base({
        human: counts({ participants: 2, sessions: 3, eligibleSessions: 3 }),
        phone: counts({ participants: 1, sessions: 1, eligibleSessions: 1 }),
      }),
    ]);
    assert.equal(t.meetings, 2);
    assert.equal(t.meetingsAffected, 1);
    assert.equal(t.meetingsAffectedPct, 50);
    assert.equal(t.participantMeetings, 6);
    assert.equal(t.participantMeetingsAffected, 1);
    assert.equal(t.participantMeetingsAffectedPct, 16.667); // 1/6, 3 decimals
    assert.equal(t.eligibleHumanSessions, 8);
    assert.equal(t.drops, 1);
    assert.equal(t.dropRatePct, 12.5); // 1/8
    assert.equal(t.lostSeconds, 20);
    assert.equal(t.byClass.phone.drops, 1);
    assert.equal(t.byClass.phone.dropRatePct, 33.333); // 1/3
    assert.equal(t.possibleDrops, 2);
    assert.equal(t.massEvents, 1);
    assert.equal(t.gapHistogram[2]?.count, 1);
    assert.equal(t.gapHistogram[6]?.count, 1);
  });

  test('a meeting affected only by phone drops is not an affected meeting', () => {
    const t = summarise([
      base({ phone: counts({ participants: 1, sessions: 2, eligibleSessions: 2, drops: 1, affectedParticipants: 1 }) }),
    ]);
    assert.equal(t.meetingsAffected, 0);
  });

  const countsArb = fc.record({
    participants: fc.nat(20),
    sessions: fc.nat(50),
    eligibleSessions: fc.nat(50),
    drops: fc.nat(10),
    affectedParticipants: fc.nat(10),
    lostSeconds: fc.nat(1_000_000).map((ms) => ms / 1000),
  });
  const summaryArb: fc.Arbitrary<MeetingSummary> = fc
    .record({
      human: countsArb,
      phone: countsArb,
      anonymous: countsArb,
      room: countsArb,
      unknown: countsArb,
      bot: countsArb,
      massEvents: fc.nat(3),
      possibleDrops: fc.nat(5),
      deviceSwitches: fc.nat(5),
      handoffs: fc.nat(5),
      gapHistogram: fc.array(fc.nat(5), { minLength: GAP_BUCKETS.length, maxLength: GAP_BUCKETS.length }),
    })
    .map(({ human, phone, anonymous, room, unknown, bot, ...rest }) =>
      base({ human, phone, anonymous, room, unknown, bot }, rest),
    );

  test('(d) summaries merge: summarise(a) ⊕ summarise(b) = summarise(a ∪ b), in any order, also from stored JSON rows', () => {
    fc.assert(
      fc.property(fc.array(summaryArb, { maxLength: 12 }), fc.nat(12), (all, cut) => {
        const whole = summarise(all);
        const k = Math.min(cut, all.length);
        assert.deepStrictEqual(mergeTenantSummaries(summarise(all.slice(0, k)), summarise(all.slice(k))), whole);
        assert.deepStrictEqual(summarise([...all].reverse()), whole);
        const stored = all.map((s) => JSON.parse(JSON.stringify(s)) as MeetingSummary);
        assert.deepStrictEqual(summarise(stored), whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe('contributions and aggregate', () => {
  test('human sessions by site, subnet, platform, user and day; drops go to the lost session', () => {
    const { analysis } = analyse([
      session({ key: 'u', join: 0, leave: 1000, ip: '10.57.1.20', site: 'HQ' }),
      session({ key: 'u', join: 1020, leave: 3000, ip: '203.0.113.50' }),
      session({ key: 'v', join: 0, leave: 3000, platform: 'macOS' }),
      session({ key: 'tel', cls: 'phone', join: 0, leave: 1000 }),
      session({ key: 'tel', cls: 'phone', join: 1030, leave: 3000 }),
      session({ key: 'rec', cls: 'bot', join: 0, leave: 3000 }),
    ]);
    const row = (
      dimension: Contribution['dimension'],
      key: string,
      eligibleSessions: number,
      drops: number,
      lostSeconds: number,
      participants: number,
    ): Contribution => ({ dimension, key, day: '2024-05-01', eligibleSessions, drops, lostSeconds, participants });
    assert.deepEqual(contributions(analysis), [
      row('site', 'HQ', 1, 1, 20, 1),
      row('site', 'no IP', 1, 0, 0, 1),
      row('site', 'unmapped', 1, 0, 0, 1),
      // /24 of 10.57.1.20 holds u's first (lost) session and its drop; 203.0.113.50 is another /24.
      row('subnet', '10.57.1.0/24', 1, 1, 20, 1),
      row('subnet', '203.0.113.0/24', 1, 0, 0, 1),
      row('subnet', 'no IP', 1, 0, 0, 1),
      row('platform', 'macOS', 1, 0, 0, 1),
      row('platform', 'windows', 2, 1, 20, 1),
      row('user', 'u', 2, 1, 20, 1),
      row('user', 'v', 1, 0, 0, 1),
      row('day', '2024-05-01', 3, 1, 20, 2),
    ]);
  });

  test("subnets: IPv4 /24 and IPv6 /48 of the session IP, drops under the lost session's subnet", () => {
    const { analysis } = analyse([
      // w: two sessions in 10.57.1.x, a 20 s drop from the first → 10.57.1.0/24 has 3 sessions, 1 drop.
      session({ key: 'w', join: 0, leave: 1000, ip: '10.57.1.20' }),
      session({ key: 'w', join: 1020, leave: 3000, ip: '10.57.1.21' }),
      session({ key: 'x', join: 0, leave: 3000, ip: '10.57.1.200' }),
      // Same first three octets' neighbour /24 is a different subnet.
      session({ key: 'y', join: 0, leave: 3000, ip: '10.57.2.7' }),
      // Two IPv6 addresses sharing their first 48 bits (2001:db8:1::/48) and one outside it.
      session({ key: 'z', join: 0, leave: 3000, ip: '2001:db8:1:a::5' }),
      session({ key: 'q', join: 0, leave: 3000, ip: '2001:db8:1:ffff::9' }),
      session({ key: 'r', join: 0, leave: 3000, ip: '2001:db8:2::1' }),
      // Not a human: never in a ranking.
      session({ key: 'rec', cls: 'bot', join: 0, leave: 3000, ip: '10.57.3.1' }),
    ]);
    const subnets = contributions(analysis)
      .filter((c) => c.dimension === 'subnet')
      .map((c) => [c.key, c.eligibleSessions, c.drops, c.lostSeconds, c.participants]);
    assert.deepEqual(subnets, [
      ['10.57.1.0/24', 3, 1, 20, 2],
      ['10.57.2.0/24', 1, 0, 0, 1],
      ['2001:db8:1::/48', 2, 0, 0, 2],
      ['2001:db8:2::/48', 1, 0, 0, 1],
    ]);
    // 3 sessions reach minSessions 3; the others are ranked after it as not enough data.
    const ranked = aggregate(contributions(analysis), 'subnet', 3);
    assert.deepEqual(
      ranked.map((r) => [r.key, r.dropRatePct, r.enoughData]),
      [
        ['10.57.1.0/24', 33.333, true],
        ['2001:db8:1::/48', 0, false],
        ['10.57.2.0/24', 0, false],
        ['2001:db8:2::/48', 0, false],
      ],
    );
  });

  test('rankings: worst rate first among keys with enough sessions, then the rest', () => {
    const c = (
      key: string,
      eligibleSessions: number,
      drops: number,
      dimension: Contribution['dimension'] = 'site',
    ): Contribution => ({
      dimension,
      key,
      day: '2024-05-01',
      eligibleSessions,
      drops,
      lostSeconds: drops * 10,
      participants: 1,
    });
    const ranked = aggregate(
      [
        c('A', 10, 1),
        c('A', 15, 1),
        c('B', 30, 3),
        c('C', 5, 5),
        c('D', 20, 0),
        c('E', 0, 0),
        c('windows', 100, 50, 'platform'),
      ],
      'site',
      20,
    );
    assert.deepEqual(
      ranked.map((r) => [r.key, r.eligibleSessions, r.drops, r.dropRatePct, r.enoughData]),
      [
        ['B', 30, 3, 10, true],
        ['A', 25, 2, 8, true],
        ['D', 20, 0, 0, true],
        ['C', 5, 5, 100, false],
        ['E', 0, 0, 0, false],
      ],
    );
    assert.equal(ranked[1]?.lostSeconds, 20);
    assert.equal(ranked[1]?.participants, 2);
  });
});
