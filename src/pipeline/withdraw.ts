// Replacing and withdrawing exports. A version of a blob name that completed ingestion and is the blob
// now in the container replaces the other versions of that name: what only they brought disappears.
// DELETE /api/uploads/{name} withdraws every version the same way and deletes the blob. The ledger
// keeps each version's entry with why, when, by which ETag and what was removed; both operations are
// idempotent and a re-run finishes an interrupted one (see docs/replace-and-withdraw.md).
import type { Store } from '../storage/store.js';
import { ledgerKeys, type UploadEntry, type UploadRemoval } from '../storage/ledger.js';
import { etagKey } from '../storage/keys.js';
import { addressableBlob, currentBlobEtag } from '../storage/exportBlob.js';
import { ingestionSourceKey } from '../storage/recordWriter.js';
import { removeSourceFromMeeting, type SourceRemoval } from './removeSource.js';
import { SILENT_LOG, type PipelineLog } from './log.js';

export interface RemovalDeps {
  store: Store;
  now?: () => Date;
  log?: PipelineLog;
  /** Meetings worked on at once (default 8); the ledger entry records progress after each group. */
  concurrency?: number;
  /** Called after each meeting is done (tests stop a run here to check that a re-run finishes it). */
  onMeetingDone?: (meetingId: string) => void | Promise<void>;
}

/** What one operation removed, over the versions it worked on. */
export interface RemovalTotals {
  sessionsRemoved: number;
  detailsRemoved: number;
  meetingsRemarked: number;
}

function sameEtag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && etagKey(a) === etagKey(b);
}

/** True when both entries are the same version (the same ledger row). */
function sameVersion(a: UploadEntry, b: UploadEntry): boolean {
  return ledgerKeys(a.blobName, a.etag).rowKey === ledgerKeys(b.blobName, b.etag).rowKey;
}

function isDone(entry: UploadEntry): boolean {
  return entry.status === 'replaced' || entry.status === 'withdrawn';
}

/**
 * Takes one version's records back (or finishes doing so): the entry says `replacing`/`withdrawing`
 * while it runs, with its counts so far, and `replaced`/`withdrawn` at the end.
 */
async function removeVersion(
  deps: RemovalDeps,
  entry: UploadEntry,
  reason: UploadRemoval['reason'],
  replacedBy?: string,
): Promise<RemovalTotals> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const removal: UploadRemoval = entry.removal ?? {
    reason,
    startedAt: now().toISOString(),
    sessionsRemoved: 0,
    detailsRemoved: 0,
    meetingsRemarked: 0,
  };
  removal.reason = reason;
  if (replacedBy !== undefined && reason === 'replaced') removal.replacedBy = replacedBy;
  entry.removal = removal;
  entry.status = reason === 'replaced' ? 'replacing' : 'withdrawing';
  await store.ledger.put(entry);

  const totals: RemovalTotals = { sessionsRemoved: 0, detailsRemoved: 0, meetingsRemarked: 0 };
  const sourceKey = ingestionSourceKey(entry.blobName, entry.etag);
  const meetings = await store.meetings.meetingsWithSource(sourceKey);
  const groupSize = Math.max(1, deps.concurrency ?? 8);
  for (let i = 0; i < meetings.length; i += groupSize) {
    const group = meetings.slice(i, i + groupSize);
    // Every meeting of the group finishes and is counted before a failure is passed on.
    const done: SourceRemoval[] = [];
    const settled = await Promise.allSettled(
      group.map(async (meetingId) => {
        done.push(await removeSourceFromMeeting(store, meetingId, sourceKey, now));
        await deps.onMeetingDone?.(meetingId);
      }),
    );
    for (const r of done) {
      totals.sessionsRemoved += r.sessionsRemoved;
      totals.detailsRemoved += r.detailsRemoved;
      removal.sessionsRemoved += r.sessionsRemoved;
      removal.detailsRemoved += r.detailsRemoved;
      if (r.touched) {
        totals.meetingsRemarked++;
        removal.meetingsRemarked++;
      }
    }
    await store.ledger.put(entry);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
  entry.status = reason;
  removal.finishedAt = now().toISOString();
  await store.ledger.put(entry);
  (deps.log ?? SILENT_LOG).info(
    `${reason === 'replaced' ? 'replaceExport' : 'withdrawExport'}: ${entry.blobName} (ETag ${entry.etag ?? 'none'}) ${reason}` +
      `${replacedBy === undefined ? '' : ` by ETag ${replacedBy}`}: ${totals.sessionsRemoved} sessions and ${totals.detailsRemoved} MeetingDetail records removed, ` +
      `${totals.meetingsRemarked} meetings marked for analysis`,
  );
  return totals;
}

function add(a: RemovalTotals, b: RemovalTotals): RemovalTotals {
  return {
    sessionsRemoved: a.sessionsRemoved + b.sessionsRemoved,
    detailsRemoved: a.detailsRemoved + b.detailsRemoved,
    meetingsRemarked: a.meetingsRemarked + b.meetingsRemarked,
  };
}

const NOTHING: RemovalTotals = { sessionsRemoved: 0, detailsRemoved: 0, meetingsRemarked: 0 };

/**
 * After an ingestion of `blobName` ended (or was skipped as done): the version that completed and is the
 * blob now in the container replaces every other version that is not being ingested; a version that was
 * withdrawn while it was being ingested takes back what it wrote meanwhile. When the container has no
 * such blob (ingested from memory), the version just ingested counts as the current one.
 */
export async function settleVersions(deps: RemovalDeps, ingested: UploadEntry): Promise<RemovalTotals> {
  const { store } = deps;
  const entries = await store.ledger.listForBlob(ingested.blobName);
  let totals = NOTHING;
  // Withdrawn (or replaced) while being ingested, or a removal cut short: finish taking back what it wrote.
  for (const e of entries) {
    if (!sameVersion(e, ingested)) continue;
    if (e.status === 'withdrawing') totals = add(totals, await removeVersion(deps, e, 'withdrawn'));
    if (e.status === 'replacing') totals = add(totals, await removeVersion(deps, e, 'replaced', e.removal?.replacedBy));
  }
  const current = await currentBlobEtag(store.exports, ingested.blobName);
  const winner =
    current === undefined
      ? entries.find((e) => e.status === 'completed' && sameVersion(e, ingested))
      : entries.find((e) => e.status === 'completed' && sameEtag(e.etag, current));
  if (winner === undefined) return totals;
  // Oldest first. A version still being ingested is left alone: the settling at its end (no longer current) replaces it.
  for (const e of [...entries].reverse()) {
    if (sameVersion(e, winner) || isDone(e) || e.status === 'processing' || e.status === 'withdrawing') continue;
    totals = add(totals, await removeVersion(deps, e, 'replaced', winner.etag ?? ''));
  }
  return totals;
}

export interface WithdrawalResult extends RemovalTotals {
  blobName: string;
  /** Every version was already withdrawn or replaced before this request: nothing was left to do. */
  alreadyWithdrawn: boolean;
  /** The ledger entries of every version, newest first, as they are now. */
  versions: UploadEntry[];
}

/**
 * Withdraws every version of an export: each is set to `withdrawing` first, the blob is deleted (so it
 * is not ingested again), then each version's records are taken back. Undefined when the ledger has no
 * version of `blobName`. A second call finishes an interrupted one, or finds nothing to do.
 */
export async function withdrawExport(deps: RemovalDeps, blobName: string): Promise<WithdrawalResult | undefined> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const entries = await store.ledger.listForBlob(blobName);
  if (entries.length === 0) return undefined;
  const todo = entries.filter((e) => !isDone(e));
  for (const e of todo) {
    e.removal = e.removal ?? {
      reason: 'withdrawn',
      startedAt: now().toISOString(),
      sessionsRemoved: 0,
      detailsRemoved: 0,
      meetingsRemarked: 0,
    };
    e.removal.reason = 'withdrawn';
    delete e.removal.replacedBy;
    e.status = 'withdrawing';
    await store.ledger.put(e);
  }
  await addressableBlob(store.exports, blobName)?.deleteIfExists();
  let totals = NOTHING;
  for (const e of [...todo].reverse()) totals = add(totals, await removeVersion(deps, e, 'withdrawn'));
  return {
    blobName,
    alreadyWithdrawn: todo.length === 0,
    ...totals,
    versions: await store.ledger.listForBlob(blobName),
  };
}
