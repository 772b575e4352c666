// The note a report carries when part of the period it covers is past retention: per-meeting detail
// (meetings, attendees, disconnections, per-user figures) is gone before `resultsBefore`; site, subnet,
// platform and day aggregates still answer until `aggregatesBefore`. JSON bodies get a `purged` field, every
// answer (CSV too) an `x-purged-before` header with the results day.
import { RetentionState, type PurgedBefore } from '../../storage/retentionState.js';
import type { Store } from '../../storage/store.js';
import type { ReportFilter } from './params.js';
import type { ReportResponse } from './types.js';

export const PURGED_HEADER = 'x-purged-before';
/** Routes whose answers cover a period (the others, users, uploads and health, are not about meetings). */
export const PERIOD_ROUTES: ReadonlySet<string> = new Set([
  'meetings',
  'meetings/{*meetingId}',
  'attendees',
  'disconnections',
  'summary',
]);

export interface PurgedNote {
  resultsBefore: string;
  recordsBefore?: string;
  aggregatesBefore?: string;
  warning: string;
}

/** The note for a request over `filter`, or undefined when nothing it covers has been purged. */
export function purgedNote(purged: PurgedBefore | undefined, filter: ReportFilter): PurgedNote | undefined {
  if (purged?.results === undefined) return undefined;
  const resultsStart = Date.parse(`${purged.results}T00:00:00Z`);
  if (filter.from !== undefined && filter.from >= resultsStart) return undefined;
  const note: PurgedNote = {
    resultsBefore: purged.results,
    warning:
      `Per-meeting detail (meetings, attendees, disconnections, per-user figures) before ${purged.results} has been deleted by the retention policy; ` +
      `site, subnet, platform and day figures remain${purged.aggregates === undefined ? '' : ` from ${purged.aggregates}`}.`,
  };
  if (purged.records !== undefined) note.recordsBefore = purged.records;
  if (purged.aggregates !== undefined) note.aggregatesBefore = purged.aggregates;
  return note;
}

/** The response with the note added (a successful JSON object body gets `purged`; every 200 the header). */
export function withPurgedNote(response: ReportResponse, note: PurgedNote | undefined): ReportResponse {
  if (note === undefined || response.status !== 200) return response;
  const headers = { ...response.headers, [PURGED_HEADER]: note.resultsBefore };
  if (!(response.headers['content-type'] ?? '').startsWith('application/json')) return { ...response, headers };
  const body = JSON.parse(response.body) as unknown;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ...response, headers };
  return { ...response, headers, body: JSON.stringify({ purged: note, ...(body as Record<string, unknown>) }) };
}

/** The response of `route` over `filter`, with the note when the period reaches before a purge (one point read). */
export async function withRetentionNote(
  store: Store,
  route: string,
  filter: ReportFilter,
  response: ReportResponse,
): Promise<ReportResponse> {
  if (!PERIOD_ROUTES.has(route) || response.status !== 200) return response;
  // The note is an addition: when its status row cannot be read, the report goes out without it.
  const purged = await new RetentionState(store.marks.client).last().then(
    (s) => s?.purgedBefore,
    () => undefined,
  );
  return withPurgedNote(response, purgedNote(purged, filter));
}
