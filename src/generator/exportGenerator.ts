// Seeded generator of synthetic Teams meeting audit exports: plans the meetings, computes the ground
// truth up front, then streams the file text in ~64 KB chunks (re-iterable, byte-identical per options).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { normalize, plan, type GeneratorOptions, type Plan } from './exportPlan.js';
import { buildMeeting, type BuiltMeeting, type PlantedDrop, type Session } from './meetingModel.js';
import { Rng } from './prng.js';
import {
  BAD_ROW_KINDS,
  OTHER_OPERATION_CYCLE,
  formatFooter,
  formatHeader,
  formatRow,
  meetingDetailAuditData,
  otherOperationRow,
  sessionAuditData,
  type BadRowKind,
  type Row,
  type SessionBreakage,
} from './serialize.js';

export type { GeneratedFormat } from './serialize.js';
export type { BadRowKind } from './serialize.js';
export type { PlantedDrop } from './meetingModel.js';
export { GENERATED_FORMATS, type GeneratorOptions } from './exportPlan.js';

/** Bumped whenever the output for given options changes (bench input caches compare it). */
export const GENERATOR_VERSION = 1;

export interface GroundTruth {
  rows: number;
  /** Distinct valid MeetingParticipantDetail records (duplicates and broken rows not included). */
  sessionRecords: number;
  meetingDetailRecords: number;
  otherOperations: number;
  badRows: number;
  /** exactDuplicates + contentDuplicates. */
  duplicates: number;
  meetings: number;
  /** Σ over meetings of distinct participants (any class). */
  participantMeetings: number;
  drops: PlantedDrop[];
  /** Participant-meetings where a second device joined, then the first one left mid-meeting (covered). */
  handoffs: number;
  /** Participant-meetings with a companion device inside the main device's interval. */
  secondDevices: number;
  phones: number;
  bots: number;
  anonymous: number;
  federatedGuests: number;
  restartedMeetings: number;
  massEvents: number;
  // ---- beyond the brief: finer counts for tests and for checking the analysis ----
  exactDuplicates: number;
  contentDuplicates: number;
  badRowsByKind: Partial<Record<BadRowKind, number>>;
  otherOperationsByName: Record<string, number>;
  /** Human (user + federated guest) participant-meetings. */
  humans: number;
  rooms: number;
  /** Participant-meetings with two overlapping sessions on one DeviceInformation (not drops). */
  nestedSameDevice: number;
  /** Same-device leave and return after more than 900 s (not drops). */
  longAbsences: number;
  /** Recording bot left and came back (bots are never drops). */
  botRejoins: number;
}

export interface GeneratedExport {
  truth: GroundTruth;
  chunks(): Iterable<string>;
}

const CHUNK_CHARS = 64 * 1024;
const BATCH_MEETINGS = 4;

function computeTruth(p: Plan): GroundTruth {
  const truth: GroundTruth = {
    rows: p.options.records,
    sessionRecords: 0,
    meetingDetailRecords: 0,
    otherOperations: p.other,
    badRows: p.bad,
    duplicates: p.duplicates,
    meetings: p.meetings.length,
    participantMeetings: 0,
    drops: [],
    handoffs: 0,
    secondDevices: 0,
    phones: 0,
    bots: 0,
    anonymous: 0,
    federatedGuests: 0,
    restartedMeetings: 0,
    massEvents: 0,
    exactDuplicates: Math.ceil(p.duplicates / 2),
    contentDuplicates: Math.floor(p.duplicates / 2),
    badRowsByKind: {},
    otherOperationsByName: {},
    humans: 0,
    rooms: 0,
    nestedSameDevice: 0,
    longAbsences: 0,
    botRejoins: 0,
  };
  const kinds = BAD_ROW_KINDS[p.options.format];
  for (let i = 0; i < p.bad; i++) {
    const kind = kinds[i % kinds.length] as BadRowKind;
    truth.badRowsByKind[kind] = (truth.badRowsByKind[kind] ?? 0) + 1;
  }
  for (let i = 0; i < p.other; i++) {
    const name = OTHER_OPERATION_CYCLE[i % OTHER_OPERATION_CYCLE.length] as string;
    truth.otherOperationsByName[name] = (truth.otherOperationsByName[name] ?? 0) + 1;
  }
  for (const meetingPlan of p.meetings) {
    const m = buildMeeting(p.context, meetingPlan);
    const t = m.truth;
    truth.sessionRecords += m.sessions.length;
    if (m.detail) truth.meetingDetailRecords++;
    truth.participantMeetings += t.participants;
    for (const drop of t.drops) truth.drops.push(drop);
    truth.handoffs += t.handoffs;
    truth.secondDevices += t.secondDevices;
    truth.phones += t.phones;
    truth.bots += t.bots;
    truth.anonymous += t.anonymous;
    truth.federatedGuests += t.federatedGuests;
    if (t.restarted) truth.restartedMeetings++;
    truth.massEvents += t.massEvents;
    truth.humans += t.humans;
    truth.rooms += t.rooms;
    truth.nestedSameDevice += t.nestedSameDevice;
    truth.longAbsences += t.longAbsences;
    truth.botRejoins += t.botRejoins;
  }
  return truth;
}

const USER_POOL_FOR_OTHER_OPERATIONS = 8192;

/** A row to be written; its text is made only when it is written, so batches stay small in memory. */
type PendingRow =
  | {
      type: 'session';
      meeting: BuiltMeeting;
      session: Session;
      id: string;
      creationTime: number;
      breakage?: SessionBreakage;
      keepFraction?: number;
    }
  | { type: 'detail'; meeting: BuiltMeeting; creationTime: number }
  | { type: 'ready'; row: Row };

function renderRow(p: Plan, pending: PendingRow): Row {
  const tenantId = p.context.directory.tenantId;
  switch (pending.type) {
    case 'ready':
      return pending.row;
    case 'detail': {
      const m = pending.meeting;
      return {
        id: m.plan.meetingId,
        operation: 'MeetingDetail',
        userId: m.organizer.upn,
        creationTime: pending.creationTime,
        json: meetingDetailAuditData(m, pending.creationTime, tenantId),
      };
    }
    case 'session': {
      const m = pending.meeting;
      let json = sessionAuditData(m, pending.session, pending.id, pending.creationTime, tenantId, pending.breakage);
      if (pending.keepFraction !== undefined) json = json.slice(0, Math.floor(json.length * pending.keepFraction));
      return {
        id: pending.id,
        operation: 'MeetingParticipantDetail',
        userId: m.organizer.upn,
        creationTime: pending.creationTime,
        json,
      };
    }
  }
}

/** Rows of one meeting: its records, its duplicates, broken rows and other operations. */
function meetingRows(p: Plan, m: BuiltMeeting, out: PendingRow[]): void {
  const plan = m.plan;
  const rng = Rng.stream(p.baseSeed, 'rows', plan.index);
  // The audit records are written several hours after the meeting.
  const written = m.lastLeave + rng.int(3600, 6 * 3600);
  const first = out.length;
  for (const session of m.sessions) {
    out.push({ type: 'session', meeting: m, session, id: rng.guid(), creationTime: written + rng.int(0, 900) });
  }
  const sessionCount = m.sessions.length;
  const pickSession = (): PendingRow & { type: 'session' } =>
    out[first + rng.int(0, sessionCount - 1)] as PendingRow & { type: 'session' };
  if (m.detail) out.push({ type: 'detail', meeting: m, creationTime: written + rng.int(0, 900) });
  for (let k = 0; k < plan.duplicates; k++) {
    const source = pickSession();
    // Even duplicates are exact copies (same Id); odd ones repeat the content under a new Id.
    out.push((plan.duplicateOffset + k) % 2 === 0 ? source : { ...source, id: rng.guid() });
  }
  const kinds = BAD_ROW_KINDS[p.options.format];
  for (let k = 0; k < plan.badRows; k++) {
    const kind = kinds[(plan.badOffset + k) % kinds.length] as BadRowKind;
    const source = pickSession();
    const base = {
      type: 'session' as const,
      meeting: m,
      session: source.session,
      id: rng.guid(),
      creationTime: source.creationTime,
    };
    switch (kind) {
      case 'bad-json':
        out.push({ ...base, keepFraction: 0.3 + 0.5 * rng.next() });
        break;
      case 'empty-auditdata':
      case 'not-an-object': {
        const json = kind === 'empty-auditdata' ? '' : rng.pick(['null', '[]', '"MeetingParticipantDetail"', '42']);
        out.push({
          type: 'ready',
          row: {
            id: base.id,
            operation: 'MeetingParticipantDetail',
            userId: m.organizer.upn,
            creationTime: base.creationTime,
            json,
          },
        });
        break;
      }
      case 'bad-join-time': {
        // Neither value is a time: an empty string, or minute 61 (Date.parse gives NaN for it).
        const joinTime = rng.chance(0.5)
          ? ''
          : `${new Date(source.session.join * 1000).toISOString().slice(0, 14)}61:00`;
        out.push({ ...base, breakage: { joinTime } });
        break;
      }
      case 'missing-attendees':
        out.push({ ...base, breakage: { dropAttendees: true } });
        break;
    }
  }
  for (let k = 0; k < plan.otherOperations; k++) {
    const operation = OTHER_OPERATION_CYCLE[(plan.otherOffset + k) % OTHER_OPERATION_CYCLE.length] as string;
    out.push({
      type: 'ready',
      row: otherOperationRow(
        rng,
        operation,
        p.context.directory,
        plan.start + rng.int(-3600, 10 * 3600),
        USER_POOL_FOR_OTHER_OPERATIONS,
      ),
    });
  }
}

function* streamText(p: Plan): Generator<string> {
  const format = p.options.format;
  let parts: string[] = [formatHeader(format)];
  let size = parts[0]?.length ?? 0;
  let emitted = 0;
  const rows: PendingRow[] = [];
  for (let i = 0; i < p.meetings.length; i += BATCH_MEETINGS) {
    rows.length = 0;
    const batch = p.meetings.slice(i, i + BATCH_MEETINGS);
    for (const meetingPlan of batch) meetingRows(p, buildMeeting(p.context, meetingPlan), rows);
    // Records of neighbouring meetings are interleaved, as in a real export.
    Rng.stream(p.baseSeed, 'batch', i).shuffle(rows);
    for (const pending of rows) {
      const text = formatRow(format, renderRow(p, pending), emitted === 0);
      emitted++;
      parts.push(text);
      size += text.length;
      if (size >= CHUNK_CHARS) {
        yield parts.join('');
        parts = [];
        size = 0;
      }
    }
  }
  rows.length = 0;
  if (emitted !== p.options.records) throw new Error(`internal: wrote ${emitted} rows, planned ${p.options.records}`);
  parts.push(formatFooter(format, emitted));
  const rest = parts.join('');
  if (rest !== '') yield rest;
}

/** Throws a RangeError with a readable message when the options are not usable. */
export function checkGeneratorOptions(options: GeneratorOptions): void {
  normalize(options);
}

export function generateExport(options: GeneratorOptions): GeneratedExport {
  const p = plan(normalize(options));
  const truth = computeTruth(p);
  return {
    truth,
    chunks: () => ({ [Symbol.iterator]: () => streamText(p) }),
  };
}

/** A thrown value as an Error (a non-Error becomes an Error with its text). */
function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Writes chunks to a stream that stays open (e.g. stdout), honouring backpressure. */
export function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const iterator = chunks[Symbol.iterator]();
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      stream.removeListener('error', finish);
      if (error === undefined) resolve();
      else reject(asError(error));
    };
    stream.on('error', finish);
    const pump = (): void => {
      try {
        for (;;) {
          const next = iterator.next();
          if (next.done) {
            finish();
            return;
          }
          if (!stream.write(next.value)) {
            stream.once('drain', pump);
            return;
          }
        }
      } catch (error) {
        finish(error);
      }
    };
    pump();
  });
}

/** Streams the export to a file (backpressure handled by the pipeline) and returns its truth. */
export async function writeExport(path: string, options: GeneratorOptions): Promise<GroundTruth> {
  const generated = generateExport(options);
  await pipeline(Readable.from(generated.chunks(), { objectMode: false }), createWriteStream(path));
  return generated.truth;
}
