// The upload ledger: one entity per ingested blob version (PartitionKey = blob name, RowKey = ETag)
// with its status, row accounting, meetings touched, duration, first rejections and error; and, once the
// version was replaced by a newer one or withdrawn, when, by which ETag and what that removed.
import type { TableClient } from '@azure/data-tables';
import type { ReadAccounting, Rejection } from '../audit/records.js';
import { etagKey, keyComponent, MAX_ID_KEY_CHARS } from './keys.js';
import { guardEntity, readSplitString, type TableEntityShape } from './entityGuards.js';
import type { TableQuery } from './odata.js';
import { getEntityIfExists, listAll, listPage, num, optStr, str, stringLiteral } from './tableEntities.js';

/**
 * `replacing`/`withdrawing`: its records are being taken back (a newer version of the blob arrived, or
 * the export was withdrawn); `replaced`/`withdrawn` once that is done. Ingestion statuses come first.
 */
export type UploadStatus =
  'processing' | 'completed' | 'failed' | 'replacing' | 'replaced' | 'withdrawing' | 'withdrawn';

/** The statuses of a version whose records are being, or have been, taken back. */
export const REMOVAL_STATUSES: ReadonlySet<UploadStatus> = new Set([
  'replacing',
  'replaced',
  'withdrawing',
  'withdrawn',
]);

/** Taking a version's records back: why, when, and what it removed so far. */
export interface UploadRemoval {
  reason: 'replaced' | 'withdrawn';
  /** The ETag of the version that replaced this one. */
  replacedBy?: string;
  startedAt: string;
  finishedAt?: string;
  /** Sessions and MeetingDetail records deleted because no other export (or version) held them. */
  sessionsRemoved: number;
  detailsRemoved: number;
  /** Meetings marked for analysis again because they lost records. */
  meetingsRemarked: number;
}

/** How many rejections the ledger keeps inline; the rejects blob has all of them. */
export const LEDGER_REJECTION_SAMPLE = 20;

/** An upload's row accounting (rowsRead = accepted + duplicates + skipped + rejected) and what became of it. */
export interface UploadEntry extends ReadAccounting {
  blobName: string;
  /** The blob's ETag, when the trigger gave one. */
  etag?: string;
  status: UploadStatus;
  /** Invocations that worked on this blob version (retries included). */
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  format?: string;
  csvVariant?: string;
  warnings: string[];
  sessions: number;
  meetingDetails: number;
  meetingsTouched: number;
  /** Entities whose over-long values were cut to fit Table Storage. */
  truncatedEntities: number;
  firstRejections: Rejection[];
  /** Name of the blob (rejects container) holding every rejected row. */
  rejectsBlob?: string;
  error?: string;
  /** Set once the version is being replaced or withdrawn. */
  removal?: UploadRemoval;
  /** The failure is permanent (the file cannot be read at all): this version is not retried. */
  permanent?: boolean;
}

const NO_ETAG = '-';

export function ledgerKeys(blobName: string, etag: string | undefined): { partitionKey: string; rowKey: string } {
  return { partitionKey: keyComponent(blobName, MAX_ID_KEY_CHARS), rowKey: etag ? etagKey(etag) : NO_ETAG };
}

function toEntity(entry: UploadEntry): TableEntityShape {
  const { partitionKey, rowKey } = ledgerKeys(entry.blobName, entry.etag);
  return guardEntity(
    {
      partitionKey,
      rowKey,
      blobName: entry.blobName,
      blobEtag: entry.etag,
      status: entry.status,
      attempts: entry.attempts,
      startedAt: entry.startedAt,
      finishedAt: entry.finishedAt,
      durationMs: entry.durationMs,
      format: entry.format,
      csvVariant: entry.csvVariant,
      warnings: JSON.stringify(entry.warnings),
      rowsRead: entry.rowsRead,
      accepted: entry.accepted,
      duplicates: entry.duplicates,
      skipped: entry.skipped,
      rejected: entry.rejected,
      skippedByOperation: JSON.stringify(entry.skippedByOperation),
      sessions: entry.sessions,
      meetingDetails: entry.meetingDetails,
      meetingsTouched: entry.meetingsTouched,
      truncatedEntities: entry.truncatedEntities,
      firstRejections: JSON.stringify(entry.firstRejections),
      rejectsBlob: entry.rejectsBlob,
      error: entry.error,
      removalReason: entry.removal?.reason,
      replacedBy: entry.removal?.replacedBy,
      removalStartedAt: entry.removal?.startedAt,
      removalFinishedAt: entry.removal?.finishedAt,
      sessionsRemoved: entry.removal?.sessionsRemoved,
      detailsRemoved: entry.removal?.detailsRemoved,
      meetingsRemarked: entry.removal?.meetingsRemarked,
      permanent: entry.permanent,
    },
    { splittable: ['firstRejections', 'warnings', 'error'] },
  ).entity;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function entityToUploadEntry(entity: Record<string, unknown>): UploadEntry {
  const entry: UploadEntry = {
    blobName: str(entity, 'blobName'),
    status: (optStr(entity, 'status') as UploadStatus | undefined) ?? 'processing',
    attempts: num(entity, 'attempts') ?? 0,
    startedAt: str(entity, 'startedAt'),
    warnings: parseJson<string[]>(readSplitString(entity, 'warnings'), []),
    rowsRead: num(entity, 'rowsRead') ?? 0,
    accepted: num(entity, 'accepted') ?? 0,
    duplicates: num(entity, 'duplicates') ?? 0,
    skipped: num(entity, 'skipped') ?? 0,
    rejected: num(entity, 'rejected') ?? 0,
    skippedByOperation: parseJson<Record<string, number>>(optStr(entity, 'skippedByOperation'), {}),
    sessions: num(entity, 'sessions') ?? 0,
    meetingDetails: num(entity, 'meetingDetails') ?? 0,
    meetingsTouched: num(entity, 'meetingsTouched') ?? 0,
    truncatedEntities: num(entity, 'truncatedEntities') ?? 0,
    firstRejections: parseJson<Rejection[]>(readSplitString(entity, 'firstRejections'), []),
  };
  const optional = ['finishedAt', 'format', 'csvVariant', 'rejectsBlob'] as const;
  for (const field of optional) {
    const value = optStr(entity, field);
    if (value !== undefined) entry[field] = value;
  }
  const etag = optStr(entity, 'blobEtag');
  if (etag !== undefined) entry.etag = etag;
  const error = readSplitString(entity, 'error');
  if (error !== undefined) entry.error = error;
  const durationMs = num(entity, 'durationMs');
  if (durationMs !== undefined) entry.durationMs = durationMs;
  const reason = optStr(entity, 'removalReason');
  if (reason === 'replaced' || reason === 'withdrawn') {
    const removal: UploadRemoval = {
      reason,
      startedAt: str(entity, 'removalStartedAt'),
      sessionsRemoved: num(entity, 'sessionsRemoved') ?? 0,
      detailsRemoved: num(entity, 'detailsRemoved') ?? 0,
      meetingsRemarked: num(entity, 'meetingsRemarked') ?? 0,
    };
    const replacedBy = optStr(entity, 'replacedBy');
    if (replacedBy !== undefined) removal.replacedBy = replacedBy;
    const finishedAt = optStr(entity, 'removalFinishedAt');
    if (finishedAt !== undefined) removal.finishedAt = finishedAt;
    entry.removal = removal;
  }
  if (entity.permanent === true) entry.permanent = true;
  return entry;
}

export class UploadLedger {
  constructor(readonly client: TableClient) {}

  /** The query for every entry (blob name order, then ETag). */
  query(): TableQuery {
    return { table: this.client };
  }

  /** Reads one entry at most: throws when the table cannot be reached or read. */
  async probe(): Promise<void> {
    await listPage(this.client, { limit: 1 });
  }

  async get(blobName: string, etag: string | undefined): Promise<UploadEntry | undefined> {
    const { partitionKey, rowKey } = ledgerKeys(blobName, etag);
    const entity = await getEntityIfExists(this.client, partitionKey, rowKey);
    return entity === undefined ? undefined : entityToUploadEntry(entity);
  }

  async put(entry: UploadEntry): Promise<void> {
    await this.client.upsertEntity(toEntity(entry), 'Replace');
  }

  /** Every version of one blob that was ingested, newest start first. */
  async listForBlob(blobName: string): Promise<UploadEntry[]> {
    const { partitionKey } = ledgerKeys(blobName, undefined);
    const entities = await listAll(this.client, `PartitionKey eq ${stringLiteral(partitionKey)}`);
    return entities.map(entityToUploadEntry).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
