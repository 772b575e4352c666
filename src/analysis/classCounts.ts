// The counts of one participant class (per meeting or summed) and the arithmetic on them.
import { PARTICIPANT_CLASSES, type ParticipantClass } from './model.js';

/** Counts for one participant class in one meeting (or summed over meetings). */
export interface ClassCounts {
  /** Participants of the class (summed over meetings: participant-meetings). */
  participants: number;
  /** All their sessions, bot sessions included. */
  sessions: number;
  /** Sessions that could drop: not a bot session, joined no later than the instance end. The drop-rate denominator. */
  eligibleSessions: number;
  /** Counted drops (strong/probable band, not part of a mass event). */
  drops: number;
  /** Participants with ≥ 1 counted drop. */
  affectedParticipants: number;
  /** Sum of counted gaps in seconds (negative gaps count as 0). */
  lostSeconds: number;
}

export function emptyCounts(): ClassCounts {
  return { participants: 0, sessions: 0, eligibleSessions: 0, drops: 0, affectedParticipants: 0, lostSeconds: 0 };
}

export function emptyByClass(): Record<ParticipantClass, ClassCounts> {
  const byClass = {} as Record<ParticipantClass, ClassCounts>;
  for (const cls of PARTICIPANT_CLASSES) byClass[cls] = emptyCounts();
  return byClass;
}

export function addCounts(a: Partial<ClassCounts> | undefined, b: Partial<ClassCounts> | undefined): ClassCounts {
  const n = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    participants: n(a?.participants) + n(b?.participants),
    sessions: n(a?.sessions) + n(b?.sessions),
    eligibleSessions: n(a?.eligibleSessions) + n(b?.eligibleSessions),
    drops: n(a?.drops) + n(b?.drops),
    affectedParticipants: n(a?.affectedParticipants) + n(b?.affectedParticipants),
    lostSeconds: roundMs(n(a?.lostSeconds) + n(b?.lostSeconds)),
  };
}

/** Percentage rounded to 3 decimals; 0 when the denominator is 0. */
export function pct(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 100_000) / 1000 : 0;
}

export function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
