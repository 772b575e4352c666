// The rows sent to Log Analytics for one meeting's current result: one per meeting (Dimension 'meeting', human
// totals), one per site and per client platform of its human sessions, and one per disconnection. Every row carries
// the analysis run, the time the meeting was analysed and the config fingerprint, so that queries keep the latest
// result per meeting (ingestion is append-only). No IP address is sent; user ids only when the setting allows.
import { siteLabel } from '../../analysis/detect.js';
import type { Contribution, MeetingSummary } from '../../analysis/metrics.js';
import type { StoredDisconnection } from '../../storage/disconnectionsTable.js';
import type { MeetingListing } from '../../storage/meetingResultsTable.js';

/** Which analysis produced the rows. */
export interface AnalysisStamp {
  /** Start time (ISO) of the analysis run. */
  run: string;
  configFingerprint: string;
}

export interface RowOptions {
  /** Send UPNs (participants' and organisers'); false leaves them empty. */
  includeUserIds: boolean;
  /** TimeGenerated of the rows (ISO). */
  sentAt: string;
}

export type MeetingRow = Record<string, string | number | boolean | null>;
export type DisconnectionRow = Record<string, string | number | boolean | null>;

/** The site and platform dimensions are sent; subnets, users and days are not (subnets derive from IPs). */
export const SENT_DIMENSIONS: ReadonlyArray<Contribution['dimension']> = ['site', 'platform'];

function iso(ms: number): string | null {
  return Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? new Date(ms).toISOString() : null;
}

function rate(drops: number, eligible: number): number | null {
  return eligible > 0 ? drops / eligible : null;
}

export function meetingRows(
  listing: MeetingListing,
  contributions: readonly Contribution[],
  stamp: AnalysisStamp,
  options: RowOptions,
): MeetingRow[] {
  const s: MeetingSummary = listing.summary;
  const human = s.byClass.human;
  const common = {
    TimeGenerated: options.sentAt,
    MeetingId: listing.meetingId,
    MeetingStart: iso(s.start),
    MeetingEnd: iso(s.end),
    MeetingType: s.meetingType,
    OrganizerUpn: options.includeUserIds ? s.organizerUpn : '',
    AnalysisRun: stamp.run,
    AnalysedAt: listing.analysedAt,
    ConfigFingerprint: stamp.configFingerprint,
  };
  const rows: MeetingRow[] = [
    {
      ...common,
      Dimension: 'meeting',
      DimensionKey: '',
      Participants: human.participants,
      EligibleSessions: human.eligibleSessions,
      Drops: human.drops,
      DropRate: rate(human.drops, human.eligibleSessions),
      LostSeconds: human.lostSeconds,
      AffectedParticipants: human.affectedParticipants,
      MassEvents: s.massEvents,
      PossibleDrops: s.possibleDrops,
    },
  ];
  const sent = contributions
    .filter((c) => SENT_DIMENSIONS.includes(c.dimension))
    .sort(
      (a, b) =>
        SENT_DIMENSIONS.indexOf(a.dimension) - SENT_DIMENSIONS.indexOf(b.dimension) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  for (const c of sent) {
    rows.push({
      ...common,
      Dimension: c.dimension,
      DimensionKey: c.key,
      Participants: c.participants,
      EligibleSessions: c.eligibleSessions,
      Drops: c.drops,
      DropRate: rate(c.drops, c.eligibleSessions),
      LostSeconds: c.lostSeconds,
      AffectedParticipants: 0,
      MassEvents: 0,
      PossibleDrops: 0,
    });
  }
  return rows;
}

export function disconnectionRows(
  listing: MeetingListing,
  disconnections: readonly StoredDisconnection[],
  stamp: AnalysisStamp,
  options: RowOptions,
): DisconnectionRow[] {
  return disconnections.map((item, sequence) => {
    const d = item.disconnection;
    return {
      TimeGenerated: options.sentAt,
      MeetingId: listing.meetingId,
      MeetingStart: iso(item.meetingStart),
      Sequence: sequence,
      LeaveTime: iso(d.leaveTime),
      RejoinTime: iso(d.rejoinTime),
      GapSeconds: d.gapSeconds,
      Kind: d.kind,
      Band: d.band,
      Counted: d.counted,
      Confidence: d.confidence,
      ParticipantClass: d.participantClass,
      Platform: d.platform,
      RejoinPlatform: d.rejoinPlatform ?? '',
      Site: item.site,
      SiteAfter: siteLabel(d.network.ipAfter, d.network.siteAfter),
      IpChanged: d.network.ipChanged,
      SiteChanged: d.network.siteChanged,
      MassEvent: d.massEventId !== undefined,
      UserPrincipalName: options.includeUserIds ? (d.upn ?? '') : '',
      AnalysisRun: stamp.run,
      AnalysedAt: listing.analysedAt,
      ConfigFingerprint: stamp.configFingerprint,
    };
  });
}
