// Shapes of the report API's JSON, from the report modules' own types (type-only imports: nothing of
// the Node side is bundled).
import type { Ranking, TenantSummary, MeetingSummary } from '../../analysis/metrics.js';
import type { NamedMeetingRow } from '../../reports/meetings.js';
import type { DisconnectionRow } from '../../reports/disconnections.js';
import type { AttendeeRow } from '../../reports/attendees.js';
/** /api/summary with site, platform or user: that key's own numbers (from the stored contributions). */
import type { SummaryFocus } from '../../pipeline/http/summaryFocus.js';

export type { Ranking, TenantSummary, MeetingSummary, DisconnectionRow, AttendeeRow, SummaryFocus };
/** The report API's meeting rows carry the organiser's name from Microsoft Graph ('' when unknown). */
export type MeetingRow = NamedMeetingRow;

export type GroupBy = 'site' | 'subnet' | 'platform' | 'user' | 'day';

/** /api/summary (with or without groupBy). */
export interface SummaryResponse {
  period: { from: string | null; to: string | null };
  totals: TenantSummary;
  minSessions: number;
  groupBy: GroupBy | null;
  items: Array<Ranking & { dimension: GroupBy }>;
  continuationToken: string | null;
  /** Present when the request named a site, platform or user. */
  focus?: SummaryFocus | null;
}

export interface ListResponse<T> {
  items: T[];
  continuationToken: string | null;
}

/** A device hand-off or other detector note (src/pipeline/http/meetingEvents.ts). */
export interface MeetingNote {
  participantKey: string;
  kind: string;
  /** ISO UTC. */
  time: string;
  reason: string;
}

export interface MeetingMassEvent {
  id: string;
  /** ISO UTC: first and last leave of the event. */
  start: string;
  end: string;
  participants: number;
  humansInMeeting?: number;
  sites: string[];
  reason?: string;
}

/** /api/meetings/{meetingId}. */
export interface MeetingResponse {
  meetingId: string;
  meeting: MeetingRow | null;
  summary: MeetingSummary | null;
  analysedAt: string | null;
  pendingAnalysis: boolean;
  sessions: AttendeeRow[];
  disconnections: DisconnectionRow[];
  /** On the first page only. */
  notes?: MeetingNote[];
  massEvents?: MeetingMassEvent[];
  /** The next page of sessions and disconnections; null on the last. */
  continuationToken?: string | null;
}

export interface UserRow {
  uuid: string;
  email: string;
  /** From Microsoft Graph ('' when not looked up). */
  displayName: string;
  origin: string;
}
