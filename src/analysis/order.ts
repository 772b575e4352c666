// Orders and searches shared by the analysis: text order, the total order on sessions, a stable
// in-place sort and a binary search.
import type { ClassifiedSession } from './model.js';

/** Code-unit order (the same in every locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order on sessions: join, leave, record id, then the remaining identifying fields. */
export function compareSessions(a: ClassifiedSession, b: ClassifiedSession): number {
  return (
    a.session.joinTime - b.session.joinTime ||
    a.session.leaveTime - b.session.leaveTime ||
    compareText(a.session.recordId, b.session.recordId) ||
    compareText(a.participantKey, b.participantKey) ||
    compareText(a.deviceKey, b.deviceKey) ||
    compareText(a.ip, b.ip)
  );
}

/**
 * Stable in-place sort. Short arrays (most participants and meetings) use insertion sort, which
 * allocates nothing; Array.prototype.sort allocates its work arrays on every call.
 */
export function sortInPlace<T>(values: T[], compare: (a: T, b: T) => number): T[] {
  const n = values.length;
  if (n > 16) return values.sort(compare);
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && compare(values[j]!, v) > 0) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values;
}

/** First index whose value is ≥ x (or > x when `strict`) in an ascending array. */
export function lowerBound(values: number[], x: number, strict = false): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const v = values[mid] ?? Number.POSITIVE_INFINITY;
    if (v < x || (strict && v === x)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The element at `index`; throws when there is none (an internal error). */
export function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range`);
  return value;
}

/** The values grouped by key, groups and their members in first-seen order. */
export function groupBy<T>(values: Iterable<T>, keyOf: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const v of values) {
    const key = keyOf(v);
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  return groups;
}
