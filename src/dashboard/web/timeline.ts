// The meeting timeline (SVG): one row per participant with their sessions as bars (colour = device),
// every disconnection marked at the moment the session was lost with its gap drawn to the re-join,
// device hand-offs, meeting-level mass events as shaded bands, and the meeting window.
import { s, h, scrollBox } from './dom.js';
import { clockMinute, clockTime, formatGap } from './format.js';
import type { AttendeeRow, DisconnectionRow, MeetingMassEvent, MeetingNote } from './types.js';

export interface TimelineInput {
  sessions: readonly AttendeeRow[];
  disconnections: readonly DisconnectionRow[];
  notes: readonly MeetingNote[];
  massEvents: readonly MeetingMassEvent[];
  /** Meeting instance window (epoch ms), when known. */
  start?: number;
  end?: number;
  onSelectDrop?: (index: number) => void;
}

const LABEL_WIDTH = 230;
const PLOT_WIDTH = 740;
const RIGHT_PAD = 24;
const AXIS_HEIGHT = 34;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 12;
const DEVICE_CLASSES = ['device-0', 'device-1', 'device-2', 'device-3'];

interface Participant {
  key: string;
  label: string;
  participantClass: string;
  sessions: AttendeeRow[];
  devices: string[];
}

function ms(iso: string): number {
  return Date.parse(iso);
}

function participantsOf(sessions: readonly AttendeeRow[]): Participant[] {
  const byKey = new Map<string, Participant>();
  for (const row of sessions) {
    let p = byKey.get(row.participantKey);
    if (p === undefined) {
      p = {
        key: row.participantKey,
        label: row.displayName || row.email || row.participantKey,
        participantClass: row.participantClass,
        sessions: [],
        devices: [],
      };
      byKey.set(row.participantKey, p);
    }
    p.sessions.push(row);
    if (!p.devices.includes(row.deviceKey)) p.devices.push(row.deviceKey);
  }
  return [...byKey.values()];
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A niceish tick step (ms) for a span. */
function tickStep(spanMs: number): number {
  const minutes = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440];
  for (const m of minutes) if (spanMs / (m * 60_000) <= 10) return m * 60_000;
  return 1440 * 60_000 * Math.ceil(spanMs / (1440 * 60_000 * 10));
}

export function dropDescription(d: DisconnectionRow): string {
  const what = d.kind === 'drop-device-switch' ? 'Drop, came back on another device' : 'Drop';
  const status = d.massEventId
    ? 'part of a mass event, not counted'
    : d.counted
      ? 'counted'
      : `${d.band} band, not counted`;
  const network = d.ipChanged ? `IP changed${d.siteChanged ? ' and site changed' : ''}` : 'same IP';
  return `${what}: ${d.displayName || d.email || d.participantKey} lost the session at ${clockTime(ms(d.leaveTime))} UTC, gap ${formatGap(d.gapSeconds)} (${d.band}), ${status}; ${network}`;
}

export function timeline(input: TimelineInput): HTMLElement {
  const participants = participantsOf(input.sessions);
  const times: number[] = [];
  for (const row of input.sessions) times.push(ms(row.joinTime), ms(row.leaveTime));
  for (const d of input.disconnections) times.push(ms(d.leaveTime), ms(d.rejoinTime));
  if (input.start !== undefined && Number.isFinite(input.start)) times.push(input.start);
  if (input.end !== undefined && Number.isFinite(input.end)) times.push(input.end);
  const finite = times.filter(Number.isFinite);
  const t0 = finite.length ? Math.min(...finite) : 0;
  const t1 = finite.length ? Math.max(...finite) : 1;
  const span = Math.max(60_000, t1 - t0);
  const x = (t: number): number => LABEL_WIDTH + ((t - t0) / span) * PLOT_WIDTH;
  const rowIndex = new Map(participants.map((p, i) => [p.key, i]));
  const rowY = (i: number): number => AXIS_HEIGHT + i * ROW_HEIGHT;
  const width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_PAD;
  const height = AXIS_HEIGHT + Math.max(1, participants.length) * ROW_HEIGHT + 8;
  const plotBottom = height - 8;

  const svg = s('svg', {
    class: 'timeline',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'group',
    'aria-label': `Timeline of ${participants.length} participants from ${clockMinute(t0)} to ${clockMinute(t1)} UTC; the table below lists every disconnection`,
  });

  // Zebra rows and participant labels.
  participants.forEach((p, i) => {
    const y = rowY(i);
    if (i % 2 === 1) svg.appendChild(s('rect', { class: 'row-band', x: 0, y, width, height: ROW_HEIGHT }));
    const label = s(
      'text',
      { class: `row-label class-${p.participantClass}`, x: 8, y: y + ROW_HEIGHT / 2 + 4 },
      shorten(p.label, 30),
    );
    label.appendChild(
      s(
        'title',
        {},
        `${p.label} (${p.participantClass}, ${p.devices.length} device${p.devices.length === 1 ? '' : 's'})`,
      ),
    );
    svg.appendChild(label);
  });

  // Time axis.
  const step = tickStep(span);
  const axis = s('g', { class: 'axis', 'aria-hidden': 'true' });
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    axis.appendChild(s('line', { x1: x(t), x2: x(t), y1: AXIS_HEIGHT - 6, y2: plotBottom, class: 'grid' }));
    axis.appendChild(s('text', { x: x(t), y: AXIS_HEIGHT - 12, 'text-anchor': 'middle' }, clockMinute(t)));
  }
  axis.appendChild(s('text', { x: 8, y: AXIS_HEIGHT - 12 }, 'UTC'));
  svg.appendChild(axis);

  // Meeting window.
  for (const [t, name] of [
    [input.start, 'start'],
    [input.end, 'end'],
  ] as const) {
    if (t === undefined || !Number.isFinite(t)) continue;
    svg.appendChild(
      s('line', { class: 'window', x1: x(t), x2: x(t), y1: AXIS_HEIGHT - 4, y2: plotBottom, 'data-window': name }),
    );
  }

  // Mass events behind the sessions.
  for (const m of input.massEvents) {
    const start = ms(m.start);
    const end = ms(m.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    const left = x(start);
    const band = s('rect', {
      class: 'mass-event',
      x: left - 3,
      y: AXIS_HEIGHT - 4,
      width: Math.max(6, x(end) - left + 6),
      height: plotBottom - AXIS_HEIGHT + 4,
      'data-mass-event': m.id,
    });
    band.appendChild(
      s(
        'title',
        {},
        `Mass event ${clockTime(start)}–${clockTime(end)} UTC: ${m.participants} participants left together${m.sites.length ? ` (sites: ${m.sites.join(', ')})` : ''}; not counted as individual drops`,
      ),
    );
    svg.appendChild(band);
  }

  // Sessions.
  for (const p of participants) {
    const y = rowY(rowIndex.get(p.key) ?? 0) + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    for (const row of p.sessions) {
      const join = ms(row.joinTime);
      const leave = ms(row.leaveTime);
      if (!Number.isFinite(join) || !Number.isFinite(leave)) continue;
      const device = DEVICE_CLASSES[p.devices.indexOf(row.deviceKey) % DEVICE_CLASSES.length] ?? 'device-0';
      const bar = s('rect', {
        class: `session ${device} class-${row.participantClass}`,
        x: x(join),
        y,
        width: Math.max(1.5, x(leave) - x(join)),
        height: BAR_HEIGHT,
        rx: 2,
        'data-participant': row.participantKey,
        'data-record': row.recordId,
      });
      bar.appendChild(
        s(
          'title',
          {},
          `${p.label}: ${clockTime(join)}–${clockTime(leave)} UTC on ${row.platform}${row.deviceInformation ? ` (${row.deviceInformation})` : ''}, ${row.clientIp || 'no IP'} at ${row.site}`,
        ),
      );
      svg.appendChild(bar);
    }
  }

  // Hand-offs.
  for (const note of input.notes) {
    if (note.kind !== 'device-handoff') continue;
    const i = rowIndex.get(note.participantKey);
    const time = ms(note.time);
    if (i === undefined || !Number.isFinite(time)) continue;
    const cy = rowY(i) + ROW_HEIGHT / 2;
    const mark = s('circle', {
      class: 'handoff',
      cx: x(time),
      cy,
      r: 6,
      'data-participant': note.participantKey,
      'data-time': note.time,
    });
    mark.appendChild(s('title', {}, `Device hand-off at ${clockTime(time)} UTC: ${note.reason}`));
    svg.appendChild(mark);
  }

  // Disconnections.
  input.disconnections.forEach((d, index) => {
    const i = rowIndex.get(d.participantKey);
    if (i === undefined) return;
    const cy = rowY(i) + ROW_HEIGHT / 2;
    const leave = ms(d.leaveTime);
    const rejoin = ms(d.rejoinTime);
    const status = d.massEventId ? 'mass' : d.counted ? 'counted' : 'uncounted';
    const group = s('g', {
      class: `drop ${status} ${d.kind}`,
      tabindex: 0,
      role: 'button',
      'aria-label': dropDescription(d),
      'data-index': index,
      'data-participant': d.participantKey,
      'data-leave': d.leaveTime,
      'data-gap': d.gapSeconds,
    });
    group.appendChild(s('title', {}, dropDescription(d)));
    if (Number.isFinite(rejoin) && rejoin > leave) {
      group.appendChild(s('line', { class: 'gap', x1: x(leave), x2: x(rejoin), y1: cy, y2: cy }));
    }
    const cx = x(leave);
    const shape =
      d.kind === 'drop-device-switch'
        ? s('path', { class: 'marker', d: `M${cx} ${cy - 8} L${cx + 7} ${cy} L${cx} ${cy + 8} L${cx - 7} ${cy} Z` })
        : s('path', { class: 'marker', d: `M${cx - 7} ${cy - 9} L${cx + 7} ${cy - 9} L${cx} ${cy + 3} Z` });
    group.appendChild(shape);
    const select = (): void => input.onSelectDrop?.(index);
    group.addEventListener('click', select);
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
      }
    });
    svg.appendChild(group);
  });

  const scroller = scrollBox('timeline-scroll', 'Timeline', svg);
  return h(
    'figure',
    { class: 'timeline-figure' },
    scroller,
    h(
      'figcaption',
      {},
      h(
        'ul',
        { class: 'legend', 'aria-label': 'Legend' },
        legendItem('legend-session', 'Session (colour = device)'),
        legendItem('legend-drop counted', 'Counted drop (gap drawn to the re-join)'),
        legendItem('legend-drop uncounted', 'Disconnection not counted (possible band)'),
        legendItem('legend-drop mass', 'Drop inside a mass event'),
        legendItem('legend-switch', 'Came back on another device'),
        legendItem('legend-handoff', 'Device hand-off (not a drop)'),
        legendItem('legend-mass', 'Mass event'),
        legendItem('legend-window', 'Meeting start / end'),
      ),
    ),
  );
}

function legendItem(symbolClass: string, text: string): HTMLLIElement {
  return h('li', {}, h('span', { class: `symbol ${symbolClass}`, 'aria-hidden': 'true' }), text);
}
