// The OpenAPI 3.1 description of /api, served at GET /api/openapi.json. Built from the code's own lists:
// the route table (REPORT_ROUTES, passed in), each route's accepted parameters, the parameter rules of
// params.ts, the withdrawal's registration and the error codes of types.ts. Only descriptions and the
// top-level shapes of the JSON bodies are written here (docs/http-api.md is the reference in prose).
import { GROUP_BY_VALUES } from '../../reports/summary.js';
import { DEFAULT_BANDS } from './disconnectionRoutes.js';
import { httpAuthMode, type HttpAuthMode } from './httpAuth.js';
import { DEFAULT_MEETING_PARTS } from './meetingDetail.js';
import {
  BANDS,
  CLASSES,
  DEFAULT_LIMIT,
  LISTING_OPTIONS,
  MAX_LIMIT,
  MAX_TEXT_PARAMETER,
  MEETING_PARTS,
  type ListOptions,
  type ParameterName,
} from './params.js';
import { CONTINUATION_HEADER, jsonResponse } from './render.js';
import { STORAGE_RETRY_AFTER_SECONDS } from './storageUnavailable.js';
import { API_ERROR_STATUS, badParameter, type ApiErrorCode, type ReportResponse } from './types.js';
import { WITHDRAW_ROUTE } from './withdrawRoute.js';
import { ERASE_ROUTE, PSEUDONYMS_ROUTE } from './eraseRoute.js';
import { EXPORTS_PARAMETER } from './eraseExportsParameter.js';
import { EXPORT_ERASURE_MODES } from '../../storage/exportErasure.js';

/** What the document needs of a report route (src/pipeline/answerReport.ts, ReportRoute). */
export interface DescribedRoute {
  name: string;
  route: string;
  accepts: readonly ParameterName[];
  pages?: false;
  csv?: false;
}

type Json = Record<string, unknown>;

export const OPENAPI_VERSION = '3.1.0';

/** `meetings/{*meetingId}` -> `/meetings/{meetingId}`: the Functions route template as an OpenAPI path. */
export function openApiPath(route: string): string {
  return '/' + route.replace(/\{\*?([A-Za-z0-9_]+)\}/g, '{$1}');
}

/** The path parameters of a route template, in order. */
export function pathParameters(route: string): string[] {
  return [...route.matchAll(/\{\*?([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
}

const text = (description: string): Json => ({
  type: 'string',
  minLength: 1,
  maxLength: MAX_TEXT_PARAMETER,
  description,
});
/** A comma-separated list (form style, not exploded), case ignored, `all` for every value. */
const commaList = (values: readonly string[], description: string): Json => ({
  schema: { type: 'array', items: { type: 'string', enum: [...values, 'all'] }, minItems: 1, uniqueItems: true },
  style: 'form',
  explode: false,
  description,
});
const dateOrTime = (description: string): Json =>
  text(`${description} ISO 8601 date (2024-05-01) or date-time (2024-05-01T08:00:00Z; without a zone, UTC).`);

/** Schema and description of each query parameter (typed by ParameterName: none can be missed). */
const QUERY_PARAMETERS: Record<ParameterName, Json> = {
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

function queryParameter(name: ParameterName, route: DescribedRoute): Json {
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

function pathParameter(name: string): Json {
  return {
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1 },
    description: 'The rest of the path (it may hold "/"); percent-encode other reserved characters.',
  };
}

const STRING_OR_NULL = { type: ['string', 'null'] };
const object = (properties: Json, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  properties,
  required,
});
const ROWS = { type: 'array', items: { type: 'object' } };
const LISTING = object({ items: ROWS, continuationToken: STRING_OR_NULL });

/** The top-level shape of each route's JSON body (docs/http-api.md describes the fields). */
const JSON_BODIES: Record<string, { description: string; schema: Json }> = {
  reportMeetings: {
    description: 'The meetings report: one row per analysed meeting, by meeting start.',
    schema: LISTING,
  },
  reportMeeting: {
    description:
      'One meeting, with a page of its sessions and disconnections (notes and mass events with include=events).',
    schema: object(
      {
        meeting: { type: ['object', 'null'] },
        summary: { type: ['object', 'null'] },
        analysedAt: STRING_OR_NULL,
        pendingAnalysis: { type: 'boolean' },
        sessionsTotal: { type: ['integer', 'null'] },
        disconnectionsTotal: { type: ['integer', 'null'] },
        sessions: ROWS,
        disconnections: ROWS,
        notes: ROWS,
        massEvents: ROWS,
        continuationToken: STRING_OR_NULL,
      },
      ['meeting', 'continuationToken'],
    ),
  },
  reportAttendees: { description: 'The attendees report: one row per stored session.', schema: LISTING },
  reportDisconnections: {
    description: 'The disconnections report: one row per detected disconnection.',
    schema: LISTING,
  },
  reportSummary: {
    description:
      'Totals of the period; with groupBy, the ranking of that dimension in items; with site, platform or user, a focus.',
    schema: object(
      {
        period: object({ from: STRING_OR_NULL, to: STRING_OR_NULL }),
        totals: { type: 'object' },
        minSessions: { type: 'integer' },
        groupBy: STRING_OR_NULL,
        focus: { type: 'object' },
        items: ROWS,
        continuationToken: STRING_OR_NULL,
      },
      ['period', 'totals', 'minSessions', 'items', 'continuationToken'],
    ),
  },
  reportUsers: { description: 'The users report.', schema: LISTING },
  reportUploads: { description: 'The upload ledger: one entry per ingested blob version.', schema: LISTING },
  reportUpload: {
    description: 'Every ledger entry of one blob name, newest first.',
    schema: object({ blobName: { type: 'string' }, items: ROWS, continuationToken: STRING_OR_NULL }),
  },
  reportHealth: {
    description:
      'Storage, config files, the last analysis run, the name lookup, retention and the Log Analytics purge (503 with the same body when storage does not answer).',
    schema: object(
      {
        status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
        checkedAt: { type: 'string' },
        storage: { type: 'object' },
        config: { type: 'object' },
        analysis: { type: 'object' },
        collector: { type: ['object', 'null'] },
        names: {},
        retention: { type: ['object', 'null'] },
        logAnalyticsPurge: {
          type: ['object', 'null'],
          description:
            'The Log Analytics purge of erasures: state off, ok or misconfigured, queued erasures, notBefore after a 429, lastError.',
        },
      },
      ['status', 'storage', 'config', 'analysis'],
    ),
  },
  reportOpenApi: {
    description: 'This document.',
    schema: object({
      openapi: { type: 'string' },
      info: { type: 'object' },
      paths: { type: 'object' },
      components: { type: 'object' },
    }),
  },
  [WITHDRAW_ROUTE.name]: {
    description: 'What the withdrawal removed, and the ledger entries of every version as they are now.',
    schema: object({ blobName: { type: 'string' }, alreadyWithdrawn: { type: 'boolean' }, versions: ROWS }, [
      'blobName',
      'alreadyWithdrawn',
      'versions',
    ]),
  },
};

/** The error codes of one HTTP status, from API_ERROR_STATUS. */
export function errorCodes(status: number): ApiErrorCode[] {
  return (Object.keys(API_ERROR_STATUS) as ApiErrorCode[]).filter((code) => API_ERROR_STATUS[code] === status);
}

const ERROR_STATUSES: number[] = [...new Set<number>(Object.values(API_ERROR_STATUS))].sort((a, b) => a - b);

const ERROR_NOTES: Record<number, string> = {
  400: 'A bad request; `parameter` names the parameter at fault and the message says what is accepted.',
  401: 'Not signed in (Entra). With function keys the host itself answers 401 without a body to a missing or wrong key.',
  404: 'No such meeting or upload.',
  500: 'Anything else; the error was logged.',
  503: 'Storage does not answer (sending the same request again later finishes it; Retry-After says when), the pseudonym key is unavailable, or HTTP_AUTH=entra while App Service authentication is off.',
};

/** A 503 may ask the caller to wait: StorageUnavailable carries Retry-After. */
const RETRY_AFTER_HEADER: Json = {
  description: `With StorageUnavailable: the seconds to wait before sending the request again (${STORAGE_RETRY_AFTER_SECONDS}).`,
  schema: { type: 'integer', minimum: 0 },
};

function errorResponses(): Json {
  return Object.fromEntries(
    ERROR_STATUSES.map((status) => [
      `Error${status}`,
      {
        description: `${ERROR_NOTES[status] ?? 'An error.'} Codes: ${errorCodes(status).join(', ')}.`,
        ...(status === 503 ? { headers: { 'Retry-After': RETRY_AFTER_HEADER } } : {}),
        content: {
          'application/json': {
            schema: object({
              error: object(
                {
                  code: { type: 'string', enum: errorCodes(status) },
                  message: { type: 'string' },
                  parameter: { type: 'string' },
                },
                ['code', 'message'],
              ),
            }),
          },
        },
      },
    ]),
  );
}

const errorRefs = (hasPathParameter: boolean): Json =>
  Object.fromEntries(
    ERROR_STATUSES.filter((s) => s !== 404 || hasPathParameter).map((s) => [
      String(s),
      { $ref: `#/components/responses/Error${s}` },
    ]),
  );

function body(name: string): { description: string; schema: Json } {
  const described = JSON_BODIES[name];
  if (described === undefined) throw new Error(`the OpenAPI document has no response body for the route "${name}"`);
  return described;
}

function okResponse(route: DescribedRoute): Json {
  const { description, schema } = body(route.name);
  const content: Json = { 'application/json': { schema } };
  if (route.csv !== false)
    content['text/csv'] = {
      schema: { type: 'string', description: "The report's columns (format=csv or Accept: text/csv)." },
    };
  const response: Json = { description, content };
  if (route.csv !== false && route.pages !== false) {
    response['headers'] = {
      [CONTINUATION_HEADER]: {
        description: 'CSV only: the token of the next page, when there is one.',
        schema: { type: 'string' },
      },
    };
  }
  return response;
}

/** Security requirements: report routes by HTTP_AUTH; the withdrawal always needs the admin key (and sign-in with entra). */
function security(mode: HttpAuthMode, admin: boolean): Json[] {
  if (admin) return mode === 'entra' ? [{ adminKey: [], entra: [] }] : [{ adminKey: [] }];
  return mode === 'entra' ? [{ entra: [] }] : [{ functionKey: [] }];
}

function reportOperation(route: DescribedRoute, mode: HttpAuthMode): Json {
  const params = pathParameters(route.route);
  return {
    operationId: route.name,
    summary: body(route.name).description,
    parameters: [
      ...params.map(pathParameter),
      ...routeQueryParameters(route).map((name) => queryParameter(name, route)),
    ],
    security: security(mode, false),
    responses: { '200': okResponse(route), ...errorRefs(params.length > 0) },
  };
}

function withdrawOperation(mode: HttpAuthMode): Json {
  const { description, schema } = body(WITHDRAW_ROUTE.name);
  return {
    operationId: WITHDRAW_ROUTE.name,
    summary: 'Withdraws an export: its records no other export holds, its blob, and its results (idempotent).',
    description:
      'Requires the host admin (master) key in x-functions-key; function keys are refused by the host. Takes no query parameters.',
    parameters: pathParameters(WITHDRAW_ROUTE.route).map(pathParameter),
    security: security(mode, true),
    responses: { '200': { description, content: { 'application/json': { schema } } }, ...errorRefs(true) },
  };
}

/** The privacy routes: admin key only (docs/privacy.md). */
const PRIVACY_OPERATIONS = [
  {
    ...ERASE_ROUTE,
    summary:
      'Erases one person (object id or UPN) from every table, the rejects and the users file, rewrites the export blobs naming them without their records (exports=rewrite, the default; exports=keep lists them), and queues the purge of their Log Analytics rows; answers the counts per table, per export blob what was done, and the purge operations.',
    request: undefined,
    query: [
      {
        name: EXPORTS_PARAMETER,
        in: 'query',
        required: false,
        description:
          'rewrite (default): each export blob naming the person is rewritten without their records, as a new version of the blob; keep: the export blobs are left as they are and listed.',
        schema: { type: 'string', enum: [...EXPORT_ERASURE_MODES], default: 'rewrite' },
      },
    ],
  },
  {
    ...PSEUDONYMS_ROUTE,
    summary:
      'Pseudonymised mode: the pseudonyms of the candidate ids or UPNs in the body, and which match a given pseudonym.',
    request: object({ candidates: { type: 'array', items: { type: 'string' } }, pseudonym: { type: 'string' } }, [
      'candidates',
    ]),
    query: [],
  },
] as const;

function privacyOperation(operation: (typeof PRIVACY_OPERATIONS)[number], mode: HttpAuthMode): Json {
  const params = pathParameters(operation.route);
  const described: Json = {
    operationId: operation.name,
    summary: operation.summary,
    description:
      'Requires the host admin (master) key in x-functions-key; function keys are refused by the host.' +
      (operation.query.length === 0 ? ' Takes no query parameters.' : ''),
    parameters: [...params.map(pathParameter), ...operation.query],
    security: security(mode, true),
    responses: {
      '200': { description: 'The result, as JSON.', content: { 'application/json': { schema: { type: 'object' } } } },
      ...errorRefs(params.length > 0),
    },
  };
  if (operation.request !== undefined)
    described['requestBody'] = { required: true, content: { 'application/json': { schema: operation.request } } };
  return described;
}

/** The OpenAPI 3.1 document of the report routes, the withdrawal and the privacy routes, for the given sign-in mode. */
export function openApiDocument(routes: readonly DescribedRoute[], mode: HttpAuthMode): Json {
  const paths: Record<string, Json> = {};
  const at = (route: string): Json => (paths[openApiPath(route)] ??= {});
  for (const route of routes) at(route.route)['get'] = reportOperation(route, mode);
  at(WITHDRAW_ROUTE.route)[WITHDRAW_ROUTE.method.toLowerCase()] = withdrawOperation(mode);
  for (const operation of PRIVACY_OPERATIONS)
    at(operation.route)[operation.method.toLowerCase()] = privacyOperation(operation, mode);
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Teams audit reports',
      version: '1',
      description:
        'Reports on Microsoft Teams disconnections from the ingested audit-log exports (docs/http-api.md). ' +
        'Listings page with limit and continuationToken; the dashboard (/api/dashboard) is HTML and not described here.',
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      securitySchemes: {
        functionKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-functions-key',
          description: 'A function key (HTTP_AUTH=functionKey, the default).',
        },
        adminKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-functions-key',
          description: "The host's admin (master) key.",
        },
        entra: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An Entra ID access token for the app (HTTP_AUTH=entra, App Service authentication).',
        },
      },
      responses: errorResponses(),
    },
  };
}

/** GET /api/openapi.json: the document for this app's sign-in mode. JSON only. */
export function openApiResponse(
  routes: readonly DescribedRoute[],
  options: ListOptions,
  env: NodeJS.ProcessEnv = process.env,
): ReportResponse {
  if (options.format === 'csv') throw badParameter('format', 'the OpenAPI document is JSON only');
  return jsonResponse(openApiDocument(routes, httpAuthMode(env)));
}
