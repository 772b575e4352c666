// When things happen in a synthetic meeting: its duration, join and leave times, re-join gaps per
// band, the restarted second part, the mass-event moment, and leave slots that keep other drops apart.
import { PLACEMENT, type Scenario } from './meetingTypes.js';
import type { Rng } from './prng.js';

export type GapBand = 'overlap' | 'strong' | 'probable' | 'possible';

/** The meeting's length in seconds (a town hall: two hours; larger meetings last longer). */
export function durationSeconds(rng: Rng, scenario: Scenario, sessions: number): number {
  if (scenario === 'townhall') return 7200;
  let minutes = rng.weighted<number>([
    [15, 10],
    [30, 40],
    [45, 10],
    [60, 30],
    [90, 7],
    [120, 3],
  ]);
  if (sessions >= 30) minutes = Math.max(minutes, 60);
  else if (sessions >= 10) minutes = Math.max(minutes, 30);
  return minutes * 60 + rng.int(-60, 420);
}

/** The meeting's clock: times are epoch seconds; every draw comes from the meeting's random stream. */
export class SessionTimes {
  /** Start and end of the (first part of the) meeting. */
  readonly start: number;
  readonly end: number;
  readonly duration: number;
  /** Leave slots for drops that are not part of the mass event. */
  readonly slots: LeaveSlots;
  /** When the mass event's members leave (0: no mass event). */
  readonly massStart: number = 0;
  /** Restarted meetings: a second part starts 4-20 min after the first one ended (else both are `end`). */
  readonly part2Start: number;
  readonly part2End: number;
  /** The latest re-join of a planted drop. */
  readonly latestRejoin: number;

  constructor(
    private readonly rng: Rng,
    shape: { start: number; duration: number; humans: number; massPeople: number; restarted: boolean },
  ) {
    const { start: S, duration } = shape;
    const E = S + duration;
    this.start = S;
    this.end = E;
    this.duration = duration;
    const massThreshold = Math.max(PLACEMENT.massMinPeople, Math.ceil(PLACEMENT.massMinShare * shape.humans));
    this.slots = new LeaveSlots(S + 120, E - 300, Math.max(1, Math.floor((massThreshold - 1) / 2)));
    if (shape.massPeople > 0) {
      this.massStart = rng.int(S + Math.floor(duration * 0.25), E - 900);
      this.slots.reserve(this.massStart - PLACEMENT.slotSeconds, this.massStart + 40 + 150 + PLACEMENT.slotSeconds);
    }
    this.part2Start = shape.restarted ? E + rng.int(240, 1200) : E;
    this.part2End = shape.restarted ? this.part2Start + rng.int(600, 1800) : E;
    this.latestRejoin = E - 180;
  }

  joinEarly(): number {
    return this.start + this.rng.int(-120, 240);
  }

  joinAtStart(): number {
    return this.rng.chance(0.85) ? this.joinEarly() : this.start + this.rng.int(300, Math.floor(this.duration * 0.4));
  }

  leaveAtEnd(): number {
    return this.end - this.rng.int(0, 100);
  }

  /** Most stay to the end; some leave for good after 30 % of the meeting. */
  singleLeave(join: number): number {
    if (this.rng.chance(0.2)) {
      const lo = Math.max(join + 300, this.start + Math.floor(this.duration * 0.3));
      const hi = this.end - 200;
      if (lo < hi) return this.rng.int(lo, hi);
    }
    return this.leaveAtEnd();
  }

  /** A re-join gap in seconds in the band (never on a band limit). */
  drawGap(band: GapBand): number {
    switch (band) {
      case 'overlap':
        return this.rng.int(-5, 0);
      case 'strong':
        return this.rng.int(1, 59);
      case 'probable':
        return this.rng.int(61, 299);
      case 'possible':
        return this.rng.int(301, 899);
    }
  }
}

/** Leave slots for non-mass events, so that no accidental mass event can appear. */
export class LeaveSlots {
  private readonly first: number;
  private readonly remaining: number[];

  constructor(from: number, to: number, capacity: number) {
    this.first = from;
    const count = Math.max(0, Math.floor((to - from) / PLACEMENT.slotSeconds));
    this.remaining = new Array<number>(count).fill(capacity);
  }

  /** Closes every slot that intersects [from, to]. */
  reserve(from: number, to: number): void {
    for (let i = 0; i < this.remaining.length; i++) {
      const start = this.first + i * PLACEMENT.slotSeconds;
      if (start <= to && start + PLACEMENT.slotSeconds > from) this.remaining[i] = 0;
    }
  }

  /** A leave time in [minT, maxT] inside a slot with room left, or undefined. */
  take(rng: Rng, minT: number, maxT: number): number | undefined {
    const open: number[] = [];
    for (let i = 0; i < this.remaining.length; i++) {
      if ((this.remaining[i] ?? 0) <= 0) continue;
      const start = this.first + i * PLACEMENT.slotSeconds;
      const end = start + PLACEMENT.slotSeconds - 1;
      if (end >= minT && start <= maxT) open.push(i);
    }
    if (open.length === 0) return undefined;
    const slot = rng.pick(open);
    const start = this.first + slot * PLACEMENT.slotSeconds;
    const lo = Math.max(start, minT);
    const hi = Math.min(start + PLACEMENT.slotSeconds - 1, maxT);
    this.remaining[slot] = (this.remaining[slot] ?? 0) - 1;
    return rng.int(lo, hi);
  }
}
