// The overview's trend: drop rate by day as a chart with its table.
import type { Query } from '../api.js';
import { trendChart, type TrendPoint } from '../charts.js';
import { h, scrollBox, table } from '../dom.js';
import { formatCount, formatDuration, formatPct } from '../format.js';
import type { Ranking } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';
import { fileStem } from './reportFilters.js';

/** Days from first to last with the missing ones as gaps (for at most ~2 years). */
function trendPoints(rows: readonly Ranking[]): TrendPoint[] {
  const byDay = new Map(rows.map((r) => [r.key, r]));
  const days = [...byDay.keys()].filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) return [];
  const out: TrendPoint[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  let t = Date.parse(`${first}T00:00:00Z`);
  if ((end - t) / 86_400_000 > 800)
    return days.map((day) => ({
      day,
      rate: byDay.get(day)!.eligibleSessions > 0 ? byDay.get(day)!.dropRatePct : null,
    }));
  for (; t <= end; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    const row = byDay.get(day);
    out.push({ day, rate: row && row.eligibleSessions > 0 ? row.dropRatePct : null });
  }
  return out;
}

export function trendSection(ctx: ViewContext, rows: Ranking[], title: string, csvQuery: Query): HTMLElement {
  const byDay = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const chart = h('div', { class: 'chart', 'aria-hidden': 'true', id: 'trend-chart' });
  const section = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'trend-title' },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', { id: 'trend-title' }, title),
      csvButton(ctx, 'Download CSV', 'summary', csvQuery, `drops-by-day-${fileStem(ctx.state.filters)}.csv`),
    ),
    h(
      'p',
      { class: 'note' },
      `Dots: drop rate of each day (UTC, by meeting start); dashed line: the ${ctx.state.target} % target. Days without meetings are gaps.`,
    ),
    chart,
    h(
      'details',
      {},
      h('summary', {}, 'Table of the chart data'),
      scrollBox(
        'table-scroll',
        'Drop rate by day (table)',
        table(
          'Drop rate by day',
          [
            { header: 'Day (UTC)', cell: (r: Ranking) => r.key, rowHeader: true },
            { header: 'Eligible sessions', cell: (r) => formatCount(r.eligibleSessions), numeric: true },
            { header: 'Drops', cell: (r) => formatCount(r.drops), numeric: true },
            {
              header: 'Drop rate',
              cell: (r) => (r.enoughData ? formatPct(r.dropRatePct) : `${formatPct(r.dropRatePct)} (not enough data)`),
              numeric: true,
            },
            { header: 'Time lost', cell: (r) => formatDuration(r.lostSeconds), numeric: true },
            { header: 'Participant-meetings', cell: (r) => formatCount(r.participants), numeric: true },
          ],
          byDay,
          { id: 'trend-table' },
        ),
      ),
    ),
  );
  requestAnimationFrame(() => {
    if (byDay.length > 0) trendChart(chart, trendPoints(byDay), ctx.state.target);
    else chart.appendChild(h('p', { class: 'empty' }, 'No analysed meeting in this period.'));
  });
  return section;
}
