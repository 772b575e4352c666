// Listing windows for the Management Activity API: consecutive [start, end) ranges of at most 24 h,
// none starting more than 7 days back (less a safety margin), resuming a little before the last
// completed window so content listed late is not missed (content ids already fetched are skipped).

export const HOUR_MS = 3_600_000;
export const MAX_WINDOW_MS = 24 * HOUR_MS;
/** How far back the API lists content. */
export const RETENTION_MS = 7 * 24 * HOUR_MS;

export interface WindowPlanOptions {
  now: Date;
  /** End of the last window whose content was all fetched; undefined on the first run. */
  lastWindowEnd?: Date;
  /** Re-list this much before lastWindowEnd (default 1 h). */
  overlapMs?: number;
  /** How far back the first run starts (default, and at most: 7 days less the margin). */
  initialLookbackMs?: number;
  /** Kept between the oldest start and the 7-day limit, against clock skew (default 15 min). */
  safetyMarginMs?: number;
}

export interface ListingWindow {
  start: Date;
  end: Date;
}

export interface WindowPlan {
  windows: ListingWindow[];
  /** Set when the saved position is older than the API still lists: content in this range can no longer be collected. */
  gap?: { from: Date; to: Date };
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the form the API accepts. */
export function formatApiTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export function planWindows(options: WindowPlanOptions): WindowPlan {
  const overlap = options.overlapMs ?? HOUR_MS;
  const margin = options.safetyMarginMs ?? 15 * 60_000;
  const end = floorSecond(options.now.getTime());
  const earliest = floorSecond(end - RETENTION_MS + margin);
  let start: number;
  let gap: WindowPlan['gap'];
  if (options.lastWindowEnd === undefined) {
    start = Math.max(earliest, floorSecond(end - (options.initialLookbackMs ?? RETENTION_MS)));
  } else {
    const last = options.lastWindowEnd.getTime();
    if (last < earliest) gap = { from: new Date(last), to: new Date(earliest) };
    start = Math.max(earliest, floorSecond(Math.min(last, end) - overlap));
  }
  const windows: ListingWindow[] = [];
  for (let s = start; s < end; s += MAX_WINDOW_MS) {
    windows.push({ start: new Date(s), end: new Date(Math.min(end, s + MAX_WINDOW_MS)) });
  }
  return gap ? { windows, gap } : { windows };
}
