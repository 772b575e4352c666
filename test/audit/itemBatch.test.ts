// The batch codec used between the reader's threads gives back exactly the items it was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { ItemBatchDecoder, ItemBatchEncoder, type ItemBatch } from '../../src/audit/itemBatch.js';
import type { ExportItem, MeetingDetailRecord, SessionRecord } from '../../src/audit/records.js';

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '\u00e9', '\u4e2d', '\u{1f600}', '\ud800', ',', '"', '\n', ' ') });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const time = fc.integer({ min: -8.64e15, max: 8.64e15 });

const session: fc.Arbitrary<SessionRecord> = fc.record({
  recordId: text, meetingId: text, organizerUpn: text, organizerId: text, organizerOrganizationId: text, meetingType: text,
  userObjectId: opt(text), upn: opt(text), displayName: opt(text), organizationId: opt(text), recipientType: opt(text), role: opt(text),
  joinTime: time, leaveTime: time, joinTimeRaw: text, leaveTimeRaw: text, clientIp: text, deviceInformation: text, userAgent: text,
  creationTime: opt(time), deviceId: opt(text), isJoinedFromLobby: opt(fc.boolean()), line: fc.nat(),
}).map((g) => {
  const attendee: SessionRecord['attendee'] = {};
  if (g.userObjectId !== undefined) attendee.userObjectId = g.userObjectId;
  if (g.upn !== undefined) attendee.upn = g.upn;
  if (g.displayName !== undefined) attendee.displayName = g.displayName;
  if (g.organizationId !== undefined) attendee.organizationId = g.organizationId;
  if (g.recipientType !== undefined) attendee.recipientType = g.recipientType;
  if (g.role !== undefined) attendee.role = g.role;
  const r: SessionRecord = {
    kind: 'session', recordId: g.recordId, meetingId: g.meetingId, organizerUpn: g.organizerUpn, organizerId: g.organizerId,
    organizerOrganizationId: g.organizerOrganizationId, meetingType: g.meetingType, attendee, joinTime: g.joinTime, leaveTime: g.leaveTime,
    joinTimeRaw: g.joinTimeRaw, leaveTimeRaw: g.leaveTimeRaw, clientIp: g.clientIp, deviceInformation: g.deviceInformation,
    userAgent: g.userAgent, source: { file: 'f.csv', line: g.line },
  };
  if (g.creationTime !== undefined) r.creationTime = g.creationTime;
  if (g.deviceId !== undefined) r.deviceId = g.deviceId;
  if (g.isJoinedFromLobby !== undefined) r.isJoinedFromLobby = g.isJoinedFromLobby;
  return r;
});

const meeting: fc.Arbitrary<MeetingDetailRecord> = fc.record({
  recordId: text, organizerUpn: text, organizerId: text, organizerOrganizationId: text, startTimeRaw: text, endTimeRaw: text,
  meetingType: text, creationTime: opt(time), startTime: opt(time), endTime: opt(time), meetingUrl: opt(text), chatThreadId: opt(text),
  communicationType: opt(text), communicationSubType: opt(text), line: fc.nat(),
}).map((g) => {
  const r: MeetingDetailRecord = {
    kind: 'meeting', recordId: g.recordId, meetingId: g.recordId, organizerUpn: g.organizerUpn, organizerId: g.organizerId,
    organizerOrganizationId: g.organizerOrganizationId, startTimeRaw: g.startTimeRaw, endTimeRaw: g.endTimeRaw, meetingType: g.meetingType,
    source: { file: 'f.csv', line: g.line },
  };
  if (g.creationTime !== undefined) r.creationTime = g.creationTime;
  if (g.startTime !== undefined) r.startTime = g.startTime;
  if (g.endTime !== undefined) r.endTime = g.endTime;
  if (g.meetingUrl !== undefined) r.meetingUrl = g.meetingUrl;
  if (g.chatThreadId !== undefined) r.chatThreadId = g.chatThreadId;
  if (g.communicationType !== undefined) r.communicationType = g.communicationType;
  if (g.communicationSubType !== undefined) r.communicationSubType = g.communicationSubType;
  return r;
});

const item: fc.Arbitrary<ExportItem> = fc.oneof(
  session.map((record): ExportItem => ({ type: 'record', record })),
  meeting.map((record): ExportItem => ({ type: 'record', record })),
  fc.record({ operation: text, line: fc.nat() }).map((g): ExportItem => ({ type: 'skipped', source: { file: 'f.csv', line: g.line }, operation: g.operation })),
  fc.record({ field: text, reason: text, recordId: opt(text), line: fc.nat() }).map((g): ExportItem => ({
    type: 'rejected',
    rejection: g.recordId === undefined
      ? { file: 'f.csv', line: g.line, field: g.field, reason: g.reason }
      : { file: 'f.csv', line: g.line, field: g.field, reason: g.reason, recordId: g.recordId },
  })),
);

test('property: items survive encode → structured clone → decode unchanged, key order included', () => {
  fc.assert(fc.property(fc.array(item, { maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (items, batchRows) => {
    const encoder = new ItemBatchEncoder();
    const batches: ItemBatch[] = [];
    for (const it of items) {
      encoder.add(it);
      if (encoder.count >= batchRows) batches.push(deserialize(serialize(encoder.take())) as ItemBatch);
    }
    if (encoder.count > 0) batches.push(deserialize(serialize(encoder.take())) as ItemBatch);
    const out: ExportItem[] = [];
    const decoder = new ItemBatchDecoder('f.csv', 0);
    for (const b of batches) decoder.decode(b, out);
    assert.deepEqual(out, items);
    assert.equal(JSON.stringify(out), JSON.stringify(items));
  }));
});

test('decoded line numbers are offset by the rows before the range', () => {
  const encoder = new ItemBatchEncoder();
  encoder.add({ type: 'skipped', source: { file: 'f.csv', line: 3 }, operation: 'MessageSent' });
  const out: ExportItem[] = [];
  new ItemBatchDecoder('f.csv', 1000).decode(encoder.take(), out);
  assert.deepEqual(out, [{ type: 'skipped', source: { file: 'f.csv', line: 1003 }, operation: 'MessageSent' }]);
});
