// What every view gets: the API client, the state from the URL, where to render, and how to move on.
import type { Api } from '../api.js';
import type { DashboardState } from '../state.js';

export interface ViewContext {
  api: Api;
  state: DashboardState;
  main: HTMLElement;
  signal: AbortSignal;
  /** Link to another state (keeps the function key). */
  href(state: DashboardState): string;
  navigate(state: DashboardState): void;
  /** Polite status line (loading, errors). */
  status(message: string): void;
  /** Called with the site and platform names the data holds (for the filter pickers). */
  knownKeys(kind: 'site' | 'platform', keys: readonly string[]): void;
}
