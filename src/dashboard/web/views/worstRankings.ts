// The overview's rankings of the worst sites / subnets / platforms / users, with sample sizes; rows
// below the minimum shown as "not enough data".
import type { Query } from '../api.js';
import { h, scrollBox, table } from '../dom.js';
import { formatCount, formatDuration, formatPct } from '../format.js';
import type { DashboardState } from '../state.js';
import type { Ranking } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';
import { fileStem } from './reportFilters.js';

const RANKED_ROWS_SHOWN = 10;
const THIN_ROWS_SHOWN = 5;
export interface RankingOptions {
  /** Site, platform and user keys link to a focus on them; subnets are not a focus (plain text). */
  dimension: 'site' | 'subnet' | 'platform' | 'user';
  title: string;
  keyHeader: string;
  rows: Ranking[];
  minSessions: number;
  focusKey?: string;
  label?: (key: string) => string;
  csvQuery: Query;
}

export function rankingSection(ctx: ViewContext, o: RankingOptions): HTMLElement {
  const ranked = o.rows.filter((r) => r.enoughData);
  const thin = o.rows.filter((r) => !r.enoughData);
  const shown = [
    ...ranked.slice(0, RANKED_ROWS_SHOWN).map((r, i) => ({ r, rank: i + 1 })),
    ...thin.slice(0, THIN_ROWS_SHOWN).map((r) => ({ r, rank: 0 })),
  ];
  const focus = o.focusKey?.toLowerCase();
  const id = `rank-${o.dimension}`;
  const label = o.label ?? ((key: string) => key);
  const tableElement = table(
    o.title,
    [
      { header: 'Rank', cell: (x: { r: Ranking; rank: number }) => (x.rank > 0 ? String(x.rank) : '–'), numeric: true },
      {
        header: o.keyHeader,
        rowHeader: true,
        cell: (x) => {
          if (o.dimension === 'subnet') return label(x.r.key);
          const next: DashboardState = {
            ...ctx.state,
            filters: {
              ...ctx.state.filters,
              site: undefined,
              platform: undefined,
              user: undefined,
              [o.dimension]: x.r.key,
            },
          };
          const link = h('a', { href: ctx.href(next), title: `Focus on this ${o.dimension}` }, label(x.r.key));
          link.addEventListener('click', (event) => {
            event.preventDefault();
            ctx.navigate(next);
          });
          return link;
        },
      },
      { header: 'Sessions', cell: (x) => formatCount(x.r.eligibleSessions), numeric: true },
      { header: 'Drops', cell: (x) => formatCount(x.r.drops), numeric: true },
      {
        header: 'Drop rate',
        numeric: true,
        cell: (x) =>
          x.r.enoughData
            ? h(
                'span',
                { class: x.r.dropRatePct > ctx.state.target ? 'over-target' : undefined },
                formatPct(x.r.dropRatePct),
                x.r.dropRatePct > ctx.state.target ? h('span', { class: 'visually-hidden' }, ' (above target)') : null,
              )
            : h('span', { class: 'thin' }, 'not enough data'),
      },
      { header: 'Time lost', cell: (x) => formatDuration(x.r.lostSeconds), numeric: true },
      { header: 'People', cell: (x) => formatCount(x.r.participants), numeric: true },
    ],
    shown,
    {
      id,
      rowClass: (x) =>
        [x.rank === 0 ? 'thin-row' : '', focus !== undefined && x.r.key.toLowerCase() === focus ? 'focus' : '']
          .join(' ')
          .trim() || undefined,
    },
  );
  const summary =
    `${formatCount(ranked.length)} ranked (≥ ${o.minSessions} sessions), ${formatCount(thin.length)} with not enough data` +
    (ranked.length > RANKED_ROWS_SHOWN || thin.length > THIN_ROWS_SHOWN ? '; the CSV has them all.' : '.');
  return h(
    'section',
    { class: 'panel ranking', 'aria-labelledby': `${id}-title` },
    h(
      'div',
      { class: 'panel-head' },
      h('h3', { id: `${id}-title` }, o.title),
      csvButton(ctx, 'Download CSV', 'summary', o.csvQuery, `worst-${o.dimension}s-${fileStem(ctx.state.filters)}.csv`),
    ),
    h('p', { class: 'note' }, summary),
    scrollBox('table-scroll', `${o.title} (table)`, tableElement),
  );
}
