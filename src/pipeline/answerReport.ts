// The report API: its routes (the one list the HTTP registrations are made from), parameter checks,
// paging, and the mapping of failures to responses that name the parameter at fault and never show
// stack traces, exception names or storage names.
import { describeError } from '../errors.js';
import { isStorageUnreachable } from '../storage/unreachable.js';
import { logOf, type ReportDeps } from './http/context.js';
import {
  checkKnown,
  filterFingerprint,
  parseFilter,
  parseListOptions,
  queryValues,
  type ParameterName,
} from './http/params.js';
import { urlQueryValues } from './http/queryString.js';
import { decodeToken, encodeToken, invalidToken } from './http/paging.js';
import { errorResponse } from './http/render.js';
import { ApiError, type ReportRequest, type ReportResponse } from './http/types.js';
import { listMeetings, type RouteInput } from './http/meetingRoutes.js';
import { getMeeting } from './http/meetingDetail.js';
import { listAttendees } from './http/attendeeRoutes.js';
import { listDisconnections } from './http/disconnectionRoutes.js';
import { getSummary } from './http/summaryRoutes.js';
import { getHealth, getUpload, listUploads, listUsers } from './http/adminRoutes.js';
import { openApiResponse } from './http/openApi.js';
import { withRetentionNote } from './http/purgedNote.js';
import { storageUnavailableResponse } from './http/storageUnavailable.js';

export type { ReportRequest, ReportResponse } from './http/types.js';
export type { ReportDeps } from './http/context.js';

export interface ReportRoute {
  /** Function name of the registration. */
  name: string;
  /** Route template under /api (the Functions host syntax; `{*name}` takes the rest of the path). */
  route: string;
  /** Query parameters besides LISTING_OPTIONS (limit, continuationToken, format, bom). */
  accepts: readonly ParameterName[];
  handler: (deps: ReportDeps, input: RouteInput) => Promise<ReportResponse>;
  /** False for a route that never pages (it then needs no token key). */
  pages?: false;
  /** False for a route that answers JSON only (format=csv is refused). */
  csv?: false;
}

const LISTING_FILTERS = ['from', 'to', 'meeting', 'organizer'] as const;

export const REPORT_ROUTES: readonly ReportRoute[] = [
  { name: 'reportMeetings', route: 'meetings', accepts: LISTING_FILTERS, handler: listMeetings },
  { name: 'reportMeeting', route: 'meetings/{*meetingId}', accepts: ['include'], handler: getMeeting, csv: false },
  {
    name: 'reportAttendees',
    route: 'attendees',
    accepts: [...LISTING_FILTERS, 'user', 'site', 'ip', 'ipRegex', 'class'],
    handler: listAttendees,
  },
  {
    name: 'reportDisconnections',
    route: 'disconnections',
    accepts: [...LISTING_FILTERS, 'user', 'site', 'ip', 'ipRegex', 'band', 'class'],
    handler: listDisconnections,
  },
  {
    name: 'reportSummary',
    route: 'summary',
    accepts: [...LISTING_FILTERS, 'groupBy', 'site', 'platform', 'user'],
    handler: getSummary,
  },
  { name: 'reportUsers', route: 'users', accepts: ['user'], handler: listUsers },
  { name: 'reportUploads', route: 'uploads', accepts: [], handler: listUploads },
  { name: 'reportUpload', route: 'uploads/{*name}', accepts: [], handler: getUpload },
  { name: 'reportHealth', route: 'health', accepts: [], handler: getHealth, pages: false, csv: false },
  {
    name: 'reportOpenApi',
    route: 'openapi.json',
    accepts: [],
    pages: false,
    csv: false,
    handler: (_deps, input) => Promise.resolve(openApiResponse(REPORT_ROUTES, input.options)),
  },
];

// The storage-unavailable answer (503 with Retry-After) lives with the routes; kept importable from here.
export { STORAGE_RETRY_AFTER_SECONDS, storageUnavailableResponse } from './http/storageUnavailable.js';
/** Answers one report request. Never throws: failures become 4xx/5xx responses with an error body. */
export async function answerReport(request: ReportRequest, deps: ReportDeps): Promise<ReportResponse> {
  const route = REPORT_ROUTES.find((r) => r.route === request.route);
  try {
    if (route === undefined)
      throw new ApiError(404, 'RouteNotFound', 'no such report; see /api/health and the README for the routes');
    const values = request.url === undefined ? queryValues(request.query) : urlQueryValues(request.url);
    checkKnown(values, route.accepts);
    const filter = parseFilter(values);
    const options = parseListOptions(values, request.accept);
    const fingerprint = filterFingerprint(values) + '\n' + JSON.stringify(request.params);
    const key = route.pages === false ? undefined : await deps.store.tokenKey.key();
    const input: RouteInput = {
      filter,
      options,
      params: request.params,
      token: (next) =>
        next === undefined || key === undefined ? undefined : encodeToken(key, route.route, fingerprint, next),
    };
    if (options.continuationToken !== undefined) {
      if (key === undefined) throw invalidToken();
      input.state = decodeToken(key, options.continuationToken, route.route, fingerprint);
    }
    return await withRetentionNote(deps.store, route.route, filter, await route.handler(deps, input));
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    const log = logOf(deps);
    if (isStorageUnreachable(error)) {
      log.error(`report ${request.route}: storage unavailable: ${describeError(error)}`);
      return storageUnavailableResponse();
    }
    log.error(`report ${request.route}: failed: ${describeError(error)}`);
    return errorResponse(new ApiError(500, 'InternalError', 'the report could not be produced; the error was logged'));
  }
}
