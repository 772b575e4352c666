// The OpenAPI 3.1 description of /api, served at GET /api/openapi.json. Built from the code's own lists:
// the route table (REPORT_ROUTES, passed in), each route's accepted parameters, the parameter rules of
// params.ts, the withdrawal's registration and the error codes of types.ts. Parameters, bodies and errors
// are described in openApiParameters.ts, openApiBodies.ts and openApiErrors.ts; only descriptions and the
// top-level shapes of the JSON bodies are written (docs/http-api.md is the reference in prose).
import { httpAuthMode, type HttpAuthMode } from './httpAuth.js';
import { jsonResponse } from './render.js';
import { badParameter, type ReportResponse } from './types.js';
import { WITHDRAW_ROUTE } from './withdrawRoute.js';
import { ERASE_ROUTE, PSEUDONYMS_ROUTE } from './eraseRoute.js';
import { body, object, okResponse } from './openApiBodies.js';
import { EXPORTS_PARAMETER } from './eraseExportsParameter.js';
import { EXPORT_ERASURE_MODES } from '../../storage/exportErasure.js';
import type { ListOptions } from './params.js';
import { errorRefs, errorResponses } from './openApiErrors.js';
import {
  openApiPath,
  pathParameter,
  pathParameters,
  queryParameter,
  routeQueryParameters,
  type DescribedRoute,
  type Json,
} from './openApiParameters.js';

export const OPENAPI_VERSION = '3.1.0';

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
