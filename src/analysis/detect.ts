// Disconnection detector: meeting-instance window, per-device re-join gaps, suppression rules, mass events.
import type { SessionRecord } from '../audit/records.js';
import { formatClockUtc } from '../audit/time.js';
import {
  DEFAULT_DETECTION_PARAMS,
  type Band,
  type ClassifiedSession,
  type DetectionNote,
  type DetectionParams,
  type Disconnection,
  type KeyConfidence,
  type MassEvent,
  type Meeting,
  type MeetingAnalysis,
  type NetworkEvidence,
  type ParticipantClass,
  type ParticipantResult,
} from './model.js';

export interface MeetingWindow {
  start: number;
  end: number;
  source: 'MeetingDetail' | 'sessions';
}

/** Site label of a session without a mapped site: an IP outside the site map, or no IP at all. */
export const UNMAPPED_SITE = 'unmapped';
export const NO_IP_SITE = 'no IP';

/** Site name, or 'unmapped' (IP not in the site map) or 'no IP'. */
export function siteLabel(ip: string, siteName: string | undefined): string {
  return siteName ?? (ip === '' ? NO_IP_SITE : UNMAPPED_SITE);
}

/**
 * A participant's class is the first of these found among its sessions, so a key is a bot only when
 * every one of its sessions is a bot, and anyone seen once on a Teams client is a human.
 */
const CLASS_PRECEDENCE: readonly ParticipantClass[] = ['human', 'room', 'phone', 'anonymous', 'unknown', 'bot'];

/**
 * The meeting instance: MeetingDetail StartTime/EndTime when both are present and ordered; otherwise
 * min(join)..max(leave) over the sessions of human participants, else over all non-bot sessions, else
 * over all sessions ({0, 0} when there are none).
 */
export function meetingWindow(meeting: Meeting, sessions: ClassifiedSession[]): MeetingWindow {
  return detailWindow(meeting) ?? windowOfParticipants(participantLists(sessions));
}

/** MeetingDetail StartTime/EndTime when both are present and ordered. */
function detailWindow(meeting: Meeting): MeetingWindow | undefined {
  const detail = meeting.detail;
  if (detail && isFiniteNumber(detail.startTime) && isFiniteNumber(detail.endTime) && detail.endTime >= detail.startTime) {
    return { start: detail.startTime, end: detail.endTime, source: 'MeetingDetail' };
  }
  return undefined;
}

/** A participant's sessions (or one session), as an iteration gives them. */
type SessionsOfParticipant = () => Iterable<ClassifiedSession[]>;

/** The sessions grouped by participant key. */
function participantLists(sessions: ClassifiedSession[]): SessionsOfParticipant {
  return () => groupBy(sessions, (s) => s.participantKey).values();
}

/** The window from the sessions: human participants' sessions, else non-bot sessions, else all. */
function windowOfParticipants(participants: SessionsOfParticipant): MeetingWindow {
  const human = new Span();
  const nonBot = new Span();
  const all = new Span();
  for (const list of participants()) {
    const isHuman = classOf(list) === 'human';
    for (const s of list) {
      all.add(s);
      if (s.participantClass === 'bot') continue;
      nonBot.add(s);
      if (isHuman) human.add(s);
    }
  }
  const pool = human.count > 0 ? human : nonBot.count > 0 ? nonBot : all;
  if (pool.count === 0) return { start: 0, end: 0, source: 'sessions' };
  return { start: pool.start, end: Math.max(pool.start, pool.end), source: 'sessions' };
}

/** min(join)..max(leave) of the sessions added. */
class Span {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;
  count = 0;
  add(s: ClassifiedSession): void {
    if (s.session.joinTime < this.start) this.start = s.session.joinTime;
    if (s.session.leaveTime > this.end) this.end = s.session.leaveTime;
    this.count++;
  }
}

function groupBy<T>(values: Iterable<T>, keyOf: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const v of values) {
    const key = keyOf(v);
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  return groups;
}

/** What an analysis keeps besides its findings. */
export interface AnalysisOptions {
  /** Leave `sessions` and `participants` empty (they are most of an analysis's memory on a large meeting). */
  findingsOnly?: boolean;
  /**
   * With findingsOnly: the participant key classify() gives a session, known without classifying it.
   * analyseMeeting then classifies a large meeting one participant at a time, so its classified
   * sessions never all exist at once. Same result; classify() then runs twice per session when the
   * window comes from the sessions (no usable MeetingDetail).
   */
  participantKeyOf?: (s: SessionRecord) => string;
  /** Meetings with at least this many sessions count as large (default 1000; below it, classifying all at once is cheaper). */
  largeMeetingSessions?: number;
}

const LARGE_MEETING_SESSIONS = 1000;

/** Classifies, windows and analyses one meeting. */
export function analyseMeeting(
  meeting: Meeting,
  classify: (s: SessionRecord) => ClassifiedSession,
  params: DetectionParams = DEFAULT_DETECTION_PARAMS,
  options: AnalysisOptions = {},
): MeetingAnalysis {
  if (options.findingsOnly === true && options.participantKeyOf !== undefined
    && meeting.sessions.length >= (options.largeMeetingSessions ?? LARGE_MEETING_SESSIONS)) {
    return findingsByParticipant(meeting, classify, params, options.participantKeyOf);
  }
  const sessions = meeting.sessions.map(classify);
  return detectDisconnections(meeting.meetingId, sessions, meetingWindow(meeting, sessions), params, options);
}

/** analyseMeeting with findingsOnly, classifying the sessions of one participant at a time. */
function findingsByParticipant(
  meeting: Meeting,
  classify: (s: SessionRecord) => ClassifiedSession,
  params: DetectionParams,
  keyOf: (s: SessionRecord) => string,
): MeetingAnalysis {
  const records = groupBy(meeting.sessions, keyOf);
  const classified = function* (): Iterable<ClassifiedSession[]> {
    for (const [key, list] of records) {
      const sessions = list.map(classify);
      for (const s of sessions) {
        if (s.participantKey !== key) throw new Error('participantKeyOf and classify give different participant keys');
      }
      yield sessions;
    }
  };
  const window = detailWindow(meeting) ?? windowOfParticipants(classified);
  const rule = toRule(params, window);
  const disconnections: Disconnection[] = [];
  const notes: DetectionNote[] = [];
  let humansInMeeting = 0;
  /** Only the participants with findings: their order is all the sorting below needs. */
  const withFindings: Participant[] = [];
  for (const sessions of classified()) {
    const participant = toParticipant(sessions[0]!.participantKey, sessions);
    if (participant.participantClass === 'human') humansInMeeting++;
    if (participant.participantClass === 'bot' || participant.sessions.length < 2) continue;
    const before = disconnections.length + notes.length;
    detectParticipant(meeting.meetingId, participant, rule, disconnections, notes);
    if (disconnections.length + notes.length > before) withFindings.push(participant);
  }
  sortParticipants(withFindings);
  const analysis = findingsAnalysis(meeting.meetingId, window, rule, withFindings, humansInMeeting, disconnections, notes);
  return { ...analysis, sessions: [], participants: [] };
}

/**
 * Runs the rule of detection.md §4.2 on the classified sessions of one meeting and returns the full
 * analysis (sessions sorted by join, leave, record id). The result does not depend on input order.
 * `params` are assumed valid (from DEFAULT_DETECTION_PARAMS or parseDetectionParams).
 * O(n log n) in the number of sessions.
 */
export function detectDisconnections(
  meetingId: string,
  sessions: ClassifiedSession[],
  window: MeetingWindow,
  params: DetectionParams = DEFAULT_DETECTION_PARAMS,
  options: AnalysisOptions = {},
): MeetingAnalysis {
  const rule = toRule(params, window);
  const participants = groupParticipants(sessions);

  const disconnections: Disconnection[] = [];
  const notes: DetectionNote[] = [];
  let humansInMeeting = 0;
  for (const participant of participants) {
    if (participant.participantClass === 'human') humansInMeeting++;
    // A participant with one session has no re-join to judge: nothing to report.
    if (participant.participantClass === 'bot' || participant.sessions.length < 2) continue;
    detectParticipant(meetingId, participant, rule, disconnections, notes);
  }
  const analysis = findingsAnalysis(meetingId, window, rule, participants, humansInMeeting, disconnections, notes);
  return {
    ...analysis,
    sessions: options.findingsOnly === true ? [] : sortInPlace([...sessions], compareSessions),
    participants: options.findingsOnly === true ? [] : participantResults(participants, disconnections),
  };
}

/**
 * The findings sorted by participant order (`participants`, sorted by sortParticipants; it must hold
 * every participant with a finding), with the mass events.
 */
function findingsAnalysis(
  meetingId: string,
  window: MeetingWindow,
  rule: Rule,
  participants: readonly Participant[],
  humansInMeeting: number,
  disconnections: Disconnection[],
  notes: DetectionNote[],
): Omit<MeetingAnalysis, 'sessions' | 'participants'> {
  // Participant order (first appearance) for sorting the findings; only needed when there are some.
  let order: Map<string, number> | undefined;
  if (disconnections.length + notes.length > 0) {
    order = new Map();
    for (let i = 0; i < participants.length; i++) order.set(participants[i]!.key, i);
  }
  const massEvents = order === undefined ? [] : findMassEvents(meetingId, disconnections, order, humansInMeeting, rule);

  if (order !== undefined) {
    const positions = order;
    const byParticipant = (key: string): number => positions.get(key) ?? Number.MAX_SAFE_INTEGER;
    if (disconnections.length > 1) {
      disconnections.sort(
        (a, b) =>
          byParticipant(a.participantKey) - byParticipant(b.participantKey) ||
          a.leaveTime - b.leaveTime ||
          a.rejoinTime - b.rejoinTime ||
          compareText(a.lostRecordId, b.lostRecordId),
      );
    }
    if (notes.length > 1) {
      notes.sort(
        (a, b) =>
          byParticipant(a.participantKey) - byParticipant(b.participantKey) ||
          a.time - b.time ||
          compareText(a.kind, b.kind) ||
          compareText(a.recordIds.join('\n'), b.recordIds.join('\n')),
      );
    }
  }

  return {
    meetingId,
    instanceStart: window.start,
    instanceEnd: window.end,
    instanceSource: window.source,
    disconnections,
    notes,
    massEvents,
  };
}

// ---------------------------------------------------------------------------------------------
// Participants

interface Participant {
  key: string;
  keyConfidence: KeyConfidence;
  participantClass: ParticipantClass;
  displayName?: string;
  upn?: string;
  /** Sorted by compareSessions. */
  sessions: ClassifiedSession[];
}

/** Participants ordered by first appearance in time (earliest session), ties by key. */
function groupParticipants(sessions: ClassifiedSession[]): Participant[] {
  const participants: Participant[] = [];
  groupBy(sessions, (s) => s.participantKey).forEach((list, key) => participants.push(toParticipant(key, list)));
  return sortParticipants(participants);
}

/** One participant from its sessions (sorted here by compareSessions). */
function toParticipant(key: string, list: ClassifiedSession[]): Participant {
  if (list.length > 1) sortInPlace(list, compareSessions);
  let keyConfidence: KeyConfidence = 'high';
  let displayName: string | undefined;
  let upn: string | undefined;
  for (const s of list) {
    if (s.keyConfidence === 'low') keyConfidence = 'low';
    const attendee = s.session.attendee;
    if (displayName === undefined && attendee.displayName) displayName = attendee.displayName;
    if (upn === undefined && attendee.upn) upn = attendee.upn;
  }
  const participant: Participant = { key, keyConfidence, participantClass: classOf(list), sessions: list };
  if (displayName !== undefined) participant.displayName = displayName;
  if (upn !== undefined) participant.upn = upn;
  return participant;
}

/** Sorts participants by their earliest session, ties by key. */
function sortParticipants(participants: Participant[]): Participant[] {
  if (participants.length > 1) {
    sortInPlace(participants, (a, b) => {
      const first = a.sessions[0];
      const second = b.sessions[0];
      const bySession = first && second ? compareSessions(first, second) : 0;
      return bySession || compareText(a.key, b.key);
    });
  }
  return participants;
}

function classOf(sessions: ClassifiedSession[]): ParticipantClass {
  let best = CLASS_PRECEDENCE.length;
  for (const s of sessions) {
    const rank = CLASS_PRECEDENCE.indexOf(s.participantClass);
    if (rank >= 0 && rank < best) best = rank;
  }
  return CLASS_PRECEDENCE[best] ?? 'unknown';
}

function participantResults(participants: Participant[], disconnections: Disconnection[]): ParticipantResult[] {
  const counted = new Map<string, { drops: number; lostSeconds: number; maxGapSeconds: number }>();
  for (const d of disconnections) {
    if (!d.counted) continue;
    const lost = Math.max(0, d.gapSeconds);
    const entry = counted.get(d.participantKey) ?? { drops: 0, lostSeconds: 0, maxGapSeconds: 0 };
    entry.drops += 1;
    entry.lostSeconds = roundMs(entry.lostSeconds + lost);
    entry.maxGapSeconds = Math.max(entry.maxGapSeconds, lost);
    counted.set(d.participantKey, entry);
  }
  return participants.map((p) => {
    const entry = counted.get(p.key);
    const result: ParticipantResult = {
      participantKey: p.key,
      keyConfidence: p.keyConfidence,
      participantClass: p.participantClass,
      sessions: p.sessions.length,
      drops: entry?.drops ?? 0,
      lostSeconds: entry?.lostSeconds ?? 0,
      maxGapSeconds: entry?.maxGapSeconds ?? 0,
    };
    if (p.displayName !== undefined) result.displayName = p.displayName;
    if (p.upn !== undefined) result.upn = p.upn;
    return result;
  });
}

// ---------------------------------------------------------------------------------------------
// Per-participant detection

/** Parameters converted to milliseconds, with the instance window. */
interface Rule {
  params: DetectionParams;
  toleranceMs: number;
  strongMs: number;
  rejoinMs: number;
  possibleMs: number;
  endGraceMs: number;
  massWindowMs: number;
  window: MeetingWindow;
}

function toRule(params: DetectionParams, window: MeetingWindow): Rule {
  return {
    params,
    toleranceMs: params.overlapToleranceSeconds * 1000,
    strongMs: params.strongGapSeconds * 1000,
    rejoinMs: params.rejoinWindowSeconds * 1000,
    possibleMs: params.possibleWindowSeconds * 1000,
    endGraceMs: params.endGraceSeconds * 1000,
    massWindowMs: params.massEventWindowSeconds * 1000,
    window,
  };
}

/** A leave to judge: session `lost` (index) and its successor on the same device, if any. */
interface Leave {
  lost: number;
  next?: number;
}

/**
 * Judges every leave of one participant. Each leave yields at most one disconnection or note, and each
 * re-join session explains at most one disconnection. Matching order: same-device re-joins within
 * rejoinWindow, then device switches (leaves in time order), then same-device re-joins beyond it.
 */
function detectParticipant(
  meetingId: string,
  participant: Participant,
  rule: Rule,
  disconnections: Disconnection[],
  notes: DetectionNote[],
): void {
  // Bot sessions of a non-bot participant are left out, like bot participants.
  const active = participant.sessions.filter((s) => s.participantClass !== 'bot');
  if (active.length === 0) return;
  const joinOf = (i: number): number => at(active, i).session.joinTime;
  const leaveOf = (i: number): number => at(active, i).session.leaveTime;

  const deviceIds = new Map<string, number>();
  const deviceOf = active.map((s) => {
    let id = deviceIds.get(s.deviceKey);
    if (id === undefined) {
      id = deviceIds.size;
      deviceIds.set(s.deviceKey, id);
    }
    return id;
  });

  const note = (kind: DetectionNote['kind'], time: number, indices: number[], reason: string): void => {
    notes.push({ meetingId, participantKey: participant.key, kind, time, recordIds: indices.map((i) => at(active, i).session.recordId), reason });
  };

  // Walk each device stream in time order; `current` is the session reaching furthest so far.
  const streams = new Map<number, number[]>();
  active.forEach((_, i) => {
    const device = at(deviceOf, i);
    const stream = streams.get(device);
    if (stream) stream.push(i);
    else streams.set(device, [i]);
  });
  const leaves: Leave[] = [];
  for (const stream of streams.values()) {
    let current = at(stream, 0);
    for (let k = 1; k < stream.length; k++) {
      const next = at(stream, k);
      const gap = joinOf(next) - leaveOf(current);
      const contained = leaveOf(next) < leaveOf(current) || (leaveOf(next) === leaveOf(current) && gap < 0);
      if (gap < -rule.toleranceMs || contained) {
        note('nested-same-device', joinOf(next), [current, next], nestedReason(active, current, next, contained));
        if (!contained) current = next; // the earlier session's leave falls inside the later one
        continue;
      }
      leaves.push({ lost: current, next });
      current = next;
    }
    leaves.push({ lost: current });
  }

  const multiDevice = deviceIds.size > 1;
  const cover = multiDevice ? new CoverIndex(active, deviceOf) : undefined;
  const available = multiDevice ? new AvailableDeviceIndex(deviceOf) : undefined;
  const reserved = new Uint8Array(active.length);
  const joins = active.map((s) => s.session.joinTime); // ascending: sessions are sorted by join first

  const judge = (leave: Leave, rejoin: number | undefined, kind: Disconnection['kind']): void => {
    const lost = leave.lost;
    const leaveTime = leaveOf(lost);
    const { window } = rule;
    if (rejoin !== undefined && joinOf(rejoin) > window.end) {
      note('rejoin-after-end', joinOf(rejoin), [lost, rejoin],
        `Left at ${clock(leaveTime)} and re-joined at ${clock(joinOf(rejoin))}, after the meeting-instance end (${clock(window.end)}): the meeting was restarted, so this is a new instance, not a drop.`);
      return;
    }
    if (leaveTime >= window.end - rule.endGraceMs) {
      if (rejoin !== undefined) {
        note('leave-at-end', leaveTime, [lost, rejoin],
          `Left at ${clock(leaveTime)}, within ${seconds(rule.params.endGraceSeconds)} s of the meeting-instance end (${clock(window.end)}), and re-joined ${gapText(joinOf(rejoin) - leaveTime, rule)}: the meeting was ending, not a drop.`);
      }
      return;
    }
    const coverer = cover?.coverOf(leaveTime, at(deviceOf, lost), rule.toleranceMs);
    if (coverer !== undefined) {
      const other = at(active, coverer);
      note('device-handoff', leaveTime, rejoin === undefined ? [lost, coverer] : [lost, coverer, rejoin],
        `Left at ${clock(leaveTime)} while another device (${other.platform}) of the same participant stayed connected from ${clock(other.session.joinTime)} to ${clock(other.session.leaveTime)}: device hand-off or companion device, not a drop.`);
      return;
    }
    if (rejoin === undefined) return;
    const gapMs = joinOf(rejoin) - leaveTime;
    if (gapMs > rule.possibleMs) {
      note('gap-too-long', leaveTime, [lost, rejoin],
        `Left at ${clock(leaveTime)} and re-joined on the same device ${gapText(gapMs, rule)}, beyond the ${seconds(rule.params.possibleWindowSeconds)} s possible window: a separate attendance, not a drop.`);
      return;
    }
    disconnections.push(makeDisconnection(meetingId, participant, at(active, lost), at(active, rejoin), kind, rule));
    reserved[rejoin] = 1;
    available?.remove(rejoin);
  };

  // 1. Same-device re-joins within rejoinWindow.
  const later: Leave[] = [];
  for (const leave of leaves) {
    if (leave.next !== undefined && joinOf(leave.next) - leaveOf(leave.lost) <= rule.rejoinMs) judge(leave, leave.next, 'drop');
    else later.push(leave);
  }
  // 2. Device switches, leaves in time order; a leave with a later same-device re-join waits for step 3.
  sortInPlace(later, (a, b) => leaveOf(a.lost) - leaveOf(b.lost) || a.lost - b.lost);
  const deferred: Leave[] = [];
  for (const leave of later) {
    const leaveTime = leaveOf(leave.lost);
    let target: number | undefined;
    if (available) {
      const from = lowerBound(joins, leaveTime - rule.toleranceMs);
      const candidate = available.firstFrom(from, at(deviceOf, leave.lost));
      if (candidate >= 0 && joinOf(candidate) <= leaveTime + rule.rejoinMs) target = candidate;
    }
    if (target !== undefined) judge(leave, target, 'drop-device-switch');
    else if (leave.next === undefined) judge(leave, undefined, 'drop');
    else deferred.push(leave);
  }
  // 3. Same-device re-joins in the possible band (or beyond), unless that session already explained a drop.
  for (const leave of deferred) {
    const next = leave.next;
    judge(leave, next !== undefined && reserved[next] === 0 ? next : undefined, 'drop');
  }
}

function makeDisconnection(
  meetingId: string,
  participant: Participant,
  lost: ClassifiedSession,
  rejoin: ClassifiedSession,
  kind: Disconnection['kind'],
  rule: Rule,
): Disconnection {
  const gapMs = rejoin.session.joinTime - lost.session.leaveTime;
  const band: Band = gapMs <= rule.strongMs ? 'strong' : gapMs <= rule.rejoinMs ? 'probable' : 'possible';
  const network = networkEvidence(lost, rejoin);
  const lowReasons: string[] = [];
  if (participant.keyConfidence === 'low') lowReasons.push('participant identified by display name only, so the sessions may belong to different people (low confidence)');
  if (participant.participantClass === 'anonymous') lowReasons.push('anonymous participant (low confidence)');
  const confidence: Disconnection['confidence'] =
    band === 'possible' || kind === 'drop-device-switch' || lowReasons.length > 0 ? 'low' : band === 'strong' ? 'high' : 'medium';

  const leaveText = `Left at ${clock(lost.session.leaveTime)}`;
  const parts: string[] = [];
  if (kind === 'drop') {
    parts.push(`${leaveText} and rejoined on the same device ${gapText(gapMs, rule)}`);
  } else {
    parts.push(
      `${leaveText} and came back on another device (${rejoin.platform}) ${gapText(gapMs, rule)}, with no same-device re-join within ${seconds(rule.params.rejoinWindowSeconds)} s: ` +
        'drop with device switch, low confidence because the switch may have been deliberate',
    );
  }
  parts.push(bandText(band, rule));
  parts.push(networkText(network));
  parts.push(...lowReasons);
  if (participant.participantClass !== 'human') parts.push(`reported in the ${participant.participantClass} class, apart from the human drop rate`);

  const disconnection: Disconnection = {
    meetingId,
    participantKey: participant.key,
    keyConfidence: participant.keyConfidence,
    participantClass: participant.participantClass,
    deviceKey: lost.deviceKey,
    platform: lost.platform,
    kind,
    band,
    counted: band !== 'possible',
    confidence,
    leaveTime: lost.session.leaveTime,
    rejoinTime: rejoin.session.joinTime,
    gapSeconds: gapMs / 1000,
    lostRecordId: lost.session.recordId,
    rejoinRecordId: rejoin.session.recordId,
    network,
    reason: `${parts.join('; ')}.`,
  };
  if (participant.displayName !== undefined) disconnection.displayName = participant.displayName;
  if (participant.upn !== undefined) disconnection.upn = participant.upn;
  if (kind === 'drop-device-switch') {
    disconnection.rejoinDeviceKey = rejoin.deviceKey;
    disconnection.rejoinPlatform = rejoin.platform;
  }
  return disconnection;
}

/** ipChanged/siteChanged are true only when both sessions have an IP (a missing IP proves nothing). */
function networkEvidence(before: ClassifiedSession, after: ClassifiedSession): NetworkEvidence {
  const bothKnown = before.ip !== '' && after.ip !== '';
  const evidence: NetworkEvidence = {
    ipBefore: before.ip,
    ipAfter: after.ip,
    ipChanged: bothKnown && before.ip !== after.ip,
    siteChanged: bothKnown && siteLabel(before.ip, before.site?.name) !== siteLabel(after.ip, after.site?.name),
  };
  if (before.site) evidence.siteBefore = before.site.name;
  if (after.site) evidence.siteAfter = after.site.name;
  return evidence;
}

function networkText(n: NetworkEvidence): string {
  const siteBefore = siteLabel(n.ipBefore, n.siteBefore);
  const siteAfter = siteLabel(n.ipAfter, n.siteAfter);
  if (n.ipBefore === '' && n.ipAfter === '') return 'no IP recorded';
  if (n.ipBefore === '' || n.ipAfter === '') {
    return `IP ${n.ipBefore || 'none'} → ${n.ipAfter || 'none'} (site ${siteBefore} → ${siteAfter}; one side has no IP, so no network change can be shown)`;
  }
  if (n.ipChanged) return `IP changed ${n.ipBefore} → ${n.ipAfter} (site ${siteBefore} → ${siteAfter})`;
  return `same IP ${n.ipBefore} (site ${siteBefore})`;
}

function bandText(band: Band, rule: Rule): string {
  const p = rule.params;
  if (band === 'strong') return `strong band (gap ≤ ${seconds(p.strongGapSeconds)} s), counted`;
  if (band === 'probable') return `probable band (${seconds(p.strongGapSeconds)}–${seconds(p.rejoinWindowSeconds)} s), counted`;
  return `possible band (${seconds(p.rejoinWindowSeconds)}–${seconds(p.possibleWindowSeconds)} s): reported, not counted in rates`;
}

function gapText(gapMs: number, rule: Rule): string {
  if (gapMs >= 0) return `${seconds(gapMs / 1000)} s later`;
  return `${seconds(-gapMs / 1000)} s before the recorded leave (overlap within the ${seconds(rule.params.overlapToleranceSeconds)} s tolerance)`;
}

function nestedReason(active: ClassifiedSession[], first: number, second: number, contained: boolean): string {
  const a = at(active, first).session;
  const b = at(active, second).session;
  const shape = contained
    ? `the session ${clock(b.joinTime)}–${clock(b.leaveTime)} lies inside the session ${clock(a.joinTime)}–${clock(a.leaveTime)}`
    : `the session joined at ${clock(b.joinTime)} overlaps the session leaving at ${clock(a.leaveTime)} by ${seconds((a.leaveTime - b.joinTime) / 1000)} s`;
  return `On one device description, ${shape}: treated as two physical devices sharing one description, not a drop.`;
}

// ---------------------------------------------------------------------------------------------
// Mass events

/**
 * Drops in the strong/probable bands are sorted by leave time; every window of leaves spanning at most
 * 2 × massEventWindowSeconds (± the window around its midpoint) that holds ≥ massEventMinPeople distinct
 * human participants and ≥ massEventMinShare of the meeting's humans qualifies; overlapping qualifying
 * windows merge into one event. Member drops (of any class) get the event id and are no longer counted.
 */
function findMassEvents(
  meetingId: string,
  disconnections: Disconnection[],
  order: Map<string, number>,
  humansInMeeting: number,
  rule: Rule,
): MassEvent[] {
  if (humansInMeeting === 0) return [];
  const drops = disconnections
    .filter((d) => d.band !== 'possible')
    .sort(
      (a, b) =>
        a.leaveTime - b.leaveTime ||
        (order.get(a.participantKey) ?? 0) - (order.get(b.participantKey) ?? 0) ||
        compareText(a.lostRecordId, b.lostRecordId),
    );
  const { massEventMinPeople, massEventMinShare } = rule.params;
  const qualifies = (humans: number): boolean => humans >= massEventMinPeople && humans / humansInMeeting >= massEventMinShare;

  // Sliding window: [i, j) holds the leaves within massWindowMs × 2 of leave i.
  const humanCount = new Map<string, number>();
  const ranges: Array<[number, number]> = [];
  let j = 0;
  for (let i = 0; i < drops.length; i++) {
    const startTime = at(drops, i).leaveTime;
    while (j < drops.length && at(drops, j).leaveTime - startTime <= 2 * rule.massWindowMs) {
      const d = at(drops, j);
      if (d.participantClass === 'human') humanCount.set(d.participantKey, (humanCount.get(d.participantKey) ?? 0) + 1);
      j++;
    }
    if (qualifies(humanCount.size)) {
      const last = ranges[ranges.length - 1];
      if (last && i < last[1]) last[1] = j;
      else ranges.push([i, j]);
    }
    const leaving = at(drops, i);
    if (leaving.participantClass === 'human') {
      const left = (humanCount.get(leaving.participantKey) ?? 1) - 1;
      if (left === 0) humanCount.delete(leaving.participantKey);
      else humanCount.set(leaving.participantKey, left);
    }
  }

  return ranges.map(([from, to]) => {
    const members = drops.slice(from, to);
    const start = at(members, 0).leaveTime;
    const end = at(members, members.length - 1).leaveTime;
    const id = `${meetingId}#mass#${start}`;
    const people = new Set(members.map((d) => d.participantKey));
    const humans = new Set(members.filter((d) => d.participantClass === 'human').map((d) => d.participantKey));
    const sites = [...new Set(members.map((d) => siteLabel(d.network.ipBefore, d.network.siteBefore)))].sort(compareText);
    for (const d of members) {
      d.massEventId = id;
      d.counted = false;
      d.reason = `${d.reason.replace(/\.$/, '')}; part of mass event ${id} (${people.size} participants dropped within ${seconds(rule.params.massEventWindowSeconds * 2)} s), so not counted individually.`;
    }
    return {
      id,
      meetingId,
      start,
      end,
      participants: people.size,
      humansInMeeting,
      sites,
      reason:
        `${humans.size} of ${humansInMeeting} human participants (${people.size} participants in all) left between ${clock(start)} and ${clock(end)} ` +
        `and re-joined (thresholds: ≥ ${massEventMinPeople} people and ≥ ${seconds(massEventMinShare * 100)} % within ± ${seconds(rule.params.massEventWindowSeconds)} s): ` +
        `likely a service or site incident (sites: ${sites.join(', ')}), counted once here instead of as individual drops.`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Indexes for multi-device participants

/**
 * "Does a session on another device cover this leave?": prefix maxima over sessions sorted by join,
 * keeping the furthest leave and the furthest leave of a different device, so each query is a binary search.
 */
class CoverIndex {
  private readonly joins: number[];
  private readonly best: Int32Array;
  private readonly second: Int32Array;

  constructor(
    private readonly sessions: ClassifiedSession[],
    private readonly deviceOf: number[],
  ) {
    const n = sessions.length;
    this.joins = sessions.map((s) => s.session.joinTime);
    this.best = new Int32Array(n);
    this.second = new Int32Array(n);
    let best = -1;
    let second = -1;
    for (let i = 0; i < n; i++) {
      const leave = this.leave(i);
      if (best < 0) best = i;
      else if (at(deviceOf, i) === at(deviceOf, best)) {
        if (leave > this.leave(best)) best = i;
      } else if (leave > this.leave(best)) {
        second = best;
        best = i;
      } else if (second < 0 || leave > this.leave(second)) {
        second = i;
      }
      this.best[i] = best;
      this.second[i] = second;
    }
  }

  /** A session on a device other than `device` with join ≤ leave − tolerance and leave ≥ leave + tolerance. */
  coverOf(leaveTime: number, device: number, toleranceMs: number): number | undefined {
    const k = lowerBound(this.joins, leaveTime - toleranceMs, true) - 1;
    if (k < 0) return undefined;
    const best = this.best[k] ?? -1;
    const candidate = best >= 0 && at(this.deviceOf, best) !== device ? best : (this.second[k] ?? -1);
    if (candidate < 0) return undefined;
    return this.leave(candidate) >= leaveTime + toleranceMs ? candidate : undefined;
  }

  private leave(i: number): number {
    return at(this.sessions, i).session.leaveTime;
  }
}

const NONE = -1;
const MIXED = -2;

/**
 * Segment tree over sessions sorted by join: which sessions are still free to explain a re-join, and
 * whether a range holds free sessions of one device only. Finds the first free session at or after an
 * index on a device other than a given one in O(log n).
 */
class AvailableDeviceIndex {
  private readonly size: number;
  private readonly tree: Int32Array;

  constructor(deviceOf: number[]) {
    let size = 1;
    while (size < deviceOf.length) size *= 2;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(NONE);
    deviceOf.forEach((device, i) => {
      this.tree[size + i] = device;
    });
    for (let node = size - 1; node >= 1; node--) this.tree[node] = combine(this.value(2 * node), this.value(2 * node + 1));
  }

  remove(index: number): void {
    let node = this.size + index;
    this.tree[node] = NONE;
    for (node >>= 1; node >= 1; node >>= 1) this.tree[node] = combine(this.value(2 * node), this.value(2 * node + 1));
  }

  /** Smallest free index ≥ from whose device is not `excluded`, or −1. */
  firstFrom(from: number, excluded: number): number {
    return this.descend(1, 0, this.size - 1, from, excluded);
  }

  private descend(node: number, low: number, high: number, from: number, excluded: number): number {
    const value = this.value(node);
    if (high < from || value === NONE || value === excluded) return -1;
    if (low === high) return low;
    const mid = (low + high) >> 1;
    const left = this.descend(2 * node, low, mid, from, excluded);
    return left >= 0 ? left : this.descend(2 * node + 1, mid + 1, high, from, excluded);
  }

  private value(node: number): number {
    return this.tree[node] ?? NONE;
  }
}

function combine(a: number, b: number): number {
  if (a === NONE) return b;
  if (b === NONE) return a;
  return a === b ? a : MIXED;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Total order on sessions: join, leave, record id, then the remaining identifying fields. */
export function compareSessions(a: ClassifiedSession, b: ClassifiedSession): number {
  return (
    a.session.joinTime - b.session.joinTime ||
    a.session.leaveTime - b.session.leaveTime ||
    compareText(a.session.recordId, b.session.recordId) ||
    compareText(a.participantKey, b.participantKey) ||
    compareText(a.deviceKey, b.deviceKey) ||
    compareText(a.ip, b.ip)
  );
}

/**
 * Stable in-place sort. Short arrays (most participants and meetings) use insertion sort, which
 * allocates nothing; Array.prototype.sort allocates its work arrays on every call.
 */
function sortInPlace<T>(values: T[], compare: (a: T, b: T) => number): T[] {
  const n = values.length;
  if (n > 16) return values.sort(compare);
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && compare(values[j]!, v) > 0) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose value is ≥ x (or > x when `strict`) in an ascending array. */
function lowerBound(values: number[], x: number, strict = false): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const v = values[mid] ?? Number.POSITIVE_INFINITY;
    if (v < x || (strict && v === x)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range`);
  return value;
}

function isFiniteNumber(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** "14:03:12Z" (with milliseconds only when present). */
function clock(ms: number): string {
  return formatClockUtc(ms);
}

function seconds(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
