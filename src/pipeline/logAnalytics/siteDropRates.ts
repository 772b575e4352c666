// Per-site drop rates over the last 7 days and the 4 weeks before, from the stored site contributions (the
// dailyaggregates table). Sent to Log Analytics every few hours because log search alert rules read at most two
// days of data: the alert compares these rows, not 35 days of meeting rows.
import type { Store } from '../../storage/store.js';
import { utcDay } from '../../storage/disconnectionsTable.js';

export const WEEK_DAYS = 7;
export const BASELINE_DAYS = 28;
const DAY_MS = 86_400_000;

export type SiteDropRateRow = Record<string, string | number | null>;

function rate(drops: number, eligible: number): number | null {
  return eligible > 0 ? drops / eligible : null;
}

/** One row per site seen in the 5 weeks up to and including the UTC day of `now`. */
export async function siteDropRateRows(store: Store, now: Date): Promise<SiteDropRateRow[]> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const weekStart = today - (WEEK_DAYS - 1) * DAY_MS;
  const baselineStart = weekStart - BASELINE_DAYS * DAY_MS;
  const weekFirstDay = utcDay(weekStart);
  const contributions = await store.aggregates.list('site', utcDay(baselineStart), utcDay(today));
  const sites = new Map<
    string,
    { meetings: Set<string>; eligible: number; drops: number; lost: number; baseEligible: number; baseDrops: number }
  >();
  for (const c of contributions) {
    let site = sites.get(c.key);
    if (site === undefined) {
      site = { meetings: new Set(), eligible: 0, drops: 0, lost: 0, baseEligible: 0, baseDrops: 0 };
      sites.set(c.key, site);
    }
    if (c.day >= weekFirstDay) {
      site.meetings.add(c.meetingId);
      site.eligible += c.eligibleSessions;
      site.drops += c.drops;
      site.lost += c.lostSeconds;
    } else {
      site.baseEligible += c.eligibleSessions;
      site.baseDrops += c.drops;
    }
  }
  const sentAt = now.toISOString();
  return [...sites.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, s]) => ({
      TimeGenerated: sentAt,
      Site: name,
      WeekStart: new Date(weekStart).toISOString(),
      WeekEnd: new Date(today + DAY_MS).toISOString(),
      Meetings: s.meetings.size,
      EligibleSessions: s.eligible,
      Drops: s.drops,
      DropRate: rate(s.drops, s.eligible),
      LostSeconds: Math.round(s.lost * 1000) / 1000,
      BaselineEligibleSessions: s.baseEligible,
      BaselineDrops: s.baseDrops,
      BaselineDropRate: rate(s.baseDrops, s.baseEligible),
    }));
}
