// Builds one synthetic meeting: who attended, on which devices, from which addresses, and when,
// with planted drops, hand-offs, second devices, traps and mass events, plus its ground truth.
// Pure function of (scenario, directory, plan): building the same plan twice gives the same meeting.
// The parts: attendance.ts (who, with which pattern), sessionTimes.ts (when), participantSessions.ts
// (the sessions of each pattern), participantPicker.ts and participantDevices.ts.
import { planAttendance } from './attendance.js';
import { desktopContext, ipAddress } from './networkAddresses.js';
import type { BuiltMeeting, MeetingPlan, MeetingTruth, ModelContext, Session } from './meetingTypes.js';
import { addParticipantSessions, type MeetingSessions } from './participantSessions.js';
import { primaryDevice } from './participantDevices.js';
import { ParticipantPicker } from './participantPicker.js';
import { Rng } from './prng.js';
import { SessionTimes, durationSeconds } from './sessionTimes.js';

export type {
  BuiltMeeting,
  MeetingDetailInfo,
  MeetingPlan,
  MeetingTruth,
  ModelContext,
  Participant,
  ParticipantKind,
  PlantedDrop,
  Scenario,
  Session,
} from './meetingTypes.js';
export { PLACEMENT } from './meetingTypes.js';

const MIXED_ITEM_NAMES: readonly (readonly [string, number])[] = [
  ['ScheduledMeeting', 44],
  ['ScheduledMeeting,RecurringMeeting', 30],
  ['AdHocMeeting', 10],
  ['ChannelMeeting', 6],
  ['ScheduledMeeting,ChannelMeeting', 4],
  ['ScreenSharingCall', 3],
  ['ScheduledMeeting,RecurringMeeting,Complete', 3],
];

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

export function buildMeeting(ctx: ModelContext, plan: MeetingPlan): BuiltMeeting {
  const rng = Rng.stream(ctx.seed, 'meeting', plan.index);
  const townhall = ctx.scenario === 'townhall';
  const meetingId = plan.meetingId;
  const s = plan.sessions;
  const truth = emptyTruth();

  const duration = durationSeconds(rng, ctx.scenario, s);
  const start = plan.start + (townhall ? 0 : rng.int(0, 180));
  const itemName = townhall ? 'ScheduledMeeting,Broadcast' : rng.weighted(MIXED_ITEM_NAMES);
  const newerShapes = rng.chance(0.5);
  const premium = rng.chance(0.25);
  const picker = new ParticipantPicker(ctx, rng, s, newerShapes);
  const organizer = picker.organizer;

  const restarted = !townhall && plan.hasDetail && s >= 4 && rng.chance(0.025);
  const massPlanned = !townhall && !restarted && s >= 30 && rng.chance(0.05);

  // 1. Who attends, with which pattern (the session count must come out exactly s).
  const { intents, massPeople } = planAttendance(rng, { townhall, sessions: s, duration, restarted, massPlanned });

  // 2. When: each participant's sessions.
  const humans = intents.filter((i) => i.kind === 'user' || i.kind === 'guest').length;
  const times = new SessionTimes(rng, { start, duration, humans, massPeople, restarted });
  const sessions: Session[] = [];
  const meeting: MeetingSessions = { rng, times, meetingId, restarted, sessions, truth, extraSingles: 0 };
  for (const intent of intents) addParticipantSessions(meeting, picker.next(intent), intent);

  // Patterns that found no free slot became single sessions; top the meeting up to exactly s.
  for (let i = 0; i < meeting.extraSingles; i++) {
    const participant = picker.next({ kind: 'user', organizer: false });
    truth.participants++;
    truth.humans++;
    const device = primaryDevice(rng, 'user');
    const join = times.joinAtStart();
    sessions.push({
      participant,
      deviceInfo: device.info,
      ...(device.deviceId !== undefined ? { deviceId: device.deviceId } : {}),
      userAgent: device.userAgent,
      ip: ipAddress(rng, desktopContext(rng)),
      join,
      leave: times.singleLeave(join),
      video: rng.chance(0.75),
    });
  }

  if (massPeople > 0) truth.massEvents = 1;
  truth.restarted = restarted;
  if (sessions.length !== s)
    throw new Error(`internal: meeting ${plan.index} has ${sessions.length} sessions, planned ${s}`);

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
    if (x.leave < x.join)
      throw new Error(`internal: meeting ${plan.index}: a ${x.participant.kind} session leaves before it joins`);
    if (x.join < firstJoin) firstJoin = x.join;
    if (x.leave > lastLeave) lastLeave = x.leave;
  }
  const built: BuiltMeeting = { plan, organizer, itemName, premium, sessions, lastLeave, truth };
  if (plan.hasDetail) {
    const thread = `19:meeting_${base64ish(rng, 48)}@thread.v2`;
    built.detail = {
      startTime: firstJoin,
      // A restarted meeting keeps the first session's end: the second part re-joins after it.
      endTime: restarted ? times.end : lastLeave,
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
