// The shapes of a synthetic meeting (its plan, participants, sessions and ground truth), and the
// detection parameters its planted events are placed around.
import type { Directory, Person } from './identities.js';

export type Scenario = 'mixed' | 'townhall';

/** Detection parameters the planted events are placed around (the detector's defaults). */
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
