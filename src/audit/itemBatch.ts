// Compact, cheaply transferable encoding of reader items (records, skipped rows, rejections) for the
// parallel reader: typed arrays plus the strings once each, decoded into the same objects the reader makes.
import { newSessionRecord } from './auditData.js';
import type { Attendee, ExportItem, MeetingDetailRecord, SessionRecord, SourceRef } from './records.js';

const SESSION = 1;
const MEETING = 2;
const SKIPPED = 3;
const REJECTED = 4;

const ABSENT = -1;

/** One batch of encoded items: consecutive rows of one byte range. */
export interface ItemBatch {
  /** Item kind per row (every row gives exactly one item). */
  kinds: Uint8Array;
  /** String-table indices, item after item (ABSENT = field not present). */
  refs: Int32Array;
  /** Numbers, item after item (NaN = not present). */
  nums: Float64Array;
  /** Row numbers within the range, one per item (items follow each other, but a row may be skipped). */
  lines: Int32Array;
  /** Strings added to the range's string table by this batch (structured clone copies them flat). */
  strings: string[];
}

/** Every SessionRecord / MeetingDetailRecord key the codec carries (a compile error here means a new field needs encoding). */
const SESSION_KEYS = ['kind', 'recordId', 'meetingId', 'creationTime', 'organizerUpn', 'organizerId', 'organizerOrganizationId',
  'meetingType', 'attendee', 'joinTime', 'leaveTime', 'joinTimeRaw', 'leaveTimeRaw', 'clientIp', 'deviceInformation', 'deviceId',
  'userAgent', 'isJoinedFromLobby', 'source'] as const;
const MEETING_KEYS = ['kind', 'recordId', 'meetingId', 'creationTime', 'organizerUpn', 'organizerId', 'organizerOrganizationId',
  'startTime', 'endTime', 'startTimeRaw', 'endTimeRaw', 'meetingUrl', 'chatThreadId', 'communicationType', 'communicationSubType',
  'meetingType', 'source'] as const;
const ATTENDEE_KEYS = ['userObjectId', 'upn', 'displayName', 'organizationId', 'recipientType', 'role'] as const;
type Exhaustive<T, Listed> = [Exclude<keyof T, Listed>] extends [never] ? true : false;
const allKeysEncoded: [
  Exhaustive<SessionRecord, (typeof SESSION_KEYS)[number]>,
  Exhaustive<MeetingDetailRecord, (typeof MEETING_KEYS)[number]>,
  Exhaustive<Attendee, (typeof ATTENDEE_KEYS)[number]>,
] = [true, true, true];
void allKeysEncoded;

/** Growable typed-array buffers. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) { this.data = new Int32Array(capacity); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  take(): Int32Array { return this.data.slice(0, this.length); }
}

class ByteList {
  data: Uint8Array;
  length = 0;
  constructor(capacity: number) { this.data = new Uint8Array(capacity); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  take(): Uint8Array { return this.data.slice(0, this.length); }
}

class NumList {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) { this.data = new Float64Array(capacity); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  take(): Float64Array { return this.data.slice(0, this.length); }
}

/**
 * Encodes the items of one byte range, batch after batch. Strings that repeat across rows (meeting,
 * organiser, attendee, network and client fields) are stored once per range; ids and raw times, which
 * are nearly always unique, go straight into the table without a lookup.
 */
export class ItemBatchEncoder {
  private readonly table = new Map<string, number>();
  private tableSize = 0;
  private readonly kinds = new ByteList(1 << 11);
  private readonly refs = new IntList(1 << 15);
  private readonly nums = new NumList(1 << 13);
  private readonly lines = new IntList(1 << 11);
  private strings: string[] = [];

  get count(): number { return this.kinds.length; }

  /** A value that often repeats (pooled by the reader, so its hash is already known): stored once per range. */
  private shared(s: string | undefined): number {
    if (s === undefined) return ABSENT;
    let index = this.table.get(s);
    if (index === undefined) {
      index = this.unique(s);
      this.table.set(s, index);
    }
    return index;
  }

  private unique(s: string | undefined): number {
    if (s === undefined) return ABSENT;
    this.strings.push(s);
    return this.tableSize++;
  }

  add(item: ExportItem): void {
    const refs = this.refs;
    const nums = this.nums;
    if (item.type === 'record') {
      const r = item.record;
      this.lines.push(r.source.line);
      if (r.kind === 'session') {
        this.kinds.push(SESSION);
        const a = r.attendee;
        refs.push(this.unique(r.recordId));
        refs.push(this.shared(r.meetingId));
        refs.push(this.shared(r.organizerUpn));
        refs.push(this.shared(r.organizerId));
        refs.push(this.shared(r.organizerOrganizationId));
        refs.push(this.shared(r.meetingType));
        refs.push(this.shared(a.userObjectId));
        refs.push(this.shared(a.upn));
        refs.push(this.shared(a.displayName));
        refs.push(this.shared(a.organizationId));
        refs.push(this.shared(a.recipientType));
        refs.push(this.shared(a.role));
        refs.push(this.unique(r.joinTimeRaw));
        refs.push(this.unique(r.leaveTimeRaw));
        refs.push(this.shared(r.clientIp));
        refs.push(this.shared(r.deviceInformation));
        refs.push(this.shared(r.userAgent));
        refs.push(this.shared(r.deviceId));
        refs.push(r.isJoinedFromLobby === undefined ? ABSENT : r.isJoinedFromLobby ? 1 : 0);
        nums.push(r.joinTime);
        nums.push(r.leaveTime);
        nums.push(r.creationTime ?? Number.NaN);
      } else {
        this.kinds.push(MEETING);
        refs.push(this.unique(r.recordId));
        refs.push(r.meetingId === r.recordId ? ABSENT : this.shared(r.meetingId));
        refs.push(this.shared(r.organizerUpn));
        refs.push(this.shared(r.organizerId));
        refs.push(this.shared(r.organizerOrganizationId));
        refs.push(this.shared(r.startTimeRaw));
        refs.push(this.shared(r.endTimeRaw));
        refs.push(this.shared(r.meetingType));
        refs.push(this.shared(r.meetingUrl));
        refs.push(this.shared(r.chatThreadId));
        refs.push(this.shared(r.communicationType));
        refs.push(this.shared(r.communicationSubType));
        nums.push(r.creationTime ?? Number.NaN);
        nums.push(r.startTime ?? Number.NaN);
        nums.push(r.endTime ?? Number.NaN);
      }
    } else if (item.type === 'skipped') {
      this.kinds.push(SKIPPED);
      this.lines.push(item.source.line);
      refs.push(this.shared(item.operation));
    } else {
      const j = item.rejection;
      this.kinds.push(REJECTED);
      this.lines.push(j.line);
      refs.push(this.shared(j.field));
      refs.push(this.shared(j.reason));
      refs.push(this.shared(j.recordId));
    }
  }

  /** The items added since the last take(), encoded; resets the batch (the string table carries on). */
  take(): ItemBatch {
    const batch: ItemBatch = {
      kinds: this.kinds.take(),
      refs: this.refs.take(),
      nums: this.nums.take(),
      lines: this.lines.take(),
      strings: this.strings,
    };
    this.kinds.length = 0;
    this.refs.length = 0;
    this.nums.length = 0;
    this.lines.length = 0;
    this.strings = [];
    return batch;
  }
}

/** The typed arrays of a batch, for postMessage's transfer list. */
export function transferablesOf(batch: ItemBatch): ArrayBuffer[] {
  return [batch.kinds.buffer, batch.refs.buffer, batch.nums.buffer, batch.lines.buffer] as ArrayBuffer[];
}

/**
 * Decodes the batches of one byte range in order (the string table grows batch by batch). Items get
 * `file` and row number = rowsBefore + the row number within the range.
 */
export class ItemBatchDecoder {
  private readonly table: string[] = [];

  constructor(private readonly file: string, private readonly rowsBefore: number) {}

  decode(batch: ItemBatch, out: ExportItem[]): void {
    const table = this.table;
    for (const s of batch.strings) table.push(s);
    const str = (i: number): string => table[i]!;
    const opt = (i: number): string | undefined => (i === ABSENT ? undefined : table[i]);
    const { kinds, refs, nums, lines } = batch;
    const { file, rowsBefore } = this;
    let r = 0;
    let n = 0;
    for (let k = 0; k < kinds.length; k++) {
      const source: SourceRef = { file, line: rowsBefore + lines[k]! };
      switch (kinds[k]) {
        case SESSION: {
          const attendee: Attendee = {};
          const userObjectId = opt(refs[r + 6]!);
          if (userObjectId !== undefined) attendee.userObjectId = userObjectId;
          const upn = opt(refs[r + 7]!);
          if (upn !== undefined) attendee.upn = upn;
          const displayName = opt(refs[r + 8]!);
          if (displayName !== undefined) attendee.displayName = displayName;
          const organizationId = opt(refs[r + 9]!);
          if (organizationId !== undefined) attendee.organizationId = organizationId;
          const recipientType = opt(refs[r + 10]!);
          if (recipientType !== undefined) attendee.recipientType = recipientType;
          const role = opt(refs[r + 11]!);
          if (role !== undefined) attendee.role = role;
          const lobby = refs[r + 18]!;
          const creationTime = nums[n + 2]!;
          const record: SessionRecord = newSessionRecord(
            str(refs[r]!), str(refs[r + 1]!), str(refs[r + 2]!), str(refs[r + 3]!), str(refs[r + 4]!), str(refs[r + 5]!),
            attendee, nums[n]!, nums[n + 1]!, opt(refs[r + 12]!), opt(refs[r + 13]!), str(refs[r + 14]!), str(refs[r + 15]!),
            str(refs[r + 16]!), source, Number.isNaN(creationTime) ? undefined : creationTime, opt(refs[r + 17]!),
            lobby === ABSENT ? undefined : lobby === 1,
          );
          r += 19;
          n += 3;
          out.push({ type: 'record', record });
          break;
        }
        case MEETING: {
          const recordId = str(refs[r]!);
          const meetingIdRef = refs[r + 1]!;
          const record: MeetingDetailRecord = {
            kind: 'meeting',
            recordId,
            meetingId: meetingIdRef === ABSENT ? recordId : str(meetingIdRef),
            organizerUpn: str(refs[r + 2]!),
            organizerId: str(refs[r + 3]!),
            organizerOrganizationId: str(refs[r + 4]!),
            startTimeRaw: str(refs[r + 5]!),
            endTimeRaw: str(refs[r + 6]!),
            meetingType: str(refs[r + 7]!),
            source,
          };
          const creationTime = nums[n]!;
          if (!Number.isNaN(creationTime)) record.creationTime = creationTime;
          const startTime = nums[n + 1]!;
          if (!Number.isNaN(startTime)) record.startTime = startTime;
          const endTime = nums[n + 2]!;
          if (!Number.isNaN(endTime)) record.endTime = endTime;
          const meetingUrl = opt(refs[r + 8]!);
          if (meetingUrl !== undefined) record.meetingUrl = meetingUrl;
          const chatThreadId = opt(refs[r + 9]!);
          if (chatThreadId !== undefined) record.chatThreadId = chatThreadId;
          const communicationType = opt(refs[r + 10]!);
          if (communicationType !== undefined) record.communicationType = communicationType;
          const communicationSubType = opt(refs[r + 11]!);
          if (communicationSubType !== undefined) record.communicationSubType = communicationSubType;
          r += 12;
          n += 3;
          out.push({ type: 'record', record });
          break;
        }
        case SKIPPED:
          out.push({ type: 'skipped', source, operation: str(refs[r]!) });
          r += 1;
          break;
        case REJECTED: {
          const field = str(refs[r]!);
          const reason = str(refs[r + 1]!);
          const recordId = opt(refs[r + 2]!);
          out.push({
            type: 'rejected',
            rejection: recordId === undefined
              ? { file, line: source.line, field, reason }
              : { file, line: source.line, field, reason, recordId },
          });
          r += 3;
          break;
        }
        default:
          throw new Error(`internal: unknown item kind ${String(kinds[k])} in a batch`);
      }
    }
  }
}
