// The dashboard's state lives in the URL query (so a view can be shared and reloaded): the view, the
// filters and the target line. Nothing else: a `code` (function key) in the URL is not kept.

export type View = 'overview' | 'meetings' | 'meeting';

export interface Filters {
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, inclusive (the API reads a date-only `to` as the end of that day). */
  to?: string;
  site?: string;
  platform?: string;
  user?: string;
  meeting?: string;
}

export interface DashboardState {
  view: View;
  filters: Filters;
  /** Target drop rate in percent (the line on the charts). */
  target: number;
}

/** Microsoft CQD's overall drop-rate target for conferencing (its usual range is 1–3 %). */
export const DEFAULT_TARGET_PCT = 3;

export const FILTER_NAMES = ['from', 'to', 'site', 'platform', 'user', 'meeting'] as const satisfies ReadonlyArray<
  keyof Filters
>;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readState(search: string): DashboardState {
  const query = new URLSearchParams(search);
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = query.get(name)?.trim();
    if (!value) continue;
    if ((name === 'from' || name === 'to') && !DATE.test(value)) continue;
    filters[name] = value;
  }
  const requested = query.get('view');
  let view: View = requested === 'meetings' || requested === 'meeting' ? requested : 'overview';
  if (view === 'meeting' && filters.meeting === undefined) view = 'meetings';
  const targetText = query.get('target');
  const target = targetText === null || targetText.trim() === '' ? NaN : Number(targetText);
  return {
    view,
    filters,
    target: Number.isFinite(target) && target >= 0 && target <= 100 ? target : DEFAULT_TARGET_PCT,
  };
}

/** The query string of a state. */
export function writeState(state: DashboardState): string {
  const query = new URLSearchParams();
  if (state.view !== 'overview') query.set('view', state.view);
  for (const name of FILTER_NAMES) {
    const value = state.filters[name];
    if (value) query.set(name, value);
  }
  if (state.target !== DEFAULT_TARGET_PCT) query.set('target', String(state.target));
  const text = query.toString();
  return text === '' ? '?' : `?${text}`;
}
