// A meeting's participants: sessions grouped by participant key, each participant's class (by
// precedence over its sessions), their order, and the per-participant results.
import type { ClassifiedSession, Disconnection, KeyConfidence, ParticipantClass, ParticipantResult } from '../model.js';
import { compareSessions, compareText, groupBy, sortInPlace } from '../order.js';

/**
 * A participant's class is the first of these found among its sessions, so a key is a bot only when
 * every one of its sessions is a bot, and anyone seen once on a Teams client is a human.
 */
const CLASS_PRECEDENCE = [
  'human',
  'room',
  'phone',
  'anonymous',
  'unknown',
  'bot',
] as const satisfies readonly ParticipantClass[];
/** Compiles only while every participant class has a place in CLASS_PRECEDENCE. */
const EVERY_CLASS_RANKED: [Exclude<ParticipantClass, (typeof CLASS_PRECEDENCE)[number]>] extends [never]
  ? true
  : never = true;
void EVERY_CLASS_RANKED;

export interface Participant {
  key: string;
  keyConfidence: KeyConfidence;
  participantClass: ParticipantClass;
  displayName?: string;
  upn?: string;
  /** Sorted by compareSessions. */
  sessions: ClassifiedSession[];
}

/** Participants ordered by first appearance in time (earliest session), ties by key. */
export function groupParticipants(sessions: ClassifiedSession[]): Participant[] {
  const participants: Participant[] = [];
  groupBy(sessions, (s) => s.participantKey).forEach((list, key) => participants.push(toParticipant(key, list)));
  return sortParticipants(participants);
}

/** One participant from its sessions (sorted here by compareSessions). */
export function toParticipant(key: string, list: ClassifiedSession[]): Participant {
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
export function sortParticipants(participants: Participant[]): Participant[] {
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

/** The class of the participant whose sessions these are (CLASS_PRECEDENCE). */
export function classOf(sessions: ClassifiedSession[]): ParticipantClass {
  let best: number = CLASS_PRECEDENCE.length;
  for (const s of sessions) {
    const rank = CLASS_PRECEDENCE.indexOf(s.participantClass);
    if (rank >= 0 && rank < best) best = rank;
  }
  return CLASS_PRECEDENCE[best] ?? 'unknown';
}

/** Each participant with its counted drops, lost time and longest counted gap. */
export function participantResults(participants: Participant[], disconnections: Disconnection[]): ParticipantResult[] {
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

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
