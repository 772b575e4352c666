// Disconnection detector: classifies and windows a meeting, runs the per-participant rule on every
// participant, finds mass events and sorts the findings. The parts live in detect/.
import type { SessionRecord } from '../audit/records.js';
import {
  DEFAULT_DETECTION_PARAMS,
  type ClassifiedSession,
  type DetectionNote,
  type DetectionParams,
  type Disconnection,
  type Meeting,
  type MeetingAnalysis,
} from './model.js';
import { compareSessions, compareText, groupBy, sortInPlace } from './order.js';
import { findMassEvents } from './detect/massEvents.js';
import {
  groupParticipants,
  participantResults,
  sortParticipants,
  toParticipant,
  type Participant,
} from './detect/participants.js';
import { detectParticipant } from './detect/perParticipant.js';
import { toRule, type MeetingWindow, type Rule } from './detect/rule.js';
import { detailWindow, meetingWindow, windowOfParticipants } from './detect/window.js';

export type { MeetingWindow } from './detect/rule.js';
export { meetingWindow } from './detect/window.js';
export { compareSessions } from './order.js';
/** Re-exported for the modules that still import the site labels from here (they live in sites.ts). */
export { NO_IP_SITE, UNMAPPED_SITE, siteLabel } from './sites.js';

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
  if (
    options.findingsOnly === true &&
    options.participantKeyOf !== undefined &&
    meeting.sessions.length >= (options.largeMeetingSessions ?? LARGE_MEETING_SESSIONS)
  ) {
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
  const analysis = findingsAnalysis(
    meeting.meetingId,
    window,
    rule,
    withFindings,
    humansInMeeting,
    disconnections,
    notes,
  );
  return { ...analysis, sessions: [], participants: [] };
}

/**
 * Runs the detection rule on the classified sessions of one meeting and returns the full
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
