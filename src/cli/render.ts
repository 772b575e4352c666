// Builds the chosen report's rows and renders them as text, CSV or JSON. Report modules are
// loaded on demand so a run loads only what its report needs. (The records report is written by
// RecordListing while the inputs are read.)
import type { DetectionParams } from '../analysis/model.js';
import type { SessionClassifier } from '../analysis/classify.js';
import type { AnalysedMeeting } from '../reports/meetings.js';
import type { DisconnectionFilter } from '../reports/disconnections.js';
import type { UsersDatabase, UsersLookup } from '../analysis/userDirectory.js';
import { userRows } from '../reports/users.js';
import type { AttendeeRow } from '../reports/attendees.js';
import type { GroupBy } from '../reports/summary.js';
import type { OutputFormat, ReportKind } from './options.js';
import type { ReportOutput } from './reportOutput.js';

type Csv = typeof import('../reports/render/csv.js');
type Text = typeof import('../reports/render/text.js');
type Json = typeof import('../reports/render/json.js');

const csv = (): Csv => require('../reports/render/csv.js') as Csv;
const text = (): Text => require('../reports/render/text.js') as Text;
const json = (): Json => require('../reports/render/json.js') as Json;

export type RenderRequest =
  | { report: 'users'; format: OutputFormat; users: UsersDatabase }
  | {
      report: Exclude<ReportKind, 'records' | 'users'>;
      format: OutputFormat;
      /**
       * The meetings with their analyses, in meeting order, analysed as the report reads them: once,
       * except by the attendees text table, which reads them twice.
       */
      analysed: Iterable<AnalysedMeeting>;
      classifier: SessionClassifier;
      params: DetectionParams;
      groupBy?: GroupBy;
      users?: UsersLookup;
      filter: DisconnectionFilter;
    };

function organizerOf({ meeting }: AnalysedMeeting): string {
  return meeting.detail?.organizerUpn || meeting.sessions[0]?.organizerUpn || '';
}

/**
 * Writes the report to `out`: like out.write(renderReport(req)), but the attendees report is
 * written meeting by meeting as each meeting is analysed (the text table analyses them twice: its
 * column widths depend on every row), and the text disconnections report in pieces. Every other
 * report needs all meetings' analyses at once (sorted rows, totals, or the classifier's tallies).
 */
export async function writeReport(req: RenderRequest, out: ReportOutput): Promise<void> {
  if (req.report === 'attendees') {
    await writeAttendees(req, out);
  } else if (req.report === 'disconnections' && req.format === 'text') {
    const d = require('../reports/disconnections.js') as typeof import('../reports/disconnections.js');
    const inputs = [...req.analysed].map((x) => ({ analysis: x.analysis, organizerEmail: organizerOf(x) }));
    const rows = d.disconnectionRows(inputs, req.filter, req.users);
    const hidden = req.filter.includePossible
      ? 0
      : d.countDisconnections(inputs, { ...req.filter, includePossible: true }) - rows.length;
    await out.writeAll(text().disconnectionsTextChunks(rows, hidden));
  } else {
    out.write(renderReport(req));
  }
  await out.end();
}

async function writeAttendees(req: Extract<RenderRequest, { analysed: unknown }>, out: ReportOutput): Promise<void> {
  const a = require('../reports/attendees.js') as typeof import('../reports/attendees.js');
  if (req.format === 'text') {
    // Two passes over the meetings (column widths, then lines) rather than keeping every row's cells.
    const rows = function* (): Generator<AttendeeRow> {
      for (const { analysis } of req.analysed) yield* a.meetingAttendeeRows(analysis, req.users);
    };
    const table = new (text().TableText)(text().ATTENDEE_TEXT_COLUMNS);
    for (const row of rows()) table.measure(row);
    await out.writeAll(table.chunks(rows()));
    return;
  }
  const { csvHeaderLine, csvLine } = csv();
  const { jsonArrayElement, jsonArrayEnd } = json();
  let n = 0;
  if (req.format === 'csv') out.write(csvHeaderLine(a.ATTENDEE_CSV_COLUMNS));
  for (const { analysis } of req.analysed) {
    for (const row of a.meetingAttendeeRows(analysis, req.users)) {
      out.write(req.format === 'csv' ? csvLine(row, a.ATTENDEE_CSV_COLUMNS) : jsonArrayElement(row, n));
      n++;
    }
    await out.drained();
  }
  if (req.format === 'json') out.write(jsonArrayEnd(n));
}

/** The whole report as one text. */
export function renderReport(req: RenderRequest): string {
  if (req.report === 'users') return renderUsers(req);
  const analysed = [...req.analysed];
  switch (req.report) {
    case 'meetings': {
      const m = require('../reports/meetings.js') as typeof import('../reports/meetings.js');
      const rows = m.meetingRows(analysed);
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, m.MEETING_CSV_COLUMNS);
      return text().renderMeetingsText(rows);
    }
    case 'attendees': {
      const a = require('../reports/attendees.js') as typeof import('../reports/attendees.js');
      const rows = a.attendeeRows(
        analysed.map((x) => x.analysis),
        req.users,
      );
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, a.ATTENDEE_CSV_COLUMNS);
      return text().renderAttendeesText(rows);
    }
    case 'disconnections': {
      const d = require('../reports/disconnections.js') as typeof import('../reports/disconnections.js');
      const inputs = analysed.map((x) => ({ analysis: x.analysis, organizerEmail: organizerOf(x) }));
      const rows = d.disconnectionRows(inputs, req.filter, req.users);
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, d.DISCONNECTION_CSV_COLUMNS);
      const hidden = req.filter.includePossible
        ? 0
        : d.countDisconnections(inputs, { ...req.filter, includePossible: true }) - rows.length;
      return text().renderDisconnectionsText(rows, hidden);
    }
    case 'summary': {
      const s = require('../reports/summary.js') as typeof import('../reports/summary.js');
      const report = s.summaryReport(analysed, req.params.minSessions, req.groupBy ? [req.groupBy] : s.GROUP_BY_VALUES);
      if (req.format === 'json') return json().renderJson(report);
      if (req.format === 'csv') {
        if (req.groupBy) return csv().renderCsv(s.rankingRows(report), csv().fieldColumns(s.RANKING_FIELDS));
        return csv().renderCsv(s.totalsPairs(report.totals), [
          { header: 'metric', value: (p) => p[0] },
          { header: 'value', value: (p) => p[1] },
        ]);
      }
      return text().renderSummaryText(report, req.groupBy ? undefined : 10);
    }
    case 'unknown-clients': {
      const u = require('../reports/unknownClients.js') as typeof import('../reports/unknownClients.js');
      const rows = u.unknownClientRows(req.classifier.unknownStrings());
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, csv().fieldColumns(['field', 'value', 'sessions']));
      return text().renderUnknownClientsText(rows);
    }
  }
}

function renderUsers(req: Extract<RenderRequest, { report: 'users' }>): string {
  const rows = userRows(req.users);
  if (req.format === 'json') return json().renderJson(rows);
  if (req.format === 'csv') return csv().renderCsv(rows, csv().fieldColumns(['uuid', 'email', 'origin', 'added']));
  return text().renderUsersText(rows);
}
