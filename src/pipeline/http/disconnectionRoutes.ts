// /api/disconnections: the disconnections report from the disconnections table only (day partitions,
// so no page ever reads sessions). All filters but ip and ipRegex run in the Table query; those two
// test the lost session's address on each page.
import { matchesCidrs } from '../../analysis/siteMap.js';
import type { Band } from '../../analysis/model.js';
import { DISCONNECTION_CSV_COLUMNS, disconnectionRow } from '../../reports/disconnections.js';
import {
  entityToDisconnection,
  type DisconnectionFilter,
  type StoredDisconnection,
} from '../../storage/disconnectionsTable.js';
import { KeyError } from '../../storage/keys.js';
import type { TableQuery } from '../../storage/odata.js';
import { usersFor, type ReportDeps } from './context.js';
import type { RouteInput } from './meetingRoutes.js';
import { scanTable } from './paging.js';
import type { ReportFilter } from './params.js';
import { listResponse } from './render.js';
import type { ReportResponse } from './types.js';

/** Without `band`, the report lists the counted bands, as the CLI does. */
export const DEFAULT_BANDS: readonly Band[] = ['strong', 'probable'];

/** The Table query for `filter` (storage/disconnectionsTable.ts), or undefined when nothing can match (a meeting never analysed). */
export async function disconnectionsQuery(deps: ReportDeps, filter: ReportFilter): Promise<TableQuery | undefined> {
  let meeting: DisconnectionFilter['meeting'];
  if (filter.meeting !== undefined) {
    let location;
    try {
      location = await deps.store.meetingResults.getLocation(filter.meeting);
    } catch (error) {
      if (error instanceof KeyError) return undefined;
      throw error;
    }
    if (location?.current === undefined) return undefined;
    meeting = { meetingId: filter.meeting, day: location.current.day, start: location.current.start };
  }
  const bands = filter.bands ?? DEFAULT_BANDS;
  const query: DisconnectionFilter = { bands: bands.length === 3 ? undefined : bands };
  if (meeting !== undefined) query.meeting = meeting;
  if (filter.from !== undefined) query.from = filter.from;
  if (filter.to !== undefined) query.to = filter.to;
  if (filter.organizer !== undefined) query.organizer = filter.organizer;
  if (filter.user !== undefined) query.user = filter.user;
  if (filter.site !== undefined) query.site = filter.site;
  if (filter.classes !== undefined) query.classes = filter.classes;
  return deps.store.disconnections.query(query);
}

/** The page-level filters: CIDR ranges and tala's regex, both on the lost session's address. */
export function keepStoredDisconnection(d: StoredDisconnection, filter: ReportFilter): boolean {
  if (filter.ip !== undefined && !matchesCidrs(d.disconnection.network.ipBefore, filter.ip)) return false;
  if (filter.ipRegex !== undefined && !filter.ipRegex.test(d.lostClientIp)) return false;
  return true;
}

export async function listDisconnections(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const { filter, options } = input;
  const query = await disconnectionsQuery(deps, filter);
  if (query === undefined) return listResponse([], undefined, options, DISCONNECTION_CSV_COLUMNS);
  const pageFiltered = filter.ip !== undefined || filter.ipRegex !== undefined;
  const scanOptions = {
    query,
    limit: options.limit,
    pageSize: pageFiltered ? Math.min(1000, Math.max(100, options.limit * 2)) : options.limit,
    decode: (e: Record<string, unknown> & { partitionKey: string; rowKey: string }) => {
      const d = entityToDisconnection(e);
      return keepStoredDisconnection(d, filter) ? d : undefined;
    },
  };
  const page = await scanTable(input.state === undefined ? scanOptions : { ...scanOptions, state: input.state });
  const [config] = await Promise.all([deps.config.get()]);
  const users = await usersFor(
    deps,
    config,
    page.items
      .filter((d) => !d.disconnection.upn || !d.disconnection.displayName)
      .map((d) => d.disconnection.participantKey),
  );
  const rows = page.items.map((d) => disconnectionRow(d.disconnection, d.organizerEmail, users));
  return listResponse(rows, input.token(page.next), options, DISCONNECTION_CSV_COLUMNS);
}
