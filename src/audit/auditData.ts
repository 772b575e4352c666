// Conversion of one parsed AuditData object into a typed record, a skipped row or a rejection.
import { createHash } from 'node:crypto';
import { isPlainIsoText, type Attendee, type ExportItem, type MeetingDetailRecord, type SourceRef } from './records.js';
import type { StringPool } from './stringPool.js';
import { parseAuditTime } from './time.js';
import { newSessionRecord } from './newSessionRecord.js';

export { StringPool } from './stringPool.js';

export const PARTICIPANT_OPERATION = 'MeetingParticipantDetail';
export const MEETING_OPERATION = 'MeetingDetail';

/** Names the place of an AuditData key in the input, for rejection messages. */
export type FieldNamer = (auditDataKey: string) => string;

const auditDataField: FieldNamer = (key) => `AuditData.${key}`;

type Json = Record<string, unknown>;

/** Field numbers of the values pooled through StringPool.getRecent (below its RECENT_FIELDS). */
const MEETING_ID = 0;
const ORGANIZER_UPN = 1;
const ORGANIZER_ID = 2;
const ORGANIZATION_ID = 3;
const ITEM_NAME = 4;
const DEVICE_INFORMATION = 5;
const USER_AGENT = 6;
const ATTENDEE_ORGANIZATION_ID = 7;
const RECIPIENT_TYPE = 8;
const ROLE = 9;

function recent(pool: StringPool | undefined, field: number, s: string): string {
  return pool === undefined ? s : pool.getRecent(field, s);
}

function recentText(pool: StringPool | undefined, field: number, v: unknown): string | undefined {
  const s = text(v);
  return s === undefined || pool === undefined ? s : pool.getRecent(field, s);
}

function pooled(pool: StringPool | undefined, s: string): string {
  return pool === undefined ? s : pool.get(s);
}

/** A string as is; a number or boolean as text; anything else undefined. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const EMAIL_LIKE = /@/;
const IPV4_LIKE = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/;
const IPV6_LIKE = /::|(?:[0-9a-f]{0,4}:){3}/i;
/** Characters a date-time can contain; anything else (names, e-mails) is never echoed. */
const TIME_LIKE = /^[0-9TZAPMtzapm :/.,+-]*$/;

/**
 * A bad value quoted for a rejection message (cut at 40 characters), or only its length when it could
 * be personal data: it contains a letter other than those of a date-time, or looks like an e-mail or IP address.
 */
export function quoteForMessage(v: unknown): string {
  if (typeof v !== 'string') return kindOf(v);
  const shown = v.slice(0, 40);
  if (!TIME_LIKE.test(shown) || EMAIL_LIKE.test(v) || IPV4_LIKE.test(v) || IPV6_LIKE.test(v)) {
    return `(a value of ${v.length} characters, not shown because it may contain personal data)`;
  }
  return JSON.stringify(v.length > 40 ? `${shown}…` : shown);
}

/** JSON with object keys sorted at every level: the same record always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (isObject(v)) {
    const parts: string[] = [];
    for (const k of Object.keys(v).sort()) {
      if (v[k] !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(v[k])}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Deterministic id for a record without `Id`: `sha256:` + the first 32 hex digits of sha256(canonical JSON). */
export function synthesisedRecordId(data: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(data)).digest('hex').slice(0, 32)}`;
}

/** Why JSON.parse failed, without echoing the text (V8 messages quote it, and it may hold personal data). */
export function describeJsonError(e: unknown, textLength: number): string {
  const message = e instanceof Error ? e.message : '';
  const at = /at position (\d+)/.exec(message);
  const position = at ? Number(at[1]) : undefined;
  if (message.includes('end of JSON input') || (position !== undefined && position >= textLength)) {
    return 'it ends before the JSON is complete (cut off?)';
  }
  return position === undefined
    ? 'it is not well-formed JSON'
    : `it is not well-formed JSON (error at character ${position + 1})`;
}

/** A rejected-row item for `source`; `recordId` when the record has one. */
export function rejected(source: SourceRef, field: string, reason: string, recordId?: string): ExportItem {
  const rejection =
    recordId === undefined
      ? { file: source.file, line: source.line, field, reason }
      : { file: source.file, line: source.line, field, reason, recordId };
  return { type: 'rejected', rejection };
}

/** JSON text (from a Sentinel column or a re-serialised export) is parsed; anything else is returned as is. */
function unwrapJsonText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

function isUserAgentKey(k: unknown): boolean {
  return k === 'UserAgent' || (typeof k === 'string' && k.length === 9 && k.toLowerCase() === 'useragent');
}

/** ExtraProperties entry with Key = UserAgent: a list of {Key, Value}, a single such object, a plain object, or JSON text of those. */
export function userAgentOf(extraProperties: unknown): string {
  const v = unwrapJsonText(extraProperties);
  if (Array.isArray(v)) {
    for (const entry of v) {
      if (isObject(entry) && isUserAgentKey(entry.Key)) return text(entry.Value) ?? '';
    }
    return '';
  }
  if (isObject(v)) {
    if (isUserAgentKey(v.Key)) return text(v.Value) ?? '';
    for (const k of Object.keys(v)) if (isUserAgentKey(k)) return text(v[k]) ?? '';
  }
  return '';
}

function lobbyFlag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return undefined;
}

/** With a pool, a participant seen before with the same six values gets the same (shared) Attendee. */
function attendeeOf(a: Json, pool: StringPool | undefined): Attendee {
  const userObjectId = text(a.UserObjectId);
  const upn = text(a.UPN);
  const displayName = text(a.DisplayName);
  const organizationId = recentText(pool, ATTENDEE_ORGANIZATION_ID, a.OrganizationId);
  const recipientType = recentText(pool, RECIPIENT_TYPE, a.RecipientType);
  const role = recentText(pool, ROLE, a.Role);
  const key = userObjectId || upn || displayName;
  if (pool !== undefined && key) {
    const seen = pool.attendees.get(key);
    if (
      seen !== undefined &&
      seen.userObjectId === userObjectId &&
      seen.upn === upn &&
      seen.displayName === displayName &&
      seen.organizationId === organizationId &&
      seen.recipientType === recipientType &&
      seen.role === role
    ) {
      return seen;
    }
  }
  const out: Attendee = {};
  if (userObjectId !== undefined) out.userObjectId = pooled(pool, userObjectId);
  if (upn !== undefined) out.upn = pooled(pool, upn);
  if (displayName !== undefined) out.displayName = pooled(pool, displayName);
  if (organizationId !== undefined) out.organizationId = organizationId;
  if (recipientType !== undefined) out.recipientType = recipientType;
  if (role !== undefined) out.role = role;
  if (pool !== undefined && key) pool.attendees.set(key, out);
  return out;
}

type TimeResult = { ok: true; ms: number; raw: string } | { ok: false; reason: string };

const EXPECTED_TIME =
  'expected YYYY-MM-DDThh:mm:ss (UTC), optionally with a fraction and Z or ±hh:mm, or M/D/YYYY h:mm:ss AM/PM';

function requiredTime(v: unknown, name: string): TimeResult {
  if (v === undefined || v === null || v === '')
    return { ok: false, reason: `${name} is missing, so the session cannot be placed in time` };
  if (typeof v !== 'string')
    return { ok: false, reason: `${name} is ${kindOf(v)}, not a date-time text (${EXPECTED_TIME})` };
  const ms = parseAuditTime(v);
  if (ms === undefined)
    return { ok: false, reason: `${name} ${quoteForMessage(v)} is not a recognised date-time (${EXPECTED_TIME})` };
  return { ok: true, ms, raw: v };
}

/** Absent, null or '' gives raw '' and no time; otherwise as requiredTime. */
function optionalTime(v: unknown, name: string): TimeResult | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return requiredTime(v, name);
}

function creationTimeOf(data: Json): number | undefined {
  const v = data.CreationTime;
  return typeof v === 'string' ? parseAuditTime(v) : undefined;
}

function toSession(data: Json, source: SourceRef, field: FieldNamer, pool: StringPool | undefined): ExportItem {
  const givenId = text(data.Id);
  const idForRejection = givenId || undefined;
  const meetingId = text(data.MeetingDetailId);
  if (!meetingId) {
    return rejected(
      source,
      field('MeetingDetailId'),
      data.MeetingDetailId === undefined || data.MeetingDetailId === null || data.MeetingDetailId === ''
        ? 'MeetingDetailId is missing, so the session cannot be linked to a meeting'
        : `MeetingDetailId is ${kindOf(data.MeetingDetailId)}, not a meeting id`,
      idForRejection,
    );
  }
  const attendees = unwrapJsonText(data.Attendees);
  if (attendees === undefined || attendees === null) {
    return rejected(source, field('Attendees'), 'Attendees is missing, so the participant is unknown', idForRejection);
  }
  if (!Array.isArray(attendees)) {
    const found = typeof attendees === 'string' ? 'text that is not a JSON list' : kindOf(attendees);
    return rejected(
      source,
      field('Attendees'),
      `Attendees is ${found}; a list with exactly 1 participant is expected`,
      idForRejection,
    );
  }
  if (attendees.length !== 1) {
    return rejected(
      source,
      field('Attendees'),
      `Attendees has ${attendees.length} entries; exactly 1 (the participant of this session) is expected`,
      idForRejection,
    );
  }
  const first: unknown = attendees[0];
  if (!isObject(first)) {
    return rejected(
      source,
      `${field('Attendees')}[0]`,
      `the attendee is ${kindOf(first)}, not an object`,
      idForRejection,
    );
  }
  const attendee = attendeeOf(first, pool);
  if (!attendee.userObjectId && !attendee.upn && !attendee.displayName) {
    return rejected(
      source,
      `${field('Attendees')}[0]`,
      'the attendee has no UserObjectId, UPN or DisplayName, so the participant cannot be identified',
      idForRejection,
    );
  }
  const join = requiredTime(data.JoinTime, 'JoinTime');
  if (!join.ok) return rejected(source, field('JoinTime'), join.reason, idForRejection);
  const leave = requiredTime(data.LeaveTime, 'LeaveTime');
  if (!leave.ok) return rejected(source, field('LeaveTime'), leave.reason, idForRejection);
  if (leave.ms < join.ms) {
    return rejected(
      source,
      field('LeaveTime'),
      `LeaveTime ${quoteForMessage(leave.raw)} is before JoinTime ${quoteForMessage(join.raw)}`,
      idForRejection,
    );
  }
  const deviceId = text(data.DeviceId);
  const record = newSessionRecord(
    givenId || synthesisedRecordId(data),
    recent(pool, MEETING_ID, meetingId),
    recentText(pool, ORGANIZER_UPN, data.UserId) ?? '',
    recentText(pool, ORGANIZER_ID, data.UserKey) ?? '',
    recentText(pool, ORGANIZATION_ID, data.OrganizationId) ?? '',
    recentText(pool, ITEM_NAME, data.ItemName) ?? '',
    attendee,
    join.ms,
    leave.ms,
    isPlainIsoText(join.raw) ? undefined : join.raw,
    isPlainIsoText(leave.raw) ? undefined : leave.raw,
    text(data.ClientIP) ?? '', // nearly one value per session: not worth pooling
    recentText(pool, DEVICE_INFORMATION, data.DeviceInformation) ?? '',
    recent(pool, USER_AGENT, userAgentOf(data.ExtraProperties)),
    source,
    creationTimeOf(data),
    deviceId || undefined,
    lobbyFlag(data.IsJoinedFromLobby),
  );
  return { type: 'record', record };
}

function toMeetingDetail(data: Json, source: SourceRef, field: FieldNamer, pool: StringPool | undefined): ExportItem {
  const id = text(data.Id);
  if (!id) {
    return rejected(
      source,
      field('Id'),
      'a MeetingDetail record has no Id; its Id is the meeting id that participant records point to',
    );
  }
  const start = optionalTime(data.StartTime, 'StartTime');
  if (start !== undefined && !start.ok) return rejected(source, field('StartTime'), start.reason, id);
  const end = optionalTime(data.EndTime, 'EndTime');
  if (end !== undefined && !end.ok) return rejected(source, field('EndTime'), end.reason, id);
  const record: MeetingDetailRecord = {
    kind: 'meeting',
    recordId: id,
    meetingId: id,
    organizerUpn: recentText(pool, ORGANIZER_UPN, data.UserId) ?? '',
    organizerId: recentText(pool, ORGANIZER_ID, data.UserKey) ?? '',
    organizerOrganizationId: recentText(pool, ORGANIZATION_ID, data.OrganizationId) ?? '',
    startTimeRaw: start?.ok ? start.raw : '',
    endTimeRaw: end?.ok ? end.raw : '',
    meetingType: recentText(pool, ITEM_NAME, data.ItemName) ?? '',
    source,
  };
  const creationTime = creationTimeOf(data);
  if (creationTime !== undefined) record.creationTime = creationTime;
  if (start?.ok) record.startTime = start.ms;
  if (end?.ok) record.endTime = end.ms;
  const meetingUrl = text(data.MeetingURL);
  if (meetingUrl) record.meetingUrl = meetingUrl;
  const chatThreadId = text(data.ChatThreadId);
  if (chatThreadId) record.chatThreadId = chatThreadId;
  const communicationType = text(data.CommunicationType);
  if (communicationType) record.communicationType = communicationType;
  const communicationSubType = text(data.CommunicationSubType);
  if (communicationSubType) record.communicationSubType = communicationSubType;
  return { type: 'record', record };
}

/**
 * Converts one parsed AuditData object. MeetingParticipantDetail → session record, MeetingDetail →
 * meeting record, any other Operation → skipped; unusable records → rejected with the field at fault.
 * `field` names AuditData keys in messages (default `AuditData.<key>`; Sentinel rows use column names).
 * With a `pool`, repeated values are shared with the export's earlier records.
 */
export function toAuditItem(
  data: unknown,
  source: SourceRef,
  field: FieldNamer = auditDataField,
  pool?: StringPool,
): ExportItem {
  if (!isObject(data)) {
    return rejected(source, 'AuditData', `the record is ${kindOf(data)}, not a JSON object`);
  }
  const operation = text(data.Operation);
  if (!operation) {
    return rejected(
      source,
      field('Operation'),
      'Operation is missing, so the kind of record is unknown',
      text(data.Id) || undefined,
    );
  }
  if (operation === PARTICIPANT_OPERATION) return toSession(data, source, field, pool);
  if (operation === MEETING_OPERATION) return toMeetingDetail(data, source, field, pool);
  return { type: 'skipped', source, operation: pooled(pool, operation) };
}
