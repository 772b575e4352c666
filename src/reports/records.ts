// Records report: the readable view of every accepted record (tala's no-option display mode),
// from the typed records, and the duplicate test it applies while records stream past.
import { createHash } from 'node:crypto';
import { joinTimeText, leaveTimeText, type AuditRecord } from '../audit/records.js';
import { contentKey } from '../audit/dataset.js';
import type { Column } from './render/csv.js';
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
    auditData: fields,
  };
}

export function recordRows(records: Iterable<AuditRecord>): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const r of records) rows.push(recordRow(r));
  return rows;
}

export const RECORD_CSV_COLUMNS: readonly Column<RecordRow>[] = [
  { header: 'file', value: (r) => r.file },
  { header: 'line', value: (r) => r.line },
  { header: 'creationDate', value: (r) => r.creationDate },
  { header: 'userId', value: (r) => r.userId },
  { header: 'operation', value: (r) => r.operation },
  { header: 'auditData', value: (r) => JSON.stringify(r.auditData) },
];

/**
 * The data set's duplicate rule (the same record Id, or for sessions the same contentKey under
 * another Id) for records that are listed and then let go: it keeps the Ids and the SHA-256 of the
 * content keys of the records seen, not the records.
 */
export class SeenRecords {
  private readonly meetingIds = new Set<string>();
  private readonly sessionIds = new Set<string>();
  private readonly sessionContents = new Set<string>();

  add(record: AuditRecord): 'accepted' | 'duplicate' {
    if (record.kind === 'meeting') {
      if (this.meetingIds.has(record.recordId)) return 'duplicate';
      this.meetingIds.add(record.recordId);
      return 'accepted';
    }
    if (this.sessionIds.has(record.recordId)) return 'duplicate';
    const content = createHash('sha256').update(contentKey(record)).digest('binary');
    if (this.sessionContents.has(content)) return 'duplicate';
    this.sessionIds.add(record.recordId);
    this.sessionContents.add(content);
    return 'accepted';
  }
}
