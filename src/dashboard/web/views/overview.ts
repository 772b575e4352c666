// Overview: drop rate with its denominator against the target, meetings and attendees affected, time
// lost, the trend by day, the worst sites / subnets / platforms / users (with sample sizes; rows below
// the minimum shown as "not enough data"), and the re-join gap histogram. Every chart has its table.
import type { Query } from '../api.js';
import { histogramChart, trendChart, type TrendPoint } from '../charts.js';
import { h, scrollBox, table } from '../dom.js';
import { formatCount, formatDuration, formatPct } from '../format.js';
import type { DashboardState, Filters } from '../state.js';
import type { ListResponse, Ranking, SummaryFocus, SummaryResponse, TenantSummary, UserRow } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';

const RANKED_ROWS_SHOWN = 10;
const THIN_ROWS_SHOWN = 5;

type FocusDimension = 'site' | 'platform' | 'user';

/** The period and meeting filters, which every report accepts. */
export function periodQuery(filters: Filters): Query {
  return { from: filters.from, to: filters.to, meeting: filters.meeting };
}

/** The one site/platform/user the headline and trend focus on (site first, then platform, then user). */
export function focusOf(filters: Filters): { dimension: FocusDimension; key: string } | undefined {
  for (const dimension of ['site', 'platform', 'user'] as const) {
    const key = filters[dimension];
    if (key) return { dimension, key };
  }
  return undefined;
}

function periodText(filters: Filters): string {
  if (filters.from && filters.to) return `${filters.from} to ${filters.to}`;
  if (filters.from) return `from ${filters.from}`;
  if (filters.to) return `up to ${filters.to}`;
  return 'all analysed meetings';
}

function fileStem(filters: Filters): string {
  return [filters.from, filters.to].filter(Boolean).join('_') || 'all';
}

function kpi(
  id: string,
  title: string,
  value: string,
  metric: string,
  raw: number,
  ...details: Array<HTMLElement | string>
): HTMLElement {
  return h(
    'section',
    { class: 'kpi', 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, title),
    h('p', { class: 'big', id, 'data-metric': metric, 'data-value': raw }, value),
    ...details.map((d) => (typeof d === 'string' ? h('p', { class: 'sub' }, d) : d)),
  );
}

function targetState(ratePct: number, target: number, enough: boolean): HTMLElement {
  if (!enough) return h('p', { class: 'target-state thin' }, 'Not enough data to compare with the target');
  const over = ratePct > target;
  return h(
    'p',
    { class: `target-state ${over ? 'over' : 'under'}`, 'data-over-target': over ? 'true' : 'false' },
    over ? `Above the ${target} % target` : `Within the ${target} % target`,
  );
}

function headline(
  ctx: ViewContext,
  totals: TenantSummary,
  focus: SummaryFocus | null | undefined,
  minSessions: number,
): HTMLElement {
  const target = ctx.state.target;
  const cards: HTMLElement[] = [];
  if (focus) {
    cards.push(
      kpi(
        'kpi-drop-rate',
        `Drop rate, ${focus.dimension} ${focus.key}`,
        focus.enoughData ? formatPct(focus.dropRatePct) : 'not enough data',
        'dropRatePct',
        focus.dropRatePct,
        h(
          'p',
          { class: 'sub', id: 'kpi-denominator', 'data-drops': focus.drops, 'data-sessions': focus.eligibleSessions },
          `${formatCount(focus.drops)} drops ÷ ${formatCount(focus.eligibleSessions)} eligible human sessions`,
        ),
        targetState(focus.dropRatePct, target, focus.enoughData),
      ),
      kpi(
        'kpi-meetings',
        'Meetings affected',
        `${formatCount(focus.meetingsAffected)} of ${formatCount(focus.meetings)}`,
        'meetingsAffected',
        focus.meetingsAffected,
        `${formatPct(focus.meetings ? (focus.meetingsAffected / focus.meetings) * 100 : 0)} of the meetings with sessions under this ${focus.dimension}`,
      ),
      kpi(
        'kpi-attendees',
        'Participant-meetings',
        formatCount(focus.participants),
        'participants',
        focus.participants,
        'Distinct people per meeting under this key (affected share not stored per key)',
      ),
      kpi(
        'kpi-lost',
        'Time lost',
        formatDuration(focus.lostSeconds),
        'lostSeconds',
        focus.lostSeconds,
        `Sum of counted gaps (${formatCount(Math.round(focus.lostSeconds))} s)`,
      ),
    );
  } else {
    const enough = totals.eligibleHumanSessions >= minSessions;
    cards.push(
      kpi(
        'kpi-drop-rate',
        'Drop rate',
        formatPct(totals.dropRatePct),
        'dropRatePct',
        totals.dropRatePct,
        h(
          'p',
          {
            class: 'sub',
            id: 'kpi-denominator',
            'data-drops': totals.drops,
            'data-sessions': totals.eligibleHumanSessions,
          },
          `${formatCount(totals.drops)} drops ÷ ${formatCount(totals.eligibleHumanSessions)} eligible human sessions`,
        ),
        targetState(totals.dropRatePct, target, enough),
      ),
      kpi(
        'kpi-meetings',
        'Meetings affected',
        `${formatCount(totals.meetingsAffected)} of ${formatCount(totals.meetings)}`,
        'meetingsAffected',
        totals.meetingsAffected,
        `${formatPct(totals.meetingsAffectedPct)} of the meetings analysed had at least one counted drop`,
      ),
      kpi(
        'kpi-attendees',
        'Attendees affected',
        `${formatCount(totals.participantMeetingsAffected)} of ${formatCount(totals.participantMeetings)}`,
        'participantMeetingsAffected',
        totals.participantMeetingsAffected,
        `${formatPct(totals.participantMeetingsAffectedPct)} of human participant-meetings (a person counts once per meeting)`,
      ),
      kpi(
        'kpi-lost',
        'Time lost',
        formatDuration(totals.lostSeconds),
        'lostSeconds',
        totals.lostSeconds,
        `Sum of counted gaps (${formatCount(Math.round(totals.lostSeconds))} s)`,
      ),
    );
  }
  const extras = h(
    'ul',
    { class: 'extras', 'aria-label': 'Other counts (whole tenant)' },
    h(
      'li',
      {},
      h('strong', {}, formatCount(totals.massEvents)),
      totals.massEvents === 1 ? ' mass event' : ' mass events',
      ' (kept out of the drop counts)',
    ),
    h(
      'li',
      {},
      h('strong', {}, formatCount(totals.possibleDrops)),
      totals.possibleDrops === 1 ? ' possible drop' : ' possible drops',
      ' (longer gaps, never counted)',
    ),
    h(
      'li',
      {},
      h('strong', {}, formatCount(totals.deviceSwitches)),
      totals.deviceSwitches === 1 ? ' drop' : ' drops',
      ' where the person came back on another device',
    ),
    h(
      'li',
      {},
      h('strong', {}, formatCount(totals.handoffs)),
      totals.handoffs === 1 ? ' device hand-off' : ' device hand-offs',
      ' (not drops)',
    ),
  );
  const note = h(
    'p',
    { class: 'note', id: 'target-note' },
    `The target line is ${target} % (change it in the filter bar). Microsoft's Call Quality Dashboard expects conferencing drop rates of about 1–3 % `,
    '(its targets: 2.0 % for internal, 3.0 % for all streams). Here a drop rate is counted drops ÷ eligible human sessions (bots, phones and rooms have their own denominators), ',
    "the analogue of CQD's dropped ÷ set-up streams; a rate is compared with the target only from ",
    h('strong', {}, `${minSessions} sessions`),
    ' up.',
  );
  return h('div', {}, h('div', { class: 'kpis' }, ...cards), extras, note);
}

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

function trendSection(ctx: ViewContext, rows: Ranking[], title: string, csvQuery: Query): HTMLElement {
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

interface RankingOptions {
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

function rankingSection(ctx: ViewContext, o: RankingOptions): HTMLElement {
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

function histogramSection(ctx: ViewContext, totals: TenantSummary, csvQuery: Query): HTMLElement {
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

function meetingLink(ctx: ViewContext, meetingId: string): HTMLElement {
  const next: DashboardState = { ...ctx.state, view: 'meeting' };
  const link = h('a', { href: ctx.href(next), id: 'open-meeting' }, 'Open the timeline of this meeting');
  link.addEventListener('click', (event) => {
    event.preventDefault();
    ctx.navigate(next);
  });
  return h('p', { class: 'note' }, `These numbers cover meeting ${meetingId} only. `, link);
}

export async function renderOverview(ctx: ViewContext): Promise<HTMLElement> {
  const { filters } = ctx.state;
  const period = periodQuery(filters);
  const focus = focusOf(filters);
  const focusQuery: Query = focus ? { [focus.dimension]: focus.key } : {};
  const rankingQuery = (groupBy: string): Query => ({ ...period, groupBy, limit: 1000 });

  const [day, sites, subnets, platforms, users] = await Promise.all([
    ctx.api.all<Ranking, SummaryResponse>(
      'summary',
      { ...period, ...focusQuery, groupBy: 'day', limit: 1000 },
      5,
      ctx.signal,
    ),
    ctx.api.all<Ranking, SummaryResponse>('summary', rankingQuery('site'), 5, ctx.signal),
    ctx.api.all<Ranking, SummaryResponse>('summary', rankingQuery('subnet'), 5, ctx.signal),
    ctx.api.all<Ranking, SummaryResponse>('summary', rankingQuery('platform'), 5, ctx.signal),
    ctx.api.all<Ranking, SummaryResponse>('summary', rankingQuery('user'), 5, ctx.signal),
  ]);
  const totals = day.first.totals;
  const minSessions = day.first.minSessions;
  ctx.knownKeys(
    'site',
    sites.items.map((r) => r.key),
  );
  ctx.knownKeys(
    'platform',
    platforms.items.map((r) => r.key),
  );

  // Names for the user ranking: the users report (users file, users learned at ingestion, names from Microsoft Graph).
  const names = new Map<string, string>();
  if (users.items.length > 0) {
    try {
      const known = await ctx.api.all<UserRow, ListResponse<UserRow>>('users', { limit: 1000 }, 3, ctx.signal);
      for (const u of known.items)
        if (u.displayName || u.email) names.set(u.uuid.toLowerCase(), u.displayName || u.email);
    } catch {
      // names are a convenience; keys still identify the users
    }
  }

  const focusNote = focus
    ? h(
        'p',
        { class: 'note focus-note', id: 'focus-note' },
        `Focused on ${focus.dimension} "${focus.key}": the headline and the trend count only its sessions and drops; the rankings and the gap histogram cover the whole tenant for the period.`,
        [filters.site, filters.platform, filters.user].filter(Boolean).length > 1
          ? ' Only the first of site, platform and user sets the focus.'
          : '',
      )
    : null;

  return h(
    'div',
    { class: 'overview' },
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'overview-title' },
      h(
        'div',
        { class: 'panel-head' },
        h(
          'h2',
          { id: 'overview-title' },
          `Overview: ${periodText(filters)}${filters.meeting ? `, meeting ${filters.meeting}` : ''}`,
        ),
        csvButton(ctx, 'Download CSV', 'summary', { ...period }, `summary-${fileStem(filters)}.csv`),
      ),
      focusNote,
      filters.meeting ? meetingLink(ctx, filters.meeting) : null,
      headline(ctx, totals, day.first.focus, minSessions),
    ),
    trendSection(ctx, day.items, focus ? `Drop rate by day, ${focus.dimension} ${focus.key}` : 'Drop rate by day', {
      ...period,
      ...focusQuery,
      groupBy: 'day',
    }),
    h(
      'section',
      { class: 'rankings', 'aria-labelledby': 'rankings-title' },
      h('h2', { id: 'rankings-title' }, 'Where drops cluster'),
      h(
        'p',
        { class: 'note' },
        `Worst first by drop rate, among keys with at least ${minSessions} sessions; the others are listed as not enough data rather than ranked. `,
        'Sessions: eligible human sessions, the denominator of the rate. Drops count under the site, subnet and platform of the session that was lost. ',
        "Subnets are the /24 (IPv6: /48) of the session's address. People: participant-meetings.",
      ),
      h(
        'div',
        { class: 'grid' },
        rankingSection(ctx, {
          dimension: 'site',
          title: 'Worst sites',
          keyHeader: 'Site',
          rows: sites.items,
          minSessions,
          focusKey: filters.site,
          csvQuery: { ...period, groupBy: 'site' },
        }),
        rankingSection(ctx, {
          dimension: 'subnet',
          title: 'Worst subnets',
          keyHeader: 'Subnet',
          rows: subnets.items,
          minSessions,
          csvQuery: { ...period, groupBy: 'subnet' },
        }),
        rankingSection(ctx, {
          dimension: 'platform',
          title: 'Worst client platforms',
          keyHeader: 'Platform',
          rows: platforms.items,
          minSessions,
          focusKey: filters.platform,
          csvQuery: { ...period, groupBy: 'platform' },
        }),
        rankingSection(ctx, {
          dimension: 'user',
          title: 'Worst users',
          keyHeader: 'User',
          rows: users.items,
          minSessions,
          focusKey: filters.user,
          label: (key) => names.get(key.toLowerCase()) ?? key,
          csvQuery: { ...period, groupBy: 'user' },
        }),
      ),
    ),
    histogramSection(ctx, totals, { ...period }),
  );
}
