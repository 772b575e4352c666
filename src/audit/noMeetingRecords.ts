// The warning for an export that holds rows but no meeting record: the admin exported other
// activities. Shared by the CLI (per input file) and the blob ingestion (ledger warnings).
import type { ReadAccounting } from './records.js';

/** Purview's names of the two activities the analysis needs, with their Operation values. */
export const MEETING_ACTIVITIES = [
  { operation: 'MeetingParticipantDetail', activity: 'Added information about meeting participants' },
  { operation: 'MeetingDetail', activity: 'Added details about Teams meeting' },
] as const;

const SHOWN_OPERATIONS = 3;

/**
 * The warning text when rows were read but none is a meeting record (accepted or duplicate):
 * what the export holds (its most frequent operations) and which activities to export instead.
 * Undefined when the export holds meeting records, or no row at all (an empty input has its own message).
 */
export function noMeetingRecordsWarning(a: ReadAccounting): string | undefined {
  if (a.rowsRead === 0 || a.accepted + a.duplicates > 0 || a.skipped === 0) return undefined;
  const operations = Object.entries(a.skippedByOperation).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const shown = operations.slice(0, SHOWN_OPERATIONS).map(([op, n]) => `${op} (${n})`);
  if (operations.length > SHOWN_OPERATIONS) shown.push(`${operations.length - SHOWN_OPERATIONS} other operations`);
  const activities = MEETING_ACTIVITIES.map((m) => `"${m.activity}" (${m.operation})`).join(' and ');
  return (
    `no meeting records among its ${a.rowsRead} rows, so nothing can be analysed; it holds ${shown.join(', ')}. ` +
    `Export the audit activities ${activities} from the Purview audit search`
  );
}

/** The warning as a list (empty or one element), for a list of warnings. */
export function noMeetingRecordsWarnings(a: ReadAccounting): string[] {
  const warning = noMeetingRecordsWarning(a);
  return warning === undefined ? [] : [warning];
}
