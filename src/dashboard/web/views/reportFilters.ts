// The report query and the words and file names that follow from the filter bar's filters.
import type { Query } from '../api.js';
import type { Filters } from '../state.js';

export type FocusDimension = 'site' | 'platform' | 'user';

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

export function periodText(filters: Filters): string {
  if (filters.from && filters.to) return `${filters.from} to ${filters.to}`;
  if (filters.from) return `from ${filters.from}`;
  if (filters.to) return `up to ${filters.to}`;
  return 'all analysed meetings';
}

export function fileStem(filters: Filters): string {
  return [filters.from, filters.to].filter(Boolean).join('_') || 'all';
}
