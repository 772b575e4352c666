// The overview's re-join gap histogram with its table.
import type { Query } from '../api.js';
import { histogramChart } from '../charts.js';
import { h, scrollBox, table } from '../dom.js';
import { formatCount } from '../format.js';
import type { TenantSummary } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';
import { fileStem } from './reportFilters.js';

export function histogramSection(ctx: ViewContext, totals: TenantSummary, csvQuery: Query): HTMLElement {
  const buckets = totals.gapHistogram;
  const chart = h('div', { class: 'chart', 'aria-hidden': 'true', id: 'gap-chart' });
  const section = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'gaps-title' },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', { id: 'gaps-title' }, 'Re-join gaps'),
      csvButton(ctx, 'Download CSV', 'summary', csvQuery, `summary-${fileStem(ctx.state.filters)}.csv`),
    ),
    h(
      'p',
      { class: 'note' },
      'Every human disconnection by the time between losing the session and joining again (all bands, mass events included). ',
      'Network drops pile up at short gaps; people who leave on purpose and come back spread over long ones. With the default rule, ',
      'gaps up to 60 s are strong, up to 300 s (the re-join window) probable, up to 900 s possible. If many gaps sit just past the window, ',
      'raise rejoinWindowSeconds in detection-params.json; if the short buckets are empty while the long ones are full, lower it.',
    ),
    chart,
    h(
      'details',
      {},
      h('summary', {}, 'Table of the chart data'),
      scrollBox(
        'table-scroll',
        'Disconnections by re-join gap (table)',
        table(
          'Disconnections by re-join gap',
          [
            { header: 'Gap', cell: (b: { label: string; count: number }) => b.label, rowHeader: true },
            { header: 'Disconnections', cell: (b) => formatCount(b.count), numeric: true },
          ],
          buckets,
          { id: 'gap-table' },
        ),
      ),
    ),
  );
  requestAnimationFrame(() =>
    histogramChart(
      chart,
      buckets.map((b) => b.label),
      buckets.map((b) => b.count),
    ),
  );
  return section;
}
