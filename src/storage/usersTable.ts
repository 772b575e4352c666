// The users table: user id → e-mail pairs learned from the ingested records (organisers' UserKey →
// UserId, attendees' UserObjectId → UPN); the users file in the config container takes precedence.
// Each origin has its own property, merged in, so the stored state does not depend on the order in
// which exports are ingested.
import type { TableClient } from '@azure/data-tables';
import type { AuditRecord } from '../audit/records.js';
import type { UserEntry } from '../reports/users.js';
import { keyComponent, MAX_ID_KEY_CHARS, prefixUpperBound, shardOf } from './keys.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { guardEntity } from './entityGuards.js';
import { isNotFound, listAll, stringLiteral, str } from './tableEntities.js';

/** Users live in 16 partitions `user-0` … `user-f` (by id), written in parallel. */
const PARTITION = 'user-';
const USERS_RANGE = `PartitionKey ge ${stringLiteral(PARTITION)} and PartitionKey lt ${stringLiteral(prefixUpperBound(PARTITION))}`;
/** Characters that would break tala's `uuid,email` users-file lines. */
const UNSAFE = /[\r\n,]/;

/** Adds what one record teaches to `learned` (first occurrence of an id wins; ids compared case-insensitively). */
export function learnFromRecord(learned: Map<string, UserEntry>, record: AuditRecord): void {
  const add = (uuid: string, email: string, origin: 'organizer' | 'attendee'): void => {
    if (uuid === '' || email === '' || UNSAFE.test(uuid) || UNSAFE.test(email)) return;
    const id = uuid.toLowerCase();
    if (!learned.has(id)) learned.set(id, { uuid, email, origin });
  };
  add(record.organizerId, record.organizerUpn, 'organizer');
  if (record.kind === 'session' && record.attendee.userObjectId !== undefined && record.attendee.upn !== undefined) {
    add(record.attendee.userObjectId, record.attendee.upn, 'attendee');
  }
}

/** The pairs a batch of records teaches. */
export function learnedUsers(records: Iterable<AuditRecord>): Map<string, UserEntry> {
  const learned = new Map<string, UserEntry>();
  for (const r of records) learnFromRecord(learned, r);
  return learned;
}

export class UsersTable {
  constructor(readonly client: TableClient) {}

  /** Merges learned pairs in: an organiser e-mail and an attendee e-mail are kept side by side. */
  async upsertAll(users: Iterable<UserEntry>, options: BatchWriterOptions = {}): Promise<number> {
    const writer = new TableBatchWriter(this.client, options);
    let count = 0;
    for (const u of users) {
      const uuid = u.uuid.toLowerCase();
      const rowKey = keyComponent(uuid, MAX_ID_KEY_CHARS);
      await writer.upsert(guardEntity({
        partitionKey: PARTITION + shardOf(rowKey),
        rowKey,
        uuid,
        [u.origin === 'attendee' ? 'attendeeEmail' : 'organizerEmail']: u.email,
      }).entity, 'Merge');
      count++;
    }
    await writer.flush();
    return count;
  }

  async get(uuid: string): Promise<UserEntry | undefined> {
    const rowKey = keyComponent(uuid.toLowerCase(), MAX_ID_KEY_CHARS);
    try {
      return toEntry(await this.client.getEntity<Record<string, unknown>>(PARTITION + shardOf(rowKey), rowKey));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listAll(): Promise<UserEntry[]> {
    return (await listAll(this.client, USERS_RANGE)).map(toEntry);
  }
}

/** The organiser e-mail when known (tala learns organisers), else the attendee UPN. */
function toEntry(entity: Record<string, unknown>): UserEntry {
  const organizer = str(entity, 'organizerEmail');
  return organizer !== ''
    ? { uuid: str(entity, 'uuid'), email: organizer, origin: 'organizer' }
    : { uuid: str(entity, 'uuid'), email: str(entity, 'attendeeEmail'), origin: 'attendee' };
}
