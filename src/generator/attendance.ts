// Who attends a synthetic meeting, and with which pattern (a single session, a drop, a device switch,
// a hand-off…): intents whose session costs add up to exactly the meeting's planned session count.
import { PLACEMENT, type ParticipantKind } from './meetingTypes.js';
import type { Rng } from './prng.js';

export type Pattern =
  | 'single'
  | 'drop'
  | 'double-drop'
  | 'device-switch'
  | 'handoff'
  | 'companion'
  | 'nested'
  | 'long-absence'
  | 'mass'
  | 'bot-rejoin'
  | 'both-parts';

const PATTERN_COST: Record<Pattern, number> = {
  single: 1,
  drop: 2,
  'double-drop': 3,
  'device-switch': 2,
  handoff: 2,
  companion: 2,
  nested: 2,
  'long-absence': 2,
  mass: 2,
  'bot-rejoin': 2,
  'both-parts': 2,
};

/** Human participant-meeting patterns (re-joins in ~10 % of participant-meetings, a second device in ~4 %). */
const HUMAN_PATTERNS: readonly (readonly [Pattern, number])[] = [
  ['single', 833],
  ['drop', 78],
  ['double-drop', 12],
  ['device-switch', 15],
  ['companion', 40],
  ['handoff', 10],
  ['nested', 5],
  ['long-absence', 7],
];

export interface Intent {
  kind: ParticipantKind;
  pattern: Pattern;
  organizer: boolean;
  /** Restarted meetings: 1 = first part only, 2 = second part only. */
  part?: 1 | 2;
}

export interface AttendanceShape {
  townhall: boolean;
  /** Sessions the meeting must have, exactly. */
  sessions: number;
  duration: number;
  restarted: boolean;
  massPlanned: boolean;
}

/** The organiser first, then the mass-event members, the recording bot and everyone else. */
export function planAttendance(rng: Rng, shape: AttendanceShape): { intents: Intent[]; massPeople: number } {
  const { townhall, sessions: s, duration, restarted, massPlanned } = shape;
  const intents: Intent[] = [];
  let remaining = s;
  const add = (intent: Intent): void => {
    intents.push(intent);
    remaining -= PATTERN_COST[intent.pattern];
  };
  add({ kind: 'user', pattern: restarted && remaining >= 2 ? 'both-parts' : 'single', organizer: true });
  let massPeople = 0;
  if (massPlanned) {
    // m ≥ 0.3·s guarantees m ≥ 0.3 × humans, since every other human costs at least one session.
    massPeople = Math.ceil(PLACEMENT.massMinShare * s) + 1;
    if (2 * massPeople <= remaining) {
      for (let i = 0; i < massPeople; i++) add({ kind: 'user', pattern: 'mass', organizer: false });
    } else {
      massPeople = 0;
    }
  }
  if (townhall) {
    if (remaining >= 1) add({ kind: 'bot', pattern: 'single', organizer: false });
  } else if (remaining >= 2 && rng.chance(0.15)) {
    // A recording stopped and restarted (needs room for a 10-min pause before the end).
    const rejoin = !restarted && remaining >= 3 && duration >= 1740 && rng.chance(0.15);
    add({ kind: 'bot', pattern: rejoin ? 'bot-rejoin' : 'single', organizer: false, part: 1 });
  }
  while (remaining > 0) {
    const kind = rng.weighted<ParticipantKind>([
      ['user', townhall ? 88 : 86],
      ['guest', 5],
      ['phone', 4],
      ['anonymous', 3],
      ['room', townhall ? 0 : 2],
    ]);
    let pattern: Pattern = 'single';
    let part: 1 | 2 | undefined;
    if (restarted) {
      if ((kind === 'user' || kind === 'guest') && rng.chance(0.3)) pattern = 'both-parts';
      else part = rng.chance(0.7) ? 1 : 2;
    } else if (kind === 'user' || kind === 'guest') {
      pattern = rng.weighted(HUMAN_PATTERNS);
      if (pattern === 'long-absence' && duration < 50 * 60) pattern = 'drop';
    }
    if (PATTERN_COST[pattern] > remaining) {
      pattern = 'single';
      if (restarted) part = 1;
    }
    add(part === undefined ? { kind, pattern, organizer: false } : { kind, pattern, organizer: false, part });
  }

  return { intents, massPeople };
}
