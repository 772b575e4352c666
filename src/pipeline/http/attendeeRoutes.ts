// /api/attendees: the attendees report (tala -a plus), one row per stored session, classified with
// the current config. Meeting, time, organizer and user filters run in the Table query (storage/sessionsTable.ts); site, class,
// ip and ipRegex need the classified session and run on each page.
import { matchesCidrs } from '../../analysis/siteMap.js';
import { siteLabel } from '../../analysis/detect.js';
import type { ClassifiedSession } from '../../analysis/model.js';
import { ATTENDEE_CSV_COLUMNS, attendeeRow } from '../../reports/attendees.js';
import { entityToSession } from '../../storage/sessionsTable.js';
import { classifierFor, usersFor, type ReportDeps } from './context.js';
import type { RouteInput } from './meetingRoutes.js';
import { scanTable } from './paging.js';
import type { ReportFilter } from './params.js';
import { listResponse } from './render.js';
import type { ReportResponse } from './types.js';

/** The page-level filters (they need the classified session). */
export function keepSession(c: ClassifiedSession, filter: ReportFilter): boolean {
  if (filter.site !== undefined && siteLabel(c.ip, c.site?.name).toLowerCase() !== filter.site.toLowerCase())
    return false;
  if (filter.classes !== undefined && !filter.classes.includes(c.participantClass)) return false;
  if (filter.ip !== undefined && !matchesCidrs(c.ip, filter.ip)) return false;
  if (filter.ipRegex !== undefined && !filter.ipRegex.test(c.session.clientIp)) return false;
  return true;
}

export async function listAttendees(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const { filter, options } = input;
  const query = deps.store.sessions.query(filter);
  if (query === undefined) return listResponse([], undefined, options, ATTENDEE_CSV_COLUMNS);
  const config = await deps.config.get();
  const classifier = classifierFor(config);
  const pageFiltered =
    filter.site !== undefined ||
    filter.classes !== undefined ||
    filter.ip !== undefined ||
    filter.ipRegex !== undefined;
  const scanOptions = {
    query,
    limit: options.limit,
    pageSize: pageFiltered ? Math.min(1000, Math.max(100, options.limit * 2)) : options.limit,
    decode: (e: Record<string, unknown> & { partitionKey: string; rowKey: string }) => {
      const c = classifier.classify(entityToSession(e));
      return keepSession(c, filter) ? c : undefined;
    },
  };
  const page = await scanTable(input.state === undefined ? scanOptions : { ...scanOptions, state: input.state });
  // Only rows without a UPN (or a display name) take their e-mail (or name) from the users lookup.
  const users = await usersFor(
    deps,
    config,
    page.items
      .filter((c) => !c.session.attendee.upn || !c.session.attendee.displayName)
      .map((c) => c.session.attendee.userObjectId ?? ''),
  );
  const rows = page.items.map((c) => attendeeRow(c.session.meetingId, c, users));
  return listResponse(rows, input.token(page.next), options, ATTENDEE_CSV_COLUMNS);
}
