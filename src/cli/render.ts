// Builds the chosen report's rows and renders them as text, CSV or JSON. Report modules are
// loaded on demand so a run loads only what its report needs.
import type { AuditRecord } from '../audit/records.js';
import type { DetectionParams } from '../analysis/model.js';
import type { SessionClassifier } from '../analysis/classify.js';
import type { AnalysedMeeting } from '../reports/meetings.js';
import type { DisconnectionFilter } from '../reports/disconnections.js';
import type { UsersDatabase, UsersLookup } from '../reports/users.js';
import type { GroupBy } from '../reports/summary.js';
import type { OutputFormat, ReportKind } from './options.js';

type Csv = typeof import('../reports/render/csv.js');
type Text = typeof import('../reports/render/text.js');
type Json = typeof import('../reports/render/json.js');

const csv = (): Csv => require('../reports/render/csv.js') as Csv;
const text = (): Text => require('../reports/render/text.js') as Text;
const json = (): Json => require('../reports/render/json.js') as Json;

export type RenderRequest =
  | { report: 'records'; format: OutputFormat; records: readonly AuditRecord[]; showFiles: boolean }
  | { report: 'users'; format: OutputFormat; users: UsersDatabase }
  | {
      report: Exclude<ReportKind, 'records' | 'users'>;
      format: OutputFormat;
      analysed: readonly AnalysedMeeting[];
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
 * Writes the report through `write`: like write(renderReport(req)), but the text disconnections
 * report (the one that can be very long) is written in pieces instead of being built whole first.
 */
export function writeReport(req: RenderRequest, write: (text: string) => void): void {
  if (req.report === 'disconnections' && req.format === 'text') {
    const d = require('../reports/disconnections.js') as typeof import('../reports/disconnections.js');
    const inputs = req.analysed.map((x) => ({ analysis: x.analysis, organizerEmail: organizerOf(x) }));
    const rows = d.disconnectionRows(inputs, req.filter, req.users);
    const hidden = req.filter.includePossible ? 0 : d.countDisconnections(inputs, { ...req.filter, includePossible: true }) - rows.length;
    for (const chunk of text().disconnectionsTextChunks(rows, hidden)) write(chunk);
    return;
  }
  write(renderReport(req));
}

export function renderReport(req: RenderRequest): string {
  switch (req.report) {
    case 'records': {
      const { recordRows } = require('../reports/records.js') as typeof import('../reports/records.js');
      const rows = recordRows(req.records);
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') {
        return csv().renderCsv(rows, [
          { header: 'file', value: (r) => r.file },
          { header: 'line', value: (r) => r.line },
          { header: 'creationDate', value: (r) => r.creationDate },
          { header: 'userId', value: (r) => r.userId },
          { header: 'operation', value: (r) => r.operation },
          { header: 'auditData', value: (r) => JSON.stringify(r.auditData) },
        ]);
      }
      return text().renderRecordsText(rows, req.showFiles);
    }
    case 'users': {
      const rows = req.users.rows();
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, csv().fieldColumns(['uuid', 'email', 'origin', 'added']));
      return text().renderUsersText(rows);
    }
    case 'meetings': {
      const m = require('../reports/meetings.js') as typeof import('../reports/meetings.js');
      const rows = m.meetingRows(req.analysed);
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, m.MEETING_CSV_COLUMNS);
      return text().renderMeetingsText(rows);
    }
    case 'attendees': {
      const a = require('../reports/attendees.js') as typeof import('../reports/attendees.js');
      const rows = a.attendeeRows(
        req.analysed.map((x) => x.analysis),
        req.users,
      );
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, a.ATTENDEE_CSV_COLUMNS);
      return text().renderAttendeesText(rows);
    }
    case 'disconnections': {
      const d = require('../reports/disconnections.js') as typeof import('../reports/disconnections.js');
      const inputs = req.analysed.map((x) => ({ analysis: x.analysis, organizerEmail: organizerOf(x) }));
      const rows = d.disconnectionRows(inputs, req.filter, req.users);
      if (req.format === 'json') return json().renderJson(rows);
      if (req.format === 'csv') return csv().renderCsv(rows, d.DISCONNECTION_CSV_COLUMNS);
      const hidden = req.filter.includePossible ? 0 : d.countDisconnections(inputs, { ...req.filter, includePossible: true }) - rows.length;
      return text().renderDisconnectionsText(rows, hidden);
    }
    case 'summary': {
      const s = require('../reports/summary.js') as typeof import('../reports/summary.js');
      const report = s.summaryReport(req.analysed, req.params.minSessions, req.groupBy ? [req.groupBy] : s.GROUP_BY_VALUES);
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
