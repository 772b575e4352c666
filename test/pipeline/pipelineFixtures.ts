// Test helpers for the pipeline: generated exports as text, slicing NDJSON exports into overlapping
// files, dumping tables for state comparisons, and the in-memory (CLI) analysis of the same data.
import type { TableClient } from '@azure/data-tables';
import { generateExport, type GeneratorOptions, type GroundTruth } from '../../src/generator/exportGenerator.js';
import { readExport } from '../../src/audit/readExport.js';
import { AuditDataset } from '../../src/audit/dataset.js';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { analyseMeeting } from '../../src/analysis/detect.js';
import type { Meeting, MeetingAnalysis } from '../../src/analysis/model.js';

export function generated(options: Partial<GeneratorOptions> & { records: number }): {
  text: string;
  truth: GroundTruth;
} {
  const g = generateExport({ seed: 7, scenario: 'mixed', format: 'ndjson', ...options });
  return { text: [...g.chunks()].join(''), truth: g.truth };
}

/** One MeetingParticipantDetail record of a scheduled meeting (Windows client), as an NDJSON line. */
export interface ParticipantLine {
  id: string;
  meetingId: string;
  /** The envelope's UserId and UserKey: the organiser, as tala reads them. */
  organizer: { upn: string; key: string };
  /** The attendee's fields besides RecipientType 'User' and OrganizationId 'tenant' (which it may override). */
  attendee: Record<string, string>;
  join: string;
  leave: string;
  ip: string;
  creationTime: string;
  deviceId?: string;
}

export function participantLine(p: ParticipantLine): string {
  return JSON.stringify({
    Id: p.id,
    RecordType: 25,
    CreationTime: p.creationTime,
    Operation: 'MeetingParticipantDetail',
    Workload: 'MicrosoftTeams',
    UserId: p.organizer.upn,
    UserKey: p.organizer.key,
    OrganizationId: 'tenant',
    MeetingDetailId: p.meetingId,
    ItemName: 'ScheduledMeeting',
    Attendees: [{ RecipientType: 'User', OrganizationId: 'tenant', ...p.attendee }],
    JoinTime: p.join,
    LeaveTime: p.leave,
    ClientIP: p.ip,
    DeviceInformation: 'Windows 10',
    ...(p.deviceId !== undefined ? { DeviceId: p.deviceId } : {}),
    ExtraProperties: [{ Key: 'UserAgent', Value: 'CallSignalingAgent (49/1.0)' }],
  });
}

/** One NDJSON MeetingParticipantDetail line of participant `user` (Windows client, managed device). */
export function sessionLine(
  id: string,
  meetingId: string,
  user: string,
  join: string,
  leave: string,
  ip = '10.57.1.10',
): string {
  return participantLine({
    id,
    meetingId,
    organizer: { upn: 'org@contoso.com', key: 'org-id' },
    attendee: { UserObjectId: `oid-${user}`, UPN: `${user}@contoso.com`, DisplayName: user },
    join,
    leave,
    ip,
    creationTime: '2026-03-03T12:00:00',
    deviceId: `dev-${user}`,
  });
}

/** The non-empty lines of an NDJSON export. */
export function ndjsonLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

export function ndjson(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** Every entity of a table without service-managed fields, sorted by keys. */
export async function dumpTable(
  client: TableClient,
  drop: readonly string[] = [],
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const e of client.listEntities<Record<string, unknown>>()) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (k === 'etag' || k === 'timestamp' || k === 'odata.metadata' || drop.includes(k)) continue;
      copy[k] = v;
    }
    out.push(copy);
  }
  return out.sort((a, b) => {
    const ka = `${String(a.partitionKey)}\u0000${String(a.rowKey)}`;
    const kb = `${String(b.partitionKey)}\u0000${String(b.rowKey)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Filter for the MeetingDetail rows of the meetings table (without the session bundles). */
export const DETAILS_ONLY = "RowKey lt '~~b|'";

export async function countRows(client: TableClient, filter?: string): Promise<number> {
  let n = 0;
  for await (const _ of client.listEntities(
    filter === undefined ? {} : { queryOptions: { filter, select: ['RowKey'] } },
  ))
    n++;
  return n;
}

/** The CLI's path: read the files in memory, de-duplicate, analyse every meeting with the default config. */
export async function analyseInMemory(
  files: Array<{ name: string; content: Buffer }>,
): Promise<Array<{ meeting: Meeting; analysis: MeetingAnalysis }>> {
  const dataset = new AuditDataset();
  for (const f of files) {
    await dataset.addExport(
      readExport(
        (async function* () {
          yield f.content;
        })(),
        { file: f.name },
      ),
    );
  }
  const classifier = new SessionClassifier();
  return dataset
    .meetings()
    .map((meeting) => ({ meeting, analysis: analyseMeeting(meeting, (s) => classifier.classify(s)) }));
}
