// Overview: drop rate with its denominator against the target, meetings and attendees affected, time
// lost, the trend by day, the worst sites / subnets / platforms / users (with sample sizes; rows below
// the minimum shown as "not enough data"), and the re-join gap histogram. Every chart has its table.
import type { Query } from '../api.js';
import { h } from '../dom.js';
import type { DashboardState } from '../state.js';
import type { ListResponse, Ranking, SummaryResponse, UserRow } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';
import { trendSection } from './dropTrend.js';
import { histogramSection } from './gapHistogram.js';
import { headline } from './overviewHeadline.js';
import { fileStem, focusOf, periodQuery, periodText } from './reportFilters.js';
import { rankingSection } from './worstRankings.js';

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
