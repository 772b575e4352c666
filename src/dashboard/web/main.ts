// Dashboard entry: reads the state from the URL, keeps the filter form and the URL in step (history
// entries per change, back/forward re-render), and renders the chosen view from the report API.
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { Api, ApiFailure } from './api.js';
import { h } from './dom.js';
import { signedIn, signInMode, startSignIn } from './signIn.js';
import { DEFAULT_TARGET_PCT, FILTER_NAMES, readState, writeState, type DashboardState, type Filters } from './state.js';
import type { ViewContext } from './views/context.js';
import { renderMeeting } from './views/meeting.js';
import { renderMeetings } from './views/meetings.js';
import { renderOverview } from './views/overview.js';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
}

const apiBase = document.querySelector<HTMLMetaElement>('meta[name="dashboard-api"]')?.content || '/api';
const signIn = signInMode();
const api = new Api(apiBase, signIn);
const main = byId<HTMLElement>('main');
const form = byId<HTMLFormElement>('filters');
const statusLine = byId<HTMLElement>('status');
const targetInput = byId<HTMLInputElement>('f-target');
const known = { site: new Set<string>(), platform: new Set<string>() };
let current: AbortController | undefined;
let renderCount = 0;

function href(state: DashboardState): string {
  return `${location.pathname}${writeState(state)}`;
}

function status(message: string): void {
  statusLine.textContent = message;
}

function fillForm(state: DashboardState): void {
  for (const name of FILTER_NAMES) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (!field) continue;
    const value = state.filters[name] ?? '';
    if (field instanceof HTMLSelectElement && value !== '' && ![...field.options].some((o) => o.value === value)) {
      field.appendChild(h('option', { value }, value));
    }
    field.value = value;
  }
  targetInput.value = String(state.target);
}

function formState(view: DashboardState['view']): DashboardState {
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    const value = field?.value.trim();
    if (value) filters[name] = value;
  }
  const target = Number(targetInput.value);
  const nextView = view === 'meeting' && !filters.meeting ? 'meetings' : view;
  return {
    view: nextView,
    filters,
    target:
      targetInput.value.trim() !== '' && Number.isFinite(target) && target >= 0 && target <= 100
        ? target
        : DEFAULT_TARGET_PCT,
  };
}

function knownKeys(kind: 'site' | 'platform', keys: readonly string[]): void {
  const set = known[kind];
  const before = set.size;
  for (const k of keys) if (k) set.add(k);
  if (set.size === before) return;
  const sorted = [...set].sort((a, b) => a.localeCompare(b));
  if (kind === 'site') {
    byId('sites').replaceChildren(...sorted.map((s) => h('option', { value: s })));
  } else {
    const select = byId<HTMLSelectElement>('f-platform');
    const value = select.value;
    select.replaceChildren(h('option', { value: '' }, 'any'), ...sorted.map((p) => h('option', { value: p }, p)));
    if (value && !set.has(value)) select.appendChild(h('option', { value }, value));
    select.value = value;
  }
}

function updateNav(state: DashboardState): void {
  const overview = byId<HTMLAnchorElement>('nav-overview');
  const meetings = byId<HTMLAnchorElement>('nav-meetings');
  const home = byId<HTMLAnchorElement>('home-link');
  overview.href = href({ ...state, view: 'overview' });
  meetings.href = href({ ...state, view: 'meetings' });
  home.href = href({ view: 'overview', filters: {}, target: state.target });
  for (const [link, view] of [
    [overview, 'overview'],
    [meetings, 'meetings'],
  ] as const) {
    const active = state.view === view || (view === 'meetings' && state.view === 'meeting');
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

const TITLES: Record<DashboardState['view'], string> = {
  overview: 'Overview',
  meetings: 'Meetings',
  meeting: 'Meeting',
};

async function render(state: DashboardState, moveFocus: boolean): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const run = ++renderCount;
  fillForm(state);
  updateNav(state);
  document.title = `${TITLES[state.view]} – Teams disconnections`;
  main.setAttribute('aria-busy', 'true');
  document.body.dataset['state'] = 'loading';
  status('Loading…');
  const ctx: ViewContext = { api, state, main, signal: controller.signal, href, navigate, status, knownKeys };
  try {
    const content =
      state.view === 'meeting' && state.filters.meeting
        ? await renderMeeting(ctx, state.filters.meeting)
        : state.view === 'meetings'
          ? await renderMeetings(ctx)
          : await renderOverview(ctx);
    if (run !== renderCount) return;
    signedIn();
    main.replaceChildren(content);
    status(`${TITLES[state.view]} updated.`);
    document.body.dataset['state'] = 'ready';
  } catch (error) {
    if (controller.signal.aborted || run !== renderCount) return;
    if (signIn === 'entra' && error instanceof ApiFailure && error.needsSignIn && startSignIn()) {
      status('Signing in…');
      document.body.dataset['state'] = 'signing-in';
      return;
    }
    const message = error instanceof ApiFailure || error instanceof Error ? error.message : String(error);
    main.replaceChildren(
      h(
        'div',
        { class: 'error', role: 'alert', id: 'error' },
        h('h2', {}, 'The dashboard could not load this view'),
        h('p', {}, message),
      ),
    );
    status('Failed to load.');
    document.body.dataset['state'] = 'error';
  } finally {
    if (run === renderCount) main.removeAttribute('aria-busy');
  }
  if (moveFocus) main.focus();
}

function navigate(state: DashboardState): void {
  history.pushState(null, '', href(state));
  void render(state, true);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(formState(readState(location.search).view));
});
byId<HTMLButtonElement>('f-reset').addEventListener('click', () => {
  navigate({ view: 'overview', filters: {}, target: DEFAULT_TARGET_PCT });
});
for (const id of ['nav-overview', 'nav-meetings', 'home-link']) {
  byId<HTMLAnchorElement>(id).addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const target = readState(new URL((event.currentTarget as HTMLAnchorElement).href).search);
    navigate(target);
  });
}
window.addEventListener('popstate', () => void render(readState(location.search), false));

// A key in the address bar (an old `?code=` link) is dropped from this history entry and from every link.
if (new URLSearchParams(location.search).has('code')) history.replaceState(null, '', href(readState(location.search)));
void render(readState(location.search), false);
