// The sessions table: one entity per MeetingParticipantDetail record, PartitionKey = encoded meeting
// id, RowKey = encoded record id; the record <-> entity codec, batch writes and partition reads.
import type { TableClient } from '@azure/data-tables';
import { joinTimeText, leaveTimeText, type SessionRecord } from '../audit/records.js';
import { decodeKey, encodeKey, KeyError } from './keys.js';
import { guardEntity, type GuardedEntity, type TableEntityShape } from './entityGuards.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { allOf, anyBefore, anyOf, eq, timeRange, type RecordFilter, type TableQuery } from './odata.js';
import { deleteEntities, pagesOf, type EntityKey } from './purge.js';
import { bool, double, isNotFound, latestOf, listAll, num, optStr, str, stringLiteral } from './tableEntities.js';

/** The times of a session record (also in its bundle copies); its latest is what retention goes by. */
export const SESSION_TIMES = ['joinTime', 'leaveTime', 'creationTime'] as const;

/** True when a session entity (or a bundled copy) has a time and its latest time is before `cutoff`. */
export function sessionEndedBefore(entity: Record<string, unknown>, cutoff: number): boolean {
  return (latestOf(entity, SESSION_TIMES) ?? Infinity) < cutoff;
}

/** The entity for a session record. Throws KeyError when its meeting or record id cannot be a key. */
export function sessionToEntity(session: SessionRecord): GuardedEntity {
  const a = session.attendee;
  const entity: TableEntityShape = {
    partitionKey: encodeKey(session.meetingId, 'MeetingDetailId', 'meetingId'),
    rowKey: encodeKey(session.recordId, 'record Id', 'recordId'),
    creationTime: double(session.creationTime),
    organizerUpn: session.organizerUpn,
    organizerId: session.organizerId,
    organizerOrganizationId: session.organizerOrganizationId,
    meetingType: session.meetingType,
    // Lower-cased copies for case-insensitive filters (OData comparisons are case-sensitive).
    organizerLower: session.organizerUpn.toLowerCase(),
    attUpnLower: a.upn?.toLowerCase(),
    attUserObjectId: a.userObjectId,
    attUpn: a.upn,
    attDisplayName: a.displayName,
    attOrganizationId: a.organizationId,
    attRecipientType: a.recipientType,
    attRole: a.role,
    joinTime: double(session.joinTime),
    leaveTime: double(session.leaveTime),
    joinTimeRaw: joinTimeText(session),
    leaveTimeRaw: leaveTimeText(session),
    clientIp: session.clientIp,
    deviceInformation: session.deviceInformation,
    deviceId: session.deviceId,
    userAgent: session.userAgent,
    isJoinedFromLobby: session.isJoinedFromLobby,
    sourceFile: session.source.file,
    sourceLine: session.source.line,
  };
  return guardEntity(entity);
}

/** The session record an entity holds (the inverse of sessionToEntity, up to truncation). */
export function entityToSession(
  entity: Record<string, unknown> & { partitionKey: string; rowKey: string },
): SessionRecord {
  const session: SessionRecord = {
    kind: 'session',
    recordId: decodeKey(entity.rowKey),
    meetingId: decodeKey(entity.partitionKey),
    organizerUpn: str(entity, 'organizerUpn'),
    organizerId: str(entity, 'organizerId'),
    organizerOrganizationId: str(entity, 'organizerOrganizationId'),
    meetingType: str(entity, 'meetingType'),
    attendee: {},
    joinTime: num(entity, 'joinTime') ?? Number.NaN,
    leaveTime: num(entity, 'leaveTime') ?? Number.NaN,
    joinTimeRaw: str(entity, 'joinTimeRaw'),
    leaveTimeRaw: str(entity, 'leaveTimeRaw'),
    clientIp: str(entity, 'clientIp'),
    deviceInformation: str(entity, 'deviceInformation'),
    userAgent: str(entity, 'userAgent'),
    source: { file: str(entity, 'sourceFile'), line: num(entity, 'sourceLine') ?? 0 },
  };
  const creationTime = num(entity, 'creationTime');
  if (creationTime !== undefined) session.creationTime = creationTime;
  const deviceId = optStr(entity, 'deviceId');
  if (deviceId !== undefined) session.deviceId = deviceId;
  const lobby = bool(entity, 'isJoinedFromLobby');
  if (lobby !== undefined) session.isJoinedFromLobby = lobby;
  const attendeeFields = [
    ['userObjectId', 'attUserObjectId'],
    ['upn', 'attUpn'],
    ['displayName', 'attDisplayName'],
    ['organizationId', 'attOrganizationId'],
    ['recipientType', 'attRecipientType'],
    ['role', 'attRole'],
  ] as const;
  for (const [field, property] of attendeeFields) {
    const value = optStr(entity, property);
    if (value !== undefined) session.attendee[field] = value;
  }
  return session;
}

export class SessionsTable {
  constructor(readonly client: TableClient) {}

  /** A writer for streaming upserts (Replace) of session entities. */
  writer(options: BatchWriterOptions = {}): TableBatchWriter {
    return new TableBatchWriter(this.client, options);
  }

  /** Upserts `sessions` in batches; returns how many entities had values truncated. */
  async upsertAll(sessions: Iterable<SessionRecord>, options: BatchWriterOptions = {}): Promise<{ truncated: number }> {
    const writer = this.writer(options);
    let truncated = 0;
    for (const session of sessions) {
      const guarded = sessionToEntity(session);
      if (guarded.truncated.length > 0) truncated++;
      await writer.upsert(guarded.entity);
    }
    await writer.flush();
    return { truncated };
  }

  /**
   * The query for the sessions matching `filter` (meeting, join time, organiser, attendee), or undefined
   * when nothing can match (a meeting id that cannot be a key).
   */
  query(filter: RecordFilter): TableQuery | undefined {
    let partition: string | undefined;
    if (filter.meeting !== undefined) {
      try {
        partition = eq('PartitionKey', encodeKey(filter.meeting, 'meeting'));
      } catch (error) {
        if (error instanceof KeyError) return undefined;
        throw error;
      }
    }
    const organizer = filter.organizer;
    const user = filter.user;
    const query = allOf([
      partition,
      timeRange('joinTime', filter.from, filter.to),
      organizer === undefined
        ? undefined
        : anyOf([eq('organizerLower', organizer.toLowerCase()), eq('organizerId', organizer)]),
      user === undefined
        ? undefined
        : anyOf([eq('attUserObjectId', user), eq('attUpnLower', user.toLowerCase()), eq('attDisplayName', user)]),
    ]);
    return query === undefined ? { table: this.client } : { table: this.client, filter: query };
  }

  /**
   * The keys of the sessions whose latest time is before `cutoff` (epoch ms), a page at a time, through every page
   * (deleting a page's rows does not disturb the continuation). The query finds the sessions with any time before
   * the cut-off; a session that started before it but ended after it is read and left out.
   */
  async *olderThan(cutoff: number): AsyncGenerator<EntityKey[]> {
    const select = ['PartitionKey', 'RowKey', ...SESSION_TIMES];
    for await (const page of pagesOf(this.client, anyBefore(SESSION_TIMES, cutoff), { select })) {
      yield page
        .filter((e) => sessionEndedBefore(e, cutoff))
        .map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey }));
    }
  }

  /** Deletes sessions by key (those already gone count 0); returns how many were deleted. */
  async deleteKeys(keys: readonly EntityKey[]): Promise<number> {
    return deleteEntities(this.client, keys);
  }

  /** Every session stored for a meeting (one partition). */
  async listMeeting(meetingId: string): Promise<SessionRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const entities = await listAll(this.client, `PartitionKey eq ${stringLiteral(partitionKey)}`);
    return entities.map(entityToSession);
  }

  /**
   * Deletes the given sessions (by record id) of a meeting, ignoring those already gone; returns how many
   * were deleted. In batch transactions; when one fails (a session already gone fails its whole batch,
   * as after an interrupted run), the rest are deleted one by one.
   */
  async deleteSessions(meetingId: string, recordIds: readonly string[]): Promise<number> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const rowKeys = recordIds.map((id) => encodeKey(id, 'record Id'));
    let committed = 0;
    const batches = new TableBatchWriter(this.client, { onTransaction: (info) => (committed += info.operations) });
    try {
      for (const rowKey of rowKeys) await batches.remove(partitionKey, rowKey);
      await batches.flush();
      return committed;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await batches.flush().catch(() => undefined);
    }
    const keys = rowKeys.map((rowKey) => ({ partitionKey, rowKey }));
    return committed + (await deleteEntities(this.client, keys));
  }
}
