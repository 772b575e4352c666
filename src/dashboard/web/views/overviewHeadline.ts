// The overview's headline: drop rate against the target with its denominator, meetings and attendees
// affected and time lost, as KPI cards (for the tenant, or the focused site / platform / user).
import { h } from '../dom.js';
import { formatCount, formatDuration, formatPct } from '../format.js';
import type { SummaryFocus, TenantSummary } from '../types.js';
import type { ViewContext } from './context.js';

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

export function headline(
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
