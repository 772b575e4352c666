// Writes the accepted records of one ingestion: sessions (batched per meeting), a bundle per
// committed session batch, the MeetingDetail records with a copy of each naming this ingestion's source
// (meetings table), and finally the marks that name, per meeting, the bundles and details it added.
import type { AuditRecord } from '../audit/records.js';
import type { BatchWriterOptions, TableBatchWriter } from './batchWriter.js';
import type { TableEntityShape } from './entityGuards.js';
import { decodeKey, keyComponent } from './keys.js';
import type { MarkIndex, MarksTable } from './marks.js';
import { bundleEntity, detailCopyEntity, MAX_BUNDLED_BATCH_BYTES, type MeetingsTable } from './meetingsTable.js';
import type { SessionsTable } from './sessionsTable.js';

export interface RecordTables {
  sessions: SessionsTable;
  meetings: MeetingsTable;
  marks: MarksTable;
}

/** The source an ingestion's bundles, detail copies and marks name: one blob version. */
export function ingestionSource(blobName: string, etag: string | undefined): string {
  return `${blobName}\n${etag ?? ''}`;
}

/** The source as it appears in RowKeys (bundles, detail copies, marks). */
export function ingestionSourceKey(blobName: string, etag: string | undefined): string {
  return keyComponent(ingestionSource(blobName, etag));
}

export class RecordWriter {
  private readonly sessionWriter: TableBatchWriter;
  private readonly meetingWriter: TableBatchWriter;
  private readonly pendingBundles: TableEntityShape[] = [];
  private readonly added = new Map<string, MarkIndex>();

  private readonly sourceKey: string;

  /** `source` identifies the blob version being ingested (its marks and bundles carry it). */
  constructor(
    private readonly tables: RecordTables,
    private readonly source: string,
    options: BatchWriterOptions = {},
  ) {
    const { onTransaction } = options;
    this.sourceKey = keyComponent(source);
    this.sessionWriter = tables.sessions.writer({
      ...options,
      // Each committed batch becomes one bundle entity, which must stay under 1 MiB.
      maxPayloadBytes: Math.min(options.maxPayloadBytes ?? MAX_BUNDLED_BATCH_BYTES, MAX_BUNDLED_BATCH_BYTES),
      onCommit: (partitionKey, upserted) =>
        this.pendingBundles.push(bundleEntity(partitionKey, this.sourceKey, upserted)),
    });
    this.meetingWriter = tables.meetings.writer(
      onTransaction === undefined ? { ...options } : { ...options, onTransaction },
    );
  }

  private indexOf(meetingId: string): MarkIndex {
    let index = this.added.get(meetingId);
    if (index === undefined) {
      index = { bundles: [], details: [] };
      this.added.set(meetingId, index);
    }
    return index;
  }

  /** Queues one record's entity (as built by sessionToEntity / meetingDetailToEntity). */
  async add(record: AuditRecord, entity: TableEntityShape): Promise<void> {
    if (record.kind === 'session') {
      this.indexOf(record.meetingId);
      await this.sessionWriter.upsert(entity);
    } else {
      this.indexOf(record.meetingId).details.push(entity.rowKey);
      // The copy is queued first (normally in the same transaction): the provenance that lets the detail be withdrawn.
      await this.meetingWriter.upsert(detailCopyEntity(entity, this.sourceKey));
      await this.meetingWriter.upsert(entity);
    }
    await this.drainBundles();
  }

  private async drainBundles(): Promise<void> {
    while (this.pendingBundles.length > 0) {
      const bundle = this.pendingBundles.shift()!;
      this.indexOf(decodeKey(bundle.partitionKey)).bundles.push(bundle.rowKey);
      await this.meetingWriter.upsert(bundle);
    }
  }

  /** Commits the sessions, then their bundles and the details. Returns what each meeting gained. */
  async flush(): Promise<ReadonlyMap<string, MarkIndex>> {
    await this.sessionWriter.flush();
    await this.drainBundles();
    await this.meetingWriter.flush();
    return this.added;
  }

  /** After a failure: commits what can still be committed, ignoring further errors. */
  async flushQuietly(): Promise<void> {
    await Promise.allSettled([this.sessionWriter.flush()]);
    await Promise.allSettled([this.drainBundles()]);
    await Promise.allSettled([this.meetingWriter.flush()]);
  }

  /** Marks every meeting that gained records, naming what it gained. */
  async mark(now: Date, options: BatchWriterOptions = {}): Promise<number> {
    return this.tables.marks.markIngested(this.source, this.added, now, options);
  }

  get meetingsTouched(): number {
    return this.added.size;
  }
}
