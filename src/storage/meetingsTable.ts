// The meetings table: MeetingDetail records, PartitionKey = encoded meeting id (as in the sessions
// table), RowKey = encoded record id; the codec, batch writes and per-meeting reads.
import type { TableClient } from '@azure/data-tables';
import type { MeetingDetailRecord } from '../audit/records.js';
import { decodeKey, encodeKey } from './keys.js';
import { guardEntity, readSplitString, type GuardedEntity, type TableEntityShape } from './entityGuards.js';
import { TableBatchWriter, type BatchWriterOptions } from './batchWriter.js';
import { double, listAll, num, optStr, str, stringLiteral } from './tableEntities.js';

export function meetingDetailToEntity(detail: MeetingDetailRecord): GuardedEntity {
  const entity: TableEntityShape = {
    partitionKey: encodeKey(detail.meetingId, 'meeting Id'),
    rowKey: encodeKey(detail.recordId, 'record Id'),
    creationTime: double(detail.creationTime),
    organizerUpn: detail.organizerUpn,
    organizerId: detail.organizerId,
    organizerOrganizationId: detail.organizerOrganizationId,
    startTime: double(detail.startTime),
    endTime: double(detail.endTime),
    startTimeRaw: detail.startTimeRaw,
    endTimeRaw: detail.endTimeRaw,
    meetingUrl: detail.meetingUrl,
    chatThreadId: detail.chatThreadId,
    communicationType: detail.communicationType,
    communicationSubType: detail.communicationSubType,
    meetingType: detail.meetingType,
    sourceFile: detail.source.file,
    sourceLine: detail.source.line,
  };
  return guardEntity(entity, { splittable: ['meetingUrl'] });
}

export function entityToMeetingDetail(entity: Record<string, unknown> & { partitionKey: string; rowKey: string }): MeetingDetailRecord {
  const detail: MeetingDetailRecord = {
    kind: 'meeting',
    recordId: decodeKey(entity.rowKey),
    meetingId: decodeKey(entity.partitionKey),
    organizerUpn: str(entity, 'organizerUpn'),
    organizerId: str(entity, 'organizerId'),
    organizerOrganizationId: str(entity, 'organizerOrganizationId'),
    startTimeRaw: str(entity, 'startTimeRaw'),
    endTimeRaw: str(entity, 'endTimeRaw'),
    meetingType: str(entity, 'meetingType'),
    source: { file: str(entity, 'sourceFile'), line: num(entity, 'sourceLine') ?? 0 },
  };
  const numbers = ['creationTime', 'startTime', 'endTime'] as const;
  for (const field of numbers) {
    const value = num(entity, field);
    if (value !== undefined) detail[field] = value;
  }
  const meetingUrl = readSplitString(entity, 'meetingUrl');
  if (meetingUrl !== undefined) detail.meetingUrl = meetingUrl;
  const strings = ['chatThreadId', 'communicationType', 'communicationSubType'] as const;
  for (const field of strings) {
    const value = optStr(entity, field);
    if (value !== undefined) detail[field] = value;
  }
  return detail;
}

export class MeetingsTable {
  constructor(readonly client: TableClient) {}

  writer(options: BatchWriterOptions = {}): TableBatchWriter {
    return new TableBatchWriter(this.client, options);
  }

  /** The MeetingDetail records stored for a meeting (normally one). */
  async listMeeting(meetingId: string): Promise<MeetingDetailRecord[]> {
    const partitionKey = encodeKey(meetingId, 'meeting id');
    const entities = await listAll(this.client, `PartitionKey eq ${stringLiteral(partitionKey)}`);
    return entities.map(entityToMeetingDetail);
  }
}
