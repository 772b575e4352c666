// Meetings: the meetings report for the period (newest pages on demand), each linking to its timeline.
import { h, scrollBox, table } from '../dom.js';
import { formatCount, formatDuration, formatTime } from '../format.js';
import type { DashboardState } from '../state.js';
import type { ListResponse, MeetingRow } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';
import { periodQuery } from './reportFilters.js';

const PAGE = 100;

export async function renderMeetings(ctx: ViewContext): Promise<HTMLElement> {
  const query = { ...periodQuery(ctx.state.filters), limit: PAGE };
  const first = await ctx.api.json<ListResponse<MeetingRow>>('meetings', query, ctx.signal);
  const rows: MeetingRow[] = [...first.items];
  let token = first.continuationToken;

  const columns = [
    {
      header: 'Meeting start (UTC)',
      rowHeader: true,
      cell: (r: MeetingRow) => {
        const next: DashboardState = {
          ...ctx.state,
          view: 'meeting',
          filters: { ...ctx.state.filters, meeting: r.meetingId },
        };
        const link = h(
          'a',
          { href: ctx.href(next), 'data-meeting': r.meetingId },
          formatTime(r.start || r.firstJoin) || r.meetingId,
        );
        link.addEventListener('click', (event) => {
          event.preventDefault();
          ctx.navigate(next);
        });
        return link;
      },
    },
    { header: 'Organiser', cell: (r: MeetingRow) => r.organizerName || r.organizerEmail || r.organizerId },
    { header: 'Attendees', cell: (r: MeetingRow) => formatCount(r.attendees), numeric: true },
    { header: 'Sessions', cell: (r: MeetingRow) => formatCount(r.sessions), numeric: true },
    { header: 'Drops', cell: (r: MeetingRow) => formatCount(r.drops), numeric: true },
    { header: 'People affected', cell: (r: MeetingRow) => formatCount(r.affectedParticipants), numeric: true },
    { header: 'Time lost', cell: (r: MeetingRow) => formatDuration(r.lostSeconds), numeric: true },
    { header: 'Mass events', cell: (r: MeetingRow) => formatCount(r.massEvents), numeric: true },
  ];
  const holder = scrollBox('table-scroll', 'Meetings (table)');
  const more = h('button', { type: 'button', class: 'secondary' }, 'Load more meetings');
  const render = (): void => {
    holder.replaceChildren(
      table(`Meetings, ${formatCount(rows.length)} shown`, columns, rows, {
        id: 'meetings-table',
        rowClass: (r) => (r.drops > 0 ? 'has-drops' : undefined),
      }),
    );
    more.hidden = !token;
  };
  const loadMore = async (): Promise<void> => {
    if (!token) return;
    more.disabled = true;
    try {
      const next = await ctx.api.json<ListResponse<MeetingRow>>('meetings', { ...query, continuationToken: token });
      rows.push(...next.items);
      token = next.continuationToken;
      render();
      ctx.status(`${formatCount(rows.length)} meetings shown.`);
    } catch (error) {
      ctx.status(`Could not load more meetings: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      more.disabled = false;
    }
  };
  // loadMore() never rejects: a failure is shown in the status line.
  more.addEventListener('click', () => void loadMore());
  render();

  const csv = csvButton(ctx, 'Download CSV', 'meetings', periodQuery(ctx.state.filters), 'meetings.csv');

  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'meetings-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'meetings-title' }, 'Meetings'), csv),
    h(
      'p',
      { class: 'note' },
      "Analysed meetings of the period in start order. Open one to see every participant's sessions and drops on a timeline.",
    ),
    holder,
    more,
  );
}
