// Typed records read from audit exports, and the accounting of every input row.
// Times are epoch milliseconds (UTC); the raw strings are kept for tala-compatible output.
import { formatIsoUtc } from './time.js';

export interface SourceRef {
  /** File (or blob) name as given by the caller. */
  file: string;
  /** 1-based record number: CSV data record (header = row 0, as tala counts; a quoted field spanning lines is
   *  still one record), JSON array element (counted over every array of records in the file, wrappers' too),
   *  NDJSON physical line (blank lines are not records), or the line a pretty-printed record starts on. */
  line: number;
}

/** One element of `Attendees` (normally the only one). Every field is optional in real data. */
export interface Attendee {
  userObjectId?: string;
  upn?: string;
  displayName?: string;
  organizationId?: string;
  recipientType?: string;
  role?: string;
}

/** What both kinds of record carry: the ids, the envelope, the meeting type and where the record came from. */
export interface RecordEnvelope {
  /** AuditData.Id (record id). */
  recordId: string;
  /** The meeting session, the join key: a MeetingParticipantDetail's MeetingDetailId, a MeetingDetail's own Id. */
  meetingId: string;
  /** AuditData.CreationTime, epoch ms, if parseable. */
  creationTime?: number;
  /** Envelope UserId / UserKey / OrganizationId: the organiser according to tala. */
  organizerUpn: string;
  organizerId: string;
  organizerOrganizationId: string;
  /** ItemName, verbatim (comma-separated flags). */
  meetingType: string;
  source: SourceRef;
}

/** One `MeetingParticipantDetail` record: one connection of one participant to one meeting session. */
export interface SessionRecord extends RecordEnvelope {
  kind: 'session';
  attendee: Attendee;
  /** JoinTime / LeaveTime parsed as UTC (epoch ms). */
  joinTime: number;
  leaveTime: number;
  /**
   * JoinTime / LeaveTime as they appeared, when that is not `YYYY-MM-DDThh:mm:ss` (the usual form,
   * rebuilt from the number instead of being kept: 80 bytes less per record). Read them with
   * joinTimeText() and leaveTimeText().
   */
  joinTimeRaw?: string | undefined;
  leaveTimeRaw?: string | undefined;
  /** ClientIP as it appeared ('' when absent). */
  clientIp: string;
  /** DeviceInformation as it appeared ('' when absent). */
  deviceInformation: string;
  deviceId?: string;
  /** ExtraProperties entry with Key = UserAgent ('' when absent). */
  userAgent: string;
  isJoinedFromLobby?: boolean;
}

/** One `MeetingDetail` record: one meeting session (its recordId is its meetingId). */
export interface MeetingDetailRecord extends RecordEnvelope {
  kind: 'meeting';
  startTime?: number;
  endTime?: number;
  startTimeRaw: string;
  endTimeRaw: string;
  meetingUrl?: string;
  chatThreadId?: string;
  communicationType?: string;
  communicationSubType?: string;
}

export type AuditRecord = SessionRecord | MeetingDetailRecord;

/** A row that could not be used; enough for a person to find and fix it. */
export interface Rejection {
  file: string;
  /** Numbered as SourceRef.line. */
  line: number;
  /** The column or AuditData field at fault (e.g. "AuditData", "AuditData.JoinTime"). */
  field: string;
  reason: string;
  recordId?: string;
}

/** rowsRead = accepted + duplicates + skipped + rejected, always. */
export interface ReadAccounting {
  rowsRead: number;
  accepted: number;
  duplicates: number;
  skipped: number;
  rejected: number;
  /** Skipped rows by Operation (other Teams or non-Teams operations). */
  skippedByOperation: Record<string, number>;
}

/** json-wrapper: objects holding arrays of records (Graph pages, `{"value":[…]}`); json-records: records
 *  written one after another over several lines (pretty-printed); zip: an archive of exports. */
export type ExportFormat = 'csv' | 'json-array' | 'ndjson' | 'json-wrapper' | 'json-records' | 'zip';

/** purview-v1 `CreationDate,UserIds,Operations,AuditData`; v2 `CreationDate,UserId,Operation,AuditData`;
 *  v3 `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,...`; powershell: Export-Csv of
 *  Search-UnifiedAuditLog; sentinel: Log Analytics OfficeActivity export (no AuditData column);
 *  other: any CSV with an AuditData column. */
export type CsvHeaderVariant = 'purview-v1' | 'purview-v2' | 'purview-v3' | 'powershell' | 'sentinel' | 'other';

/** What the reader yields, in input order. */
export type ExportItem =
  | { type: 'record'; record: AuditRecord }
  | { type: 'skipped'; source: SourceRef; operation: string }
  | { type: 'rejected'; rejection: Rejection };

export interface ExportInfo {
  file: string;
  format: ExportFormat;
  csvVariant?: CsvHeaderVariant;
  /** Warnings about the file as a whole (e.g. probable truncation at 50,000 rows). */
  warnings: string[];
}

/** `YYYY-MM-DDThh:mm:ss` (UTC), the form in which the reader does not keep a time's text. */
export function plainIsoText(ms: number): string {
  return formatIsoUtc(ms).slice(0, 19);
}

/** True when `raw` is the plain form plainIsoText() rebuilds exactly (for a raw text the time parser accepted). */
export function isPlainIsoText(raw: string): boolean {
  return (
    raw.length === 19 && raw.charCodeAt(10) === 84 /* T */ && raw.charCodeAt(4) === 45 && raw.charCodeAt(16) === 58
  );
}

/** JoinTime as it appeared in the export. */
export function joinTimeText(r: SessionRecord): string {
  return r.joinTimeRaw ?? plainIsoText(r.joinTime);
}

/** LeaveTime as it appeared in the export. */
export function leaveTimeText(r: SessionRecord): string {
  return r.leaveTimeRaw ?? plainIsoText(r.leaveTime);
}

/** The records of one meeting, as the analysis takes them. */
export interface Meeting {
  meetingId: string;
  detail?: MeetingDetailRecord;
  /** Sessions after de-duplication, in input order. */
  sessions: SessionRecord[];
}
