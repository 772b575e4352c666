// Disconnections report: one row per detected disconnection, with the participant's e-mail, the
// meeting organiser and the network evidence; filters by band and by the lost session's network.
import { siteLabel } from '../analysis/detect.js';
import type { ClassifiedSession, Disconnection, MeetingAnalysis } from '../analysis/model.js';
import type { Column } from './render/csv.js';
import type { UsersLookup } from '../analysis/userDirectory.js';
import { isoOrEmpty } from './common.js';

export interface DisconnectionRow {
  meetingId: string;
  /** The meeting organiser's UPN (MeetingDetail, else the first session record). */
  organizerEmail: string;
  participantKey: string;
  keyConfidence: string;
  participantClass: string;
  /** DisplayName of the record, else the directory's name for the participant key, else ''. */
  displayName: string;
  upn: string;
  /** UPN, else the users database entry for the participant key, else ''. */
  email: string;
  platform: string;
  /** Device key of the lost session. */
  deviceKey: string;
  /** `drop` (re-joined on the same device) or `drop-device-switch` (came back on another device). */
  kind: string;
  /** `strong` (gap ≤ strongGapSeconds), `probable` (≤ rejoinWindowSeconds), `possible` (≤ possibleWindowSeconds). */
  band: string;
  /** Counted in rates: strong/probable, human, not part of a mass event. */
  counted: boolean;
  confidence: string;
  /** LeaveTime of the lost session / JoinTime of the re-join (ISO UTC). */
  leaveTime: string;
  rejoinTime: string;
  /** rejoinTime − leaveTime, seconds (negative: the sessions overlapped within the tolerance). */
  gapSeconds: number;
  /** Normalised IPs of the lost and the re-join session ('' when absent). */
  ipBefore: string;
  ipAfter: string;
  /** Sites of those IPs (`unmapped` / `no IP` when not in the site map). */
  siteBefore: string;
  siteAfter: string;
  ipChanged: boolean;
  siteChanged: boolean;
  /** Id of the mass event this drop belongs to ('' when none). */
  massEventId: string;
  /** Why the detector decided so, in words. */
  reason: string;
  lostRecordId: string;
  rejoinRecordId: string;
  /** Device switch only: device key and platform of the re-join session. */
  rejoinDeviceKey: string;
  rejoinPlatform: string;
}

/** Which disconnections to list. */
export interface DisconnectionFilter {
  /** Also list the possible band (default: strong and probable only). */
  includePossible?: boolean;
  /** tala-style regex (search) on the lost session's ClientIP as recorded ('' when absent). */
  ipRegex?: { test(ip: string): boolean };
  /** Keep drops whose lost session's IP lies in one of these networks. */
  ipNetwork?: (ip: string) => boolean;
}

export interface DisconnectionInput {
  analysis: MeetingAnalysis;
  organizerEmail: string;
}

export function disconnectionRow(d: Disconnection, organizerEmail: string, users?: UsersLookup): DisconnectionRow {
  const n = d.network;
  return {
    meetingId: d.meetingId,
    organizerEmail,
    participantKey: d.participantKey,
    keyConfidence: d.keyConfidence,
    participantClass: d.participantClass,
    displayName: d.displayName || users?.name?.(d.participantKey) || '',
    upn: d.upn ?? '',
    email: d.upn || users?.get(d.participantKey) || '',
    platform: d.platform,
    deviceKey: d.deviceKey,
    kind: d.kind,
    band: d.band,
    counted: d.counted,
    confidence: d.confidence,
    leaveTime: isoOrEmpty(d.leaveTime),
    rejoinTime: isoOrEmpty(d.rejoinTime),
    gapSeconds: d.gapSeconds,
    ipBefore: n.ipBefore,
    ipAfter: n.ipAfter,
    siteBefore: siteLabel(n.ipBefore, n.siteBefore),
    siteAfter: siteLabel(n.ipAfter, n.siteAfter),
    ipChanged: n.ipChanged,
    siteChanged: n.siteChanged,
    massEventId: d.massEventId ?? '',
    reason: d.reason,
    lostRecordId: d.lostRecordId,
    rejoinRecordId: d.rejoinRecordId,
    rejoinDeviceKey: d.rejoinDeviceKey ?? '',
    rejoinPlatform: d.rejoinPlatform ?? '',
  };
}

/** True when the disconnection passes the filter; `lost` is the session that ended. */
export function keepDisconnection(
  d: Disconnection,
  lost: ClassifiedSession | undefined,
  filter: DisconnectionFilter,
): boolean {
  if (d.band === 'possible' && !filter.includePossible) return false;
  if (filter.ipRegex !== undefined && !filter.ipRegex.test(lost?.session.clientIp ?? d.network.ipBefore)) return false;
  if (filter.ipNetwork !== undefined && !filter.ipNetwork(d.network.ipBefore)) return false;
  return true;
}

/** Rows in meeting order, then the detector's order (participant, leave time). */
export function disconnectionRows(
  inputs: Iterable<DisconnectionInput>,
  filter: DisconnectionFilter = {},
  users?: UsersLookup,
): DisconnectionRow[] {
  const rows: DisconnectionRow[] = [];
  for (const { analysis, organizerEmail } of inputs) {
    if (analysis.disconnections.length === 0) continue;
    const byRecord =
      filter.ipRegex === undefined ? undefined : new Map(analysis.sessions.map((s) => [s.session.recordId, s]));
    for (const d of analysis.disconnections) {
      if (keepDisconnection(d, byRecord?.get(d.lostRecordId), filter))
        rows.push(disconnectionRow(d, organizerEmail, users));
    }
  }
  return rows;
}

/** How many rows disconnectionRows would give, without building them. */
export function countDisconnections(inputs: Iterable<DisconnectionInput>, filter: DisconnectionFilter = {}): number {
  let count = 0;
  for (const { analysis } of inputs) {
    if (analysis.disconnections.length === 0) continue;
    const byRecord =
      filter.ipRegex === undefined ? undefined : new Map(analysis.sessions.map((s) => [s.session.recordId, s]));
    for (const d of analysis.disconnections) {
      if (keepDisconnection(d, byRecord?.get(d.lostRecordId), filter)) count++;
    }
  }
  return count;
}

export const DISCONNECTION_FIELDS: readonly (keyof DisconnectionRow)[] = [
  'meetingId',
  'organizerEmail',
  'participantKey',
  'keyConfidence',
  'participantClass',
  'displayName',
  'upn',
  'email',
  'platform',
  'deviceKey',
  'kind',
  'band',
  'counted',
  'confidence',
  'leaveTime',
  'rejoinTime',
  'gapSeconds',
  'ipBefore',
  'ipAfter',
  'siteBefore',
  'siteAfter',
  'ipChanged',
  'siteChanged',
  'massEventId',
  'reason',
  'lostRecordId',
  'rejoinRecordId',
  'rejoinDeviceKey',
  'rejoinPlatform',
];

export const DISCONNECTION_CSV_COLUMNS: readonly Column<DisconnectionRow>[] = DISCONNECTION_FIELDS.map((f) => ({
  header: f,
  value: (r) => r[f],
}));
