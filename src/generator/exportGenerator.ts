// Seeded generator of synthetic Teams meeting audit exports: plans the meetings, computes the ground
// truth up front, then streams the file text in ~64 KB chunks (re-iterable, byte-identical per options).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Directory } from './identities.js';
import { buildMeeting, type BuiltMeeting, type MeetingPlan, type ModelContext, type PlantedDrop, type Scenario, type Session } from './meetingModel.js';
import { Rng, hashString } from './prng.js';
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
  type GeneratedFormat,
  type Row,
  type SessionBreakage,
} from './serialize.js';

export type { GeneratedFormat } from './serialize.js';
export type { BadRowKind } from './serialize.js';
export type { PlantedDrop } from './meetingModel.js';

/** Bumped whenever the output for given options changes (bench input caches compare it). */
export const GENERATOR_VERSION = 1;

export const GENERATED_FORMATS: readonly GeneratedFormat[] = ['purview-v1', 'purview-v2', 'purview-v3', 'json-array', 'ndjson'];

export interface GeneratorOptions {
  seed: number;
  /** Total data rows to produce (exactly). */
  records: number;
  /** mixed: ~3,500 meetings per 50,000 records, 1-355 records each (median ~8), streamed four meetings at
   *  a time; townhall: one meeting, built whole in memory (about 2 KB per record). */
  scenario: Scenario;
  format: GeneratedFormat;
  /** ISO date of the first meeting (default 2026-03-02T08:00:00Z). */
  start?: string;
  /** 1-8 hex digits overlaid on the start of every meeting id, to make files with disjoint meetings. */
  meetingIdPrefix?: string;
  /** Share of rows that are other Teams operations (default 0.01). */
  otherOperationsShare?: number;
  /** Share of deliberately broken rows (default 0). */
  badRowShare?: number;
  /** Share of duplicate rows: half exact copies (same Id), half same content with a new Id (default 0.005). */
  duplicateShare?: number;
  /** Write MeetingDetail records for most meetings (default true). tala v3.0.0 crashes on them, so a
   *  tala comparison needs false (with otherOperationsShare 0). */
  meetingDetails?: boolean;
}

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

interface Normalized {
  seed: number;
  records: number;
  scenario: Scenario;
  format: GeneratedFormat;
  /** Epoch seconds. */
  start: number;
  prefix: string;
  otherShare: number;
  badShare: number;
  duplicateShare: number;
  meetingDetails: boolean;
}

const DEFAULT_START = '2026-03-02T08:00:00Z';
const CHUNK_CHARS = 64 * 1024;
const MEETINGS_PER_WORKDAY = 300;
const BATCH_MEETINGS = 4;
const MAX_MEETING_RECORDS = 355;

function share(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 0.5) {
    throw new RangeError(`${name} must be a number between 0 and 0.5 (got ${String(value)})`);
  }
  return v;
}

/** `YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z]`, read as UTC; epoch seconds, or undefined when not a real date. */
function parseUtcStart(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const exact = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return exact ? Math.floor(ms / 1000) : undefined;
}

function normalize(options: GeneratorOptions): Normalized {
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer (got ${String(options.seed)})`);
  if (!Number.isSafeInteger(options.records) || options.records < 0 || options.records > 100_000_000) {
    throw new RangeError(`records must be an integer between 0 and 100000000 (got ${String(options.records)})`);
  }
  if (options.scenario !== 'mixed' && options.scenario !== 'townhall') {
    throw new RangeError(`scenario must be mixed or townhall (got ${String(options.scenario)})`);
  }
  if (!GENERATED_FORMATS.includes(options.format)) {
    throw new RangeError(`format must be one of ${GENERATED_FORMATS.join(', ')} (got ${String(options.format)})`);
  }
  const startText = options.start ?? DEFAULT_START;
  const start = parseUtcStart(startText);
  if (start === undefined) throw new RangeError(`start must be a UTC date such as ${DEFAULT_START} or 2026-03-02 (got '${startText}')`);
  const prefix = options.meetingIdPrefix ?? '';
  if (prefix !== '' && !/^[0-9a-f]{1,8}$/i.test(prefix)) {
    throw new RangeError(`meetingIdPrefix must be 1 to 8 hex digits (got ${prefix})`);
  }
  const otherShare = share('otherOperationsShare', options.otherOperationsShare, 0.01);
  const badShare = share('badRowShare', options.badRowShare, 0);
  const duplicateShare = share('duplicateShare', options.duplicateShare, 0.005);
  if (otherShare + badShare + duplicateShare > 0.9) throw new RangeError('otherOperationsShare + badRowShare + duplicateShare must not exceed 0.9');
  return {
    seed: options.seed,
    records: options.records,
    scenario: options.scenario,
    format: options.format,
    start,
    prefix: prefix.toLowerCase(),
    otherShare,
    badShare,
    duplicateShare,
    meetingDetails: options.meetingDetails ?? true,
  };
}

/** Calendar offset (days) of the n-th working day after the start day. */
function workdayOffset(startEpochSeconds: number, n: number): number {
  let weekday = new Date(startEpochSeconds * 1000).getUTCDay();
  let offset = 0;
  let counted = weekday === 0 || weekday === 6 ? -1 : 0;
  while (counted < n || weekday === 0 || weekday === 6) {
    offset++;
    weekday = (weekday + 1) % 7;
    if (weekday !== 0 && weekday !== 6) counted++;
  }
  return offset;
}

function meetingIdFor(baseSeed: number, index: number, prefix: string): string {
  const id = Rng.stream(baseSeed, 'meeting-id', index).guid();
  return prefix + id.slice(prefix.length);
}

interface Plan {
  options: Normalized;
  baseSeed: number;
  context: ModelContext;
  meetings: MeetingPlan[];
  other: number;
  bad: number;
  duplicates: number;
}

function plan(options: Normalized): Plan {
  const baseSeed = hashString(`${options.seed}|${options.prefix}`);
  const context: ModelContext = { seed: baseSeed, scenario: options.scenario, directory: new Directory(hashString(String(options.seed))) };
  const records = options.records;
  let other = Math.round(records * options.otherShare);
  let bad = Math.round(records * options.badShare);
  let duplicates = Math.round(records * options.duplicateShare);
  // At least one meeting row whenever rows are asked for (extras need a meeting to hang on).
  while (records > 0 && other + bad + duplicates >= records) {
    if (duplicates > 0) duplicates--;
    else if (bad > 0) bad--;
    else other--;
  }
  const meetingRows = records - other - bad - duplicates;
  const drafts: Omit<MeetingPlan, 'otherOperations' | 'badRows' | 'duplicates' | 'otherOffset' | 'badOffset' | 'duplicateOffset'>[] = [];
  const rng = Rng.stream(baseSeed, 'plan');

  if (options.scenario === 'townhall') {
    if (meetingRows > 0) {
      const hasDetail = options.meetingDetails && meetingRows >= 2;
      drafts.push({ index: 0, meetingId: meetingIdFor(baseSeed, 0, options.prefix), sessions: meetingRows - (hasDetail ? 1 : 0), hasDetail, start: options.start });
    }
  } else {
    // Log-normal meeting sizes: median ~8-9, mean ≈ 14 records, capped at 355; one 355-record
    // meeting per ~50,000 rows (tala's bench file had meetings of 1 to 355 records).
    const bigAt = meetingRows >= 20_000 ? rng.int(5, 60) : -1;
    let left = meetingRows;
    let index = 0;
    while (left > 0) {
      let size: number;
      if (index === bigAt || (bigAt >= 0 && index > bigAt && rng.chance(1 / 3500))) size = MAX_MEETING_RECORDS;
      else size = Math.min(MAX_MEETING_RECORDS, Math.max(1, Math.round(Math.exp(Math.log(9) + 0.98 * rng.normal()))));
      size = Math.min(size, left);
      const hasDetail = size >= 2 && rng.chance(0.9) && options.meetingDetails;
      const day = Math.floor(index / MEETINGS_PER_WORKDAY);
      const start = options.start + workdayOffset(options.start, day) * 86400 + rng.int(0, 38) * 900;
      drafts.push({ index, meetingId: meetingIdFor(baseSeed, index, options.prefix), sessions: size - (hasDetail ? 1 : 0), hasDetail, start });
      left -= size;
      index++;
    }
    drafts.sort((a, b) => a.start - b.start || a.index - b.index);
  }

  // Spread the extra rows over the meetings in proportion to their rows (exact totals).
  const meetings: MeetingPlan[] = [];
  let cumulative = 0;
  const assigned = { other: 0, bad: 0, duplicates: 0 };
  for (const draft of drafts) {
    cumulative += draft.sessions + (draft.hasDetail ? 1 : 0);
    const due = (total: number): number => Math.floor((total * cumulative) / meetingRows);
    const o = due(other) - assigned.other;
    const b = due(bad) - assigned.bad;
    const d = due(duplicates) - assigned.duplicates;
    meetings.push({
      ...draft,
      otherOperations: o,
      badRows: b,
      duplicates: d,
      otherOffset: assigned.other,
      badOffset: assigned.bad,
      duplicateOffset: assigned.duplicates,
    });
    assigned.other += o;
    assigned.bad += b;
    assigned.duplicates += d;
  }
  return { options, baseSeed, context, meetings, other, bad, duplicates };
}

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
  | { type: 'session'; meeting: BuiltMeeting; session: Session; id: string; creationTime: number; breakage?: SessionBreakage; keepFraction?: number }
  | { type: 'detail'; meeting: BuiltMeeting; creationTime: number }
  | { type: 'ready'; row: Row };

function renderRow(p: Plan, pending: PendingRow): Row {
  const tenantId = p.context.directory.tenantId;
  switch (pending.type) {
    case 'ready':
      return pending.row;
    case 'detail': {
      const m = pending.meeting;
      return { id: m.plan.meetingId, operation: 'MeetingDetail', userId: m.organizer.upn, creationTime: pending.creationTime, json: meetingDetailAuditData(m, pending.creationTime, tenantId) };
    }
    case 'session': {
      const m = pending.meeting;
      let json = sessionAuditData(m, pending.session, pending.id, pending.creationTime, tenantId, pending.breakage);
      if (pending.keepFraction !== undefined) json = json.slice(0, Math.floor(json.length * pending.keepFraction));
      return { id: pending.id, operation: 'MeetingParticipantDetail', userId: m.organizer.upn, creationTime: pending.creationTime, json };
    }
  }
}

/** Rows of one meeting: its records, its duplicates, broken rows and other operations. */
function meetingRows(p: Plan, m: BuiltMeeting, out: PendingRow[]): void {
  const plan = m.plan;
  const rng = Rng.stream(p.baseSeed, 'rows', plan.index);
  // The audit records are written several hours after the meeting (audit-records.md §1).
  const written = m.lastLeave + rng.int(3600, 6 * 3600);
  const first = out.length;
  for (const session of m.sessions) {
    out.push({ type: 'session', meeting: m, session, id: rng.guid(), creationTime: written + rng.int(0, 900) });
  }
  const sessionCount = m.sessions.length;
  const pickSession = (): PendingRow & { type: 'session' } => out[first + rng.int(0, sessionCount - 1)] as PendingRow & { type: 'session' };
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
    const base = { type: 'session' as const, meeting: m, session: source.session, id: rng.guid(), creationTime: source.creationTime };
    switch (kind) {
      case 'bad-json':
        out.push({ ...base, keepFraction: 0.3 + 0.5 * rng.next() });
        break;
      case 'empty-auditdata':
      case 'not-an-object': {
        const json = kind === 'empty-auditdata' ? '' : rng.pick(['null', '[]', '"MeetingParticipantDetail"', '42']);
        out.push({ type: 'ready', row: { id: base.id, operation: 'MeetingParticipantDetail', userId: m.organizer.upn, creationTime: base.creationTime, json } });
        break;
      }
      case 'bad-join-time': {
        // Neither value is a time: an empty string, or minute 61 (Date.parse gives NaN for it).
        const joinTime = rng.chance(0.5) ? '' : `${new Date(source.session.join * 1000).toISOString().slice(0, 14)}61:00`;
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
    out.push({ type: 'ready', row: otherOperationRow(rng, operation, p.context.directory, plan.start + rng.int(-3600, 10 * 3600), USER_POOL_FOR_OTHER_OPERATIONS) });
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
      else reject(error instanceof Error ? error : new Error(String(error)));
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
