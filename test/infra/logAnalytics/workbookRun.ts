// Runs the workbook's parts on sample rows as the workbook would: rows sent within the part's time context, the
// parameters substituted ({TimeRange:start}/{TimeRange:end} as ISO 8601, the others as given), the query (preamble
// included) evaluated by the test-side evaluator.
import { LOG_TABLES } from '../../../src/pipeline/logAnalytics/tables.js';
import { evaluateKql, tableFromJson, toJson, type KqlTable } from './kqlEvaluator.js';
import { substituteParameters, type WorkbookPart } from './workbookLayout.js';

export interface PartResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export interface WorkbookSettings {
  /** When the workbook is opened. */
  now: Date;
  /** The TimeRange parameter (milliseconds before now). */
  timeRangeMs: number;
  minSessions: number;
  /** The meeting selected in the meetings grid, if any. */
  meetingId?: string;
}

/** The Log Analytics tables holding these rows, reduced to what a query of the workbook reads. */
export function workspaceTables(
  rows: Record<string, Array<Record<string, unknown>>>,
  now: Date,
  timeRangeMs: number,
): Record<string, KqlTable> {
  const from = now.getTime() - timeRangeMs;
  const tables: Record<string, KqlTable> = {};
  for (const t of Object.values(LOG_TABLES)) {
    const sent = (rows[t.table] ?? []).filter((r) => {
      const at = Date.parse(String(r['TimeGenerated']));
      return at >= from && at <= now.getTime();
    });
    tables[t.table] = tableFromJson(sent, t.columns);
  }
  return tables;
}

export function parameterValues(settings: WorkbookSettings): Record<string, string> {
  return {
    'TimeRange:start': new Date(settings.now.getTime() - settings.timeRangeMs).toISOString(),
    'TimeRange:end': settings.now.toISOString(),
    MinSessions: String(settings.minSessions),
    MeetingId: settings.meetingId ?? '',
  };
}

export function runPart(
  part: WorkbookPart,
  rows: Record<string, Array<Record<string, unknown>>>,
  settings: WorkbookSettings,
  query = part.query,
): PartResult {
  const tables = workspaceTables(rows, settings.now, part.timeRangeMs);
  const result = evaluateKql(substituteParameters(query, parameterValues(settings)), tables, settings.now);
  return {
    columns: result.columns,
    rows: result.rows.map((r) => Object.fromEntries(result.columns.map((c) => [c, toJson(r[c] ?? null)]))),
  };
}
