// Per-meeting summaries and contributions, and the tenant totals and rankings built from them (mergeable).
import { utcDay } from '../audit/time.js';
import { subnetOf } from './ip.js';
import {
  PARTICIPANT_CLASSES,
  RANKING_DIMENSIONS,
  type Meeting,
  type MeetingAnalysis,
  type ParticipantClass,
  type RankingDimension,
} from './model.js';
import { addCounts, emptyByClass, emptyCounts, pct, roundMs, type ClassCounts } from './classCounts.js';
import { compareText } from './order.js';
import { NO_IP_SITE, siteLabel } from './sites.js';

export { PARTICIPANT_CLASSES } from './model.js';
export type { ClassCounts } from './classCounts.js';

/** One per analysed meeting; nested parts (byClass, gapHistogram) are JSON-stringified when stored. */
export interface MeetingSummary {
  meetingId: string;
  start: number;
  end: number;
  organizerUpn: string;
  organizerId: string;
  meetingType: string;
  byClass: Record<ParticipantClass, ClassCounts>;
  massEvents: number;
  /** Human participants only: possible-band disconnections, device-switch disconnections, hand-off notes. */
  possibleDrops: number;
  deviceSwitches: number;
  handoffs: number;
  /** Counts per GAP_BUCKETS entry of every human disconnection gap (all bands, mass-event members included). */
  gapHistogram: number[];
}

/**
 * Gap buckets in seconds. The first holds negative gaps (overlap within tolerance), the second 0 ≤ g ≤ 10;
 * every other bucket holds from < g ≤ to, so the default band edges (60, 300, 900) are bucket edges.
 */
export const GAP_BUCKETS: ReadonlyArray<{ label: string; from: number; to: number }> = Object.freeze([
  { label: '<0 s (overlap)', from: Number.NEGATIVE_INFINITY, to: 0 },
  { label: '0–10 s', from: 0, to: 10 },
  { label: '10–30 s', from: 10, to: 30 },
  { label: '30–60 s', from: 30, to: 60 },
  { label: '60–120 s', from: 60, to: 120 },
  { label: '120–300 s', from: 120, to: 300 },
  { label: '300–600 s', from: 300, to: 600 },
  { label: '600–900 s', from: 600, to: 900 },
  { label: '>900 s', from: 900, to: Number.POSITIVE_INFINITY },
]);

/** Index in GAP_BUCKETS of a gap in seconds. */
export function gapBucket(gapSeconds: number): number {
  if (gapSeconds < 0) return 0;
  for (let i = 1; i < GAP_BUCKETS.length; i++) {
    const bucket = GAP_BUCKETS[i];
    if (bucket && gapSeconds <= bucket.to) return i;
  }
  return GAP_BUCKETS.length - 1;
}

export function summariseMeeting(analysis: MeetingAnalysis, meeting: Meeting): MeetingSummary {
  const byClass = emptyByClass();
  const classOf = new Map(analysis.participants.map((p) => [p.participantKey, p.participantClass]));
  for (const p of analysis.participants) {
    const counts = byClass[p.participantClass];
    counts.participants += 1;
    if (p.drops > 0) counts.affectedParticipants += 1;
  }
  for (const s of analysis.sessions) {
    const cls = classOf.get(s.participantKey) ?? s.participantClass;
    const counts = byClass[cls];
    counts.sessions += 1;
    if (cls !== 'bot' && s.participantClass !== 'bot' && s.session.joinTime <= analysis.instanceEnd)
      counts.eligibleSessions += 1;
  }
  const gapHistogram = GAP_BUCKETS.map(() => 0);
  let possibleDrops = 0;
  let deviceSwitches = 0;
  for (const d of analysis.disconnections) {
    if (d.counted) {
      const counts = byClass[d.participantClass];
      counts.drops += 1;
      counts.lostSeconds = roundMs(counts.lostSeconds + Math.max(0, d.gapSeconds));
    }
    if (d.participantClass !== 'human') continue;
    const bucket = gapBucket(d.gapSeconds);
    gapHistogram[bucket] = (gapHistogram[bucket] ?? 0) + 1;
    if (d.band === 'possible') possibleDrops += 1;
    if (d.kind === 'drop-device-switch') deviceSwitches += 1;
  }
  const handoffs = analysis.notes.filter(
    (n) => n.kind === 'device-handoff' && classOf.get(n.participantKey) === 'human',
  ).length;

  const first = analysis.sessions[0]?.session;
  const detail = meeting.detail;
  return {
    meetingId: analysis.meetingId,
    start: analysis.instanceStart,
    end: analysis.instanceEnd,
    organizerUpn: detail?.organizerUpn || first?.organizerUpn || '',
    organizerId: detail?.organizerId || first?.organizerId || '',
    meetingType: detail?.meetingType || first?.meetingType || '',
    byClass,
    massEvents: analysis.massEvents.length,
    possibleDrops,
    deviceSwitches,
    handoffs,
    gapHistogram,
  };
}

/** One meeting's share of a site/subnet/platform/user/day ranking. */
export interface Contribution {
  dimension: RankingDimension;
  key: string;
  /** YYYY-MM-DD (UTC) of the meeting-instance start. */
  day: string;
  eligibleSessions: number;
  drops: number;
  lostSeconds: number;
  /** Distinct participants of this meeting under the key (summed over meetings: participant-meetings). */
  participants: number;
}

/**
 * Human participants only. A session counts under its own site ('unmapped' / 'no IP' when not mapped),
 * subnet (IPv4 /24 or IPv6 /48 of its IP, 'no IP' without one) and platform; a counted drop counts under
 * the site, subnet and platform of the session that was lost. Users are keyed by participant key.
 */
export function contributions(analysis: MeetingAnalysis): Contribution[] {
  const day = utcDay(analysis.instanceStart) ?? ''; // '' when the meeting has no usable start
  const humans = new Set(
    analysis.participants.filter((p) => p.participantClass === 'human').map((p) => p.participantKey),
  );
  const rows = new Map<
    string,
    {
      dimension: Contribution['dimension'];
      key: string;
      eligible: number;
      drops: number;
      lost: number;
      people: Set<string>;
    }
  >();
  const row = (dimension: Contribution['dimension'], key: string) => {
    const id = `${dimension}\u0000${key}`;
    let entry = rows.get(id);
    if (!entry) {
      entry = { dimension, key, eligible: 0, drops: 0, lost: 0, people: new Set() };
      rows.set(id, entry);
    }
    return entry;
  };
  const keysOf = (
    site: string,
    ip: string,
    platform: string,
    user: string,
  ): Array<[Contribution['dimension'], string]> => [
    ['site', site],
    ['subnet', subnetLabel(ip)],
    ['platform', platform],
    ['user', user],
    ['day', day],
  ];

  for (const s of analysis.sessions) {
    if (!humans.has(s.participantKey) || s.participantClass === 'bot' || s.session.joinTime > analysis.instanceEnd)
      continue;
    for (const [dimension, key] of keysOf(siteLabel(s.ip, s.site?.name), s.ip, s.platform, s.participantKey)) {
      const entry = row(dimension, key);
      entry.eligible += 1;
      entry.people.add(s.participantKey);
    }
  }
  for (const d of analysis.disconnections) {
    if (!d.counted || d.participantClass !== 'human') continue;
    for (const [dimension, key] of keysOf(
      siteLabel(d.network.ipBefore, d.network.siteBefore),
      d.network.ipBefore,
      d.platform,
      d.participantKey,
    )) {
      const entry = row(dimension, key);
      entry.drops += 1;
      entry.lost = roundMs(entry.lost + Math.max(0, d.gapSeconds));
      entry.people.add(d.participantKey);
    }
  }
  return [...rows.values()]
    .sort(
      (a, b) =>
        RANKING_DIMENSIONS.indexOf(a.dimension) - RANKING_DIMENSIONS.indexOf(b.dimension) || compareText(a.key, b.key),
    )
    .map((r) => ({
      dimension: r.dimension,
      key: r.key,
      day,
      eligibleSessions: r.eligible,
      drops: r.drops,
      lostSeconds: r.lost,
      participants: r.people.size,
    }));
}

/** The subnet key of a normalised IP ('' → 'no IP'). */
export function subnetLabel(ip: string): string {
  return subnetOf(ip) ?? NO_IP_SITE;
}

export interface TenantSummary {
  meetings: number;
  /** Meetings with ≥ 1 counted human drop. */
  meetingsAffected: number;
  meetingsAffectedPct: number;
  /** Human participant-meetings. */
  participantMeetings: number;
  participantMeetingsAffected: number;
  participantMeetingsAffectedPct: number;
  eligibleHumanSessions: number;
  /** Counted human drops. */
  drops: number;
  /** drops ÷ eligibleHumanSessions × 100. */
  dropRatePct: number;
  lostSeconds: number;
  byClass: Record<ParticipantClass, ClassCounts & { dropRatePct: number }>;
  massEvents: number;
  possibleDrops: number;
  deviceSwitches: number;
  handoffs: number;
  gapHistogram: Array<{ label: string; count: number }>;
}

/** Tenant totals over meeting summaries. Every rate is 0 when its denominator is 0. */
export function summarise(summaries: Iterable<MeetingSummary>): TenantSummary {
  let merged = emptyTenantSummary();
  for (const m of summaries) merged = mergeTenantSummaries(merged, fromMeeting(m));
  return merged;
}

/** Combines two tenant summaries over disjoint sets of meetings: mergeTenantSummaries(summarise(a), summarise(b)) = summarise(a ∪ b). */
export function mergeTenantSummaries(a: TenantSummary, b: TenantSummary): TenantSummary {
  const byClass = {} as TenantSummary['byClass'];
  for (const cls of PARTICIPANT_CLASSES) {
    const counts = addCounts(a.byClass[cls], b.byClass[cls]);
    byClass[cls] = { ...counts, dropRatePct: pct(counts.drops, counts.eligibleSessions) };
  }
  const human = byClass.human;
  const meetings = a.meetings + b.meetings;
  const meetingsAffected = a.meetingsAffected + b.meetingsAffected;
  return {
    meetings,
    meetingsAffected,
    meetingsAffectedPct: pct(meetingsAffected, meetings),
    participantMeetings: human.participants,
    participantMeetingsAffected: human.affectedParticipants,
    participantMeetingsAffectedPct: pct(human.affectedParticipants, human.participants),
    eligibleHumanSessions: human.eligibleSessions,
    drops: human.drops,
    dropRatePct: human.dropRatePct,
    lostSeconds: human.lostSeconds,
    byClass,
    massEvents: a.massEvents + b.massEvents,
    possibleDrops: a.possibleDrops + b.possibleDrops,
    deviceSwitches: a.deviceSwitches + b.deviceSwitches,
    handoffs: a.handoffs + b.handoffs,
    gapHistogram: GAP_BUCKETS.map((bucket, i) => ({
      label: bucket.label,
      count: (a.gapHistogram[i]?.count ?? 0) + (b.gapHistogram[i]?.count ?? 0),
    })),
  };
}

function emptyTenantSummary(): TenantSummary {
  const byClass = {} as TenantSummary['byClass'];
  for (const cls of PARTICIPANT_CLASSES) byClass[cls] = { ...emptyCounts(), dropRatePct: 0 };
  return {
    meetings: 0,
    meetingsAffected: 0,
    meetingsAffectedPct: 0,
    participantMeetings: 0,
    participantMeetingsAffected: 0,
    participantMeetingsAffectedPct: 0,
    eligibleHumanSessions: 0,
    drops: 0,
    dropRatePct: 0,
    lostSeconds: 0,
    byClass,
    massEvents: 0,
    possibleDrops: 0,
    deviceSwitches: 0,
    handoffs: 0,
    gapHistogram: GAP_BUCKETS.map((bucket) => ({ label: bucket.label, count: 0 })),
  };
}

/** A one-meeting tenant summary; tolerant of stored rows that lack a class or a bucket. */
function fromMeeting(m: MeetingSummary): TenantSummary {
  const summary = emptyTenantSummary();
  for (const cls of PARTICIPANT_CLASSES) {
    summary.byClass[cls] = { ...addCounts(emptyCounts(), m.byClass?.[cls]), dropRatePct: 0 };
  }
  summary.meetings = 1;
  summary.meetingsAffected = summary.byClass.human.drops > 0 ? 1 : 0;
  summary.massEvents = m.massEvents || 0;
  summary.possibleDrops = m.possibleDrops || 0;
  summary.deviceSwitches = m.deviceSwitches || 0;
  summary.handoffs = m.handoffs || 0;
  summary.gapHistogram = GAP_BUCKETS.map((bucket, i) => ({ label: bucket.label, count: m.gapHistogram?.[i] ?? 0 }));
  // Merging with the empty summary derives every rate from the counts.
  return mergeTenantSummaries(emptyTenantSummary(), summary);
}

export interface Ranking {
  key: string;
  eligibleSessions: number;
  drops: number;
  dropRatePct: number;
  lostSeconds: number;
  participants: number;
  /** eligibleSessions ≥ minSessions. */
  enoughData: boolean;
}

/**
 * Sums contributions of one dimension by key. Worst first (drop rate, then drops, then sessions, then key)
 * among keys with enough data, then the keys below minSessions in the same order.
 */
export function aggregate(
  contribs: Iterable<Contribution>,
  dimension: Contribution['dimension'],
  minSessions: number,
): Ranking[] {
  const byKey = new Map<string, { eligible: number; drops: number; lost: number; participants: number }>();
  for (const c of contribs) {
    if (c.dimension !== dimension) continue;
    const entry = byKey.get(c.key) ?? { eligible: 0, drops: 0, lost: 0, participants: 0 };
    entry.eligible += c.eligibleSessions;
    entry.drops += c.drops;
    entry.lost = roundMs(entry.lost + c.lostSeconds);
    entry.participants += c.participants;
    byKey.set(c.key, entry);
  }
  const rows: Ranking[] = [...byKey].map(([key, e]) => ({
    key,
    eligibleSessions: e.eligible,
    drops: e.drops,
    dropRatePct: pct(e.drops, e.eligible),
    lostSeconds: e.lost,
    participants: e.participants,
    enoughData: e.eligible >= minSessions,
  }));
  return rows.sort(
    (a, b) =>
      Number(b.enoughData) - Number(a.enoughData) ||
      b.dropRatePct - a.dropRatePct ||
      b.drops - a.drops ||
      b.eligibleSessions - a.eligibleSessions ||
      compareText(a.key, b.key),
  );
}
