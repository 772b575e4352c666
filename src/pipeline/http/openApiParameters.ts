// The OpenAPI description of /api's parameters: path parameters from the route templates, query
// parameters from the parameter rules of params.ts (every ParameterName described).
import { GROUP_BY_VALUES } from '../../reports/summary.js';
import { DEFAULT_BANDS } from './disconnectionRoutes.js';
import { DEFAULT_MEETING_PARTS } from './meetingDetail.js';
import {
  BANDS,
  CLASSES,
  DEFAULT_LIMIT,
  LISTING_OPTIONS,
  MAX_LIMIT,
  MAX_TEXT_PARAMETER,
  MEETING_PARTS,
  type ParameterName,
} from './params.js';

/** What the document needs of a report route (src/pipeline/answerReport.ts, ReportRoute). */
export interface DescribedRoute {
  name: string;
  route: string;
  accepts: readonly ParameterName[];
  pages?: false;
  csv?: false;
}

export type Json = Record<string, unknown>;

/** `meetings/{*meetingId}` -> `/meetings/{meetingId}`: the Functions route template as an OpenAPI path. */
export function openApiPath(route: string): string {
  return '/' + route.replace(/\{\*?([A-Za-z0-9_]+)\}/g, '{$1}');
}

/** The path parameters of a route template, in order. */
export function pathParameters(route: string): string[] {
  return [...route.matchAll(/\{\*?([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
}

export const text = (description: string): Json => ({
  type: 'string',
  minLength: 1,
  maxLength: MAX_TEXT_PARAMETER,
  description,
});
/** A comma-separated list (form style, not exploded), case ignored, `all` for every value. */
export const commaList = (values: readonly string[], description: string): Json => ({
  schema: { type: 'array', items: { type: 'string', enum: [...values, 'all'] }, minItems: 1, uniqueItems: true },
  style: 'form',
  explode: false,
  description,
});
export const dateOrTime = (description: string): Json =>
  text(`${description} ISO 8601 date (2024-05-01) or date-time (2024-05-01T08:00:00Z; without a zone, UTC).`);

/** Schema and description of each query parameter (typed by ParameterName: none can be missed). */
export const QUERY_PARAMETERS: Record<ParameterName, Json> = {
  from: { schema: dateOrTime('Start of the period, inclusive: the meeting start (for attendees, the join time).') },
  to: {
    schema: dateOrTime('End of the period, exclusive; a date alone includes that whole day. Must be later than from.'),
  },
  meeting: { schema: text('A meeting id (MeetingDetailId).') },
  organizer: { schema: text("The organiser's UPN or user id (case ignored).") },
  user: { schema: text("A participant's object id, UPN or display name (case ignored).") },
  site: { schema: text('A site name from the site map, or "unmapped" / "no IP" (case ignored).') },
  platform: { schema: text('A client platform (windows, macOS, iOS, android, web, ...): the summary focus.') },
  ip: {
    schema: text(
      'Comma-separated CIDR networks, IPv4 or IPv6 (10.57.0.0/16,2001:db8::/32); a bare address is one host.',
    ),
  },
  ipRegex: {
    schema: {
      type: 'string',
      minLength: 1,
      description: 'A regular expression searched in the ClientIP text as recorded.',
    },
  },
  band: commaList(BANDS, `Detection bands, comma-separated (case ignored); by default ${DEFAULT_BANDS.join(', ')}.`),
  class: commaList(CLASSES, 'Participant classes, comma-separated (case ignored).'),
  include: commaList(
    MEETING_PARTS,
    `The parts of the meeting to return; by default ${DEFAULT_MEETING_PARTS.join(', ')}.`,
  ),
  groupBy: { schema: { type: 'string', enum: [...GROUP_BY_VALUES], description: 'The dimension the summary ranks.' } },
  limit: {
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Rows per page.' },
  },
  continuationToken: {
    schema: {
      type: 'string',
      description: 'The token of the previous page, sent back with the same filters (opaque, signed).',
    },
  },
  format: {
    schema: {
      type: 'string',
      enum: ['json', 'csv'],
      default: 'json',
      description: 'json, or csv (also chosen by Accept: text/csv).',
    },
  },
  bom: {
    schema: {
      type: 'string',
      enum: ['1', 'true', '0', 'false'],
      default: '0',
      description: 'With format=csv: start the body with a UTF-8 byte order mark (for Excel).',
    },
  },
};

/** The query parameters of a route: its own, then LISTING_OPTIONS (what checkKnown accepts). */
export function routeQueryParameters(route: DescribedRoute): ParameterName[] {
  return [...route.accepts, ...LISTING_OPTIONS];
}

export function queryParameter(name: ParameterName, route: DescribedRoute): Json {
  const { schema, ...rest } = QUERY_PARAMETERS[name];
  const jsonOnly = route.csv === false && name === 'format';
  return {
    name,
    in: 'query',
    required: false,
    schema: jsonOnly
      ? { type: 'string', enum: ['json'], description: 'This route answers JSON only; csv is refused (400).' }
      : schema,
    ...rest,
  };
}

export function pathParameter(name: string): Json {
  return {
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1 },
    description: 'The rest of the path (it may hold "/"); percent-encode other reserved characters.',
  };
}
