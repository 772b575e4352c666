// Summary report: tenant totals (TenantSummary), rankings by site/subnet/platform/user/day and the gap
// histogram, built from per-meeting analyses.
import {
  aggregate,
  contributions,
  PARTICIPANT_CLASSES,
  summarise,
  summariseMeeting,
  type Contribution,
  type Ranking,
  type TenantSummary,
} from '../analysis/metrics.js';
import type { ParticipantClass } from '../analysis/model.js';
import type { CellValue } from './render/csv.js';
import type { AnalysedMeeting } from './meetings.js';

export type GroupBy = Contribution['dimension'];
export const GROUP_BY_VALUES: readonly GroupBy[] = ['site', 'subnet', 'platform', 'user', 'day'];

export interface RankingRow extends Ranking {
  dimension: GroupBy;
}

export interface SummaryReport {
  totals: TenantSummary;
  /** Rankings per dimension (only the requested ones), worst first; keys below minSessions last. */
  rankings: Partial<Record<GroupBy, Ranking[]>>;
  /** The minimum-session threshold the rankings used. */
  minSessions: number;
}

export function summaryReport(
  items: Iterable<AnalysedMeeting>,
  minSessions: number,
  dimensions: readonly GroupBy[] = GROUP_BY_VALUES,
): SummaryReport {
  const summaries = [];
  const contribs: Contribution[] = [];
  for (const { meeting, analysis } of items) {
    summaries.push(summariseMeeting(analysis, meeting));
    for (const c of contributions(analysis)) contribs.push(c);
  }
  const rankings: Partial<Record<GroupBy, Ranking[]>> = {};
  for (const d of dimensions) rankings[d] = aggregate(contribs, d, minSessions);
  return { totals: summarise(summaries), rankings, minSessions };
}

/** Rankings flattened into rows with their dimension (the CSV form of `--group-by`). */
export function rankingRows(report: SummaryReport): RankingRow[] {
  const rows: RankingRow[] = [];
  for (const d of GROUP_BY_VALUES) for (const r of report.rankings[d] ?? []) rows.push({ dimension: d, ...r });
  return rows;
}

export const RANKING_FIELDS: readonly (keyof RankingRow)[] = [
  'dimension',
  'key',
  'eligibleSessions',
  'drops',
  'dropRatePct',
  'lostSeconds',
  'participants',
  'enoughData',
];

/** The totals as `metric,value` pairs (the CSV form without `--group-by`). */
export function totalsPairs(t: TenantSummary): Array<[string, CellValue]> {
  const pairs: Array<[string, CellValue]> = [
    ['meetings', t.meetings],
    ['meetingsAffected', t.meetingsAffected],
    ['meetingsAffectedPct', t.meetingsAffectedPct],
    ['participantMeetings', t.participantMeetings],
    ['participantMeetingsAffected', t.participantMeetingsAffected],
    ['participantMeetingsAffectedPct', t.participantMeetingsAffectedPct],
    ['eligibleHumanSessions', t.eligibleHumanSessions],
    ['drops', t.drops],
    ['dropRatePct', t.dropRatePct],
    ['lostSeconds', t.lostSeconds],
    ['massEvents', t.massEvents],
    ['possibleDrops', t.possibleDrops],
    ['deviceSwitches', t.deviceSwitches],
    ['handoffs', t.handoffs],
  ];
  for (const cls of PARTICIPANT_CLASSES as readonly ParticipantClass[]) {
    const c = t.byClass[cls];
    pairs.push(
      [`byClass.${cls}.participants`, c.participants],
      [`byClass.${cls}.sessions`, c.sessions],
      [`byClass.${cls}.eligibleSessions`, c.eligibleSessions],
      [`byClass.${cls}.drops`, c.drops],
      [`byClass.${cls}.affectedParticipants`, c.affectedParticipants],
      [`byClass.${cls}.lostSeconds`, c.lostSeconds],
      [`byClass.${cls}.dropRatePct`, c.dropRatePct],
    );
  }
  for (const b of t.gapHistogram) pairs.push([`gapHistogram.${b.label}`, b.count]);
  return pairs;
}
