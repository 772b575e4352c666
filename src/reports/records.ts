// Records report: the readable view of every accepted record (tala's no-option display mode),
// from the typed records.
import { joinTimeText, leaveTimeText, type AuditRecord } from '../audit/records.js';
import { isoOrEmpty } from './common.js';

export interface RecordRow {
  file: string;
  /** Record number in its file (CSV data row or JSON record, 1-based). */
  line: number;
  /** AuditData.CreationTime (ISO UTC; '' when absent). */
  creationDate: string;
  /** Envelope UserId (for meeting records: the organiser). */
  userId: string;
  /** `MeetingParticipantDetail` or `MeetingDetail`. */
  operation: string;
  /** The fields read from AuditData, under their names in this project's record types. */
  auditData: Record<string, unknown>;
}

export function recordRow(r: AuditRecord): RecordRow {
  const { source, kind, ...fields } = r;
  void kind;
  if (r.kind === 'session') {
    // The texts as they appeared (the reader keeps only the number for the plain ISO form).
    Object.assign(fields, { joinTimeRaw: joinTimeText(r), leaveTimeRaw: leaveTimeText(r) });
  }
  return {
    file: source.file,
    line: source.line,
    creationDate: isoOrEmpty(r.creationTime),
    userId: r.organizerUpn,
    operation: r.kind === 'session' ? 'MeetingParticipantDetail' : 'MeetingDetail',
    auditData: fields as Record<string, unknown>,
  };
}

export function recordRows(records: Iterable<AuditRecord>): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const r of records) rows.push(recordRow(r));
  return rows;
}
