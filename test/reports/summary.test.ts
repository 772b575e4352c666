import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankingRows, summaryReport, totalsPairs } from '../../src/reports/summary.js';
import { renderSummaryText } from '../../src/reports/render/text.js';
import { scenario } from './scenario.fixture.js';

test('totals: 2 meetings, 1 affected; 3 human participant-meetings, 1 affected; 1 drop of 5 eligible sessions', () => {
  const report = summaryReport(scenario().analysed, 20);
  const t = report.totals;
  assert.equal(t.meetings, 2);
  assert.equal(t.meetingsAffected, 1);
  assert.equal(t.meetingsAffectedPct, 50);
  assert.equal(t.participantMeetings, 3); // u1 and u2 in M1, u1 in M2
  assert.equal(t.participantMeetingsAffected, 1);
  assert.equal(t.eligibleHumanSessions, 5);
  assert.equal(t.drops, 1);
  assert.equal(t.dropRatePct, 20);
  assert.equal(t.lostSeconds, 30);
  assert.equal(t.possibleDrops, 1);
  assert.equal(t.byClass.phone.participants, 1);
  assert.equal(t.byClass.bot.participants, 1);
  // gaps of 30 s (30–60 bucket edge is inclusive at 30) and 480 s
  const hist = Object.fromEntries(t.gapHistogram.map((b) => [b.label, b.count]));
  assert.equal(hist['10–30 s'], 1);
  assert.equal(hist['300–600 s'], 1);
  assert.deepEqual(Object.keys(report.rankings), ['site', 'subnet', 'platform', 'user', 'day']);
});

test('--group-by keeps one dimension; rankings below minSessions are marked', () => {
  const report = summaryReport(scenario().analysed, 3, ['user']);
  assert.deepEqual(Object.keys(report.rankings), ['user']);
  const rows = rankingRows(report);
  assert.deepEqual(
    rows.map((r) => [r.dimension, r.key, r.eligibleSessions, r.drops, r.enoughData]),
    [
      ['user', 'u1', 3, 1, true],
      ['user', 'u2', 2, 0, false],
    ],
  );
});

test('totals as metric/value pairs cover the per-class counts and every histogram bucket', () => {
  const pairs = new Map(totalsPairs(summaryReport(scenario().analysed, 20).totals));
  assert.equal(pairs.get('drops'), 1);
  assert.equal(pairs.get('byClass.human.eligibleSessions'), 5);
  assert.equal(pairs.get('gapHistogram.>900 s'), 0);
  assert.equal([...pairs.keys()].filter((k) => k.startsWith('gapHistogram.')).length, 9);
});

test('summary text shows totals, classes, histogram and rankings with their threshold', () => {
  const text = renderSummaryText(summaryReport(scenario().analysed, 20), 10);
  assert.match(text, /^Meetings: +2 \(1 with a counted drop, 50\.0%\)$/m);
  assert.match(text, /^Counted drops: +1 \(drop rate 20\.00% of eligible human sessions\)$/m);
  assert.match(text, /^ {2}human +3 +5 +5 +1 +20\.00 +30$/m);
  assert.match(text, /By user \(worst first; "n\/a" below 20 eligible sessions\)/);
  assert.match(text, /^ {2}u1 +3 +1 +n\/a +30 +2$/m);
});
