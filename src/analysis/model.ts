// Types shared by classification, detection, metrics and reports.
import type { SessionRecord } from '../audit/records.js';

/** The participant classes, in the order reports list them (the one list: types and checks derive from it). */
export const PARTICIPANT_CLASSES = ['human', 'phone', 'anonymous', 'room', 'unknown', 'bot'] as const;
export type ParticipantClass = (typeof PARTICIPANT_CLASSES)[number];

/** What the summary rankings group by, in the order they are listed (the one list). */
export const RANKING_DIMENSIONS = ['site', 'subnet', 'platform', 'user', 'day'] as const;
export type RankingDimension = (typeof RANKING_DIMENSIONS)[number];

/** Aligned with Graph clientPlatform, plus the service/phone cases. */
export type ClientPlatform =
  | 'windows'
  | 'macOS'
  | 'iOS'
  | 'android'
  | 'web'
  | 'linux'
  | 'ipPhone'
  | 'roomSystem'
  | 'surfaceHub'
  | 'pstn'
  | 'service'
  | 'unknown';

export type KeyConfidence = 'high' | 'low';

export interface SiteInfo {
  /** NetworkName (or BuildingName when empty). */
  name: string;
  building: string;
  /** CIDR, e.g. "10.57.0.0/16". */
  network: string;
  insideCorp: boolean;
  vpn: boolean;
  city?: string;
  country?: string;
  region?: string;
}

/** A session with everything the detector needs, derived once. */
export interface ClassifiedSession {
  session: SessionRecord;
  /** UserObjectId → UPN → DisplayName (unmodified). */
  participantKey: string;
  keyConfidence: KeyConfidence;
  participantClass: ParticipantClass;
  /** Why the class was chosen (rule that matched). */
  classReason: string;
  platform: ClientPlatform;
  /** DeviceId if present, else normalised DeviceInformation + client family; never the IP. */
  deviceKey: string;
  /** Normalised IP ('' when none). */
  ip: string;
  site?: SiteInfo;
}

/** The records of one meeting: defined with the records (src/audit), used everywhere in the analysis. */
export type { Meeting } from '../audit/records.js';

/** The detection bands, strongest first (the one list). */
export const BANDS = ['strong', 'probable', 'possible'] as const;
export type Band = (typeof BANDS)[number];

export interface NetworkEvidence {
  ipBefore: string;
  ipAfter: string;
  siteBefore?: string;
  siteAfter?: string;
  ipChanged: boolean;
  siteChanged: boolean;
}

export interface Disconnection {
  meetingId: string;
  participantKey: string;
  keyConfidence: KeyConfidence;
  participantClass: ParticipantClass;
  displayName?: string;
  upn?: string;
  deviceKey: string;
  platform: ClientPlatform;
  /** 'drop': rejoin on the same device; 'drop-device-switch': came back on another device. */
  kind: 'drop' | 'drop-device-switch';
  band: Band;
  /** Counted in rates: strong/probable band, human participant, not part of a mass event. */
  counted: boolean;
  confidence: 'high' | 'medium' | 'low';
  leaveTime: number;
  rejoinTime: number;
  gapSeconds: number;
  lostRecordId: string;
  rejoinRecordId: string;
  network: NetworkEvidence;
  /** Set when the drop belongs to a meeting-level mass event. */
  massEventId?: string;
  reason: string;
  /** Device switch only: the device and platform the participant came back on. */
  rejoinDeviceKey?: string;
  rejoinPlatform?: ClientPlatform;
}

/** Non-drop observations kept as evidence (hand-offs, nested intervals, rejoin after end ...). */
export interface DetectionNote {
  meetingId: string;
  participantKey: string;
  kind: 'device-handoff' | 'nested-same-device' | 'rejoin-after-end' | 'leave-at-end' | 'gap-too-long';
  time: number;
  recordIds: string[];
  reason: string;
}

export interface MassEvent {
  id: string;
  meetingId: string;
  start: number;
  end: number;
  participants: number;
  humansInMeeting: number;
  sites: string[];
  reason: string;
}

/** Per participant in one meeting. */
export interface ParticipantResult {
  participantKey: string;
  keyConfidence: KeyConfidence;
  participantClass: ParticipantClass;
  displayName?: string;
  upn?: string;
  sessions: number;
  drops: number;
  lostSeconds: number;
  maxGapSeconds: number;
}

export interface MeetingAnalysis {
  meetingId: string;
  instanceStart: number;
  instanceEnd: number;
  instanceSource: 'MeetingDetail' | 'sessions';
  sessions: ClassifiedSession[];
  participants: ParticipantResult[];
  disconnections: Disconnection[];
  notes: DetectionNote[];
  massEvents: MassEvent[];
}

export interface DetectionParams {
  overlapToleranceSeconds: number;
  /** Upper bound of the strong band. */
  strongGapSeconds: number;
  rejoinWindowSeconds: number;
  possibleWindowSeconds: number;
  endGraceSeconds: number;
  massEventWindowSeconds: number;
  massEventMinShare: number;
  massEventMinPeople: number;
  /** Rankings below this many eligible sessions are shown as not enough data. */
  minSessions: number;
}

/**
 * Version of what classification and detection produce for the same input. Bump it with any change
 * that alters results: the pipeline then re-analyses every stored meeting (it is part of the config
 * fingerprint, src/storage/configBlobs.ts).
 */
export const ANALYSIS_VERSION = 1;

export const DEFAULT_DETECTION_PARAMS: Readonly<DetectionParams> = Object.freeze({
  overlapToleranceSeconds: 10,
  strongGapSeconds: 60,
  rejoinWindowSeconds: 300,
  possibleWindowSeconds: 900,
  endGraceSeconds: 120,
  massEventWindowSeconds: 60,
  massEventMinShare: 0.3,
  massEventMinPeople: 3,
  minSessions: 20,
});
