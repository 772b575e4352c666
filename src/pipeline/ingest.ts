// Ingestion of one export blob (plain, gzip-compressed, or a zip archive of exports): stream-parse it, de-duplicate within the file, write sessions, their
// bundles and meeting details (batched upserts, so re-ingesting changes nothing), learned users, the
// rejected rows and the ledger entry, then mark every meeting that gained records for analysis. A version
// that completed replaces the blob's other versions (src/pipeline/withdraw.ts).
import { ExportReadError } from '../audit/readExport.js';
import { readAnyExport } from '../audit/archiveExport.js';
import { isRangedExport, readRangedExport, type RangedExport } from './exportInput.js';
import { Deduplicator, emptyAccounting } from '../audit/dataset.js';
import type { AuditRecord, ExportInfo, Rejection } from '../audit/records.js';
import type { Store } from '../storage/store.js';
import { sessionToEntity } from '../storage/sessionsTable.js';
import { meetingDetailToEntity } from '../storage/meetingsTable.js';
import { LEDGER_REJECTION_SAMPLE, REMOVAL_STATUSES, type UploadEntry } from '../storage/ledger.js';
import { KeyError } from '../storage/keys.js';
import { learnFromRecord } from '../storage/usersTable.js';
import type { UserEntry } from '../analysis/userDirectory.js';
import type { GuardedEntity } from '../storage/entityGuards.js';
import type { BatchWriterOptions } from '../storage/batchWriter.js';
import { ingestionSource, RecordWriter } from '../storage/recordWriter.js';
import { describeError } from '../errors.js';
import { singleLineLog, SILENT_LOG, type PipelineLog } from './log.js';
import { noMeetingRecordsWarnings } from '../audit/noMeetingRecords.js';
import { settleVersions, type RemovalTotals } from './withdraw.js';
import type { Pseudonymizer } from '../audit/pseudonymize.js';
import { pseudonymizerFromEnv } from '../privacyMode.js';

export interface IngestInput {
  blobName: string;
  /** The blob's ETag; with it, a version already ingested completely is skipped. */
  etag?: string;
  /** The bytes in memory, a stream of them, or a source read by byte ranges (a blob: never held whole). */
  content: Buffer | Uint8Array | AsyncIterable<Uint8Array | string> | RangedExport;
}

export interface IngestDeps {
  store: Store;
  /** Batch transactions in flight at once (default 8). */
  writeConcurrency?: number;
  /** Observes every committed transaction (benchmark, tests). */
  onTransaction?: BatchWriterOptions['onTransaction'];
  now?: () => Date;
  /**
   * Pseudonymises identities before they are stored (PSEUDONYMIZE_USERS=true); null: never. When omitted,
   * the app settings decide (src/privacyMode.ts), and a missing key fails the ingestion before it writes.
   */
  pseudonymizer?: Pseudonymizer | null;
}

export interface IngestResult {
  /**
   * `skipped`: this blob name and ETag were already ingested completely, or replaced or withdrawn since. `failed`: the file cannot be
   * read at all (empty, binary, not an export...); reading it again would fail the same way, so the
   * ledger entry says it is not retried.
   */
  outcome: 'completed' | 'skipped' | 'failed';
  entry: UploadEntry;
  /** What replacing the blob's other versions removed (or finishing a withdrawal of this one). */
  removed: RemovalTotals;
}

/** Why a file cannot be read, naming the file of a zip archive at fault, without repeating the blob name. */
function unreadableReason(error: ExportReadError, blobName: string): string {
  const inner = error.file.startsWith(`${blobName}/`) ? `${error.file.slice(blobName.length + 1)}: ` : '';
  return `${inner}${error.reason}${error.line === undefined ? '' : ` (row ${error.line})`}`;
}

/** The export field each keyed property of a record comes from (a MeetingDetail's meeting id is its own Id). */
const KEY_SOURCE_FIELDS: Record<AuditRecord['kind'], Partial<Record<string, string>>> = {
  session: { meetingId: 'AuditData.MeetingDetailId', recordId: 'AuditData.Id' },
  meeting: { meetingId: 'AuditData.Id', recordId: 'AuditData.Id' },
};

function keyRejection(record: AuditRecord, error: KeyError): Rejection {
  const field = KEY_SOURCE_FIELDS[record.kind][error.field ?? ''] ?? 'AuditData.Id';
  return {
    file: record.source.file,
    line: record.source.line,
    field,
    reason: `${error.message}; the record cannot be stored`,
    recordId: record.recordId,
  };
}

/**
 * Ingests one export. A file that cannot be read at all ends with outcome `failed` (a permanent error:
 * the invocation must succeed, so that the host does not read it again); storage errors are thrown
 * (the host retries the invocation; every write is an idempotent upsert).
 */
export async function ingestExport(
  input: IngestInput,
  deps: IngestDeps,
  log: PipelineLog = SILENT_LOG,
): Promise<IngestResult> {
  log = singleLineLog(log);
  const { store } = deps;
  const pseudonymizer = deps.pseudonymizer === undefined ? pseudonymizerFromEnv() : (deps.pseudonymizer ?? undefined);
  const now = deps.now ?? (() => new Date());
  const started = now();
  const settleDeps = { store, now, log };
  const previous = await store.ledger.get(input.blobName, input.etag);
  if (
    previous !== undefined &&
    input.etag !== undefined &&
    (previous.status === 'completed' || REMOVAL_STATUSES.has(previous.status))
  ) {
    const when =
      previous.status === 'completed'
        ? `was already ingested on ${previous.finishedAt ?? previous.startedAt}`
        : `is ${previous.status}`;
    log.info(`ingestExport: ${input.blobName} (ETag ${input.etag}) ${when}; skipped`);
    // A retry after a failure while replacing the other versions (or withdrawing this one) finishes that.
    return { outcome: 'skipped', entry: previous, removed: await settleVersions(settleDeps, previous) };
  }

  const accounting = emptyAccounting();
  const entry: UploadEntry = {
    blobName: input.blobName,
    status: 'processing',
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt: started.toISOString(),
    warnings: [],
    ...accounting,
    sessions: 0,
    meetingDetails: 0,
    meetingsTouched: 0,
    truncatedEntities: 0,
    firstRejections: [],
  };
  if (input.etag !== undefined) entry.etag = input.etag;
  await store.ledger.put(entry);

  const writerOptions: BatchWriterOptions = {};
  if (deps.writeConcurrency !== undefined) writerOptions.concurrency = deps.writeConcurrency;
  if (deps.onTransaction !== undefined) writerOptions.onTransaction = deps.onTransaction;
  const writer = new RecordWriter(store, ingestionSource(input.blobName, input.etag), writerOptions);
  const deduplicator = new Deduplicator();
  const rejections: Rejection[] = [];
  const learned = new Map<string, UserEntry>();
  let info: ExportInfo | undefined;
  let latestSeen = Number.NEGATIVE_INFINITY;

  try {
    // A gzip blob is decompressed as it is read; a zip blob is read entry by entry (rows named
    // `blob.zip/inner.csv`), and this one ledger entry accounts for all of them.
    const stream = isRangedExport(input.content)
      ? readRangedExport(input.content, { file: input.blobName })
      : readAnyExport(input.content, { file: input.blobName });
    for await (const item of stream) {
      accounting.rowsRead++;
      if (item.type === 'skipped') {
        accounting.skipped++;
        accounting.skippedByOperation[item.operation] = (accounting.skippedByOperation[item.operation] ?? 0) + 1;
        continue;
      }
      if (item.type === 'rejected') {
        accounting.rejected++;
        rejections.push(item.rejection);
        continue;
      }
      const record = pseudonymizer === undefined ? item.record : pseudonymizer.record(item.record);
      let guarded: GuardedEntity;
      try {
        guarded = record.kind === 'session' ? sessionToEntity(record) : meetingDetailToEntity(record);
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        accounting.rejected++;
        rejections.push(keyRejection(record, error));
        continue;
      }
      if (deduplicator.add(record) === 'duplicate') {
        accounting.duplicates++;
        continue;
      }
      accounting.accepted++;
      if (guarded.truncated.length > 0) entry.truncatedEntities++;
      learnFromRecord(learned, record);
      latestSeen = Math.max(latestSeen, ...recordTimes(record));
      if (record.kind === 'session') entry.sessions++;
      else entry.meetingDetails++;
      await writer.add(record, guarded.entity);
    }
    info = stream.info();
    await writer.flush();
    await store.users.upsertAll(learned.values(), writerOptions, Number.isFinite(latestSeen) ? latestSeen : undefined);

    entry.rejectsBlob = await store.rejects.write(input.blobName, input.etag, rejections, now());
    // Last: a meeting is marked only once everything it gained is stored.
    await writer.mark(now(), writerOptions);
  } catch (error) {
    // Commit what can still be committed; the writers' own failures are already in `error`, and the
    // host retries the invocation (every write is an idempotent upsert).
    await writer.flushQuietly();
    const unreadable = error instanceof ExportReadError;
    const message = unreadable
      ? `The export "${input.blobName}" cannot be read: ${unreadableReason(error, input.blobName).replace(/\.$/, '')}. ` +
        'It is not retried (the same file fails the same way): upload a corrected file'
      : `Ingestion of "${input.blobName}" failed after ${accounting.rowsRead} rows: ${describeError(error)}`;
    Object.assign(entry, accounting, {
      status: 'failed' as const,
      error: message,
      finishedAt: now().toISOString(),
      durationMs: now().getTime() - started.getTime(),
      meetingsTouched: writer.meetingsTouched,
      firstRejections: rejections.slice(0, LEDGER_REJECTION_SAMPLE),
    });
    if (unreadable) entry.permanent = true;
    try {
      await keepRemoval(store, entry);
      await store.ledger.put(entry);
    } catch (ledgerError) {
      log.warn(`ingestExport: could not record the failure in the ledger: ${describeError(ledgerError)}`);
    }
    log.error(message);
    // A version that cannot be read replaces nothing: the older versions stay.
    if (unreadable)
      return { outcome: 'failed', entry, removed: { sessionsRemoved: 0, detailsRemoved: 0, meetingsRemarked: 0 } };
    throw new Error(message, { cause: error });
  }

  Object.assign(entry, accounting, {
    status: 'completed' as const,
    finishedAt: now().toISOString(),
    durationMs: now().getTime() - started.getTime(),
    meetingsTouched: writer.meetingsTouched,
    firstRejections: rejections.slice(0, LEDGER_REJECTION_SAMPLE),
    format: info.format,
    warnings: [...info.warnings, ...noMeetingRecordsWarnings(accounting)],
  });
  if (info.csvVariant !== undefined) entry.csvVariant = info.csvVariant;
  delete entry.error;
  await keepRemoval(store, entry);
  await store.ledger.put(entry);
  log.info(
    `ingestExport: ${input.blobName}: ${entry.rowsRead} rows read, ${entry.accepted} accepted, ${entry.duplicates} duplicates, ` +
      `${entry.skipped} skipped, ${entry.rejected} rejected; ${entry.meetingsTouched} meetings marked for analysis`,
  );
  if (entry.rejected > 0)
    log.warn(
      `ingestExport: ${input.blobName}: ${entry.rejected} rows rejected; see ${entry.rejectsBlob ?? 'the rejects container'}`,
    );
  return { outcome: 'completed', entry, removed: await settleVersions(settleDeps, entry) };
}

/** The usable times of a record (for the users' `seenAt`, which retention goes by). */
function recordTimes(record: AuditRecord): number[] {
  const times =
    record.kind === 'session'
      ? [record.joinTime, record.leaveTime, record.creationTime]
      : [record.startTime, record.endTime, record.creationTime];
  return times.filter((t): t is number => t !== undefined && Number.isFinite(t));
}

/**
 * Keeps a withdrawal recorded while this version was being ingested: its removal stays, and its status
 * says the removal is not finished (this ingestion wrote records since), so settleVersions finishes it.
 */
async function keepRemoval(store: Store, entry: UploadEntry): Promise<void> {
  const latest = await store.ledger.get(entry.blobName, entry.etag);
  if (latest?.removal === undefined) return;
  const { finishedAt: _unfinished, ...removal } = latest.removal;
  entry.removal = removal;
  entry.status = removal.reason === 'withdrawn' ? 'withdrawing' : 'replacing';
}
