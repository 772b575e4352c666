// The sessions of one participant of a synthetic meeting, by pattern: a single attendance, planted
// drops (same device or device switch, mass-event members included), hand-offs, companion devices,
// nested same-device sessions, long absences, bot re-joins and the parts of a restarted meeting.
// Every planted drop goes into the meeting's ground truth.
import type { Intent } from './attendance.js';
import type { Device } from './devices.js';
import { desktopContext, ipAddress, type NetworkContext } from './networkAddresses.js';
import type { MeetingTruth, Participant, PlantedDrop, Session } from './meetingTypes.js';
import { addressFor, primaryDevice, secondDevice, serviceAgent } from './participantDevices.js';
import type { Rng } from './prng.js';
import type { SessionTimes } from './sessionTimes.js';

/** What the sessions of every participant of one meeting share, and what they add up to. */
export interface MeetingSessions {
  readonly rng: Rng;
  readonly times: SessionTimes;
  readonly meetingId: string;
  readonly restarted: boolean;
  readonly sessions: Session[];
  readonly truth: MeetingTruth;
  /** Sessions of patterns that found no free leave slot: single attendees make them up. */
  extraSingles: number;
}

/** Writes the sessions of one participant (in the meeting's random order) and counts them in the truth. */
export function addParticipantSessions(meeting: MeetingSessions, participant: Participant, intent: Intent): void {
  const { truth } = meeting;
  truth.participants++;
  if (intent.kind === 'user' || intent.kind === 'guest') truth.humans++;
  if (intent.kind === 'guest') truth.federatedGuests++;
  if (intent.kind === 'phone') truth.phones++;
  if (intent.kind === 'bot') truth.bots++;
  if (intent.kind === 'anonymous') truth.anonymous++;
  if (intent.kind === 'room') truth.rooms++;
  new AttendeeSessions(meeting, participant, intent).write();
}

class AttendeeSessions {
  private readonly rng: Rng;
  private readonly t: SessionTimes;
  private readonly primary: Device;
  private readonly context: NetworkContext;
  private readonly ip: string;
  /** The main client; phones and bots have none. */
  private readonly device: Device | undefined;

  constructor(
    private readonly meeting: MeetingSessions,
    private readonly participant: Participant,
    private readonly intent: Intent,
  ) {
    const rng = meeting.rng;
    this.rng = rng;
    this.t = meeting.times;
    const primary = primaryDevice(rng, intent.kind);
    this.primary = primary;
    this.context =
      intent.kind === 'anonymous'
        ? 'publicV4'
        : primary.platform === 'iOS' || primary.platform === 'android'
          ? 'mobile'
          : desktopContext(rng);
    this.ip = addressFor(rng, intent.kind, this.context);
    this.device = intent.kind === 'phone' || intent.kind === 'bot' ? undefined : primary;
  }

  write(): void {
    const { intent } = this;
    if (intent.organizer) return this.organizer();
    if (this.meeting.restarted) return this.restartedParts();
    switch (intent.pattern) {
      case 'single':
        return this.single();
      case 'bot-rejoin':
        return this.botRejoin();
      case 'mass':
        return this.massMember();
      case 'drop':
      case 'double-drop':
        return this.drops(intent.pattern === 'double-drop' ? 2 : 1);
      case 'device-switch':
        return this.deviceSwitch();
      case 'handoff':
        return this.handoff();
      case 'companion':
        return this.companion();
      case 'nested':
        return this.nested();
      case 'long-absence':
        return this.longAbsence();
      case 'both-parts':
        throw new Error('both-parts outside a restarted meeting');
    }
  }

  private organizer(): void {
    const { rng, t, device, ip } = this;
    const join = t.start - rng.int(0, 120);
    if (this.intent.pattern === 'both-parts') {
      this.mk(device, ip, join, t.end);
      this.mk(device, this.maybeNewAddress(0.3), t.part2Start, t.part2End);
    } else {
      this.mk(device, ip, join, t.end);
    }
  }

  private restartedParts(): void {
    const { rng, t, device, ip } = this;
    const part1 = (): void => void this.mk(device, ip, t.joinAtStart(), t.leaveAtEnd());
    const part2 = (address: string): void =>
      void this.mk(device, address, t.part2Start + rng.int(0, 180), t.part2End - rng.int(0, 100));
    if (this.intent.pattern === 'both-parts') {
      part1();
      part2(this.maybeNewAddress(0.3));
    } else if (this.intent.part === 2) {
      part2(ip);
    } else {
      part1();
    }
  }

  private single(): void {
    const { rng, t, device, ip } = this;
    if (this.intent.kind === 'bot') this.mk(device, ip, t.start + rng.int(0, 120), t.end - rng.int(0, 30));
    else {
      const join = t.joinAtStart();
      this.mk(device, ip, join, t.singleLeave(join));
    }
  }

  private botRejoin(): void {
    const { rng, t, device, ip } = this;
    const join = t.start + rng.int(0, 120);
    const leave = t.start + rng.int(Math.floor(t.duration * 0.2), Math.floor(t.duration * 0.6));
    this.mk(device, ip, join, leave);
    this.mk(device, ip, leave + rng.int(20, 600), t.end - rng.int(0, 30));
    this.meeting.truth.botRejoins++;
  }

  private massMember(): void {
    const { rng, t, device, ip } = this;
    const join = t.start + rng.int(-120, 240);
    const leave = t.massStart + rng.int(0, 40);
    const a = this.mk(device, ip, join, leave);
    const gap = rng.int(10, 149);
    // Never exactly 60 s: band limits stay unambiguous.
    const b = this.mk(device, this.maybeNewAddress(0.2), leave + (gap >= 60 ? gap + 1 : gap), t.leaveAtEnd());
    this.drop(a, b, 'same-device', true);
  }

  /** `wanted` drops on the same device, each in a free leave slot (fewer when none is left). */
  private drops(wanted: number): void {
    const { rng, t, device, ip } = this;
    const join = t.joinEarly();
    const cuts: { leave: number; gap: number; ipAfter: string }[] = [];
    let segmentJoin = join;
    for (let k = 0; k < wanted; k++) {
      let band = rng.weighted<'overlap' | 'strong' | 'probable' | 'possible'>([
        ['overlap', 5],
        ['strong', 55],
        ['probable', 30],
        ['possible', 10],
      ]);
      let gap = t.drawGap(band);
      let leave = t.slots.take(rng, segmentJoin + 120, t.latestRejoin - Math.max(gap, 0));
      if (leave === undefined && band !== 'strong') {
        band = 'strong';
        gap = t.drawGap(band);
        leave = t.slots.take(rng, segmentJoin + 120, t.latestRejoin - gap);
      }
      if (leave === undefined) break;
      cuts.push({ leave, gap, ipAfter: this.maybeNewAddress(0.25) });
      segmentJoin = leave + gap;
    }
    const segments: Session[] = [];
    let start = join;
    let address = ip;
    for (const cut of cuts) {
      segments.push(this.mk(device, address, start, cut.leave));
      start = cut.leave + cut.gap;
      address = cut.ipAfter;
    }
    segments.push(this.mk(device, address, start, t.leaveAtEnd()));
    for (let k = 0; k + 1 < segments.length; k++)
      this.drop(segments[k] as Session, segments[k + 1] as Session, 'same-device', false);
    this.meeting.extraSingles += wanted - cuts.length;
  }

  private deviceSwitch(): void {
    const { rng, t, device, ip } = this;
    const join = t.joinEarly();
    const gap = rng.chance(0.6) ? t.drawGap('strong') : t.drawGap('probable');
    const leave = t.slots.take(rng, join + 120, t.latestRejoin - gap);
    if (leave === undefined) return this.fallbackSingle(device, ip, join, 1);
    const other = secondDevice(rng, this.primary.platform);
    const otherIp =
      other.platform === 'iOS' || other.platform === 'android' ? ipAddress(rng, 'mobile') : this.maybeNewAddress(0.5);
    const a = this.mk(device, ip, join, leave);
    const b = this.mk(other, otherIp, leave + gap, t.leaveAtEnd());
    this.drop(a, b, 'device-switch', false);
  }

  /** Joins on a second device, then leaves the first one: the second covers the leave. */
  private handoff(): void {
    const { rng, t, device, ip } = this;
    const join = t.joinEarly();
    const leave = t.slots.take(rng, join + 300, t.latestRejoin);
    if (leave === undefined) return this.fallbackSingle(device, ip, join, 1);
    const other = secondDevice(rng, this.primary.platform);
    const overlap = Math.min(rng.int(30, 600), leave - join - 60);
    this.mk(device, ip, join, leave);
    this.mk(
      other,
      other.platform === 'iOS' || other.platform === 'android' ? ipAddress(rng, 'mobile') : ip,
      leave - overlap,
      t.leaveAtEnd(),
    );
    this.meeting.truth.handoffs++;
  }

  /** A phone joined next to the main client, inside its interval (leaves with it or earlier). */
  private companion(): void {
    const { rng, t, device, ip } = this;
    const join = t.joinEarly();
    const leave = t.leaveAtEnd();
    // Another platform than the main client, so the two never share a DeviceInformation string.
    const companion = secondDevice(rng, this.primary.platform);
    const latestJoin = leave - 400;
    if (latestJoin < join + 30) return this.fallbackSingle(device, ip, join, 1);
    const companionJoin = rng.int(join + 30, Math.min(latestJoin, join + Math.max(60, Math.floor(t.duration * 0.3))));
    const companionLeave = rng.chance(0.6) ? leave - rng.int(0, 60) : rng.int(companionJoin + 120, leave - 120);
    this.mk(device, ip, join, leave);
    this.mk(
      companion,
      companion.platform === 'windows'
        ? this.maybeNewAddress(0.5)
        : ipAddress(rng, rng.chance(0.5) ? 'mobile' : this.context),
      companionJoin,
      companionLeave,
    );
    this.meeting.truth.secondDevices++;
  }

  /** Two machines reporting the same DeviceInformation: overlapping intervals, no DeviceId. */
  private nested(): void {
    const { rng, t, device, ip, primary, context } = this;
    const shared: Device = { platform: primary.platform, info: primary.info, userAgent: primary.userAgent };
    const join = t.joinEarly();
    const end = t.leaveAtEnd();
    if (end - join < 600) return this.fallbackSingle(device, ip, join, 1);
    if (end - join < 1500 || rng.chance(0.5)) {
      const innerJoin = rng.int(join + 60, Math.min(join + 900, end - 400));
      this.mk(shared, ip, join, end);
      this.mk(shared, ipAddress(rng, context), innerJoin, rng.int(innerJoin + 60, end - 120));
    } else {
      const leave = rng.int(join + 600, t.end - 600);
      this.mk(shared, ip, join, leave);
      this.mk(shared, ipAddress(rng, context), leave - rng.int(60, Math.min(600, leave - join - 60)), end);
    }
    this.meeting.truth.nestedSameDevice++;
  }

  private longAbsence(): void {
    const { rng, t, device, ip } = this;
    const join = t.joinEarly();
    const gap = rng.int(1000, 2400);
    const leave = t.slots.take(rng, join + 120, t.latestRejoin - gap);
    if (leave === undefined) return this.fallbackSingle(device, ip, join, 1);
    this.mk(device, ip, join, leave);
    this.mk(device, this.maybeNewAddress(0.3), leave + gap, t.leaveAtEnd());
    this.meeting.truth.longAbsences++;
  }

  private mk(device: Device | undefined, address: string, join: number, leave: number): Session {
    const kind = this.intent.kind;
    const session: Session = {
      participant: this.participant,
      deviceInfo: device?.info ?? '',
      userAgent: device?.userAgent ?? serviceAgent(kind),
      ip: address,
      join,
      leave,
      video: kind === 'user' || kind === 'guest' || kind === 'room' ? this.rng.chance(0.75) : false,
    };
    if (device?.deviceId !== undefined) session.deviceId = device.deviceId;
    this.meeting.sessions.push(session);
    return session;
  }

  private drop(a: Session, b: Session, kind: PlantedDrop['kind'], mass: boolean): void {
    const planted: PlantedDrop = {
      meetingId: this.meeting.meetingId,
      participantKey: this.participant.key,
      deviceInformation: a.deviceInfo,
      leaveTime: a.leave * 1000,
      rejoinTime: b.join * 1000,
      gapSeconds: b.join - a.leave,
      kind,
      ipChanged: a.ip !== b.ip,
    };
    if (mass) planted.massEventId = `${this.meeting.meetingId}#mass-1`;
    this.meeting.truth.drops.push(planted);
  }

  /** Sometimes another address than the participant's (never for a participant without one). */
  private maybeNewAddress(probability: number): string {
    const { rng, ip } = this;
    if (!rng.chance(probability) || ip === '') return ip;
    let next = ip;
    for (let tries = 0; tries < 8 && next === ip; tries++)
      next = ipAddress(rng, rng.chance(0.5) ? this.context : 'mobile');
    return next;
  }

  /** A pattern that found no room: one session to the end, and `missing` sessions for single attendees to make up. */
  private fallbackSingle(device: Device | undefined, address: string, join: number, missing: number): void {
    this.mk(device, address, join, this.t.leaveAtEnd());
    this.meeting.extraSingles += missing;
  }
}
