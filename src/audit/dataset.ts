// In-memory set of audit records from one or more exports: de-duplication, per-file accounting, meetings.
import { addAccounting, emptyAccounting } from './accounting.js';
import { participantKey } from './participantKey.js';
import type { ExportStream } from './readExport.js';
import type {
  AuditRecord,
  ExportInfo,
  ExportItem,
  Meeting,
  ReadAccounting,
  Rejection,
  SessionRecord,
} from './records.js';

export { emptyAccounting } from './accounting.js';

function copyAccounting(a: ReadAccounting): ReadAccounting {
  return { ...a, skippedByOperation: { ...a.skippedByOperation } };
}

/** The stream's batches when it offers them (cheaper), else its items one by one. */
async function* batchesOf(stream: ExportStream): AsyncGenerator<readonly ExportItem[]> {
  if (stream.batches !== undefined) {
    yield* stream.batches();
    return;
  }
  for await (const item of stream) yield [item];
}

/**
 * What makes two session records the same connection even under different record ids: meeting,
 * participant key (with its source), join, leave (as instants), client IP and device information.
 * A JSON array, so no value can run into the next one, and a flat string (cheap to keep in a Set).
 */
export function contentKey(record: SessionRecord): string {
  const participant = participantKey(record.attendee);
  return JSON.stringify([
    record.meetingId,
    participant.source,
    participant.key,
    record.joinTime,
    record.leaveTime,
    record.clientIp,
    record.deviceInformation,
  ]);
}

function sameContent(a: SessionRecord, b: SessionRecord, bSource: string): boolean {
  return (
    a.joinTime === b.joinTime &&
    a.leaveTime === b.leaveTime &&
    a.clientIp === b.clientIp &&
    a.deviceInformation === b.deviceInformation &&
    participantKey(a.attendee).source === bSource
  );
}

/**
 * Decides whether a record was already seen: the same record Id, or (for sessions) the same
 * content as contentKey() defines it under another Id. Meeting records are compared by Id only.
 * Sessions are indexed by meeting and participant key and then compared field by field, which is
 * cheaper than building and storing a content key per session.
 */
export class Deduplicator {
  private readonly sessionIds = new Set<string>();
  private readonly meetingIds = new Set<string>();
  /** Meeting id → participant key → the accepted session(s) of that participant (usually one: no array then). */
  private readonly sessions = new Map<string, Map<string, SessionRecord | SessionRecord[]>>();

  add(record: AuditRecord): 'accepted' | 'duplicate' {
    if (record.kind === 'meeting') {
      if (this.meetingIds.has(record.recordId)) return 'duplicate';
      this.meetingIds.add(record.recordId);
      return 'accepted';
    }
    const ids = this.sessionIds;
    const sizeBefore = ids.size;
    ids.add(record.recordId); // one hash lookup for "seen?" and "remember"
    if (ids.size === sizeBefore) return 'duplicate';
    const participant = participantKey(record.attendee);
    let byParticipant = this.sessions.get(record.meetingId);
    if (byParticipant === undefined) {
      byParticipant = new Map();
      this.sessions.set(record.meetingId, byParticipant);
    }
    const seen = byParticipant.get(participant.key);
    if (seen === undefined) {
      byParticipant.set(participant.key, record);
    } else if (Array.isArray(seen)) {
      for (const other of seen) {
        if (sameContent(other, record, participant.source)) {
          ids.delete(record.recordId);
          return 'duplicate';
        }
      }
      seen.push(record);
    } else {
      if (sameContent(seen, record, participant.source)) {
        ids.delete(record.recordId);
        return 'duplicate';
      }
      byParticipant.set(participant.key, [seen, record]);
    }
    return 'accepted';
  }
}

/** Records of one or more exports, de-duplicated and grouped by meeting. */
export class AuditDataset {
  private deduplicator: Deduplicator | undefined = new Deduplicator();
  private readonly byMeeting = new Map<string, Meeting>();
  private readonly totals = emptyAccounting();
  /** Every rejected row of every file, in reading order (callers cap what they print). */
  readonly rejections: Rejection[] = [];
  /** Information about each export read, in reading order. */
  readonly files: ExportInfo[] = [];

  /** Totals across all files (a copy): rowsRead = accepted + duplicates + skipped + rejected. */
  get accounting(): ReadAccounting {
    return copyAccounting(this.totals);
  }

  /**
   * Reads a whole export into the dataset; returns that file's accounting. If reading fails part-way
   * (ExportReadError or an I/O error), the rows read before the failure stay in the dataset and totals.
   */
  async addExport(stream: ExportStream): Promise<ReadAccounting> {
    const file = emptyAccounting();
    try {
      for await (const batch of batchesOf(stream)) {
        for (const item of batch) {
          file.rowsRead++;
          if (item.type === 'record') {
            if (this.insert(item.record) === 'accepted') file.accepted++;
            else file.duplicates++;
          } else if (item.type === 'skipped') {
            file.skipped++;
            file.skippedByOperation[item.operation] = (file.skippedByOperation[item.operation] ?? 0) + 1;
          } else {
            file.rejected++;
            this.rejections.push(item.rejection);
          }
        }
      }
      this.files.push(stream.info());
    } finally {
      addAccounting(this.totals, file);
    }
    return file;
  }

  /**
   * Adds one record (counted as one row read); 'duplicate', and not added, when the same record Id,
   * or the same session content under another Id, is already present.
   */
  addRecord(record: AuditRecord): 'accepted' | 'duplicate' {
    const outcome = this.insert(record);
    this.totals.rowsRead++;
    if (outcome === 'accepted') this.totals.accepted++;
    else this.totals.duplicates++;
    return outcome;
  }

  /**
   * Frees the index that finds duplicates (tens of bytes per record) when no more records will be
   * added; addExport and addRecord throw afterwards. Meetings, accounting and rejections stay.
   */
  finishReading(): void {
    this.deduplicator = undefined;
  }

  private insert(record: AuditRecord): 'accepted' | 'duplicate' {
    if (this.deduplicator === undefined) throw new Error('records cannot be added to a dataset after finishReading()');
    if (this.deduplicator.add(record) === 'duplicate') return 'duplicate';
    let meeting = this.byMeeting.get(record.meetingId);
    if (meeting === undefined) {
      meeting = { meetingId: record.meetingId, sessions: [] };
      this.byMeeting.set(record.meetingId, meeting);
    }
    if (record.kind === 'meeting') meeting.detail = record;
    else meeting.sessions.push(record);
    return 'accepted';
  }

  /** Meetings in order of first appearance, each with its MeetingDetail (if any) and sessions in input order. */
  meetings(): Meeting[] {
    return [...this.byMeeting.values()];
  }
}

/**
 * Reads a whole export without de-duplication (tala has its own): every record in input order,
 * with accounting (duplicates always 0) and rejections.
 */
export async function readAllRecords(
  stream: ExportStream,
): Promise<{ records: AuditRecord[]; accounting: ReadAccounting; rejections: Rejection[] }> {
  const records: AuditRecord[] = [];
  const into = { accounting: emptyAccounting(), rejections: [] as Rejection[] };
  await readRecords(stream, into, (record) => {
    records.push(record);
    return 'accepted';
  });
  return { records, ...into };
}

/**
 * Reads a whole export, handing each record to `onRecord` as it is read (which says whether it was
 * accepted or a duplicate), and counting every row into `into` as it goes: after a read error,
 * `into` holds what was read before it. `afterBatch` is awaited after each batch of rows (a
 * caller writing output as it reads can wait there for its output to drain).
 */
export async function readRecords(
  stream: ExportStream,
  into: { accounting: ReadAccounting; rejections: Rejection[] },
  onRecord: (record: AuditRecord) => 'accepted' | 'duplicate',
  afterBatch?: () => Promise<void>,
): Promise<void> {
  const { accounting, rejections } = into;
  for await (const batch of batchesOf(stream)) {
    for (const item of batch) {
      accounting.rowsRead++;
      if (item.type === 'record') {
        if (onRecord(item.record) === 'accepted') accounting.accepted++;
        else accounting.duplicates++;
      } else if (item.type === 'skipped') {
        accounting.skipped++;
        accounting.skippedByOperation[item.operation] = (accounting.skippedByOperation[item.operation] ?? 0) + 1;
      } else {
        accounting.rejected++;
        rejections.push(item.rejection);
      }
    }
    if (afterBatch !== undefined) await afterBatch();
  }
}
