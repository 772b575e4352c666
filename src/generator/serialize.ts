// Turns built meetings into AuditData JSON (Microsoft's key order) and
// into export lines: Purview CSV variants 1-3 (minimal RFC 4180 quoting, CRLF), JSON array, NDJSON.
import type { Directory } from './identities.js';
import type { BuiltMeeting, Session } from './meetingModel.js';
import type { Rng } from './prng.js';

export type GeneratedFormat = 'purview-v1' | 'purview-v2' | 'purview-v3' | 'json-array' | 'ndjson';

/** One output row before it is laid out in a format. */
export interface Row {
  id: string;
  operation: string;
  /** Envelope UserId (the CSV UserId/UserIds column). */
  userId: string;
  /** Epoch seconds. */
  creationTime: number;
  /** AuditData text ('' for a deliberately empty AuditData cell). */
  json: string;
}

export type BadRowKind = 'bad-json' | 'empty-auditdata' | 'not-an-object' | 'bad-join-time' | 'missing-attendees';

/** Broken-row kinds each format can carry (a JSON array cannot hold invalid JSON and stay readable). */
export const BAD_ROW_KINDS: Record<GeneratedFormat, readonly BadRowKind[]> = {
  'purview-v1': ['bad-json', 'bad-join-time', 'missing-attendees', 'empty-auditdata', 'not-an-object'],
  'purview-v2': ['bad-json', 'bad-join-time', 'missing-attendees', 'empty-auditdata', 'not-an-object'],
  'purview-v3': ['bad-json', 'bad-join-time', 'missing-attendees', 'empty-auditdata', 'not-an-object'],
  ndjson: ['bad-json', 'bad-join-time', 'missing-attendees', 'not-an-object'],
  'json-array': ['bad-join-time', 'missing-attendees', 'not-an-object'],
};

/** Other Teams operations mixed into exports (skipped by a meeting parser), in a fixed rotation. */
export const OTHER_OPERATION_CYCLE = [
  'TeamsSessionStarted',
  'MemberAdded',
  'TeamsSessionStarted',
  'MessageSent',
  'TeamsSessionStarted',
  'ChatCreated',
  'MessageSent',
  'TeamsSessionStarted',
  'MemberAdded',
  'TeamsSessionStarted',
] as const;

/** `YYYY-MM-DDThh:mm:ss` (UTC, no zone), as inside AuditData. */
export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
}

/** Purview variant 3 CreationDate: `9/20/2023 4:05:03 AM` (UTC, no zone marker). */
export function purviewV3Date(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const hours = d.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${mm}:${ss} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Purview variants 1 and 2 CreationDate: `2021-12-08T17:27:31.0000000Z`. */
export function purviewIsoDate(epochSeconds: number): string {
  return `${isoSeconds(epochSeconds)}.0000000Z`;
}

/** RFC 4180 minimal quoting: only fields with a comma, quote, CR or LF are quoted. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function envelope(
  id: string,
  operation: string,
  creationTime: number,
  tenantId: string,
  userKey: string,
  userId: string,
  clientIp: string,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    CreationTime: isoSeconds(creationTime),
    Id: id,
    Operation: operation,
    OrganizationId: tenantId,
    RecordType: 25,
    UserKey: userKey,
    UserType: 0,
    Version: 1,
    Workload: 'MicrosoftTeams',
  };
  if (clientIp !== '') record['ClientIP'] = clientIp;
  record['UserId'] = userId;
  return record;
}

export interface SessionBreakage {
  joinTime?: string;
  dropAttendees?: boolean;
}

/** AuditData of one MeetingParticipantDetail record. */
export function sessionAuditData(
  meeting: BuiltMeeting,
  session: Session,
  id: string,
  creationTime: number,
  tenantId: string,
  breakage?: SessionBreakage,
): string {
  const organizer = meeting.organizer;
  const record = envelope(
    id,
    'MeetingParticipantDetail',
    creationTime,
    tenantId,
    organizer.objectId,
    organizer.upn,
    session.ip,
  );
  const kind = session.participant.kind;
  if (meeting.premium && kind !== 'phone' && kind !== 'bot') {
    const artifacts: Record<string, unknown>[] = [];
    if (session.video) artifacts.push({ ArtifactSharedName: 'videoTransmitted' });
    if (session.screenShare) {
      artifacts.push({
        ArtifactSharedName: 'screenShared',
        ArtifactShareSessions: [
          {
            ScreenShareId: session.screenShare.id,
            StartTimestamp: `${isoSeconds(session.screenShare.start)}Z`,
            EndTimestamp: `${isoSeconds(session.screenShare.end)}Z`,
          },
        ],
      });
    }
    record['ArtifactsShared'] = artifacts;
  }
  if (!breakage?.dropAttendees) record['Attendees'] = [session.participant.attendee];
  if (session.deviceId !== undefined) record['DeviceId'] = session.deviceId;
  if (session.deviceInfo !== '') record['DeviceInformation'] = session.deviceInfo;
  record['ExtraProperties'] = [{ Key: 'UserAgent', Value: session.userAgent }];
  if (meeting.premium) record['IsJoinedFromLobby'] = session.participant.fromLobby;
  record['ItemName'] = meeting.itemName;
  record['JoinTime'] = breakage?.joinTime ?? isoSeconds(session.join);
  record['LeaveTime'] = isoSeconds(session.leave);
  record['MeetingDetailId'] = meeting.plan.meetingId;
  return JSON.stringify(record);
}

const URL_PLACEHOLDER = '@@MEETING_URL@@';

/** AuditData of the MeetingDetail record (Id = the meeting id). */
export function meetingDetailAuditData(meeting: BuiltMeeting, creationTime: number, tenantId: string): string {
  const detail = meeting.detail;
  if (!detail) throw new Error('meeting has no detail');
  const organizer = meeting.organizer;
  const record = envelope(
    meeting.plan.meetingId,
    'MeetingDetail',
    creationTime,
    tenantId,
    organizer.objectId,
    organizer.upn,
    '',
  );
  record['ChatThreadId'] = detail.chatThreadId;
  record['CommunicationSubType'] = detail.communicationSubType;
  record['CommunicationType'] = detail.communicationType;
  record['EndTime'] = isoSeconds(detail.endTime);
  record['ItemName'] = meeting.itemName;
  record['MeetingURL'] = URL_PLACEHOLDER;
  record['Organizer'] = {
    OrganizationId: tenantId,
    RecipientType: 'User',
    Role: 1,
    UserObjectId: organizer.objectId,
  };
  record['StartTime'] = isoSeconds(detail.startTime);
  // Microsoft's serialiser writes "\/" in URLs on several record types; JSON.stringify never does.
  return JSON.stringify(record).replace(
    `"${URL_PLACEHOLDER}"`,
    JSON.stringify(detail.meetingUrl).replace(/\//g, '\\/'),
  );
}

/** A record of another Teams operation (skipped by meeting parsers). */
export function otherOperationRow(
  rng: Rng,
  operation: string,
  directory: Directory,
  creationTime: number,
  userPool: number,
): Row {
  const user = directory.user(rng.int(0, userPool - 1));
  const id = rng.guid();
  const address = rng.chance(0.6) ? `10.57.${rng.int(0, 63)}.${rng.int(2, 254)}` : '';
  const record = envelope(
    id,
    operation,
    creationTime,
    directory.tenantId,
    user.objectId,
    user.upn,
    operation === 'TeamsSessionStarted' ? address : '',
  );
  if (operation === 'TeamsSessionStarted') {
    // ObjectId sits between ClientIP and UserId in Microsoft's order.
    const userId = record['UserId'];
    delete record['UserId'];
    record['ObjectId'] = 'Unknown (Unknown)';
    record['UserId'] = userId;
  } else if (operation === 'MemberAdded') {
    const member = directory.user(rng.int(0, userPool - 1));
    const teamName = rng.pick(['Sales EMEA', 'Project Falcon', 'IT Operations', 'Finance, Reporting', 'All Company']);
    record['AADGroupId'] = rng.guid();
    record['CommunicationType'] = 'Team';
    record['Members'] = [{ DisplayName: member.displayName, Role: 1, UPN: member.upn }];
    record['TeamGuid'] = `19:${rng.hex(32)}@thread.tacv2`;
    record['ItemName'] = teamName;
    record['TeamName'] = teamName;
  } else if (operation === 'MessageSent') {
    record['ChatThreadId'] = `19:${rng.hex(32)}@unq.gbl.spaces`;
    record['CommunicationType'] = 'OneOnOne';
    record['MessageId'] = String(1700000000000 + rng.int(0, 99_999_999));
    record['MessageSizeInBytes'] = rng.int(200, 9000);
  } else {
    const member = directory.user(rng.int(0, userPool - 1));
    record['ChatThreadId'] = `19:${rng.hex(32)}@thread.v2`;
    record['CommunicationType'] = 'GroupChat';
    record['Members'] = [
      { DisplayName: user.displayName, Role: 1, UPN: user.upn },
      { DisplayName: member.displayName, Role: 1, UPN: member.upn },
    ];
  }
  return { id, operation, userId: user.upn, creationTime, json: JSON.stringify(record) };
}

/** Header text (with line end) of a format; '' for NDJSON. */
export function formatHeader(format: GeneratedFormat): string {
  switch (format) {
    case 'purview-v1':
      return 'CreationDate,UserIds,Operations,AuditData\r\n';
    case 'purview-v2':
      return 'CreationDate,UserId,Operation,AuditData\r\n';
    case 'purview-v3':
      return 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n';
    case 'json-array':
      return '[\n';
    case 'ndjson':
      return '';
  }
}

export function formatFooter(format: GeneratedFormat, rows: number): string {
  if (format !== 'json-array') return '';
  return rows === 0 ? ']\n' : '\n]\n';
}

/** One data row laid out in the format (with its line end; JSON arrays add the separator). */
export function formatRow(format: GeneratedFormat, row: Row, first: boolean): string {
  switch (format) {
    case 'purview-v3':
      // AuditData is always quoted; both AssociatedAdminUnits columns are empty, so rows end `}",,`.
      return `${row.id},${purviewV3Date(row.creationTime)},25,${csvField(row.operation)},${csvField(row.userId)},${quoteAuditData(row.json)},,\r\n`;
    case 'purview-v2':
    case 'purview-v1':
      return `${purviewIsoDate(row.creationTime)},${csvField(row.userId)},${csvField(row.operation)},${quoteAuditData(row.json)}\r\n`;
    case 'json-array':
      return first ? row.json : `,\n${row.json}`;
    case 'ndjson':
      return `${row.json}\n`;
  }
}

function quoteAuditData(json: string): string {
  // An empty cell stays empty (minimal quoting); any JSON text contains quotes and is quoted.
  return json === '' ? '' : `"${json.replace(/"/g, '""')}"`;
}
