// The plan of a synthetic export: its options checked and normalised, then every meeting's size,
// start and id, and the other-operation, broken and duplicate rows spread over the meetings.
import { Directory } from './identities.js';
import type { MeetingPlan, ModelContext, Scenario } from './meetingTypes.js';
import { Rng, hashString } from './prng.js';
import type { GeneratedFormat } from './serialize.js';

export const GENERATED_FORMATS: readonly GeneratedFormat[] = [
  'purview-v1',
  'purview-v2',
  'purview-v3',
  'json-array',
  'ndjson',
];

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

export interface Normalized {
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
const MEETINGS_PER_WORKDAY = 300;
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
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const exact =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second;
  return exact ? Math.floor(ms / 1000) : undefined;
}

/** The options checked, defaults filled in; a RangeError names the first unusable one. */
export function normalize(options: GeneratorOptions): Normalized {
  if (!Number.isSafeInteger(options.seed))
    throw new RangeError(`seed must be an integer (got ${String(options.seed)})`);
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
  if (start === undefined)
    throw new RangeError(`start must be a UTC date such as ${DEFAULT_START} or 2026-03-02 (got '${startText}')`);
  const prefix = options.meetingIdPrefix ?? '';
  if (prefix !== '' && !/^[0-9a-f]{1,8}$/i.test(prefix)) {
    throw new RangeError(`meetingIdPrefix must be 1 to 8 hex digits (got ${prefix})`);
  }
  const otherShare = share('otherOperationsShare', options.otherOperationsShare, 0.01);
  const badShare = share('badRowShare', options.badRowShare, 0);
  const duplicateShare = share('duplicateShare', options.duplicateShare, 0.005);
  if (otherShare + badShare + duplicateShare > 0.9)
    throw new RangeError('otherOperationsShare + badRowShare + duplicateShare must not exceed 0.9');
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

export interface Plan {
  options: Normalized;
  baseSeed: number;
  context: ModelContext;
  meetings: MeetingPlan[];
  other: number;
  bad: number;
  duplicates: number;
}

/** The meetings of the export (sizes, starts, ids) and the extra rows hung on each. */
export function plan(options: Normalized): Plan {
  const baseSeed = hashString(`${options.seed}|${options.prefix}`);
  const context: ModelContext = {
    seed: baseSeed,
    scenario: options.scenario,
    directory: new Directory(hashString(String(options.seed))),
  };
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
  const drafts: Omit<
    MeetingPlan,
    'otherOperations' | 'badRows' | 'duplicates' | 'otherOffset' | 'badOffset' | 'duplicateOffset'
  >[] = [];
  const rng = Rng.stream(baseSeed, 'plan');

  if (options.scenario === 'townhall') {
    if (meetingRows > 0) {
      const hasDetail = options.meetingDetails && meetingRows >= 2;
      drafts.push({
        index: 0,
        meetingId: meetingIdFor(baseSeed, 0, options.prefix),
        sessions: meetingRows - (hasDetail ? 1 : 0),
        hasDetail,
        start: options.start,
      });
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
      drafts.push({
        index,
        meetingId: meetingIdFor(baseSeed, index, options.prefix),
        sessions: size - (hasDetail ? 1 : 0),
        hasDetail,
        start,
      });
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
