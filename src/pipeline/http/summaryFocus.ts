// /api/summary with site=, platform= or user=: the numbers of that one key (its eligible sessions, drops,
// drop rate, time lost, participant-meetings, meetings with and without drops) from the stored
// contributions of the period's meetings, and with groupBy=day its trend. The aggregates are kept per
// dimension, so a focus cannot be split by another dimension (groupBy=platform with site= is refused).
import { aggregate, type Contribution, type Ranking, type TenantSummary } from '../../analysis/metrics.js';
import { RANKING_FIELDS, totalsPairs, type RankingRow } from '../../reports/summary.js';
import { fieldColumns, type CellValue, type Column } from '../../reports/render/csv.js';
import { directoryEmail } from '../../analysis/userDirectory.js';
import type { ReportDeps } from './context.js';
import type { RouteInput } from './meetingRoutes.js';
import { dayBounds } from '../../storage/odata.js';
import { pageOfList } from './paging.js';
import type { ReportFilter } from './params.js';
import { csvResponse, jsonResponse, listResponse } from './render.js';
import { badParameter, type ReportResponse } from './types.js';

export type FocusDimension = 'site' | 'platform' | 'user';

/** A Ranking row of one key (the key as stored, or the request's spelling when nothing matched), with its meetings. */
export interface SummaryFocus extends Ranking {
  dimension: FocusDimension;
  /** Meetings with eligible sessions or drops under the key. */
  meetings: number;
  /** Of those, meetings with at least one counted drop under the key. */
  meetingsAffected: number;
}

const RANKING_COLUMNS: readonly Column<RankingRow>[] = fieldColumns<RankingRow>(RANKING_FIELDS);
const PAIR_COLUMNS: readonly Column<[string, CellValue]>[] = [
  { header: 'metric', value: (p) => p[0] },
  { header: 'value', value: (p) => p[1] },
];

/** The key the request focuses on; more than one of site, platform and user is refused. */
export function summaryFocus(filter: ReportFilter): { dimension: FocusDimension; key: string } | undefined {
  const named = (['site', 'platform', 'user'] as const).filter((d) => filter[d] !== undefined);
  if (named.length > 1) {
    throw badParameter(
      named[1]!,
      `give only one of site, platform and user: a summary focuses on one of them (got ${named.join(' and ')})`,
    );
  }
  const dimension = named[0];
  return dimension === undefined ? undefined : { dimension, key: filter[dimension]! };
}

/** A user given by e-mail: the participant keys (object ids) the users file or the ingestion learned for it. */
async function userKeysFor(deps: ReportDeps, email: string): Promise<Set<string>> {
  const wanted = email.toLowerCase();
  const keys = new Set<string>();
  const config = await deps.config.get();
  for (const row of config.users.entriesInOrder())
    if (row.email.toLowerCase() === wanted) keys.add(row.uuid.toLowerCase());
  for (const entry of await deps.store.users.listAll()) {
    if (entry.email.toLowerCase() === wanted || directoryEmail(entry.directory).toLowerCase() === wanted)
      keys.add(entry.uuid.toLowerCase());
  }
  return keys;
}

export async function focusedSummary(
  deps: ReportDeps,
  input: RouteInput,
  focus: { dimension: FocusDimension; key: string },
  context: {
    period: { from: string | null; to: string | null };
    totals: TenantSummary;
    minSessions: number;
    meetings: ReadonlySet<string>;
  },
): Promise<ReportResponse> {
  const { filter, options } = input;
  const { minSessions } = context;
  if (filter.groupBy !== undefined && filter.groupBy !== 'day' && filter.groupBy !== focus.dimension) {
    throw badParameter(
      'groupBy',
      `with ${focus.dimension}=, groupBy may be day or ${focus.dimension}: the aggregates are stored per dimension, not per pair of them`,
    );
  }
  const { fromDay, toDay } = dayBounds(filter.from, filter.to);
  const stored = (await deps.store.aggregates.list(focus.dimension, fromDay, toDay)).filter((c) =>
    context.meetings.has(c.meetingId),
  );
  let keys = new Set([focus.key.toLowerCase()]);
  let rows: Array<Contribution & { meetingId: string }> = stored.filter((c) => keys.has(c.key.toLowerCase()));
  if (rows.length === 0 && focus.dimension === 'user' && focus.key.includes('@')) {
    keys = await userKeysFor(deps, focus.key);
    rows = stored.filter((c) => keys.has(c.key.toLowerCase()));
  }
  const ranking: Ranking | undefined = aggregate(
    rows.map((c) => ({ ...c, key: focus.key })),
    focus.dimension,
    minSessions,
  )[0];
  const summary: SummaryFocus = {
    dimension: focus.dimension,
    key: rows[0]?.key ?? focus.key,
    meetings: new Set(rows.map((c) => c.meetingId)).size,
    meetingsAffected: new Set(rows.filter((c) => c.drops > 0).map((c) => c.meetingId)).size,
    eligibleSessions: ranking?.eligibleSessions ?? 0,
    drops: ranking?.drops ?? 0,
    dropRatePct: ranking?.dropRatePct ?? 0,
    lostSeconds: ranking?.lostSeconds ?? 0,
    participants: ranking?.participants ?? 0,
    enoughData: ranking?.enoughData ?? minSessions <= 0,
  };
  const extra = {
    period: context.period,
    totals: context.totals,
    focus: summary,
    minSessions,
    groupBy: filter.groupBy ?? null,
  };
  if (filter.groupBy === undefined) {
    if (options.format === 'csv') {
      const pairs: Array<[string, CellValue]> = [
        ...totalsPairs(context.totals),
        ...Object.entries(summary).map(([name, value]) => [`focus.${name}`, value] as [string, CellValue]),
      ];
      return csvResponse(pairs, PAIR_COLUMNS, options.bom);
    }
    return jsonResponse({ ...extra, items: [], continuationToken: null });
  }
  const dimension = filter.groupBy;
  const grouped = dimension === 'day' ? rows.map((c) => ({ ...c, dimension: 'day' as const, key: c.day })) : rows;
  const ranked: RankingRow[] = aggregate(grouped, dimension, minSessions).map((r) => ({ dimension, ...r }));
  const page = pageOfList(ranked, options.limit, input.state);
  return listResponse(page.items, input.token(page.next), options, RANKING_COLUMNS, extra);
}
