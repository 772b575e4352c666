// Test fixtures for src/audit: synthetic AuditData objects, CSV/JSON writers, and stream helpers.
import { readExport, type ExportStream } from '../../src/audit/readExport.js';
import type { ExportItem } from '../../src/audit/records.js';

export type AuditJson = Record<string, unknown>;

/** The AuditData fields every record of the synthetic tenant shares (after CreationTime, Id and Operation). */
const ENVELOPE: AuditJson = {
  OrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001',
  RecordType: 25,
  UserKey: 'bbbbbbbb-0000-4000-8000-000000000002',
  UserType: 0,
  Version: 1,
  Workload: 'MicrosoftTeams',
};

/** A MeetingParticipantDetail AuditData object shaped like a real export's. */
export function participantData(overrides: AuditJson = {}): AuditJson {
  return {
    CreationTime: '2024-03-01T12:00:00',
    Id: '11111111-1111-4111-8111-111111111111',
    Operation: 'MeetingParticipantDetail',
    ...ENVELOPE,
    ClientIP: '10.57.1.2',
    UserId: 'organizer@contoso.com',
    ArtifactsShared: [{ ArtifactSharedName: 'videoTransmitted' }],
    Attendees: [
      {
        OrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001',
        RecipientType: 'User',
        UserObjectId: 'cccccccc-0000-4000-8000-000000000003',
        DisplayName: 'Smith, Anna',
        UPN: 'Anna.Smith@contoso.com',
        Role: 1,
      },
    ],
    DeviceInformation: 'Windows 10 Pro, Teams 1.6',
    ExtraProperties: [{ Key: 'UserAgent', Value: 'CallSignalingAgent (27/1.0.0.2024)' }],
    IsJoinedFromLobby: false,
    ItemName: 'ScheduledMeeting,RecurringMeeting',
    JoinTime: '2024-03-01T09:00:00',
    LeaveTime: '2024-03-01T09:45:30',
    MeetingDetailId: 'dddddddd-0000-4000-8000-000000000004',
    ...overrides,
  };
}

/** A MeetingDetail AuditData object shaped like a real export's. */
export function meetingData(overrides: AuditJson = {}): AuditJson {
  return {
    CreationTime: '2024-03-01T13:00:00',
    Id: 'dddddddd-0000-4000-8000-000000000004',
    Operation: 'MeetingDetail',
    ...ENVELOPE,
    UserId: 'organizer@contoso.com',
    StartTime: '2024-03-01T08:58:00',
    EndTime: '2024-03-01T10:01:00',
    MeetingURL: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0',
    ChatThreadId: '19:meeting_x@thread.v2',
    CommunicationType: 'GroupCall',
    CommunicationSubType: 'ScheduledMeeting',
    ItemName: 'ScheduledMeeting',
    ...overrides,
  };
}

/** RFC 4180 field: quoted only when it holds a comma, quote, CR or LF (Purview style), or always. */
export function csvField(value: string, alwaysQuote = false): string {
  return alwaysQuote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[], alwaysQuote = false): string {
  return fields.map((f) => csvField(f, alwaysQuote)).join(',');
}

/** A field of an audit record as CSV text (numbers and booleans written out; objects and null empty). */
function fieldText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** One AuditData object as a row of the given header, other columns filled like the real exports. */
export function csvRowFor(header: readonly string[], data: AuditJson, alwaysQuote = false): string {
  const fields = header.map((column) => {
    switch (column) {
      case 'AuditData':
        return JSON.stringify(data);
      case 'RecordId':
      case 'Identity':
        return fieldText(data.Id);
      case 'CreationDate':
        return fieldText(data.CreationTime);
      case 'Operation':
      case 'Operations':
        return fieldText(data.Operation);
      case 'UserId':
      case 'UserIds':
        return fieldText(data.UserId);
      case 'RecordType':
        return fieldText(data.RecordType);
      default:
        return '';
    }
  });
  return csvLine(fields, alwaysQuote);
}

export const HEADERS = {
  'purview-v1': ['CreationDate', 'UserIds', 'Operations', 'AuditData'],
  'purview-v2': ['CreationDate', 'UserId', 'Operation', 'AuditData'],
  'purview-v3': [
    'RecordId',
    'CreationDate',
    'RecordType',
    'Operation',
    'UserId',
    'AuditData',
    'AssociatedAdminUnits',
    'AssociatedAdminUnitsNames',
  ],
  powershell: [
    'RecordType',
    'CreationDate',
    'UserIds',
    'Operations',
    'AuditData',
    'ResultIndex',
    'ResultCount',
    'Identity',
    'IsValid',
    'ObjectState',
  ],
} as const;

/** A whole CSV export of the given records. */
export function csvExport(
  header: readonly string[],
  rows: readonly AuditJson[],
  options: {
    bom?: boolean;
    crlf?: boolean;
    typeLine?: boolean;
    alwaysQuote?: boolean;
    finalNewline?: boolean;
  } = {},
): string {
  const eol = options.crlf === false ? '\n' : '\r\n';
  const lines = [csvLine(header, options.alwaysQuote), ...rows.map((r) => csvRowFor(header, r, options.alwaysQuote))];
  if (options.typeLine)
    lines.unshift('#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord');
  return `${options.bom ? '\uFEFF' : ''}${lines.join(eol)}${options.finalNewline === false ? '' : eol}`;
}

/**
 * Splits bytes into chunks of the given sizes (cycled), to exercise chunk boundaries. Like
 * readFileChunks, every chunk is a view of one reused buffer, overwritten (with `"` bytes) when the next
 * chunk is requested: a reader that kept a reference to an old chunk instead of a copy misreads.
 */
export async function* chunked(data: Buffer | string, sizes: readonly number[] = [1]): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let shared = Buffer.alloc(0);
  let pos = 0;
  let k = 0;
  while (pos < buf.length) {
    const size = Math.min(Math.max(1, sizes[k++ % sizes.length]!), buf.length - pos);
    if (shared.length < size) shared = Buffer.alloc(size);
    buf.copy(shared, 0, pos, pos + size);
    yield shared.subarray(0, size);
    shared.fill(0x22);
    pos += size;
  }
}

export async function* once(data: Buffer | string): AsyncGenerator<Buffer | string> {
  yield data;
}

export async function collect(stream: ExportStream): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Reads a whole in-memory export; returns its items and info. */
export async function readAll(data: Buffer | string, file = 'test.csv', sizes?: readonly number[]) {
  const stream = readExport(sizes === undefined ? once(data) : chunked(data, sizes), { file });
  const items = await collect(stream);
  return { items, info: stream.info() };
}

export function recordsOf(items: readonly ExportItem[]) {
  return items.flatMap((i) => (i.type === 'record' ? [i.record] : []));
}

export function rejectionsOf(items: readonly ExportItem[]) {
  return items.flatMap((i) => (i.type === 'rejected' ? [i.rejection] : []));
}

/** Cuts `bytes` at the given fractions of its length (anywhere, even inside a UTF-8 sequence). */
export function cutAt(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  out.push(bytes.subarray(from));
  return out;
}
