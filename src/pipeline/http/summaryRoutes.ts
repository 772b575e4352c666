// /api/summary: tenant totals (percentages with their denominators, drop rate, time lost) over the
// analysed meetings in the period, and with groupBy a ranking by site, subnet, platform, user or day, from the
// stored per-meeting summaries and contributions (the same metrics functions as the CLI).
import { aggregate, summarise, type Contribution, type MeetingSummary } from '../../analysis/metrics.js';
import { RANKING_FIELDS, totalsPairs, type RankingRow } from '../../reports/summary.js';
import { fieldColumns, type CellValue, type Column } from '../../reports/render/csv.js';
import { entityToSummary, SUMMARY_ONLY_PREFIX } from '../../storage/summaryOnlyRows.js';
import type { ReportDeps } from './context.js';
import { currentListing, type RouteInput } from './meetingRoutes.js';
import { dayBounds } from '../../storage/odata.js';
import { pageOfList } from './paging.js';
import { csvResponse, jsonResponse, listResponse } from './render.js';
import type { ReportResponse } from './types.js';
import { focusedSummary, summaryFocus } from './summaryFocus.js';

const RANKING_COLUMNS: readonly Column<RankingRow>[] = fieldColumns<RankingRow>(RANKING_FIELDS);
const TOTALS_COLUMNS: readonly Column<[string, CellValue]>[] = [
  { header: 'metric', value: (p) => p[0] },
  { header: 'value', value: (p) => p[1] },
];

async function summariesInRange(deps: ReportDeps, input: RouteInput): Promise<MeetingSummary[]> {
  if (input.filter.meeting !== undefined) {
    const listing = await currentListing(deps, input.filter.meeting);
    return listing === undefined ? [] : [listing.summary];
  }
  const listings = await deps.store.meetingResults.listListings(input.filter);
  // Past RETENTION_RESULTS_DAYS only summary-only rows remain (no organiser: an organiser filter leaves them out).
  const retired =
    input.filter.organizer === undefined
      ? await deps.store.meetingResults.listRowsUnder(SUMMARY_ONLY_PREFIX, input.filter)
      : [];
  return [...listings.map((l) => l.summary), ...retired.map(entityToSummary)];
}

export async function getSummary(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const { filter, options } = input;
  const config = await deps.config.get();
  const summaries = await summariesInRange(deps, input);
  const totals = summarise(summaries);
  const minSessions = config.params.minSessions;
  const period = {
    from: filter.from === undefined ? null : new Date(filter.from).toISOString(),
    to: filter.to === undefined ? null : new Date(filter.to).toISOString(),
  };
  const focus = summaryFocus(filter);
  if (focus !== undefined) {
    return focusedSummary(deps, input, focus, {
      period,
      totals,
      minSessions,
      meetings: new Set(summaries.map((s) => s.meetingId)),
    });
  }
  if (filter.groupBy === undefined) {
    if (options.format === 'csv') return csvResponse(totalsPairs(totals), TOTALS_COLUMNS, options.bom);
    return jsonResponse({ period, totals, minSessions, groupBy: null, items: [], continuationToken: null });
  }
  const dimension = filter.groupBy;
  const meetings = new Set(summaries.map((s) => s.meetingId));
  const { fromDay, toDay } = dayBounds(filter.from, filter.to);
  const stored = await deps.store.aggregates.list(dimension, fromDay, toDay);
  // Only the meetings the totals count (exact period bounds, organizer, meeting).
  const contribs: Contribution[] = stored.filter((c) => meetings.has(c.meetingId));
  const rows: RankingRow[] = aggregate(contribs, dimension, minSessions).map((r) => ({ dimension, ...r }));
  const page = pageOfList(rows, options.limit, input.state);
  return listResponse(page.items, input.token(page.next), options, RANKING_COLUMNS, {
    period,
    totals,
    minSessions,
    groupBy: dimension,
  });
}
