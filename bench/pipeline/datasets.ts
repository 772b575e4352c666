// Data sets of the pipeline bench: the parsed records of an export (what the write ceiling writes),
// and the synthetic 500,000-session store (10,000 meetings of 50 sessions, five drops each) that the
// analysis and HTTP cases read.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { readExport } from '../../src/audit/readExport.js';
import { Deduplicator } from '../../src/audit/dataset.js';
import type { AuditRecord, SessionRecord } from '../../src/audit/records.js';
import type { UserEntry } from '../../src/analysis/userDirectory.js';
import { sessionToEntity } from '../../src/storage/sessionsTable.js';
import { meetingDetailToEntity } from '../../src/storage/meetingsTable.js';
import { learnFromRecord } from '../../src/storage/usersTable.js';
import type { Store } from '../../src/storage/store.js';
import { RecordWriter } from '../../src/storage/recordWriter.js';
import { BIG_MEETINGS, SESSIONS_PER_MEETING, bigMeetingId } from './common.js';

/** One line of the ceiling file: an accepted record, or a learned user. */
export type CeilingLine = { t: 'r'; r: AuditRecord } | { t: 'u'; u: UserEntry };

/**
 * Reads an export the way ingestion does (parse, key check, de-duplication) and writes, one JSON line
 * each, the accepted records in input order, then the learned users: what the write ceiling writes.
 */
export async function writeCeilingRecords(exportPath: string, outPath: string): Promise<number> {
  const out = createWriteStream(outPath);
  const write = async (line: CeilingLine): Promise<void> => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const dedupe = new Deduplicator();
  const learned = new Map<string, UserEntry>();
  let records = 0;
  for await (const item of readExport(createReadStream(exportPath), { file: exportPath })) {
    if (item.type !== 'record') continue;
    const r = item.record;
    if (r.kind === 'session') sessionToEntity(r);
    else meetingDetailToEntity(r);
    if (dedupe.add(r) === 'duplicate') continue;
    learnFromRecord(learned, r);
    await write({ t: 'r', r });
    records++;
  }
  for (const u of learned.values()) await write({ t: 'u', u });
  out.end();
  await once(out, 'finish');
  return records;
}

export function readCeilingRecords(path: string): CeilingLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CeilingLine);
}

const BIG_START = Date.UTC(2026, 3, 1, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/**
 * The sessions of synthetic meeting `i`: 45 participants for an hour; the first five drop once
 * (leave at 20 min, back 30 s later on the same device), so 50 sessions. Half join from the HQ
 * network (10.57.0.0/16), half from home.
 */
export function bigMeetingSessions(i: number): SessionRecord[] {
  const meetingId = bigMeetingId(i);
  const start = BIG_START + i * 7 * 60_000;
  const end = start + 3_600_000;
  const sessions: SessionRecord[] = [];
  const add = (p: number, k: number, join: number, leave: number): void => {
    const oid = `0000${String(i % 500).padStart(4, '0')}-0000-4000-8000-${String(p).padStart(12, '0')}`;
    sessions.push({
      kind: 'session',
      recordId: `${meetingId}-p${p}-s${k}`,
      meetingId,
      creationTime: end + 3_600_000,
      organizerUpn: `organizer${i % 50}@contoso.com`,
      organizerId: `org-${i % 50}`,
      organizerOrganizationId: 'tenant',
      meetingType: 'ScheduledMeeting',
      attendee: {
        userObjectId: oid,
        upn: `user${i % 500}.${p}@contoso.com`,
        displayName: `User ${p}`,
        recipientType: 'User',
        organizationId: 'tenant',
      },
      joinTime: join,
      leaveTime: leave,
      joinTimeRaw: iso(join),
      leaveTimeRaw: iso(leave),
      clientIp: p % 2 === 0 ? `10.57.${i % 64}.${(p % 250) + 2}` : `192.168.1.${(p % 250) + 2}`,
      deviceInformation: 'Windows 10 Enterprise',
      deviceId: `device-${oid}`,
      userAgent: 'CallSignalingAgent (49/24.1.0.0)',
      source: { file: 'bench-synthetic', line: i * SESSIONS_PER_MEETING + sessions.length + 1 },
    });
  };
  for (let p = 0; p < 45; p++) {
    if (p < 5) {
      add(p, 0, start, start + 20 * 60_000);
      add(p, 1, start + 20 * 60_000 + 30_000, end);
    } else {
      add(p, 0, start + (p % 10) * 1000, end);
    }
  }
  return sessions;
}

/**
 * Writes synthetic meetings `from` … `to` − 1 into `store` as ingestion does (sessions, bundles,
 * marks naming them), without an export file.
 */
export async function writeBigStore(
  store: Store,
  log: (line: string) => void,
  from = 0,
  to = BIG_MEETINGS,
): Promise<void> {
  const writer = new RecordWriter(store, `bench-synthetic-${from}`);
  for (let i = from; i < to; i++) {
    for (const s of bigMeetingSessions(i)) await writer.add(s, sessionToEntity(s).entity);
    if ((i + 1) % 2000 === 0)
      log(`big store: ${((i + 1) * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions queued`);
  }
  await writer.flush();
  await writer.mark(new Date());
}

/**
 * A big export of mostly skipped rows: every row of `basePath` (a one-row-per-line CSV export), then the
 * rows of other operations of `fillerPath` (same header), repeated in turn until the file holds `rows`
 * data rows. Ingestion reads and skips the added rows, so it stores what the base export stores.
 */
export async function writeMostlySkippedExport(
  basePath: string,
  fillerPath: string,
  outPath: string,
  rows: number,
): Promise<number> {
  const base = readFileSync(basePath, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const filler = readFileSync(fillerPath, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const header = base[0]!;
  if (filler[0] !== header) throw new Error(`${fillerPath} and ${basePath} have different headers`);
  const operationColumn = header.split(',').indexOf('Operation');
  const meetingOperations = new Set(['MeetingParticipantDetail', 'MeetingDetail']);
  const others = filler
    .slice(1)
    .filter((l) => !meetingOperations.has(l.split(',', operationColumn + 1)[operationColumn]!));
  if (others.length === 0) throw new Error(`${fillerPath} holds no rows of other operations`);
  const out = createWriteStream(outPath);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const line of base) await write(`${line}\n`);
  let written = base.length - 1;
  for (let i = 0; written < rows; i++, written++) await write(`${others[i % others.length]!}\n`);
  out.end();
  await once(out, 'finish');
  return written;
}
