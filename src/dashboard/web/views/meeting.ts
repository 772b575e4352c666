// One meeting: its numbers, the timeline of every participant's sessions with drops, hand-offs and mass
// events marked, and the evidence of each disconnection (gap, IP and site before and after).
import { h, scrollBox, table } from '../dom.js';
import { formatCount, formatDuration, formatGap, formatTime } from '../format.js';
import { timeline } from '../timeline.js';
import type { AttendeeRow, DisconnectionRow, MeetingMassEvent, MeetingResponse } from '../types.js';
import type { ViewContext } from './context.js';
import { csvButton } from './csvButton.js';

/** Mass events as the API gives them, else rebuilt from the drops that carry a mass-event id. */
export function massEventsOf(response: MeetingResponse): MeetingMassEvent[] {
  if (response.massEvents) return response.massEvents;
  const byId = new Map<string, DisconnectionRow[]>();
  for (const d of response.disconnections) {
    if (!d.massEventId) continue;
    byId.set(d.massEventId, [...(byId.get(d.massEventId) ?? []), d]);
  }
  return [...byId].map(([id, drops]) => {
    const leaves = drops.map((d) => d.leaveTime).sort();
    return {
      id,
      start: leaves[0] ?? '',
      end: leaves[leaves.length - 1] ?? '',
      participants: new Set(drops.map((d) => d.participantKey)).size,
      sites: [...new Set(drops.map((d) => d.siteBefore))].sort(),
    };
  });
}

/** A meeting id as a file-name part. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 80);
}

/** A participant's name, e-mail, or (for a bare object id) its first characters with the whole id as a tooltip. */
function participantLabel(name: string, key: string): HTMLElement {
  const text = name || (/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(key) ? `${key.slice(0, 8)}…` : key);
  return h('span', { title: key }, text);
}

/** ISO UTC → HH:MM:SS, the full time as a tooltip (the meeting's date is in its facts). */
function clock(iso: string): HTMLElement {
  return h('time', { datetime: iso, title: formatTime(iso) }, formatTime(iso).slice(11));
}

function evidenceTable(disconnections: readonly DisconnectionRow[]): HTMLTableElement {
  const who = (d: DisconnectionRow): HTMLElement => participantLabel(d.displayName || d.email, d.participantKey);
  const changed = (before: string, after: string, flag: boolean): HTMLElement =>
    h(
      'span',
      { class: flag ? 'changed' : undefined },
      before || '–',
      ' → ',
      after || '–',
      flag ? h('span', { class: 'tag' }, 'changed') : null,
    );
  const element = table(
    'Evidence of each disconnection',
    [
      { header: '#', cell: (d: DisconnectionRow & { n: number }) => String(d.n), numeric: true },
      { header: 'Participant', cell: (d) => who(d), rowHeader: true },
      {
        header: 'Verdict',
        cell: (d) =>
          d.massEventId ? 'mass event (not counted)' : d.counted ? 'counted drop' : `${d.band} (not counted)`,
      },
      {
        header: 'Kind',
        cell: (d) =>
          d.kind === 'drop-device-switch' ? `came back on ${d.rejoinPlatform || 'another device'}` : 'same device',
      },
      { header: 'Lost at (UTC)', cell: (d) => clock(d.leaveTime) },
      { header: 'Re-joined (UTC)', cell: (d) => clock(d.rejoinTime) },
      { header: 'Gap', cell: (d) => `${formatGap(d.gapSeconds)} (${d.band})`, numeric: true },
      { header: 'IP before → after', cell: (d) => changed(d.ipBefore, d.ipAfter, d.ipChanged) },
      { header: 'Site before → after', cell: (d) => changed(d.siteBefore, d.siteAfter, d.siteChanged) },
      { header: 'Platform', cell: (d) => d.platform },
      { header: 'Why', cell: (d) => d.reason },
    ],
    disconnections.map((d, i) => ({ ...d, n: i + 1 })),
    { id: 'evidence-table' },
  );
  // Rows can be focused from the timeline.
  element.querySelectorAll('tbody tr').forEach((tr, i) => {
    if (i < disconnections.length) {
      tr.setAttribute('id', `drop-${i}`);
      tr.setAttribute('tabindex', '-1');
    }
  });
  return element;
}

function sessionsTable(sessions: readonly AttendeeRow[]): HTMLTableElement {
  return table(
    'Sessions',
    [
      {
        header: 'Participant',
        cell: (r: AttendeeRow) => participantLabel(r.displayName || r.email, r.participantKey),
        rowHeader: true,
      },
      { header: 'Class', cell: (r) => r.participantClass },
      { header: 'Platform', cell: (r) => r.platform },
      { header: 'Device', cell: (r) => r.deviceInformation || r.deviceKey },
      { header: 'Joined (UTC)', cell: (r) => clock(r.joinTime) },
      { header: 'Left (UTC)', cell: (r) => clock(r.leaveTime) },
      { header: 'Duration', cell: (r) => formatDuration(r.durationSeconds), numeric: true },
      { header: 'IP', cell: (r) => r.clientIp },
      { header: 'Site', cell: (r) => r.site },
    ],
    sessions,
    { id: 'sessions-table' },
  );
}

/** The meeting with its events, and every page of its sessions and disconnections joined (at most 100,000 sessions). */
async function wholeMeeting(ctx: ViewContext, meetingId: string): Promise<MeetingResponse> {
  const path = `meetings/${encodeURIComponent(meetingId)}`;
  const query = { include: 'all', limit: 1000 };
  const first = await ctx.api.json<MeetingResponse>(path, query, ctx.signal);
  let token = first.continuationToken ?? null;
  for (let pages = 1; token && pages < 100; pages++) {
    const next = await ctx.api.json<MeetingResponse>(path, { ...query, continuationToken: token }, ctx.signal);
    first.sessions.push(...next.sessions);
    first.disconnections.push(...next.disconnections);
    token = next.continuationToken ?? null;
  }
  return first;
}

export async function renderMeeting(ctx: ViewContext, meetingId: string): Promise<HTMLElement> {
  const response = await wholeMeeting(ctx, meetingId);
  const row = response.meeting;
  const summary = response.summary;
  const massEvents = massEventsOf(response);
  const notes = response.notes ?? [];
  const handoffs = notes.filter((n) => n.kind === 'device-handoff').length;
  const counted = response.disconnections.filter((d) => d.counted).length;
  const evidence = evidenceTable(response.disconnections);

  const select = (index: number): void => {
    const target = evidence.querySelector<HTMLElement>(`#drop-${index}`);
    if (!target) return;
    evidence.querySelectorAll('tr.selected').forEach((tr) => tr.classList.remove('selected'));
    target.classList.add('selected');
    target.scrollIntoView({ block: 'center' });
    target.focus();
  };

  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Organiser'),
    h('dd', {}, row?.organizerName || row?.organizerEmail || row?.organizerId || '–'),
    h('dt', {}, 'Start – end (UTC)'),
    h('dd', {}, row ? `${formatTime(row.start || row.firstJoin)} – ${formatTime(row.end || row.lastLeave)}` : '–'),
    h('dt', {}, 'Attendees'),
    h(
      'dd',
      { id: 'meeting-attendees' },
      formatCount(row?.attendees ?? new Set(response.sessions.map((s) => s.participantKey)).size),
    ),
    h('dt', {}, 'Sessions'),
    h('dd', {}, formatCount(response.sessions.length)),
    h('dt', {}, 'Counted drops'),
    h('dd', { id: 'meeting-drops', 'data-value': counted }, formatCount(counted)),
    h('dt', {}, 'All disconnections'),
    h(
      'dd',
      { id: 'meeting-disconnections', 'data-value': response.disconnections.length },
      formatCount(response.disconnections.length),
    ),
    h('dt', {}, 'Time lost'),
    h('dd', {}, formatDuration(row?.lostSeconds ?? 0)),
    h('dt', {}, 'Mass events'),
    h('dd', {}, formatCount(massEvents.length)),
    h('dt', {}, 'Device hand-offs'),
    h(
      'dd',
      {},
      response.notes
        ? formatCount(handoffs)
        : `${formatCount(summary?.handoffs ?? 0)} (not placed: the API did not list them)`,
    ),
  );

  const warnings: HTMLElement[] = [];
  if (response.pendingAnalysis)
    warnings.push(
      h(
        'p',
        { class: 'warning' },
        'New records arrived for this meeting; the next analysis run will update these results.',
      ),
    );
  if (!summary)
    warnings.push(
      h('p', { class: 'warning' }, 'This meeting has not been analysed yet: sessions are shown, drops are not.'),
    );

  return h(
    'div',
    { class: 'meeting' },
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'meeting-title' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'meeting-title' }, 'Meeting ', h('span', { class: 'mono' }, meetingId)),
        h(
          'div',
          { class: 'buttons' },
          csvButton(ctx, 'Sessions CSV', 'attendees', { meeting: meetingId }, `sessions-${safeName(meetingId)}.csv`),
          csvButton(
            ctx,
            'Disconnections CSV',
            'disconnections',
            { meeting: meetingId, band: 'all' },
            `disconnections-${safeName(meetingId)}.csv`,
          ),
        ),
      ),
      ...warnings,
      facts,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, 'Timeline'),
      h(
        'p',
        { class: 'note' },
        'Each row is a participant; bars are their sessions. Select a drop marker (or Tab to it and press Enter) to see its evidence below.',
      ),
      timeline({
        sessions: response.sessions,
        disconnections: response.disconnections,
        notes,
        massEvents,
        start: summary?.start,
        end: summary?.end,
        onSelectDrop: select,
      }),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'evidence-title' },
      h('h2', { id: 'evidence-title' }, 'Disconnections and their evidence'),
      scrollBox('table-scroll', 'Disconnections and their evidence (table)', evidence),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'sessions-title' },
      h(
        'details',
        {},
        h('summary', { id: 'sessions-title' }, `All ${formatCount(response.sessions.length)} sessions`),
        scrollBox('table-scroll', 'Sessions (table)', sessionsTable(response.sessions)),
      ),
    ),
  );
}
