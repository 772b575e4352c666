// Builds one synthetic meeting: who attended, on which devices, from which addresses, and when,
// with planted drops, hand-offs, second devices, traps and mass events, plus its ground truth.
// Pure function of (scenario, directory, plan): building the same plan twice gives the same meeting.
import type { Device, DevicePlatform, NetworkContext, Person } from './identities.js';
import {
  Directory,
  RECORDING_BOT_ID,
  anonymousName,
  desktopContext,
  ipAddress,
  makeDevice,
  phoneNumber,
  serviceAddress,
} from './identities.js';
import { Rng } from './prng.js';

export type Scenario = 'mixed' | 'townhall';

/** Detection parameters the planted events are placed around (detection.md §4.1 defaults). */
export const PLACEMENT = Object.freeze({
  endGraceSeconds: 120,
  overlapToleranceSeconds: 10,
  massWindowSeconds: 60,
  massMinShare: 0.3,
  massMinPeople: 3,
  /** Leaves of non-mass events are spread over slots of this length (> 2 × mass window). */
  slotSeconds: 130,
});

export interface PlantedDrop {
  meetingId: string;
  participantKey: string;
  deviceInformation: string;
  /** Epoch milliseconds (UTC), like SessionRecord.joinTime/leaveTime. */
  leaveTime: number;
  rejoinTime: number;
  gapSeconds: number;
  kind: 'same-device' | 'device-switch';
  ipChanged: boolean;
  /** Set when the drop is part of a planted mass event (not to be counted as an individual drop). */
  massEventId?: string;
}

export type ParticipantKind = 'user' | 'guest' | 'room' | 'phone' | 'bot' | 'anonymous';

export interface Participant {
  kind: ParticipantKind;
  /** UserObjectId → UPN → DisplayName, as the analysis derives it. */
  key: string;
  /** Attendees[0], keys in output order. */
  attendee: Record<string, string | number>;
  /** Premium lobby flag value for this participant. */
  fromLobby: boolean;
}

export interface Session {
  participant: Participant;
  /** DeviceInformation ('' = field absent). */
  deviceInfo: string;
  deviceId?: string;
  userAgent: string;
  /** ClientIP ('' = field absent). */
  ip: string;
  /** Epoch seconds. */
  join: number;
  leave: number;
  video: boolean;
  screenShare?: { start: number; end: number; id: string };
}

export interface MeetingPlan {
  /** Stable index: the meeting's random stream. */
  index: number;
  meetingId: string;
  sessions: number;
  hasDetail: boolean;
  /** Scheduled start, epoch seconds. */
  start: number;
  /** Extra rows hung on this meeting, and how many of each came before (fixes their kinds). */
  otherOperations: number;
  badRows: number;
  duplicates: number;
  otherOffset: number;
  badOffset: number;
  duplicateOffset: number;
}

export interface MeetingTruth {
  participants: number;
  humans: number;
  drops: PlantedDrop[];
  handoffs: number;
  secondDevices: number;
  phones: number;
  bots: number;
  botRejoins: number;
  anonymous: number;
  federatedGuests: number;
  rooms: number;
  nestedSameDevice: number;
  longAbsences: number;
  restarted: boolean;
  massEvents: number;
}

export interface MeetingDetailInfo {
  startTime: number;
  endTime: number;
  chatThreadId: string;
  meetingUrl: string;
  communicationType: string;
  communicationSubType: string;
}

export interface BuiltMeeting {
  plan: MeetingPlan;
  organizer: Person;
  itemName: string;
  /** Premium tenant fields (ArtifactsShared, IsJoinedFromLobby) present. */
  premium: boolean;
  sessions: Session[];
  detail?: MeetingDetailInfo;
  /** Latest leave of the meeting (epoch seconds): audit records are written hours after it. */
  lastLeave: number;
  truth: MeetingTruth;
}

export interface ModelContext {
  seed: number;
  scenario: Scenario;
  directory: Directory;
}

type Pattern =
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

/** Human participant-meeting patterns (tala.md §9: re-joins in ~10 % of pairs, second device in ~4 %). */
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

const MIXED_ITEM_NAMES: readonly (readonly [string, number])[] = [
  ['ScheduledMeeting', 44],
  ['ScheduledMeeting,RecurringMeeting', 30],
  ['AdHocMeeting', 10],
  ['ChannelMeeting', 6],
  ['ScheduledMeeting,ChannelMeeting', 4],
  ['ScreenSharingCall', 3],
  ['ScheduledMeeting,RecurringMeeting,Complete', 3],
];

interface Intent {
  kind: ParticipantKind;
  pattern: Pattern;
  organizer: boolean;
  /** Restarted meetings: 1 = first part only, 2 = second part only. */
  part?: 1 | 2;
}

/** Leave slots for non-mass events, so that no accidental mass event can appear. */
class LeaveSlots {
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

function emptyTruth(): MeetingTruth {
  return {
    participants: 0,
    humans: 0,
    drops: [],
    handoffs: 0,
    secondDevices: 0,
    phones: 0,
    bots: 0,
    botRejoins: 0,
    anonymous: 0,
    federatedGuests: 0,
    rooms: 0,
    nestedSameDevice: 0,
    longAbsences: 0,
    restarted: false,
    massEvents: 0,
  };
}

function durationSeconds(rng: Rng, scenario: Scenario, sessions: number): number {
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

/** Distinct indices in [0, size) (size a power of two): an odd multiplier makes the map a bijection. */
class DistinctPicker {
  private n = 0;
  private readonly multiplier: number;
  private readonly offset: number;

  constructor(
    rng: Rng,
    private readonly size: number,
  ) {
    this.multiplier = (rng.int(0, size / 2 - 1) * 2 + 1) % size || 1;
    this.offset = rng.int(0, size - 1);
  }

  next(): number {
    const value = (this.multiplier * this.n + this.offset) % this.size;
    this.n++;
    return value;
  }
}

function powerOfTwoAtLeast(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Organisation size (mixed meetings draw their people from it). */
const MIXED_USER_POOL = 8192;
const GUEST_POOL = 4096;
const ROOM_POOL = 64;

export function buildMeeting(ctx: ModelContext, plan: MeetingPlan): BuiltMeeting {
  const rng = Rng.stream(ctx.seed, 'meeting', plan.index);
  const townhall = ctx.scenario === 'townhall';
  const meetingId = plan.meetingId;
  const s = plan.sessions;
  const truth = emptyTruth();

  const duration = durationSeconds(rng, ctx.scenario, s);
  const S = plan.start + (townhall ? 0 : rng.int(0, 180));
  const E = S + duration;
  const itemName = townhall ? 'ScheduledMeeting,Broadcast' : rng.weighted(MIXED_ITEM_NAMES);
  const newerShapes = rng.chance(0.5);
  const premium = rng.chance(0.25);

  // Pools at least as large as the session count, so a meeting never meets the same person twice.
  const pool = (minimum: number): number => Math.max(minimum, powerOfTwoAtLeast(Math.ceil(s * 1.25) + 16));
  const users = new DistinctPicker(rng, pool(MIXED_USER_POOL));
  const guests = new DistinctPicker(rng, pool(GUEST_POOL));
  const rooms = new DistinctPicker(rng, pool(ROOM_POOL));
  const organizer = ctx.directory.user(users.next());

  const restarted = !townhall && plan.hasDetail && s >= 4 && rng.chance(0.025);
  const massPlanned = !townhall && !restarted && s >= 30 && rng.chance(0.05);

  // ---- 1. who attends, with which pattern (the session count must come out exactly s) ----
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

  // ---- 2. times ----
  const humans = intents.filter((i) => i.kind === 'user' || i.kind === 'guest').length;
  const massThreshold = Math.max(PLACEMENT.massMinPeople, Math.ceil(PLACEMENT.massMinShare * humans));
  const slots = new LeaveSlots(S + 120, E - 300, Math.max(1, Math.floor((massThreshold - 1) / 2)));
  let massStart = 0;
  if (massPeople > 0) {
    massStart = rng.int(S + Math.floor(duration * 0.25), E - 900);
    slots.reserve(massStart - PLACEMENT.slotSeconds, massStart + 40 + 150 + PLACEMENT.slotSeconds);
  }
  // Restarted meetings: a second part starts 4-20 min after the first one ended.
  const part2Start = restarted ? E + rng.int(240, 1200) : E;
  const E2 = restarted ? part2Start + rng.int(600, 1800) : E;

  const sessions: Session[] = [];
  const usedPhones = new Set<string>();
  let extraSingles = 0;
  const massEventId = `${meetingId}#mass-1`;

  const joinEarly = (): number => S + rng.int(-120, 240);
  const joinAtStart = (): number => (rng.chance(0.85) ? joinEarly() : S + rng.int(300, Math.floor(duration * 0.4)));
  const leaveAtEnd = (): number => E - rng.int(0, 100);
  const singleLeave = (join: number): number => {
    if (rng.chance(0.2)) {
      const lo = Math.max(join + 300, S + Math.floor(duration * 0.3));
      const hi = E - 200;
      if (lo < hi) return rng.int(lo, hi);
    }
    return leaveAtEnd();
  };
  const drawGap = (band: 'overlap' | 'strong' | 'probable' | 'possible'): number => {
    switch (band) {
      case 'overlap':
        return rng.int(-5, 0);
      case 'strong':
        return rng.int(1, 59);
      case 'probable':
        return rng.int(61, 299);
      case 'possible':
        return rng.int(301, 899);
    }
  };
  const latestRejoin = E - 180;

  for (const intent of intents) {
    const participant = makeParticipant(ctx, rng, intent, users, guests, rooms, usedPhones, newerShapes, organizer);
    truth.participants++;
    if (intent.kind === 'user' || intent.kind === 'guest') truth.humans++;
    if (intent.kind === 'guest') truth.federatedGuests++;
    if (intent.kind === 'phone') truth.phones++;
    if (intent.kind === 'bot') truth.bots++;
    if (intent.kind === 'anonymous') truth.anonymous++;
    if (intent.kind === 'room') truth.rooms++;

    const primary = primaryDevice(rng, intent.kind);
    const context: NetworkContext = intent.kind === 'anonymous' ? 'publicV4' : primary.platform === 'iOS' || primary.platform === 'android' ? 'mobile' : desktopContext(rng);
    const ip = addressFor(rng, intent.kind, context);
    const mk = (device: Device | undefined, address: string, join: number, leave: number): Session => {
      const session: Session = {
        participant,
        deviceInfo: device?.info ?? '',
        userAgent: device?.userAgent ?? serviceAgent(intent.kind),
        ip: address,
        join,
        leave,
        video: intent.kind === 'user' || intent.kind === 'guest' || intent.kind === 'room' ? rng.chance(0.75) : false,
      };
      if (device?.deviceId !== undefined) session.deviceId = device.deviceId;
      sessions.push(session);
      return session;
    };
    const device = intent.kind === 'phone' || intent.kind === 'bot' ? undefined : primary;
    const drop = (a: Session, b: Session, kind: PlantedDrop['kind'], mass: boolean): void => {
      const planted: PlantedDrop = {
        meetingId,
        participantKey: participant.key,
        deviceInformation: a.deviceInfo,
        leaveTime: a.leave * 1000,
        rejoinTime: b.join * 1000,
        gapSeconds: b.join - a.leave,
        kind,
        ipChanged: a.ip !== b.ip,
      };
      if (mass) planted.massEventId = massEventId;
      truth.drops.push(planted);
    };
    const maybeNewAddress = (probability: number): string => {
      if (!rng.chance(probability) || ip === '') return ip;
      let next = ip;
      for (let tries = 0; tries < 8 && next === ip; tries++) next = ipAddress(rng, rng.chance(0.5) ? context : 'mobile');
      return next;
    };

    const fallbackSingle = (dev: Device | undefined, address: string, join: number, missing: number): void => {
      mk(dev, address, join, leaveAtEnd());
      extraSingles += missing;
    };

    if (intent.organizer) {
      const join = S - rng.int(0, 120);
      if (intent.pattern === 'both-parts') {
        mk(device, ip, join, E);
        mk(device, maybeNewAddress(0.3), part2Start, E2);
      } else {
        mk(device, ip, join, E);
      }
      continue;
    }

    if (restarted) {
      const part1 = (): void => void mk(device, ip, joinAtStart(), leaveAtEnd());
      const part2 = (address: string): void => void mk(device, address, part2Start + rng.int(0, 180), E2 - rng.int(0, 100));
      if (intent.pattern === 'both-parts') {
        part1();
        part2(maybeNewAddress(0.3));
      } else if (intent.part === 2) {
        part2(ip);
      } else {
        part1();
      }
      continue;
    }

    switch (intent.pattern) {
      case 'single': {
        if (intent.kind === 'bot') mk(device, ip, S + rng.int(0, 120), E - rng.int(0, 30));
        else {
          const join = joinAtStart();
          mk(device, ip, join, singleLeave(join));
        }
        break;
      }
      case 'bot-rejoin': {
        const join = S + rng.int(0, 120);
        const leave = S + rng.int(Math.floor(duration * 0.2), Math.floor(duration * 0.6));
        mk(device, ip, join, leave);
        mk(device, ip, leave + rng.int(20, 600), E - rng.int(0, 30));
        truth.botRejoins++;
        break;
      }
      case 'mass': {
        const join = S + rng.int(-120, 240);
        const leave = massStart + rng.int(0, 40);
        const a = mk(device, ip, join, leave);
        const gap = rng.int(10, 149);
        // Never exactly 60 s: band limits stay unambiguous.
        const b = mk(device, maybeNewAddress(0.2), leave + (gap >= 60 ? gap + 1 : gap), leaveAtEnd());
        drop(a, b, 'same-device', true);
        break;
      }
      case 'drop':
      case 'double-drop': {
        const join = joinEarly();
        const wanted = intent.pattern === 'double-drop' ? 2 : 1;
        const cuts: { leave: number; gap: number; ipAfter: string }[] = [];
        let segmentJoin = join;
        for (let k = 0; k < wanted; k++) {
          let band = rng.weighted<'overlap' | 'strong' | 'probable' | 'possible'>([
            ['overlap', 5],
            ['strong', 55],
            ['probable', 30],
            ['possible', 10],
          ]);
          let gap = drawGap(band);
          let leave = slots.take(rng, segmentJoin + 120, latestRejoin - Math.max(gap, 0));
          if (leave === undefined && band !== 'strong') {
            band = 'strong';
            gap = drawGap(band);
            leave = slots.take(rng, segmentJoin + 120, latestRejoin - gap);
          }
          if (leave === undefined) break;
          cuts.push({ leave, gap, ipAfter: maybeNewAddress(0.25) });
          segmentJoin = leave + gap;
        }
        const segments: Session[] = [];
        let start = join;
        let address = ip;
        for (const cut of cuts) {
          segments.push(mk(device, address, start, cut.leave));
          start = cut.leave + cut.gap;
          address = cut.ipAfter;
        }
        segments.push(mk(device, address, start, leaveAtEnd()));
        for (let k = 0; k + 1 < segments.length; k++) drop(segments[k] as Session, segments[k + 1] as Session, 'same-device', false);
        extraSingles += wanted - cuts.length;
        break;
      }
      case 'device-switch': {
        const join = joinEarly();
        const gap = rng.chance(0.6) ? drawGap('strong') : drawGap('probable');
        const leave = slots.take(rng, join + 120, latestRejoin - gap);
        if (leave === undefined) {
          fallbackSingle(device, ip, join, 1);
          break;
        }
        const other = secondDevice(rng, primary.platform);
        const otherIp = other.platform === 'iOS' || other.platform === 'android' ? ipAddress(rng, 'mobile') : maybeNewAddress(0.5);
        const a = mk(device, ip, join, leave);
        const b = mk(other, otherIp, leave + gap, leaveAtEnd());
        drop(a, b, 'device-switch', false);
        break;
      }
      case 'handoff': {
        // Joins on a second device, then leaves the first one: the second covers the leave.
        const join = joinEarly();
        const leave = slots.take(rng, join + 300, latestRejoin);
        if (leave === undefined) {
          fallbackSingle(device, ip, join, 1);
          break;
        }
        const other = secondDevice(rng, primary.platform);
        const overlap = Math.min(rng.int(30, 600), leave - join - 60);
        mk(device, ip, join, leave);
        mk(other, other.platform === 'iOS' || other.platform === 'android' ? ipAddress(rng, 'mobile') : ip, leave - overlap, leaveAtEnd());
        truth.handoffs++;
        break;
      }
      case 'companion': {
        // A phone joined next to the main client, inside its interval (leaves with it or earlier).
        const join = joinEarly();
        const leave = leaveAtEnd();
        // Another platform than the main client, so the two never share a DeviceInformation string.
        const companion = secondDevice(rng, primary.platform);
        const latestJoin = leave - 400;
        if (latestJoin < join + 30) {
          fallbackSingle(device, ip, join, 1);
          break;
        }
        const companionJoin = rng.int(join + 30, Math.min(latestJoin, join + Math.max(60, Math.floor(duration * 0.3))));
        const companionLeave = rng.chance(0.6) ? leave - rng.int(0, 60) : rng.int(companionJoin + 120, leave - 120);
        mk(device, ip, join, leave);
        mk(companion, companion.platform === 'windows' ? maybeNewAddress(0.5) : ipAddress(rng, rng.chance(0.5) ? 'mobile' : context), companionJoin, companionLeave);
        truth.secondDevices++;
        break;
      }
      case 'nested': {
        // Two machines reporting the same DeviceInformation: overlapping intervals, no DeviceId.
        const shared: Device = { platform: primary.platform, info: primary.info, userAgent: primary.userAgent };
        const join = joinEarly();
        const end = leaveAtEnd();
        if (end - join < 600) {
          fallbackSingle(device, ip, join, 1);
          break;
        }
        if (end - join < 1500 || rng.chance(0.5)) {
          const innerJoin = rng.int(join + 60, Math.min(join + 900, end - 400));
          mk(shared, ip, join, end);
          mk(shared, ipAddress(rng, context), innerJoin, rng.int(innerJoin + 60, end - 120));
        } else {
          const leave = rng.int(join + 600, E - 600);
          mk(shared, ip, join, leave);
          mk(shared, ipAddress(rng, context), leave - rng.int(60, Math.min(600, leave - join - 60)), end);
        }
        truth.nestedSameDevice++;
        break;
      }
      case 'long-absence': {
        const join = joinEarly();
        const gap = rng.int(1000, 2400);
        const leave = slots.take(rng, join + 120, latestRejoin - gap);
        if (leave === undefined) {
          fallbackSingle(device, ip, join, 1);
          break;
        }
        mk(device, ip, join, leave);
        mk(device, maybeNewAddress(0.3), leave + gap, leaveAtEnd());
        truth.longAbsences++;
        break;
      }
      case 'both-parts':
        throw new Error('both-parts outside a restarted meeting');
    }
  }

  // Patterns that found no free slot became single sessions; top the meeting up to exactly s.
  for (let i = 0; i < extraSingles; i++) {
    const participant = makeParticipant(ctx, rng, { kind: 'user', pattern: 'single', organizer: false }, users, guests, rooms, usedPhones, newerShapes, organizer);
    truth.participants++;
    truth.humans++;
    const device = primaryDevice(rng, 'user');
    const join = joinAtStart();
    sessions.push({
      participant,
      deviceInfo: device.info,
      ...(device.deviceId !== undefined ? { deviceId: device.deviceId } : {}),
      userAgent: device.userAgent,
      ip: ipAddress(rng, desktopContext(rng)),
      join,
      leave: singleLeave(join),
      video: rng.chance(0.75),
    });
  }

  if (massPeople > 0) truth.massEvents = 1;
  truth.restarted = restarted;
  if (sessions.length !== s) throw new Error(`internal: meeting ${plan.index} has ${sessions.length} sessions, planned ${s}`);

  // One presenter shares a screen in some meetings (newer records nest the share sessions).
  if (premium && rng.chance(0.4)) {
    const presenter = sessions.find((x) => x.participant.kind === 'user' && x.leave - x.join > 600);
    if (presenter) {
      const start = presenter.join + rng.int(60, Math.floor((presenter.leave - presenter.join) / 2));
      presenter.screenShare = { start, end: Math.min(presenter.leave, start + rng.int(120, 1800)), id: rng.guid() };
    }
  }

  let firstJoin = Infinity;
  let lastLeave = -Infinity;
  for (const x of sessions) {
    if (x.leave < x.join) throw new Error(`internal: meeting ${plan.index}: a ${x.participant.kind} session leaves before it joins`);
    if (x.join < firstJoin) firstJoin = x.join;
    if (x.leave > lastLeave) lastLeave = x.leave;
  }
  const built: BuiltMeeting = { plan, organizer, itemName, premium, sessions, lastLeave, truth };
  if (plan.hasDetail) {
    const thread = `19:meeting_${base64ish(rng, 48)}@thread.v2`;
    built.detail = {
      startTime: firstJoin,
      // A restarted meeting keeps the first session's end: the second part re-joins after it.
      endTime: restarted ? E : lastLeave,
      chatThreadId: thread,
      meetingUrl: `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread).toLowerCase()}/0?context=${encodeURIComponent(
        `{"Tid":"${ctx.directory.tenantId}","Oid":"${organizer.objectId}"}`,
      ).toLowerCase()}`,
      communicationType: 'GroupCall',
      communicationSubType: itemName.split(',')[0] ?? itemName,
    };
  }
  return built;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function base64ish(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += B64[rng.int(0, B64.length - 1)];
  return out;
}

function primaryDevice(rng: Rng, kind: ParticipantKind): Device {
  if (kind === 'room') return makeDevice(rng, 'room', false);
  if (kind === 'anonymous') return makeDevice(rng, 'web', false);
  const platform = rng.weighted<DevicePlatform>([
    ['windows', 62],
    ['macOS', 12],
    ['iOS', 9],
    ['android', 6],
    ['web', 11],
  ]);
  return makeDevice(rng, platform, (platform === 'windows' || platform === 'macOS') && rng.chance(0.1));
}

function secondDevice(rng: Rng, first: DevicePlatform): Device {
  const platform: DevicePlatform = first === 'iOS' || first === 'android' ? 'windows' : rng.chance(0.6) ? 'iOS' : 'android';
  return makeDevice(rng, platform, false);
}

function serviceAgent(kind: ParticipantKind): string {
  if (kind === 'phone') return 'Conferencing Virtual Assistant';
  if (kind === 'bot') return 'SkypeBot Call Recorder Teams';
  return 'CallSignalingAgent';
}

function addressFor(rng: Rng, kind: ParticipantKind, context: NetworkContext): string {
  if (kind === 'phone') return '';
  if (kind === 'bot') return rng.chance(0.5) ? serviceAddress(rng) : '';
  if (kind === 'room') return ipAddress(rng, rng.chance(0.6) ? 'siteA' : 'siteB');
  return ipAddress(rng, context);
}

function makeParticipant(
  ctx: ModelContext,
  rng: Rng,
  intent: Intent,
  users: DistinctPicker,
  guests: DistinctPicker,
  rooms: DistinctPicker,
  usedPhones: Set<string>,
  newerShapes: boolean,
  organizer: Person,
): Participant {
  switch (intent.kind) {
    case 'phone': {
      let number = phoneNumber(rng);
      while (usedPhones.has(number)) number = phoneNumber(rng);
      usedPhones.add(number);
      return { kind: 'phone', key: number, attendee: { DisplayName: number, RecipientType: 'Phone' }, fromLobby: false };
    }
    case 'bot':
      return {
        kind: 'bot',
        key: RECORDING_BOT_ID,
        attendee: { DisplayName: RECORDING_BOT_ID, RecipientType: 'Applications' },
        fromLobby: false,
      };
    case 'anonymous': {
      const name = anonymousName(rng);
      return { kind: 'anonymous', key: name, attendee: { DisplayName: name, RecipientType: 'Anonymous' }, fromLobby: true };
    }
    case 'user':
    case 'guest':
    case 'room': {
      const person =
        intent.organizer ? organizer : intent.kind === 'guest' ? ctx.directory.guest(guests.next()) : intent.kind === 'room' ? ctx.directory.room(rooms.next()) : ctx.directory.user(users.next());
      const guest = intent.kind === 'guest';
      if (!newerShapes) {
        const attendee: Record<string, string | number> = {
          UserObjectId: person.objectId,
          OrganizationId: person.organizationId,
          RecipientType: 'User',
        };
        if (rng.chance(0.5)) attendee['DisplayName'] = person.displayName;
        return { kind: intent.kind, key: person.objectId, attendee, fromLobby: guest };
      }
      // OrganizationId is "not always present" (audit-records.md §5): here only for guests.
      const attendee: Record<string, string | number> = { DisplayName: person.displayName };
      if (guest) attendee['OrganizationId'] = person.organizationId;
      attendee['RecipientType'] = guest ? 'GuestFederated' : 'InternalFederated';
      attendee['Role'] = intent.organizer || (!guest && rng.chance(0.1)) ? 1 : 3;
      attendee['UPN'] = person.upn;
      const withObjectId = !rng.chance(guest ? 0.5 : 0.2);
      if (withObjectId) attendee['UserObjectId'] = person.objectId;
      return { kind: intent.kind, key: withObjectId ? person.objectId : person.upn, attendee, fromLobby: guest };
    }
  }
}
