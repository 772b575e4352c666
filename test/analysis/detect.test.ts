import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyseMeeting, detectDisconnections, meetingWindow, type MeetingWindow } from '../../src/analysis/detect.js';
import { parseDetectionParams } from '../../src/analysis/params.js';
import {
  DEFAULT_DETECTION_PARAMS,
  type ClassifiedSession,
  type DetectionParams,
  type Meeting,
  type MeetingAnalysis,
  type ParticipantClass,
} from '../../src/analysis/model.js';
import type { MeetingDetailRecord, SessionRecord } from '../../src/audit/records.js';
import { at, session, windowTo } from './classifiedSessionFixtures.js';

const LONG = windowTo(7200);

function detect(
  sessions: ClassifiedSession[],
  window: MeetingWindow = LONG,
  params?: Partial<DetectionParams>,
): MeetingAnalysis {
  return detectDisconnections('m1', sessions, window, { ...DEFAULT_DETECTION_PARAMS, ...params });
}

/** One participant on one device: [0, 1000] then a re-join `gap` seconds after the leave. */
function leaveAndRejoin(gap: number, extra: Partial<Parameters<typeof session>[0]> = {}): ClassifiedSession[] {
  return [
    session({ key: 'u', join: 0, leave: 1000, id: 'first', ...extra }),
    session({ key: 'u', join: 1000 + gap, leave: 3000, id: 'second', ...extra }),
  ];
}

describe('gap bands (defaults: strong ≤ 60 s, probable ≤ 300 s, possible ≤ 900 s)', () => {
  test('a gap of exactly strongGapSeconds is strong, counted, high confidence', () => {
    const [d, ...rest] = detect(leaveAndRejoin(60)).disconnections;
    assert.equal(rest.length, 0);
    assert.ok(d);
    assert.equal(d.band, 'strong');
    assert.equal(d.kind, 'drop');
    assert.equal(d.counted, true);
    assert.equal(d.confidence, 'high');
    assert.equal(d.gapSeconds, 60);
    assert.equal(d.leaveTime, at(1000));
    assert.equal(d.rejoinTime, at(1060));
    assert.equal(d.lostRecordId, 'first');
    assert.equal(d.rejoinRecordId, 'second');
  });

  test('one second above strongGapSeconds is probable, counted, medium confidence', () => {
    const [d] = detect(leaveAndRejoin(61)).disconnections;
    assert.equal(d?.band, 'probable');
    assert.equal(d?.counted, true);
    assert.equal(d?.confidence, 'medium');
  });

  test('a gap of exactly rejoinWindowSeconds is still probable and counted', () => {
    const [d] = detect(leaveAndRejoin(300)).disconnections;
    assert.equal(d?.band, 'probable');
    assert.equal(d?.counted, true);
  });

  test('one second above rejoinWindowSeconds is possible: reported, not counted, low confidence', () => {
    const analysis = detect(leaveAndRejoin(301));
    const [d] = analysis.disconnections;
    assert.equal(d?.band, 'possible');
    assert.equal(d?.counted, false);
    assert.equal(d?.confidence, 'low');
    assert.match(d?.reason ?? '', /not counted/);
    assert.equal(analysis.participants[0]?.drops, 0);
  });

  test('a gap of exactly possibleWindowSeconds is possible; one second more is only a gap-too-long note', () => {
    assert.equal(detect(leaveAndRejoin(900)).disconnections[0]?.band, 'possible');
    const beyond = detect(leaveAndRejoin(901));
    assert.deepEqual(beyond.disconnections, []);
    assert.deepEqual(
      beyond.notes.map((n) => [n.kind, n.recordIds]),
      [['gap-too-long', ['first', 'second']]],
    );
  });

  test('non-default band parameters move the boundaries', () => {
    const params = { strongGapSeconds: 30, rejoinWindowSeconds: 120, possibleWindowSeconds: 400 };
    assert.equal(detect(leaveAndRejoin(30), LONG, params).disconnections[0]?.band, 'strong');
    assert.equal(detect(leaveAndRejoin(31), LONG, params).disconnections[0]?.band, 'probable');
    assert.equal(detect(leaveAndRejoin(121), LONG, params).disconnections[0]?.band, 'possible');
    assert.equal(detect(leaveAndRejoin(401), LONG, params).disconnections.length, 0);
  });
});

describe('overlap tolerance and nested intervals', () => {
  test('a re-join up to overlapToleranceSeconds before the leave is a drop with a negative gap (lost time 0)', () => {
    const analysis = detect(leaveAndRejoin(-10));
    const [d] = analysis.disconnections;
    assert.equal(d?.gapSeconds, -10);
    assert.equal(d?.band, 'strong');
    assert.equal(d?.counted, true);
    assert.match(d?.reason ?? '', /10 s before the recorded leave/);
    assert.equal(analysis.participants[0]?.drops, 1);
    assert.equal(analysis.participants[0]?.lostSeconds, 0);
  });

  test('an overlap larger than the tolerance is two devices sharing a string: a note, not a drop', () => {
    const analysis = detect(leaveAndRejoin(-11));
    assert.deepEqual(analysis.disconnections, []);
    assert.deepEqual(
      analysis.notes.map((n) => [n.kind, n.recordIds]),
      [['nested-same-device', ['first', 'second']]],
    );
  });

  test('two identical intervals on one device give the same note whatever the input order', () => {
    const x = session({ key: 'u', join: 0, leave: 1000, id: 'x' });
    const y = session({ key: 'u', join: 0, leave: 1000, id: 'y' });
    const forward = detect([x, y]);
    assert.deepEqual(
      forward.notes.map((n) => [n.kind, n.recordIds]),
      [['nested-same-device', ['x', 'y']]],
    );
    assert.deepStrictEqual(detect([y, x]), forward);
  });

  test('overlapToleranceSeconds = 0 makes a 1 s overlap nested', () => {
    const analysis = detect(leaveAndRejoin(-1), LONG, { overlapToleranceSeconds: 0 });
    assert.equal(analysis.disconnections.length, 0);
    assert.equal(analysis.notes[0]?.kind, 'nested-same-device');
  });

  test('after a partial overlap the later session carries on, and its leave is the one judged', () => {
    const analysis = detect([
      session({ key: 'u', join: 0, leave: 1000, id: 'early' }),
      session({ key: 'u', join: 500, leave: 2000, id: 'overlapping' }),
      session({ key: 'u', join: 2030, leave: 3000, id: 'after' }),
    ]);
    assert.deepEqual(
      analysis.notes.map((n) => [n.kind, n.recordIds]),
      [['nested-same-device', ['early', 'overlapping']]],
    );
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.lostRecordId, d.rejoinRecordId, d.gapSeconds]),
      [['overlapping', 'after', 30]],
    );
  });

  test('a session inside another on the same device is noted, and the outer session is the one that drops', () => {
    const analysis = detect([
      session({ key: 'u', join: 0, leave: 1000, id: 'outer' }),
      session({ key: 'u', join: 100, leave: 200, id: 'inner' }),
      session({ key: 'u', join: 1030, leave: 3000, id: 'after' }),
    ]);
    assert.deepEqual(
      analysis.notes.map((n) => [n.kind, n.recordIds]),
      [['nested-same-device', ['outer', 'inner']]],
    );
    // inner's leave at 200 is inside outer, so only outer (left 1000) → after (1030) is a drop.
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.lostRecordId, d.rejoinRecordId, d.gapSeconds]),
      [['outer', 'after', 30]],
    );
  });
});

describe('multi-device', () => {
  // laptop leaves at 600 and comes back at 630; the phone spans the leave by ≥ 10 s on both sides.
  const withPhone = (phoneJoin: number, phoneLeave: number): ClassifiedSession[] => [
    session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop-1' }),
    session({ key: 'u', device: 'phone', platform: 'iOS', join: phoneJoin, leave: phoneLeave, id: 'phone' }),
    session({ key: 'u', device: 'laptop', join: 630, leave: 2000, id: 'laptop-2' }),
  ];

  test('another device covering the leave makes it a hand-off note, not a drop', () => {
    const analysis = detect(withPhone(500, 2000));
    assert.deepEqual(analysis.disconnections, []);
    assert.equal(analysis.notes.length, 1);
    assert.equal(analysis.notes[0]?.kind, 'device-handoff');
    assert.deepEqual(analysis.notes[0]?.recordIds, ['laptop-1', 'phone', 'laptop-2']);
  });

  test('cover needs overlapToleranceSeconds on both sides of the leave (590 and 610 here)', () => {
    assert.equal(detect(withPhone(590, 610)).notes[0]?.kind, 'device-handoff');
    // phone joins 1 s too late or leaves 1 s too early: the laptop re-join is a same-device drop.
    for (const [join, leave] of [
      [591, 2000],
      [500, 609],
    ] as const) {
      const analysis = detect(withPhone(join, leave));
      assert.deepEqual(
        analysis.disconnections.map((d) => [d.kind, d.lostRecordId, d.gapSeconds]),
        [['drop', 'laptop-1', 30]],
      );
    }
  });

  test('coming back on another device within rejoinWindow is a drop with device switch, low confidence', () => {
    const [d, ...rest] = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop' }),
      session({ key: 'u', device: 'phone', platform: 'iOS', join: 640, leave: 2000, id: 'phone' }),
    ]).disconnections;
    assert.equal(rest.length, 0);
    assert.equal(d?.kind, 'drop-device-switch');
    assert.equal(d?.gapSeconds, 40);
    assert.equal(d?.band, 'strong');
    assert.equal(d?.counted, true);
    assert.equal(d?.confidence, 'low');
    assert.equal(d?.deviceKey, 'laptop');
    assert.equal(d?.rejoinDeviceKey, 'phone');
    assert.equal(d?.rejoinPlatform, 'iOS');
    assert.match(d?.reason ?? '', /another device \(iOS\)/);
    assert.match(d?.reason ?? '', /low confidence/);
  });

  test('a device switch after rejoinWindow is not reported (possible band applies to same-device re-joins only)', () => {
    const analysis = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600 }),
      session({ key: 'u', device: 'phone', join: 901, leave: 2000 }),
    ]);
    assert.deepEqual(analysis.disconnections, []);
    assert.deepEqual(analysis.notes, []);
  });

  test('a same-device re-join takes precedence over a device switch, and the leave is reported once', () => {
    const analysis = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop-1' }),
      session({ key: 'u', device: 'phone', join: 610, leave: 2000, id: 'phone' }),
      session({ key: 'u', device: 'laptop', join: 620, leave: 2000, id: 'laptop-2' }),
    ]);
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.kind, d.lostRecordId, d.rejoinRecordId]),
      [['drop', 'laptop-1', 'laptop-2']],
    );
  });

  test('a device switch within rejoinWindow wins over a same-device re-join in the possible band', () => {
    const analysis = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop-1' }),
      session({ key: 'u', device: 'phone', join: 620, leave: 2000, id: 'phone' }),
      session({ key: 'u', device: 'laptop', join: 1100, leave: 2000, id: 'laptop-2' }),
    ]);
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.kind, d.lostRecordId, d.rejoinRecordId, d.band]),
      [['drop-device-switch', 'laptop-1', 'phone', 'strong']],
    );
  });

  test('a session that explained a device switch is not also a possible-band re-join', () => {
    // laptop leaves at 600 (phone only 350 s later: no switch); the phone leaves at 990 and the laptop
    // returns at 1000: that return is the phone's switch, not a 400 s possible re-join of the laptop.
    const analysis = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop-1' }),
      session({ key: 'u', device: 'phone', join: 950, leave: 990, id: 'phone' }),
      session({ key: 'u', device: 'laptop', join: 1000, leave: 3000, id: 'laptop-2' }),
    ]);
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.kind, d.lostRecordId, d.rejoinRecordId, d.gapSeconds]),
      [['drop-device-switch', 'phone', 'laptop-2', 10]],
    );
  });

  test('one re-join session explains at most one drop', () => {
    // laptop and tablet both end (600, 605) and the person returns once, on the phone.
    const analysis = detect([
      session({ key: 'u', device: 'laptop', join: 0, leave: 600, id: 'laptop' }),
      session({ key: 'u', device: 'tablet', join: 0, leave: 605, id: 'tablet' }),
      session({ key: 'u', device: 'phone', join: 620, leave: 2000, id: 'phone' }),
    ]);
    assert.deepEqual(
      analysis.disconnections.map((d) => [d.lostRecordId, d.rejoinRecordId]),
      [['laptop', 'phone']],
    );
  });
});

describe('meeting end', () => {
  test('a leave within endGraceSeconds of the instance end is a leave-at-end note', () => {
    const analysis = detect(
      [session({ key: 'u', join: 0, leave: 3480, id: 'a' }), session({ key: 'u', join: 3500, leave: 3600, id: 'b' })],
      windowTo(3600),
    );
    assert.deepEqual(analysis.disconnections, []);
    assert.deepEqual(
      analysis.notes.map((n) => [n.kind, n.recordIds]),
      [['leave-at-end', ['a', 'b']]],
    );
  });

  test('one second earlier than the grace is a drop; endGraceSeconds = 0 removes the grace', () => {
    const early = detect(
      [session({ key: 'u', join: 0, leave: 3479 }), session({ key: 'u', join: 3500, leave: 3600 })],
      windowTo(3600),
    );
    assert.equal(early.disconnections[0]?.gapSeconds, 21);
    const noGrace = detect(
      [session({ key: 'u', join: 0, leave: 3480 }), session({ key: 'u', join: 3500, leave: 3600 })],
      windowTo(3600),
      { endGraceSeconds: 0 },
    );
    assert.equal(noGrace.disconnections[0]?.gapSeconds, 20);
  });

  test('a final leave with no re-join produces no note', () => {
    assert.deepEqual(detect([session({ key: 'u', join: 0, leave: 3590 })], windowTo(3600)).notes, []);
  });

  test('a re-join after the instance end is a restarted meeting: rejoin-after-end note', () => {
    const after = detect(
      [session({ key: 'u', join: 0, leave: 1000, id: 'a' }), session({ key: 'u', join: 1201, leave: 1500, id: 'b' })],
      windowTo(1200),
    );
    assert.deepEqual(after.disconnections, []);
    assert.deepEqual(
      after.notes.map((n) => [n.kind, n.recordIds, n.time]),
      [['rejoin-after-end', ['a', 'b'], at(1201)]],
    );
    // A re-join exactly at the end is still inside the instance (and 1000 < 1200 − 120).
    const atEnd = detect(
      [session({ key: 'u', join: 0, leave: 1000 }), session({ key: 'u', join: 1200, leave: 1500 })],
      windowTo(1200),
    );
    assert.equal(atEnd.disconnections[0]?.gapSeconds, 200);
  });
});

describe('participant classes', () => {
  test('bots are excluded from detection but their sessions stay in the analysis', () => {
    const sessions = leaveAndRejoin(20, { key: 'recorder', cls: 'bot' });
    const analysis = detect(sessions);
    assert.deepEqual(analysis.disconnections, []);
    assert.deepEqual(analysis.notes, []);
    assert.equal(analysis.sessions.length, 2);
    assert.deepEqual(
      analysis.participants.map((p) => [p.participantKey, p.participantClass, p.sessions, p.drops]),
      [['recorder', 'bot', 2, 0]],
    );
  });

  test('a bot-classified session of a human participant is ignored', () => {
    const analysis = detect([
      session({ key: 'u', join: 0, leave: 1000 }),
      session({ key: 'u', join: 1010, leave: 3000, cls: 'bot' }),
    ]);
    assert.deepEqual(analysis.disconnections, []);
    assert.equal(analysis.participants[0]?.participantClass, 'human');
  });

  test('a phone participant drop is reported and counted in the phone class', () => {
    const [d] = detect(leaveAndRejoin(20, { key: 'tel', cls: 'phone', device: '', platform: 'pstn' })).disconnections;
    assert.equal(d?.participantClass, 'phone');
    assert.equal(d?.counted, true);
    assert.match(d?.reason ?? '', /reported in the phone class, apart from the human drop rate/);
  });

  test('anonymous participants are reported with low confidence', () => {
    const [d] = detect(leaveAndRejoin(20, { key: 'Guest', cls: 'anonymous', keyConfidence: 'low' })).disconnections;
    assert.equal(d?.participantClass, 'anonymous');
    assert.equal(d?.confidence, 'low');
    assert.equal(d?.counted, true);
  });

  test('a DisplayName key lowers a strong same-device drop to low confidence, still counted', () => {
    const [d] = detect(leaveAndRejoin(20, { key: 'Alex Smith', keyConfidence: 'low' })).disconnections;
    assert.equal(d?.band, 'strong');
    assert.equal(d?.confidence, 'low');
    assert.equal(d?.keyConfidence, 'low');
    assert.equal(d?.counted, true);
    assert.match(d?.reason ?? '', /display name/);
  });
});

describe('mass events', () => {
  /** `humans` humans in the meeting; the first three drop at the given leave times and re-join 30 s later. */
  function meeting(humans: number, leaves: number[], extra: ClassifiedSession[] = []): ClassifiedSession[] {
    const sessions: ClassifiedSession[] = [...extra];
    for (let i = 0; i < humans; i++) {
      const key = `h${i}`;
      const leave = leaves[i];
      if (leave === undefined) sessions.push(session({ key, join: 0, leave: 7000 }));
      else
        sessions.push(
          session({ key, join: 0, leave, id: `${key}-lost` }),
          session({ key, join: leave + 30, leave: 7000 }),
        );
    }
    return sessions;
  }

  test('3 of 10 humans leaving within ± 60 s (span 120 s) form one event; their drops are not counted', () => {
    const analysis = detect(meeting(10, [1000, 1060, 1120]));
    assert.equal(analysis.massEvents.length, 1);
    const event = analysis.massEvents[0];
    assert.equal(event?.id, `m1#mass#${at(1000)}`);
    assert.equal(event?.start, at(1000));
    assert.equal(event?.end, at(1120));
    assert.equal(event?.participants, 3);
    assert.equal(event?.humansInMeeting, 10);
    assert.equal(analysis.disconnections.length, 3);
    for (const d of analysis.disconnections) {
      assert.equal(d.massEventId, event?.id);
      assert.equal(d.counted, false);
      assert.match(d.reason, /part of mass event/);
    }
    assert.equal(
      analysis.participants.reduce((sum, p) => sum + p.drops, 0),
      0,
    );
  });

  test('a span of 121 s, a share under 30 %, or too few people leave the drops counted', () => {
    const cases: Array<[string, ClassifiedSession[], Partial<DetectionParams>]> = [
      ['span', meeting(10, [1000, 1060, 1121]), {}],
      ['share 3/11', meeting(11, [1000, 1060, 1120]), {}],
      ['min people 4', meeting(10, [1000, 1060, 1120]), { massEventMinPeople: 4 }],
      ['window 30 s', meeting(10, [1000, 1060, 1120]), { massEventWindowSeconds: 30 }],
    ];
    for (const [name, sessions, params] of cases) {
      const analysis = detect(sessions, LONG, params);
      assert.equal(analysis.massEvents.length, 0, name);
      assert.deepEqual(
        analysis.disconnections.map((d) => d.counted),
        [true, true, true],
        name,
      );
    }
    // A lower share threshold admits 3 of 11.
    assert.equal(detect(meeting(11, [1000, 1060, 1120]), LONG, { massEventMinShare: 0.2 }).massEvents.length, 1);
  });

  test('only human drops count towards the threshold', () => {
    const phone = leaveAndRejoin(30, { key: 'tel', cls: 'phone' }); // the phone leaves at 1000
    const analysis = detect(meeting(10, [1010, 1020], phone));
    assert.equal(analysis.massEvents.length, 0);
    assert.equal(analysis.disconnections.filter((d) => d.counted).length, 3);
  });

  test('the event lists the sites of the lost sessions', () => {
    const sessions = meeting(10, []);
    sessions.push(
      session({ key: 'x1', join: 0, leave: 1000, ip: '10.57.1.20', site: 'HQ' }),
      session({ key: 'x1', join: 1030, leave: 7000 }),
      session({ key: 'x2', join: 0, leave: 1000 }),
      session({ key: 'x2', join: 1030, leave: 7000 }),
      session({ key: 'x3', join: 0, leave: 1000, ip: '198.51.100.7' }),
      session({ key: 'x3', join: 1030, leave: 7000 }),
    );
    // 3 of 13 humans is 23 %: lower the share so the event forms.
    const [event] = detect(sessions, LONG, { massEventMinShare: 0.2 }).massEvents;
    assert.deepEqual(event?.sites, ['HQ', 'no IP', 'unmapped']);
  });
});

describe('network evidence', () => {
  test('IP and site change are shown in the evidence and the reason', () => {
    const [d] = detect([
      session({ key: 'u', join: 0, leave: 1000, ip: '10.57.1.20', site: 'HQ' }),
      session({ key: 'u', join: 1042, leave: 3000, ip: '203.0.113.50' }),
    ]).disconnections;
    assert.deepEqual(d?.network, {
      ipBefore: '10.57.1.20',
      ipAfter: '203.0.113.50',
      siteBefore: 'HQ',
      ipChanged: true,
      siteChanged: true,
    });
    // T0 is 14:00:00Z, so the leave at +1000 s is 14:16:40Z.
    assert.match(d?.reason ?? '', /^Left at 14:16:40Z and rejoined on the same device 42 s later/);
    assert.match(d?.reason ?? '', /IP changed 10\.57\.1\.20 → 203\.0\.113\.50 \(site HQ → unmapped\)/);
  });

  test('same IP is no change; a missing IP on one side proves no change', () => {
    const same = detect(leaveAndRejoin(20, { ip: '10.57.1.20', site: 'HQ' })).disconnections[0];
    assert.equal(same?.network.ipChanged, false);
    assert.equal(same?.network.siteChanged, false);
    assert.match(same?.reason ?? '', /same IP 10\.57\.1\.20 \(site HQ\)/);
    const missing = detect([
      session({ key: 'u', join: 0, leave: 1000, ip: '10.57.1.20', site: 'HQ' }),
      session({ key: 'u', join: 1020, leave: 3000 }),
    ]).disconnections[0];
    assert.equal(missing?.network.ipChanged, false);
    assert.equal(missing?.network.siteChanged, false);
    assert.equal(missing?.network.ipAfter, '');
  });

  test('two mapped sites: site changed', () => {
    const [d] = detect([
      session({ key: 'u', join: 0, leave: 1000, ip: '10.57.1.20', site: 'HQ' }),
      session({ key: 'u', join: 1020, leave: 3000, ip: '10.58.1.20', site: 'Branch' }),
    ]).disconnections;
    assert.equal(d?.network.siteAfter, 'Branch');
    assert.equal(d?.network.siteChanged, true);
  });
});

describe('participant results and order', () => {
  test('drops, lost seconds and max gap use counted drops only; negative gaps count as 0', () => {
    const analysis = detect([
      session({ key: 'u', join: 0, leave: 1000 }),
      session({ key: 'u', join: 995, leave: 2000 }), // −5 s, counted, 0 lost
      session({ key: 'u', join: 2040, leave: 3000 }), // 40 s
      session({ key: 'u', join: 3200, leave: 4000 }), // 200 s
      session({ key: 'u', join: 4400, leave: 5000 }), // 400 s, possible: not counted
    ]);
    assert.deepEqual(
      analysis.disconnections.map((d) => d.gapSeconds),
      [-5, 40, 200, 400],
    );
    const [p] = analysis.participants;
    assert.equal(p?.sessions, 5);
    assert.equal(p?.drops, 3);
    assert.equal(p?.lostSeconds, 240);
    assert.equal(p?.maxGapSeconds, 200);
    assert.equal(p?.upn, 'u@contoso.example');
  });

  test('participants and their disconnections are ordered by first appearance in time', () => {
    const analysis = detect([
      ...leaveAndRejoin(20, { key: 'amy' }).map((s) => ({
        ...s,
        session: { ...s.session, joinTime: s.session.joinTime + 10_000 },
      })),
      ...leaveAndRejoin(20, { key: 'zed' }),
    ]);
    assert.deepEqual(
      analysis.participants.map((p) => p.participantKey),
      ['zed', 'amy'],
    );
    assert.deepEqual(
      analysis.disconnections.map((d) => d.participantKey),
      ['zed', 'amy'],
    );
  });
});

/** A MeetingDetail record of meeting m1 with the given start and end (seconds after the fixtures' origin). */
function detail(start?: number, end?: number): MeetingDetailRecord {
  const record: MeetingDetailRecord = {
    kind: 'meeting',
    recordId: 'm1',
    meetingId: 'm1',
    organizerUpn: 'o@x',
    organizerId: 'o',
    organizerOrganizationId: 't',
    startTimeRaw: '',
    endTimeRaw: '',
    meetingType: 'Scheduled',
    source: { file: 'f', line: 1 },
  };
  if (start !== undefined) record.startTime = at(start);
  if (end !== undefined) record.endTime = at(end);
  return record;
}

describe('meeting window', () => {
  const sessions = [
    session({ key: 'a', join: 100, leave: 2000 }),
    session({ key: 'b', join: 50, leave: 1500 }),
    session({ key: 'bot', cls: 'bot', join: 0, leave: 9000 }),
  ];

  test('MeetingDetail StartTime/EndTime when both are present', () => {
    assert.deepEqual(meetingWindow({ meetingId: 'm1', detail: detail(10, 20), sessions: [] }, sessions), {
      start: at(10),
      end: at(20),
      source: 'MeetingDetail',
    });
  });

  test('otherwise min join / max leave of humans (bots ignored)', () => {
    assert.deepEqual(meetingWindow({ meetingId: 'm1', sessions: [] }, sessions), {
      start: at(50),
      end: at(2000),
      source: 'sessions',
    });
    // A detail without EndTime, or with EndTime before StartTime, is not used.
    assert.equal(meetingWindow({ meetingId: 'm1', detail: detail(10), sessions: [] }, sessions).source, 'sessions');
    assert.equal(meetingWindow({ meetingId: 'm1', detail: detail(20, 10), sessions: [] }, sessions).source, 'sessions');
  });

  test('without humans: non-bot sessions, then all sessions', () => {
    const phoneAndBot = [
      session({ key: 't', cls: 'phone', join: 100, leave: 200 }),
      session({ key: 'bot', cls: 'bot', join: 0, leave: 9000 }),
    ];
    assert.deepEqual(meetingWindow({ meetingId: 'm1', sessions: [] }, phoneAndBot), {
      start: at(100),
      end: at(200),
      source: 'sessions',
    });
    assert.deepEqual(meetingWindow({ meetingId: 'm1', sessions: [] }, phoneAndBot.slice(1)), {
      start: at(0),
      end: at(9000),
      source: 'sessions',
    });
  });

  test('analyseMeeting classifies, uses the MeetingDetail window and reports its source', () => {
    const built = [session({ key: 'u', join: 0, leave: 1000 }), session({ key: 'u', join: 1010, leave: 3000 })];
    const byId = new Map(built.map((s) => [s.session.recordId, s]));
    const classify = (r: SessionRecord): ClassifiedSession => byId.get(r.recordId) ?? assert.fail('unknown record');
    const records = built.map((s) => s.session);
    // MeetingDetail ends at 1100: the leave at 1000 is within the 120 s grace.
    const withDetail = analyseMeeting({ meetingId: 'm1', detail: detail(0, 1100), sessions: records }, classify);
    assert.equal(withDetail.instanceSource, 'MeetingDetail');
    assert.equal(withDetail.disconnections.length, 0);
    assert.equal(withDetail.notes[0]?.kind, 'leave-at-end');
    // From the sessions the instance ends at 3000: a 10 s drop.
    const fromSessions = analyseMeeting({ meetingId: 'm1', sessions: records }, classify);
    assert.equal(fromSessions.instanceSource, 'sessions');
    assert.equal(fromSessions.instanceEnd, at(3000));
    assert.equal(fromSessions.disconnections[0]?.gapSeconds, 10);
  });

  test('findingsOnly: the same findings, without the sorted sessions and the per-participant results', () => {
    const sessions = [
      ...leaveAndRejoin(30),
      session({ key: 'v', join: 0, leave: 500 }),
      session({ key: 'v', join: 520, leave: 900 }),
    ];
    const full = detectDisconnections('m1', sessions, LONG);
    const lean = detectDisconnections('m1', sessions, LONG, DEFAULT_DETECTION_PARAMS, { findingsOnly: true });
    assert.equal(full.disconnections.length, 2);
    assert.equal(full.participants.length, 2);
    assert.deepEqual(lean, { ...full, sessions: [], participants: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const CLASSES: ParticipantClass[] = ['human', 'human', 'human', 'phone', 'anonymous', 'room', 'bot'];
const specArb = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  device: fc.constantFrom('laptop', 'phone', 'web'),
  // Coarse times (multiples of 30 s) make ties and gaps exactly on band edges common.
  join: fc.oneof(
    fc.integer({ min: 0, max: 4000 }),
    fc.integer({ min: 0, max: 130 }).map((n) => n * 30),
  ),
  duration: fc.oneof(
    fc.integer({ min: 0, max: 1500 }),
    fc.integer({ min: 0, max: 50 }).map((n) => n * 30),
  ),
  ip: fc.constantFrom('', '10.57.1.20', '203.0.113.50'),
  cls: fc.constantFrom(...CLASSES),
});
const HUMAN: ParticipantClass = 'human';
/** Several humans who leave close together and come back: material for mass events. */
const crowdArb = fc
  .record({
    at: fc.integer({ min: 500, max: 3000 }),
    people: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 150 }), gap: fc.integer({ min: -10, max: 200 }) }), {
      maxLength: 8,
    }),
  })
  .map(({ at: leaveAt, people }) =>
    people.flatMap((p, i) => [
      { key: `h${i}`, device: 'laptop', join: 0, duration: leaveAt + p.offset, ip: '10.57.1.20', cls: HUMAN },
      {
        key: `h${i}`,
        device: 'laptop',
        join: leaveAt + p.offset + p.gap,
        duration: 2000,
        ip: '203.0.113.50',
        cls: HUMAN,
      },
    ]),
  );
const sessionsArb = fc
  .tuple(fc.array(specArb, { maxLength: 30 }), fc.oneof(fc.constant([]), crowdArb))
  .map(([random, crowd]) =>
    [...random, ...crowd].map((s, i) =>
      session({
        key: s.key,
        device: s.device,
        join: s.join,
        leave: s.join + s.duration,
        ip: s.ip,
        cls: s.cls,
        id: `r${i}`,
        keyConfidence: s.key === 'e' ? 'low' : 'high',
        ...(s.ip === '10.57.1.20' ? { site: 'HQ' } : {}),
      }),
    ),
  );
const windowArb = fc.option(
  fc.record({ start: fc.integer({ min: 0, max: 1000 }), end: fc.integer({ min: 1000, max: 6000 }) }),
  { nil: undefined },
);
const paramsArb: fc.Arbitrary<DetectionParams> = fc
  .record({
    overlapToleranceSeconds: fc.integer({ min: 0, max: 30 }),
    strongGapSeconds: fc.integer({ min: 0, max: 120 }),
    probableExtra: fc.integer({ min: 0, max: 400 }),
    possibleExtra: fc.integer({ min: 0, max: 900 }),
    endGraceSeconds: fc.integer({ min: 0, max: 300 }),
    massEventWindowSeconds: fc.integer({ min: 0, max: 120 }),
    massEventMinShare: fc.integer({ min: 1, max: 10 }).map((n) => n / 10),
    massEventMinPeople: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ probableExtra, possibleExtra, ...p }) => ({
    ...p,
    rejoinWindowSeconds: p.strongGapSeconds + probableExtra,
    possibleWindowSeconds: p.strongGapSeconds + probableExtra + possibleExtra,
    minSessions: 20,
  }));

function windowFor(sessions: ClassifiedSession[], w: { start: number; end: number } | undefined): MeetingWindow {
  return w ? windowTo(w.end, w.start) : meetingWindow({ meetingId: 'm1', sessions: [] }, sessions);
}

describe('properties', () => {
  test('analyseMeeting one participant at a time (large meetings, findingsOnly) gives the findings of the whole-meeting analysis', () => {
    fc.assert(
      fc.property(sessionsArb, windowArb, paramsArb, (sessions, w, params) => {
        const byId = new Map(sessions.map((s) => [s.session.recordId, s]));
        let classified = 0;
        const classify = (r: SessionRecord): ClassifiedSession => {
          classified++;
          return byId.get(r.recordId) ?? assert.fail('unknown record');
        };
        const meeting: Meeting = { meetingId: 'm1', sessions: sessions.map((s) => s.session) };
        if (w) meeting.detail = detail(w.start, w.end);
        const whole = analyseMeeting(meeting, classify, params);
        const perParticipant = analyseMeeting(meeting, classify, params, {
          findingsOnly: true,
          participantKeyOf: (r) => byId.get(r.recordId)!.participantKey,
          largeMeetingSessions: 0,
        });
        assert.deepStrictEqual(perParticipant, { ...whole, sessions: [], participants: [] });
        assert.ok(classified >= 2 * sessions.length);
      }),
      { numRuns: 300 },
    );
  });

  test('analyseMeeting refuses a participantKeyOf that disagrees with classify', () => {
    const built = [
      session({ key: 'u', join: 0, leave: 100, id: 'a' }),
      session({ key: 'u', join: 200, leave: 300, id: 'b' }),
    ];
    const byId = new Map(built.map((s) => [s.session.recordId, s]));
    const meeting: Meeting = { meetingId: 'm1', sessions: built.map((s) => s.session) };
    assert.throws(
      () =>
        analyseMeeting(meeting, (r) => byId.get(r.recordId)!, DEFAULT_DETECTION_PARAMS, {
          findingsOnly: true,
          participantKeyOf: () => 'someone else',
          largeMeetingSessions: 0,
        }),
      /participantKeyOf and classify give different participant keys/,
    );
  });

  test('(a) permuting the input sessions does not change the result', () => {
    fc.assert(
      fc.property(
        sessionsArb.chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length })),
        ),
        windowArb,
        paramsArb,
        ([sessions, shuffled], w, params) => {
          const window = windowFor(sessions, w);
          assert.deepStrictEqual(
            detectDisconnections('m1', shuffled, window, params),
            detectDisconnections('m1', sessions, window, params),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('(b) gaps stay within [−overlapTolerance, possibleWindow], bands match gaps, counted ⇒ not possible, each leave once', () => {
    fc.assert(
      fc.property(sessionsArb, windowArb, paramsArb, (sessions, w, params) => {
        const analysis = detectDisconnections('m1', sessions, windowFor(sessions, w), params);
        const lost = new Set<string>();
        const rejoins = new Set<string>();
        for (const d of analysis.disconnections) {
          assert.ok(
            d.gapSeconds >= -params.overlapToleranceSeconds && d.gapSeconds <= params.possibleWindowSeconds,
            `gap ${d.gapSeconds}`,
          );
          const expectedBand =
            d.gapSeconds <= params.strongGapSeconds
              ? 'strong'
              : d.gapSeconds <= params.rejoinWindowSeconds
                ? 'probable'
                : 'possible';
          assert.equal(d.band, expectedBand);
          if (d.counted) assert.notEqual(d.band, 'possible');
          if (d.kind === 'drop-device-switch') assert.notEqual(d.band, 'possible');
          assert.notEqual(d.participantClass, 'bot');
          assert.ok(d.leaveTime < analysis.instanceEnd - params.endGraceSeconds * 1000, 'leave at end');
          assert.ok(d.rejoinTime <= analysis.instanceEnd, 'rejoin after end');
          assert.ok(!lost.has(d.lostRecordId), 'a leave reported twice');
          assert.ok(!rejoins.has(d.rejoinRecordId), 'a re-join used twice');
          lost.add(d.lostRecordId);
          rejoins.add(d.rejoinRecordId);
        }
        const massIds = new Set(analysis.massEvents.map((e) => e.id));
        for (const d of analysis.disconnections) if (d.massEventId) assert.ok(massIds.has(d.massEventId) && !d.counted);
      }),
      { numRuns: 500 },
    );
  });

  test('(c) shifting every time by a constant shifts the result by that constant', () => {
    const strip = (a: MeetingAnalysis, shiftMs: number) => ({
      window: [a.instanceStart - shiftMs, a.instanceEnd - shiftMs, a.instanceSource],
      participants: a.participants,
      disconnections: a.disconnections.map(({ reason: _r, massEventId, ...d }) => ({
        ...d,
        leaveTime: d.leaveTime - shiftMs,
        rejoinTime: d.rejoinTime - shiftMs,
        inMassEvent: massEventId !== undefined,
      })),
      notes: a.notes.map(({ reason: _r, ...n }) => ({ ...n, time: n.time - shiftMs })),
      massEvents: a.massEvents.map(({ reason: _r, id: _i, ...e }) => ({
        ...e,
        start: e.start - shiftMs,
        end: e.end - shiftMs,
      })),
    });
    fc.assert(
      fc.property(
        sessionsArb,
        windowArb,
        paramsArb,
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        (sessions, w, params, shiftSeconds) => {
          const shiftMs = shiftSeconds * 1000;
          const window = windowFor(sessions, w);
          const shifted = sessions.map((s) => ({
            ...s,
            session: { ...s.session, joinTime: s.session.joinTime + shiftMs, leaveTime: s.session.leaveTime + shiftMs },
          }));
          const shiftedWindow = { ...window, start: window.start + shiftMs, end: window.end + shiftMs };
          assert.deepStrictEqual(
            strip(detectDisconnections('m1', shifted, shiftedWindow, params), shiftMs),
            strip(detectDisconnections('m1', sessions, window, params), 0),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('(e) setting a parameter explicitly to its default gives the default result', () => {
    const names = Object.keys(DEFAULT_DETECTION_PARAMS) as Array<keyof DetectionParams>;
    fc.assert(
      fc.property(sessionsArb, windowArb, fc.constantFrom(...names), (sessions, w, name) => {
        const window = windowFor(sessions, w);
        const explicit = parseDetectionParams({ [name]: DEFAULT_DETECTION_PARAMS[name] }, 'test');
        assert.deepStrictEqual(
          detectDisconnections('m1', sessions, window, explicit),
          detectDisconnections('m1', sessions, window),
        );
      }),
      { numRuns: 200 },
    );
  });
});
