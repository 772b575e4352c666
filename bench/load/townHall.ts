// The load section's town hall: one meeting of 20,000 attendees (an hour; every tenth drops once and is
// back 30 s later), written as ingestion writes sessions, beside the 100,000-session store.
import type { SessionRecord } from '../../src/audit/records.js';
import { sessionToEntity } from '../../src/storage/sessionsTable.js';
import { RecordWriter } from '../../src/storage/recordWriter.js';
import type { Store } from '../../src/storage/store.js';

export const TOWN_HALL_ID = 'bench-town-hall';
export const TOWN_HALL_ATTENDEES = 20_000;

const START = Date.UTC(2026, 2, 2, 15, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

function session(p: number, k: number, join: number, leave: number): SessionRecord {
  const oid = `00000000-0000-4000-9000-${String(p).padStart(12, '0')}`;
  return {
    kind: 'session',
    recordId: `${TOWN_HALL_ID}-p${p}-s${k}`,
    meetingId: TOWN_HALL_ID,
    creationTime: START + 7_200_000,
    organizerUpn: 'ceo@contoso.com',
    organizerId: 'org-ceo',
    organizerOrganizationId: 'tenant',
    meetingType: 'Broadcast',
    attendee: {
      userObjectId: oid,
      upn: `staff${p}@contoso.com`,
      displayName: `Staff ${p}`,
      recipientType: 'User',
      organizationId: 'tenant',
    },
    joinTime: join,
    leaveTime: leave,
    joinTimeRaw: iso(join),
    leaveTimeRaw: iso(leave),
    clientIp: p % 2 === 0 ? `10.57.${p % 200}.${(p % 250) + 2}` : `192.168.${p % 200}.${(p % 250) + 2}`,
    deviceInformation: 'Windows 10 Enterprise',
    deviceId: `device-${oid}`,
    userAgent: 'CallSignalingAgent (49/24.1.0.0)',
    source: { file: 'bench-town-hall', line: p * 2 + k + 1 },
  };
}

export async function writeTownHall(store: Store): Promise<void> {
  const writer = new RecordWriter(store, 'bench-town-hall');
  const end = START + 3_600_000;
  for (let p = 0; p < TOWN_HALL_ATTENDEES; p++) {
    const join = START + (p % 600) * 1000;
    const sessions =
      p % 10 === 0
        ? [session(p, 0, join, START + 1_800_000), session(p, 1, START + 1_830_000, end)]
        : [session(p, 0, join, end)];
    for (const s of sessions) await writer.add(s, sessionToEntity(s).entity);
  }
  await writer.flush();
  await writer.mark(new Date());
}
