// The users table: user ids seen in the ingested records (organisers' UserKey, attendees' UserObjectId) with the
// e-mail the records gave (organisers' UserId, attendees' UPN) when they gave one, and what Microsoft Graph said
// about the id (display name, UPN, mail, member or guest, when asked). The users file in the config container
// takes precedence. Each origin has its own property, merged in, so the stored state does not depend on the order
// in which exports are ingested; the Graph properties are merged in by the name lookup only.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { AuditRecord } from '../audit/records.js';
import { isObjectId } from '../audit/participantKey.js';
import { usersOf, type DirectoryName, type UserEntry } from '../analysis/userDirectory.js';
import { keyComponent, MAX_ID_KEY_CHARS, shardOf } from './keys.js';
import {
  DEFAULT_WRITE_CONCURRENCY,
  describeTransactionError,
  MAX_BATCH_OPERATIONS,
  statusOf,
  TableBatchWriter,
  type BatchWriterOptions,
} from './batchWriter.js';
import { estimatePayloadBytes, guardEntity, type TableEntityShape } from './entityGuards.js';
import { forEachBounded, mapBounded } from '../concurrency.js';
import {
  getEntityIfExists,
  setOptStr,
  double,
  listAll,
  listPage,
  num,
  optStr,
  stringLiteral,
  str,
} from './tableEntities.js';
import { eq, startsWith } from './odata.js';
import { deleteEntities, pagesOf, type EntityKey } from './purge.js';

/** Users live in 16 partitions `user-0` … `user-f` (by id), written in parallel. */
const PARTITION = 'user-';
const USERS_RANGE = startsWith('PartitionKey', PARTITION);
/** The name lookup's last run (no personal data). */
const STATUS_PARTITION = 'status';
const NAMES_RUN_ROW = 'graphNames';
/** Attempts at raising `seenAt` in one batch before giving up (each lost race means another writer progressed). */
const MAX_SEEN_ATTEMPTS = 10;
/**
 * How long a report's read of a user is shared with the reads after it (getShared). A page of meetings or
 * disconnections names up to 100 people and every dashboard asks for the same pages; the table changes at ingestion
 * and with the daily name lookup, so an answer this old is as good. Writes through this table, and erasure, forget
 * the shared reads at once; another instance's writes show here within this time.
 */
export const SHARED_READ_MS = 30_000;
const MAX_SHARED_READS = 10_000;
/** What the service answers when a row changed, appeared or went between the read and the conditional write. */
const LOST_RACE = new Set([404, 409, 412]);

/** What the conditional write of seenAt needs of a stored user row. */
interface StoredSeen {
  seenAt: number | undefined;
  etag: string;
}

/** A stored user: the learned e-mail ('' when the records gave none) and the directory's answer, if asked. */
export interface StoredUser extends UserEntry {
  directory?: DirectoryName;
}

/**
 * Adds what one record teaches to `learned` (ids compared case-insensitively): the first e-mail seen for an id wins;
 * an object id without an e-mail is kept too (e-mail ''), so the name lookup can ask the directory about it.
 */
export function learnFromRecord(learned: Map<string, UserEntry>, record: AuditRecord): void {
  for (const { uuid, email, origin } of usersOf(record)) {
    if (email === '' && !isObjectId(uuid)) continue;
    const id = uuid.toLowerCase();
    const known = learned.get(id);
    if (known === undefined || (known.email === '' && email !== '')) learned.set(id, { uuid, email, origin });
  }
}

/** The name lookup's last run, for /api/health. */
export interface NamesRunStatus {
  startedAt: string;
  finishedAt: string;
  /** Ids due for a lookup found in this run (at most the run's maximum). */
  due: number;
  found: number;
  notInTenant: number;
  /** Ids not answered this time (looked up again by the next run). */
  failed: number;
  stoppedByDeadline: boolean;
  /** Why the run failed or what failed in it (no ids, no names). */
  lastError?: string;
}

function keysOf(uuid: string): { partitionKey: string; rowKey: string } {
  const rowKey = keyComponent(uuid.toLowerCase(), MAX_ID_KEY_CHARS);
  return { partitionKey: PARTITION + shardOf(rowKey), rowKey };
}

export class UsersTable {
  /** Reads shared by getShared, by lowercased id, oldest first. */
  private readonly shared = new Map<string, { at: number; entry: Promise<StoredUser | undefined> }>();

  constructor(readonly client: TableClient) {}

  /**
   * Merges learned ids in: an organiser e-mail and an attendee e-mail are kept side by side; an id alone adds no
   * e-mail. `seenAt` (epoch ms: the latest record time of the export) lets retention delete users no longer seen;
   * the stored value is the latest ever given, whatever the order of the exports (see raiseSeenAt).
   */
  async upsertAll(users: Iterable<UserEntry>, options: BatchWriterOptions = {}, seenAt?: number): Promise<number> {
    this.forgetSharedReads();
    const entities: TableEntityShape[] = [];
    for (const u of users) {
      const uuid = u.uuid.toLowerCase();
      const entity: Record<string, unknown> = { ...keysOf(uuid), uuid };
      if (u.email !== '') entity[u.origin === 'attendee' ? 'attendeeEmail' : 'organizerEmail'] = u.email;
      entities.push(guardEntity(entity as { partitionKey: string; rowKey: string }).entity);
    }
    if (seenAt !== undefined && Number.isFinite(seenAt)) {
      await this.raiseSeenAt(entities, seenAt, options);
      return entities.length;
    }
    const writer = new TableBatchWriter(this.client, options);
    for (const entity of entities) await writer.upsert(entity, 'Merge');
    await writer.flush();
    return entities.length;
  }

  /**
   * Merges `entities` in with `seenAt` as their seenAt unless a later one is stored. Table Storage has no
   * server-side maximum, so this is read, compare, then write conditionally, in one batch per 100 rows of a
   * partition: a row with an older seenAt is updated under its ETag (If-Match), a missing row is inserted (fails if
   * it appeared meanwhile), a row already seen later is merged without seenAt. When another ingestion wrote one of
   * the rows in between (412, 409, or 404 for a row erased meanwhile), the batch changed nothing and is read and
   * tried again, so concurrent ingestions end with the maximum. Chosen over a blind Merge (the last writer wins: an
   * older export ingested later lowered seenAt, and retention could delete a user seen recently) and over a row per
   * sighting (retention would scan them all). The cost: users are written once per export, and each batch adds one
   * query of its key range (see storedOf).
   */
  private async raiseSeenAt(entities: TableEntityShape[], seenAt: number, options: BatchWriterOptions): Promise<void> {
    // Batches of one partition, at most 100 rows in key order (so each covers a narrow key range), none twice.
    const byPartition = new Map<string, TableEntityShape[]>();
    for (const e of entities) byPartition.set(e.partitionKey, [...(byPartition.get(e.partitionKey) ?? []), e]);
    const chunks: TableEntityShape[][] = [];
    for (const group of byPartition.values()) {
      let chunk: TableEntityShape[] = [];
      for (const e of group.sort((a, b) => (a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0))) {
        if (chunk.length >= MAX_BATCH_OPERATIONS || chunk.at(-1)?.rowKey === e.rowKey) {
          chunks.push(chunk);
          chunk = [];
        }
        chunk.push(e);
      }
      if (chunk.length > 0) chunks.push(chunk);
    }
    await forEachBounded(chunks, (chunk) => this.raiseSeenAtInBatch(chunk, seenAt, options), {
      concurrency: options.concurrency ?? DEFAULT_WRITE_CONCURRENCY,
    });
  }

  private async raiseSeenAtInBatch(
    chunk: TableEntityShape[],
    seenAt: number,
    options: BatchWriterOptions,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.storedOf(chunk);
      const actions: TransactionAction[] = chunk.map((entity, i) => {
        const current = stored[i];
        if (current === undefined) return ['create', { ...entity, seenAt: double(seenAt) }];
        if (current.seenAt !== undefined && current.seenAt >= seenAt) return ['upsert', entity, 'Merge'];
        return ['update', { ...entity, seenAt: double(seenAt) }, 'Merge', { etag: current.etag }];
      });
      try {
        await this.client.submitTransaction(actions);
      } catch (error) {
        const status = statusOf(error);
        if (status !== undefined && LOST_RACE.has(status) && attempt < MAX_SEEN_ATTEMPTS) continue;
        throw describeTransactionError(error, actions.length);
      }
      const payloadBytes = chunk.reduce((n, e) => n + estimatePayloadBytes(e), 0);
      options.onTransaction?.({ partitionKey: chunk[0]!.partitionKey, operations: actions.length, payloadBytes });
      return;
    }
  }

  /**
   * The stored seenAt and ETag of each row of a chunk (undefined: no row). One query of the chunk's key range
   * answers for the rows it covers (all of them, unless the range holds more than a page of other users); the
   * rest are point reads.
   */
  private async storedOf(chunk: readonly TableEntityShape[]): Promise<Array<StoredSeen | undefined>> {
    const first = chunk[0]!;
    const last = chunk.at(-1)!;
    const page = await listPage(this.client, {
      filter: `${eq('PartitionKey', first.partitionKey)} and RowKey ge ${stringLiteral(first.rowKey)} and RowKey le ${stringLiteral(last.rowKey)}`,
      select: ['RowKey', 'seenAt'],
      limit: 1000,
    });
    const listed = new Set(page.items.map((e) => e.rowKey));
    const found = new Map<string, StoredSeen>();
    for (const e of page.items)
      if (typeof e.etag === 'string') found.set(e.rowKey, { seenAt: num(e, 'seenAt'), etag: e.etag });
    // Rows up to the page's last key are answered by it (present or absent); beyond it, when the page was cut.
    const answeredTo = page.continuationToken === undefined ? last.rowKey : page.items.at(-1)?.rowKey;
    return mapBounded(
      chunk,
      async (e) =>
        found.get(e.rowKey) ??
        (answeredTo !== undefined && e.rowKey <= answeredTo && !listed.has(e.rowKey) ? undefined : this.seenAtOf(e)),
      8,
    );
  }

  /** A user row's seenAt and ETag by a point read, or undefined when there is no row. */
  private async seenAtOf(key: TableEntityShape): Promise<StoredSeen | undefined> {
    const e = await getEntityIfExists(this.client, key.partitionKey, key.rowKey);
    return e === undefined ? undefined : { seenAt: num(e, 'seenAt'), etag: e.etag };
  }

  /** Merges the directory's answers in (the learned e-mails stay). */
  async recordDirectory(answers: Iterable<[string, DirectoryName]>, options: BatchWriterOptions = {}): Promise<number> {
    this.forgetSharedReads();
    const writer = new TableBatchWriter(this.client, options);
    let count = 0;
    for (const [id, d] of answers) {
      const uuid = id.toLowerCase();
      await writer.upsert(
        guardEntity({
          ...keysOf(uuid),
          uuid,
          graphStatus: d.status,
          graphDisplayName: d.displayName,
          graphUpn: d.userPrincipalName,
          graphMail: d.mail,
          graphUserType: d.userType,
          graphCheckedAt: d.checkedAt,
        }).entity,
        'Merge',
      );
      count++;
    }
    await writer.flush();
    return count;
  }

  async get(uuid: string): Promise<StoredUser | undefined> {
    const { partitionKey, rowKey } = keysOf(uuid);
    const e = await getEntityIfExists(this.client, partitionKey, rowKey);
    return e === undefined ? undefined : toEntry(e);
  }

  /**
   * get(), shared with the same read made less than SHARED_READ_MS before (or still under way), for the report
   * routes. A failed read is not shared.
   */
  getShared(uuid: string, now: number = Date.now()): Promise<StoredUser | undefined> {
    const id = uuid.toLowerCase();
    const hit = this.shared.get(id);
    if (hit !== undefined && now - hit.at < SHARED_READ_MS) return hit.entry;
    const read = { at: now, entry: this.get(id) };
    this.shared.delete(id);
    this.shared.set(id, read);
    if (this.shared.size > MAX_SHARED_READS) this.shared.delete(this.shared.keys().next().value!);
    read.entry.catch(() => {
      if (this.shared.get(id) === read) this.shared.delete(id);
    });
    return read.entry;
  }

  /** Forgets the shared reads (after a write, or an erasure that changed the table through its client). */
  forgetSharedReads(): void {
    this.shared.clear();
  }

  async listAll(): Promise<StoredUser[]> {
    return (await listAll(this.client, USERS_RANGE)).map(toEntry);
  }

  /**
   * Object ids the directory has not been asked about, then those last asked before `staleBefore` (ISO), at most
   * `limit`. Reads only the id and the lookup time of each user.
   */
  async listDueForLookup(staleBefore: string, limit: number): Promise<string[]> {
    const never: string[] = [];
    const stale: string[] = [];
    const pages = this.client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: USERS_RANGE, select: ['uuid', 'graphCheckedAt'] },
      })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      for (const e of page) {
        const uuid = str(e, 'uuid');
        if (!isObjectId(uuid)) continue;
        const checkedAt = optStr(e, 'graphCheckedAt');
        if (checkedAt === undefined || checkedAt === '') never.push(uuid);
        else if (checkedAt < staleBefore && stale.length < limit) stale.push(uuid);
      }
      if (never.length >= limit) break;
    }
    return [...never, ...stale].slice(0, limit);
  }

  /**
   * The keys of the users not seen in records since `cutoff` (epoch ms), page by page, through every page: `seenAt`
   * is the latest record time of any export that named them; rows written before it existed go by their Timestamp.
   */
  async *notSeenSince(cutoff: number): AsyncGenerator<EntityKey[]> {
    for await (const page of pagesOf(this.client, USERS_RANGE, {
      select: ['PartitionKey', 'RowKey', 'seenAt', 'Timestamp'],
    })) {
      yield page
        .filter((e) => {
          const timestamp = e['timestamp'];
          const seen = num(e, 'seenAt') ?? (typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN);
          return Number.isFinite(seen) && seen < cutoff;
        })
        .map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey }));
    }
  }

  /** Deletes users by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    this.forgetSharedReads();
    return deleteEntities(this.client, keys);
  }

  async recordNamesRun(status: NamesRunStatus): Promise<void> {
    await this.client.upsertEntity(
      guardEntity({ partitionKey: STATUS_PARTITION, rowKey: NAMES_RUN_ROW, ...status }).entity,
      'Replace',
    );
  }

  async lastNamesRun(): Promise<NamesRunStatus | undefined> {
    const e = await getEntityIfExists(this.client, STATUS_PARTITION, NAMES_RUN_ROW);
    if (e === undefined) return undefined;
    const count = (name: string): number => (typeof e[name] === 'number' ? e[name] : 0);
    const status: NamesRunStatus = {
      startedAt: str(e, 'startedAt'),
      finishedAt: str(e, 'finishedAt'),
      due: count('due'),
      found: count('found'),
      notInTenant: count('notInTenant'),
      failed: count('failed'),
      stoppedByDeadline: e['stoppedByDeadline'] === true,
    };
    setOptStr(status, e, 'lastError');
    return status;
  }
}

/** The organiser e-mail when known (tala learns organisers), else the attendee UPN; with the directory's answer. */
function toEntry(entity: Record<string, unknown>): StoredUser {
  const organizer = str(entity, 'organizerEmail');
  const entry: StoredUser =
    organizer !== ''
      ? { uuid: str(entity, 'uuid'), email: organizer, origin: 'organizer' }
      : { uuid: str(entity, 'uuid'), email: str(entity, 'attendeeEmail'), origin: 'attendee' };
  const status = str(entity, 'graphStatus');
  if (status === 'found' || status === 'notInTenant') {
    entry.directory = {
      status,
      displayName: str(entity, 'graphDisplayName'),
      userPrincipalName: str(entity, 'graphUpn'),
      mail: str(entity, 'graphMail'),
      userType: str(entity, 'graphUserType'),
      checkedAt: str(entity, 'graphCheckedAt'),
    };
  }
  return entry;
}
