// Test helper: reads generated exports with csv-parse + JSON.parse only (independent of the
// project's own reader) and recounts what the generator's ground truth claims.
import { parse } from 'csv-parse/sync';
import {
  generateExport,
  type GeneratedFormat,
  type GeneratorOptions,
  type GroundTruth,
} from '../../src/generator/exportGenerator.js';

export interface RawRow {
  /** 1-based data row. */
  line: number;
  /** AuditData text as it appears in the file (JSON formats: the element re-serialised). */
  auditText: string;
  /** CSV cells by header name (CSV formats only). */
  cells?: Record<string, string>;
}

export function readRows(text: string, format: GeneratedFormat): RawRow[] {
  if (format === 'ndjson') {
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((auditText, i) => ({ line: i + 1, auditText }));
  }
  if (format === 'json-array') {
    const items = JSON.parse(text) as unknown[];
    return items.map((item, i) => ({ line: i + 1, auditText: JSON.stringify(item) }));
  }
  const records = parse(text, { relax_column_count: false });
  const header = records[0] ?? [];
  return records.slice(1).map((cellsArray, i) => {
    const cells: Record<string, string> = {};
    header.forEach((name, k) => (cells[name] = cellsArray[k] ?? ''));
    return { line: i + 1, auditText: cells['AuditData'] ?? '', cells };
  });
}

export type RowClass =
  | { kind: 'session'; record: Record<string, unknown> }
  | { kind: 'detail'; record: Record<string, unknown> }
  | { kind: 'other'; operation: string }
  | { kind: 'bad'; badKind: string }
  | { kind: 'exact-duplicate' }
  | { kind: 'content-duplicate' };

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Epoch ms of a strict `YYYY-MM-DDThh:mm:ss` (UTC) value with every field in range, else NaN. */
export function strictTime(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const m = TIME.exec(value);
  if (!m) return NaN;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === value ? ms : NaN;
}

/** Classifies each row the way a careful reader would (first occurrence wins for duplicates). */
export function classifyRows(rows: readonly RawRow[]): RowClass[] {
  const seenIds = new Map<string, string>();
  const seenContent = new Set<string>();
  return rows.map((row): RowClass => {
    if (row.auditText === '') return { kind: 'bad', badKind: 'empty-auditdata' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.auditText);
    } catch {
      return { kind: 'bad', badKind: 'bad-json' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { kind: 'bad', badKind: 'not-an-object' };
    const record = parsed as Record<string, unknown>;
    const operation = String(record['Operation']);
    if (operation === 'MeetingParticipantDetail') {
      if (!Array.isArray(record['Attendees'])) return { kind: 'bad', badKind: 'missing-attendees' };
      if (Number.isNaN(strictTime(record['JoinTime'])) || Number.isNaN(strictTime(record['LeaveTime'])))
        return { kind: 'bad', badKind: 'bad-join-time' };
      const id = String(record['Id']);
      const previous = seenIds.get(id);
      if (previous !== undefined) {
        if (previous !== row.auditText) throw new Error(`row ${row.line}: Id ${id} reused with other content`);
        return { kind: 'exact-duplicate' };
      }
      seenIds.set(id, row.auditText);
      const content = JSON.stringify({ ...record, Id: '' });
      if (seenContent.has(content)) return { kind: 'content-duplicate' };
      seenContent.add(content);
      return { kind: 'session', record };
    }
    if (operation === 'MeetingDetail') return { kind: 'detail', record };
    return { kind: 'other', operation };
  });
}

export interface Attendance {
  meetingId: string;
  key: string;
  recipientType: string;
  /** Attendee's tenant ('' when absent) and the record's (home) tenant. */
  organizationId: string;
  homeTenant: string;
  displayName: string;
  deviceKey: string;
  deviceInfo: string;
  userAgent: string;
  ip: string;
  join: number;
  leave: number;
}

export function attendanceOf(record: Record<string, unknown>): Attendance {
  const attendee = ((record['Attendees'] as unknown[])[0] ?? {}) as Record<string, unknown>;
  const extra = (record['ExtraProperties'] as { Key: string; Value: string }[] | undefined) ?? [];
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const key = str(attendee['UserObjectId']) || str(attendee['UPN']) || str(attendee['DisplayName']);
  const deviceInfo = str(record['DeviceInformation']);
  return {
    meetingId: str(record['MeetingDetailId']),
    key,
    recipientType: str(attendee['RecipientType']),
    organizationId: str(attendee['OrganizationId']),
    homeTenant: str(record['OrganizationId']),
    displayName: str(attendee['DisplayName']),
    deviceKey: str(record['DeviceId']) || deviceInfo,
    deviceInfo,
    userAgent: extra.find((e) => e.Key === 'UserAgent')?.Value ?? '',
    ip: str(record['ClientIP']),
    join: strictTime(record['JoinTime']),
    leave: strictTime(record['LeaveTime']),
  };
}

const HUMAN_TYPES = new Set(['User', 'InternalFederated', 'GuestFederated']);
const ROOM_DEVICE = /\b(rooms?|mtr)\b|surface ?hub|teams display/i;

export function isHuman(a: Attendance): boolean {
  return (
    HUMAN_TYPES.has(a.recipientType) && !ROOM_DEVICE.test(a.deviceInfo) && a.userAgent.includes('CallSignalingAgent')
  );
}

/** Appends to the list stored under `key`. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface Parsed {
  text: string;
  truth: GroundTruth;
  classes: RowClass[];
  sessions: Attendance[];
  sessionRecords: Record<string, unknown>[];
  details: Map<string, Record<string, unknown>>;
}

export function generateAndParse(options: GeneratorOptions): Parsed {
  const generated = generateExport(options);
  const text = [...generated.chunks()].join('');
  const truth = generated.truth;
  const classes = classifyRows(readRows(text, options.format));
  const sessionRecords: Record<string, unknown>[] = [];
  const details = new Map<string, Record<string, unknown>>();
  for (const c of classes) {
    if (c.kind === 'session') sessionRecords.push(c.record);
    if (c.kind === 'detail') details.set(String(c.record['Id']), c.record);
  }
  return { text, truth, classes, sessions: sessionRecords.map(attendanceOf), sessionRecords, details };
}

export interface Ev {
  meetingId: string;
  key: string;
  leave: number;
  rejoin: number;
}

/** Same-device successive sessions and other events, recomputed from the file by the detection rule. */
export function recompute(parsed: Parsed): {
  sameDevice: Ev[];
  switches: Ev[];
  handoffs: number;
  overlappingDevices: number;
  nested: number;
  longAbsences: number;
  nonMassLeavesByMeeting: Map<string, { key: string; leave: number }[]>;
  humansByMeeting: Map<string, number>;
} {
  const byMeeting = new Map<string, Attendance[]>();
  for (const a of parsed.sessions) if (isHuman(a)) pushTo(byMeeting, a.meetingId, a);
  const out = {
    sameDevice: [] as Ev[],
    switches: [] as Ev[],
    handoffs: 0,
    overlappingDevices: 0,
    nested: 0,
    longAbsences: 0,
    nonMassLeavesByMeeting: new Map<string, { key: string; leave: number }[]>(),
    humansByMeeting: new Map<string, number>(),
  };
  const massLeaves = new Set(
    parsed.truth.drops.filter((d) => d.massEventId).map((d) => `${d.meetingId}|${d.participantKey}|${d.leaveTime}`),
  );
  for (const [meetingId, list] of byMeeting) {
    const detail = parsed.details.get(meetingId);
    const end = detail ? strictTime(detail['EndTime']) : Math.max(...list.map((a) => a.leave));
    const people = new Map<string, Attendance[]>();
    for (const a of list) pushTo(people, a.key, a);
    out.humansByMeeting.set(meetingId, people.size);
    const leaves: { key: string; leave: number }[] = [];
    for (const [key, own] of people) {
      own.sort((x, y) => x.join - y.join || x.leave - y.leave);
      const covered = (a: Attendance): Attendance | undefined =>
        own.find((b) => b.deviceKey !== a.deviceKey && b.join <= a.leave - 10_000 && b.leave >= a.leave + 10_000);
      let handoff = false;
      let overlapping = false;
      let nested = false;
      for (const a of own) {
        const sameDevice = own.filter((b) => b !== a && b.deviceKey === a.deviceKey && b.join >= a.join);
        const next = sameDevice[0];
        if (sameDevice.some((b) => b.join < a.leave - 10_000)) nested = true;
        if (own.some((b) => b.deviceKey !== a.deviceKey && Math.max(a.join, b.join) < Math.min(a.leave, b.leave)))
          overlapping = true;
        if (a.leave >= end - 120_000) continue;
        const cover = covered(a);
        if (cover && cover.join > a.join) {
          handoff = true;
          leaves.push({ key, leave: a.leave });
        }
        if (next && !cover) {
          const gap = next.join - a.leave;
          if (gap >= -10_000 && gap <= 900_000 && next.join < end) {
            out.sameDevice.push({ meetingId, key, leave: a.leave, rejoin: next.join });
            if (!massLeaves.has(`${meetingId}|${key}|${a.leave}`)) leaves.push({ key, leave: a.leave });
          }
          if (gap > 900_000) {
            out.longAbsences++;
            leaves.push({ key, leave: a.leave });
          }
        }
        if (!next && !cover) {
          const other = own.find(
            (b) => b.deviceKey !== a.deviceKey && b.join >= a.leave && b.join <= a.leave + 300_000,
          );
          if (other) {
            out.switches.push({ meetingId, key, leave: a.leave, rejoin: other.join });
            leaves.push({ key, leave: a.leave });
          }
        }
      }
      if (handoff) out.handoffs++;
      if (overlapping) out.overlappingDevices++;
      if (nested) out.nested++;
    }
    out.nonMassLeavesByMeeting.set(meetingId, leaves);
  }
  return out;
}

export const evKey = (e: Ev): string => `${e.meetingId}|${e.key}|${e.leave}|${e.rejoin}`;
