// What the collector keeps from a content blob (Teams meeting records only) and where it writes them:
// a deterministic blob name per content id, so a re-run after a crash writes the same blob again.
import { createHash } from 'node:crypto';

/** Operations kept (RecordType 25, MicrosoftTeams); everything else in Audit.General is dropped. */
export const MEETING_OPERATIONS: ReadonlySet<string> = new Set(['MeetingParticipantDetail', 'MeetingDetail']);
export const TEAMS_RECORD_TYPE = 25;
/** Folder of the exports container the collector writes under. */
export const COLLECTOR_BLOB_PREFIX = 'management-api';

export interface MeetingRecordSelection {
  kept: Array<Record<string, unknown>>;
  /** Well-formed records of other operations or workloads. */
  others: number;
  /** Entries that are not JSON objects. */
  invalid: number;
}

/** True for a MeetingParticipantDetail or MeetingDetail record (RecordType 25, given as a number or a numeric string). */
export function isMeetingRecord(record: Record<string, unknown>): boolean {
  const operation = record['Operation'];
  if (typeof operation !== 'string' || !MEETING_OPERATIONS.has(operation)) return false;
  const recordType = record['RecordType'];
  return recordType === undefined || recordType === TEAMS_RECORD_TYPE || recordType === String(TEAMS_RECORD_TYPE);
}

export function selectMeetingRecords(records: readonly unknown[]): MeetingRecordSelection {
  const selection: MeetingRecordSelection = { kept: [], others: 0, invalid: 0 };
  for (const record of records) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      selection.invalid++;
    } else if (isMeetingRecord(record as Record<string, unknown>)) {
      selection.kept.push(record as Record<string, unknown>);
    } else {
      selection.others++;
    }
  }
  return selection;
}

/** A path segment from any id: letters, digits, `.`, `_`, `-` kept, other bytes as `~XX`; long ids hashed. */
export function blobSafeSegment(id: string): string {
  const encoded = Array.from(Buffer.from(id, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9._-]/.test(ch) ? ch : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  const safe = encoded.replace(/^\.+/, (dots) => '~2E'.repeat(dots.length));
  if (safe.length === 0) return '~empty';
  return safe.length <= 200 ? safe : `~h${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** The UTC day (yyyy-mm-dd) of an ISO time, or 'undated' when it cannot be read. */
export function contentDay(contentCreated: string | undefined): string {
  if (contentCreated === undefined) return 'undated';
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(contentCreated) ? contentCreated : `${contentCreated}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 'undated' : new Date(ms).toISOString().slice(0, 10);
}

/** `management-api/<contentType>/<yyyy-mm-dd>/<contentId>.json`, the same for the same content every time. */
export function contentBlobName(contentType: string, contentCreated: string | undefined, contentId: string): string {
  return `${COLLECTOR_BLOB_PREFIX}/${blobSafeSegment(contentType)}/${contentDay(contentCreated)}/${blobSafeSegment(contentId)}.json`;
}
