// Test helper: AuditData records as Audit.General content blobs carry them (docs/design/record-formats.md):
// Teams meeting records to keep, and other Teams operations and workloads to drop.
export type AuditJson = Record<string, unknown>;

const ORG = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function envelope(id: string, operation: string, recordType: number, workload: string): AuditJson {
  return {
    CreationTime: '2026-03-02T12:00:00',
    Id: id,
    Operation: operation,
    OrganizationId: ORG,
    RecordType: recordType,
    UserKey: 'bbbbbbbb-0000-4000-8000-000000000002',
    UserType: 0,
    Version: 1,
    Workload: workload,
    UserId: 'organizer@contoso.example',
  };
}

export function meetingDetail(id: string): AuditJson {
  return {
    ...envelope(id, 'MeetingDetail', 25, 'MicrosoftTeams'),
    StartTime: '2026-03-02T09:00:00',
    EndTime: '2026-03-02T10:00:00',
    MeetingURL: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0',
    ChatThreadId: '19:meeting_x@thread.v2',
    CommunicationType: 'GroupCall',
    ItemName: 'ScheduledMeeting',
  };
}

export function participantDetail(id: string, meetingDetailId: string, n: number): AuditJson {
  return {
    ...envelope(id, 'MeetingParticipantDetail', 25, 'MicrosoftTeams'),
    ClientIP: '10.57.1.2',
    MeetingDetailId: meetingDetailId,
    JoinTime: '2026-03-02T09:00:00',
    LeaveTime: `2026-03-02T09:${String(10 + (n % 40)).padStart(2, '0')}:00`,
    Attendees: [
      {
        RecipientType: 'User',
        UserObjectId: `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`,
        DisplayName: `Person ${n}`,
        UPN: `person${n}@contoso.example`,
        Role: 1,
      },
    ],
    DeviceInformation: 'Windows 10 Pro, Teams 1.6',
    ExtraProperties: [{ Key: 'UserAgent', Value: 'CallSignalingAgent (27/1.0.0.2024)' }],
    ItemName: 'ScheduledMeeting',
  };
}

/** A Teams record of another operation (RecordType 25, dropped). */
export function teamsOther(id: string): AuditJson {
  return { ...envelope(id, 'MemberAdded', 25, 'MicrosoftTeams'), TeamName: 'Sales', Members: [] };
}

/** A record of another Audit.General workload (dropped). */
export function powerBi(id: string): AuditJson {
  return { ...envelope(id, 'ViewReport', 20, 'PowerBI'), ItemName: 'Quarterly' };
}

/** A deterministic GUID-like id for record `n` of content `c`. */
export function recordId(c: number, n: number): string {
  return `${String(c).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
