// The users table: user id → e-mail pairs learned from the ingested records (organisers' UserKey →
// UserId, attendees' UserObjectId → UPN); the users file in the config container takes precedence.
import type { TableClient } from '@azure/data-tables';
import type { AuditRecord } from '../audit/records.js';
import type { UserEntry } from '../reports/users.js';
import { keyComponent, MAX_ID_KEY_CHARS } from './keys.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { guardEntity } from './entityGuards.js';
import { listAll, stringLiteral, str } from './tableEntities.js';

const PARTITION = 'user';
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

  /** Upserts learned pairs (a later e-mail for the same id replaces the earlier one). */
  async upsertAll(users: Iterable<UserEntry>, options: BatchWriterOptions = {}): Promise<number> {
    const writer = new TableBatchWriter(this.client, options);
    let count = 0;
    for (const u of users) {
      await writer.upsert(guardEntity({
        partitionKey: PARTITION,
        rowKey: keyComponent(u.uuid.toLowerCase(), MAX_ID_KEY_CHARS),
        uuid: u.uuid,
        email: u.email,
        origin: u.origin,
      }).entity);
      count++;
    }
    await writer.flush();
    return count;
  }

  async get(uuid: string): Promise<UserEntry | undefined> {
    const rowKey = keyComponent(uuid.toLowerCase(), MAX_ID_KEY_CHARS);
    const found = await listAll(this.client, `PartitionKey eq ${stringLiteral(PARTITION)} and RowKey eq ${stringLiteral(rowKey)}`);
    const entity = found[0];
    return entity === undefined ? undefined : toEntry(entity);
  }

  async listAll(): Promise<UserEntry[]> {
    return (await listAll(this.client, `PartitionKey eq ${stringLiteral(PARTITION)}`)).map(toEntry);
  }
}

function toEntry(entity: Record<string, unknown>): UserEntry {
  const origin = str(entity, 'origin');
  return { uuid: str(entity, 'uuid'), email: str(entity, 'email'), origin: origin === 'attendee' ? 'attendee' : 'organizer' };
}
