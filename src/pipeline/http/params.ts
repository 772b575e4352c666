// Query parameters of the report API: which route accepts which, and their parsing and validation
// into a typed filter. Every refusal names the parameter and says what would be accepted.
import { parseAuditTime } from '../../audit/time.js';
import { parseCidrList } from '../../analysis/siteMap.js';
import { IpRegexFilter, RegexSyntaxError } from '../../analysis/safeRegex.js';
import { BANDS, PARTICIPANT_CLASSES, type Band, type ParticipantClass } from '../../analysis/model.js';
import { GROUP_BY_VALUES, type GroupBy } from '../../reports/summary.js';
import { badParameter } from './types.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_TEXT_PARAMETER = 1000;

export type ParameterName =
  | 'from'
  | 'to'
  | 'meeting'
  | 'organizer'
  | 'user'
  | 'site'
  | 'platform'
  | 'ip'
  | 'ipRegex'
  | 'band'
  | 'class'
  | 'groupBy'
  | 'include'
  | 'limit'
  | 'continuationToken'
  | 'format'
  | 'bom';

/** The paging and output parameters every route takes besides its own (docs/http-api.md). */
export const LISTING_OPTIONS = ['limit', 'continuationToken', 'format', 'bom'] as const;
/** LISTING_OPTIONS and `code`: the function key, consumed by the Functions host. */
const COMMON: readonly string[] = [...LISTING_OPTIONS, 'code'];

export interface ReportFilter {
  from?: number;
  to?: number;
  meeting?: string;
  organizer?: string;
  user?: string;
  site?: string;
  /** Client platform (windows, macOS, iOS, android, web, ...): the summary's focus. */
  platform?: string;
  ip?: string[];
  ipRegex?: IpRegexFilter;
  bands?: Band[];
  classes?: ParticipantClass[];
  groupBy?: GroupBy;
  /** /api/meetings/{meetingId}: the parts of the meeting to return. */
  include?: MeetingPart[];
}

/** The parts of one meeting (/api/meetings/{meetingId}?include=…); all of them by default. */
export const MEETING_PARTS = ['sessions', 'disconnections', 'events'] as const;
export type MeetingPart = (typeof MEETING_PARTS)[number];

export interface ListOptions {
  limit: number;
  continuationToken?: string;
  format: 'json' | 'csv';
  /** CSV only: start the body with a UTF-8 byte order mark, so that Excel reads it as UTF-8 (`bom=1`). */
  bom: boolean;
}

/** The values of `band` and `class` (besides `all`). */
export { BANDS };
export const CLASSES: readonly ParticipantClass[] = PARTICIPANT_CLASSES;

/** Single values of the query; a parameter given more than once is refused. */
export function queryValues(query: URLSearchParams | Record<string, string | undefined>): Map<string, string> {
  const values = new Map<string, string>();
  const entries: Array<[string, string | undefined]> =
    query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (values.has(name))
      throw badParameter(name, `"${name}" is given more than once; give it once (lists are comma-separated)`);
    values.set(name, value);
  }
  return values;
}

/** Refuses parameters the route does not know, naming the ones it does. */
export function checkKnown(values: Map<string, string>, accepted: readonly string[]): void {
  const known = new Set([...accepted, ...COMMON]);
  for (const name of values.keys()) {
    if (!known.has(name)) {
      const listed = [...accepted, ...LISTING_OPTIONS];
      throw badParameter(
        name,
        `unknown parameter "${name}" for this report; it accepts: ${listed.join(', ')}`,
        'UnknownParameter',
      );
    }
  }
}

function text(values: Map<string, string>, name: string): string | undefined {
  const value = values.get(name);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') throw badParameter(name, `"${name}" is empty; leave it out or give a value`);
  if (trimmed.length > MAX_TEXT_PARAMETER)
    throw badParameter(name, `"${name}" is longer than ${MAX_TEXT_PARAMETER} characters`);
  return trimmed;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** ISO 8601 date or date-time (no zone = UTC). A date alone is its midnight; for `to`, the end of that day. */
export function parseTimeParameter(name: 'from' | 'to', value: string): number {
  const date = DATE_ONLY.exec(value);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    const check = new Date(ms);
    if (Number.isNaN(ms) || check.getUTCMonth() !== Number(date[2]) - 1 || check.getUTCDate() !== Number(date[3])) {
      throw badParameter(name, `"${name}" is not a valid date: ${value}`);
    }
    return name === 'to' ? ms + 86_400_000 : ms;
  }
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? parseAuditTime(value) : undefined;
  if (ms === undefined) {
    throw badParameter(
      name,
      `"${name}" must be an ISO 8601 date or date-time such as 2024-05-01 or 2024-05-01T08:00:00Z, got "${value.slice(0, 40)}"`,
    );
  }
  return ms;
}

function list<T extends string>(
  values: Map<string, string>,
  name: string,
  allowed: readonly T[],
  all?: readonly T[],
): T[] | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  const out: T[] = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (all !== undefined && item === 'all') {
      out.push(...all);
      continue;
    }
    const match = allowed.find((a) => a.toLowerCase() === item.toLowerCase());
    if (match === undefined)
      throw badParameter(
        name,
        `"${name}" has the unknown value "${item.slice(0, 40)}"; use ${[...allowed, ...(all ? ['all'] : [])].join(', ')}`,
      );
    out.push(match);
  }
  if (out.length === 0) throw badParameter(name, `"${name}" is empty`);
  return [...new Set(out)];
}

/** Parses the filter parameters the route accepts (others were refused by checkKnown). */
export function parseFilter(values: Map<string, string>): ReportFilter {
  const filter: ReportFilter = {};
  const from = text(values, 'from');
  const to = text(values, 'to');
  if (from !== undefined) filter.from = parseTimeParameter('from', from);
  if (to !== undefined) filter.to = parseTimeParameter('to', to);
  if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) {
    throw badParameter('to', '"to" must be later than "from"');
  }
  for (const name of ['meeting', 'organizer', 'user', 'site', 'platform'] as const) {
    const value = text(values, name);
    if (value !== undefined) filter[name] = value;
  }
  const ip = text(values, 'ip');
  if (ip !== undefined) {
    try {
      filter.ip = parseCidrList(ip);
    } catch (error) {
      // Never read as a regex (unlike the CLI's --ip): the regex filter is its own parameter.
      const regexHint = /[\\^$*+?()[\]{}|]/.test(ip) ? '; for a regular expression use "ipRegex"' : '';
      throw badParameter(
        'ip',
        `"ip" must be comma-separated CIDR ranges such as 10.57.0.0/16,2001:db8::/32 (a bare address is one host): ${error instanceof Error ? error.message : String(error)}${regexHint}`,
      );
    }
    if (filter.ip.length === 0) throw badParameter('ip', '"ip" holds no CIDR range');
  }
  const ipRegex = values.get('ipRegex');
  if (ipRegex !== undefined) {
    if (ipRegex === '') throw badParameter('ipRegex', '"ipRegex" is empty; leave it out or give a pattern');
    try {
      filter.ipRegex = IpRegexFilter.compile(ipRegex);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw badParameter('ipRegex', `"ipRegex": ${error.message}`);
      throw error;
    }
  }
  const bands = list(values, 'band', BANDS, BANDS);
  if (bands !== undefined) filter.bands = bands;
  const classes = list(values, 'class', CLASSES, CLASSES);
  if (classes !== undefined) filter.classes = classes;
  const include = list(values, 'include', MEETING_PARTS, MEETING_PARTS);
  if (include !== undefined) filter.include = include;
  const groupBy = list(values, 'groupBy', GROUP_BY_VALUES);
  if (groupBy !== undefined) {
    if (groupBy.length > 1) throw badParameter('groupBy', `"groupBy" takes one of ${GROUP_BY_VALUES.join(', ')}`);
    filter.groupBy = groupBy[0]!;
  }
  return filter;
}

/** limit, continuationToken, the output format (format=csv, or Accept: text/csv) and bom. */
export function parseListOptions(values: Map<string, string>, accept: string | undefined): ListOptions {
  const options: ListOptions = { limit: DEFAULT_LIMIT, format: 'json', bom: false };
  const limit = values.get('limit');
  if (limit !== undefined) {
    if (!/^\d{1,7}$/.test(limit.trim()) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw badParameter('limit', `"limit" must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    options.limit = Number(limit);
  }
  const token = values.get('continuationToken');
  if (token !== undefined && token !== '') options.continuationToken = token;
  const format = values.get('format');
  if (format !== undefined) {
    const f = format.trim().toLowerCase();
    if (f !== 'json' && f !== 'csv') throw badParameter('format', '"format" must be json or csv');
    options.format = f;
  } else if (accept !== undefined && /(^|,)\s*text\/csv\b/i.test(accept)) {
    options.format = 'csv';
  }
  const bom = values.get('bom');
  if (bom !== undefined) {
    const b = bom.trim().toLowerCase();
    if (b !== '1' && b !== 'true' && b !== '0' && b !== 'false')
      throw badParameter('bom', '"bom" must be 1 (or true) to start the CSV with a byte order mark, or 0 (or false)');
    options.bom = b === '1' || b === 'true';
    if (options.bom && options.format !== 'csv')
      throw badParameter(
        'bom',
        '"bom" marks a CSV body as UTF-8 for Excel; use it with format=csv (JSON never has one)',
      );
  }
  return options;
}

/** A stable text of the filter parameters (what a continuation token is bound to). */
export function filterFingerprint(values: Map<string, string>): string {
  return [...values.entries()]
    .filter(([name]) => !COMMON.includes(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}
