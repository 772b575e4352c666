// Plain-text renderer: aligned tables and key/value blocks, with control characters made visible.
import type { CellValue, Column } from './csv.js';
// Types only: this module loads no other module at run time.
import type { MeetingRow } from '../meetings.js';
import type { AttendeeRow } from '../attendees.js';
import type { DisconnectionRow } from '../disconnections.js';
import type { GroupBy, SummaryReport } from '../summary.js';
import type { UserRow } from '../users.js';
import type { RecordRow } from '../records.js';
import type { UnknownClientRow } from '../unknownClients.js';

// C0 and C1 controls and DEL (terminal escape sequences), plus the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- control characters are what this pattern escapes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text safe to print on a terminal: control characters become `\uXXXX` (`\t`, `\n`, `\r` too). */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Display text of a cell: '' for missing values, `yes`/`no` for booleans. */
export function textCell(value: CellValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return visible(value);
}

/** Width in code points (what a monospaced terminal shows for most text). */
export function displayWidth(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // count lead surrogates and BMP characters, not trail surrogates
  }
  return n;
}

function padEndTo(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}

function padStartTo(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : ' '.repeat(width - w) + text;
}

export interface TextColumn<R> extends Column<R> {
  /** Right-align (numbers). */
  right?: boolean;
}

/**
 * An aligned table: a header line, a dashed rule, one line per row; columns separated by two
 * spaces; no trailing spaces. An empty row list prints the header and `(none)`.
 */
export function renderTable<R>(rows: readonly R[], columns: readonly TextColumn<R>[], indent = ''): string {
  const table = new TableText(columns, indent);
  for (const row of rows) table.measure(row);
  let text = '';
  for (const chunk of table.chunks(rows)) text += chunk;
  return text;
}

/**
 * renderTable in two passes, for rows too many to keep: measure() each row (the column widths
 * depend on every row), then chunks() of the same rows, in the same order, produced again.
 */
export class TableText<R> {
  private readonly widths: number[];
  private measured = 0;

  constructor(
    private readonly columns: readonly TextColumn<R>[],
    private readonly indent = '',
  ) {
    this.widths = columns.map((c) => displayWidth(c.header));
  }

  measure(row: R): void {
    for (let i = 0; i < this.columns.length; i++) {
      this.widths[i] = Math.max(this.widths[i]!, displayWidth(textCell(this.columns[i]!.value(row))));
    }
    this.measured++;
  }

  /** The table text of `rows` (the rows measured) in pieces of about `linesPerChunk` lines. */
  *chunks(rows: Iterable<R>, linesPerChunk = 2000): Generator<string> {
    const { columns, widths, indent } = this;
    const line = (values: readonly string[]): string =>
      indent +
      values
        .map((v, i) => {
          const last = i === values.length - 1;
          if (columns[i]!.right) return padStartTo(v, widths[i]!);
          return last ? v : padEndTo(v, widths[i]!);
        })
        .join('  ')
        .trimEnd();
    let out = [line(columns.map((c) => c.header)), indent + widths.map((w) => '-'.repeat(w)).join('  ')];
    if (this.measured === 0) out.push(indent + '(none)');
    for (const row of rows) {
      out.push(line(columns.map((c) => textCell(c.value(row)))));
      if (out.length >= linesPerChunk) {
        yield out.join('\n') + '\n';
        out = [];
      }
    }
    if (out.length > 0) yield out.join('\n') + '\n';
  }
}

/** `label: value` lines with the labels padded to one width. */
export function renderBlock(pairs: readonly (readonly [string, CellValue])[], indent = ''): string {
  const width = pairs.reduce((w, [label]) => Math.max(w, displayWidth(label)), 0);
  return (
    pairs
      .map(([label, value]) => `${indent}${padEndTo(label + ':', width + 1)} ${textCell(value)}`.trimEnd())
      .join('\n') + '\n'
  );
}

// ---------------------------------------------------------------------------------------------
// Per-report text layouts.

const MEETING_COLUMNS: readonly TextColumn<MeetingRow>[] = [
  { header: 'meeting', value: (r) => r.meetingId },
  { header: 'organizer', value: (r) => r.organizerEmail },
  { header: 'type', value: (r) => r.meetingType },
  { header: 'first join', value: (r) => r.firstJoin },
  { header: 'last leave', value: (r) => r.lastLeave },
  { header: 'attendees', value: (r) => r.attendees, right: true },
  { header: 'sessions', value: (r) => r.sessions, right: true },
  { header: 'humans', value: (r) => r.humans, right: true },
  { header: 'drops', value: (r) => r.drops, right: true },
  { header: 'lost s', value: (r) => r.lostSeconds, right: true },
];

export function renderMeetingsText(rows: readonly MeetingRow[]): string {
  return renderTable(rows, MEETING_COLUMNS);
}

export const ATTENDEE_TEXT_COLUMNS: readonly TextColumn<AttendeeRow>[] = [
  { header: 'meeting', value: (r) => r.meetingId },
  { header: 'participant', value: (r) => r.email || r.displayName || r.participantKey },
  { header: 'class', value: (r) => r.participantClass },
  { header: 'platform', value: (r) => r.platform },
  { header: 'join', value: (r) => r.joinTime },
  { header: 'leave', value: (r) => r.leaveTime },
  { header: 'ip', value: (r) => r.clientIp },
  { header: 'site', value: (r) => r.site },
  { header: 'device', value: (r) => r.deviceInformation },
];

export function renderAttendeesText(rows: readonly AttendeeRow[]): string {
  return renderTable(rows, ATTENDEE_TEXT_COLUMNS);
}

/** `hh:mm:ss` of an ISO time when it is on the same day as `reference`, else the full text. */
function shortTime(iso: string, reference: string): string {
  return iso.slice(0, 10) === reference.slice(0, 10) && iso.length >= 19 ? iso.slice(11, 19) : iso;
}

/**
 * Disconnections grouped by meeting:
 *   Meeting <id> (organizer <e-mail>): <n> disconnection(s)
 *     <participant> [<class>, <platform>]
 *       <leave> -> <rejoin>  gap <s> s  <band>, counted|not counted, <kind>
 *         <reason>
 * then one line of totals.
 */
export function renderDisconnectionsText(rows: readonly DisconnectionRow[], hiddenPossible = 0): string {
  let text = '';
  for (const chunk of disconnectionsTextChunks(rows, hiddenPossible)) text += chunk;
  return text;
}

/**
 * renderDisconnectionsText in pieces of about `linesPerChunk` lines, so that a very large report (or
 * one very large meeting) can be written out without first building it whole; the pieces joined are
 * exactly that text.
 */
export function* disconnectionsTextChunks(
  rows: readonly DisconnectionRow[],
  hiddenPossible = 0,
  linesPerChunk = 2000,
): Generator<string> {
  let out: string[] = [];
  let i = 0;
  while (i < rows.length) {
    const meetingId = rows[i]!.meetingId;
    let j = i;
    while (j < rows.length && rows[j]!.meetingId === meetingId) j++;
    const first = rows[i]!;
    const organizer = first.organizerEmail ? ` (organizer ${visible(first.organizerEmail)})` : '';
    out.push(`Meeting ${visible(meetingId)}${organizer}: ${j - i} disconnection${j - i === 1 ? '' : 's'}`);
    let participant: string | undefined;
    for (let k = i; k < j; k++) {
      const r = rows[k]!;
      if (r.participantKey !== participant) {
        participant = r.participantKey;
        const label = r.email || r.displayName || r.participantKey;
        const low = r.keyConfidence === 'low' ? ', key from display name' : '';
        out.push(`  ${visible(label)} [${r.participantClass}, ${r.platform}${low}]`);
      }
      const counted = r.counted ? 'counted' : 'not counted';
      const kind = r.kind === 'drop-device-switch' ? ', came back on another device' : '';
      const mass = r.massEventId ? `, mass event ${visible(r.massEventId)}` : '';
      out.push(
        `    ${r.leaveTime} -> ${shortTime(r.rejoinTime, r.leaveTime)}  gap ${r.gapSeconds} s  ${r.band}, ${counted}${kind}${mass}`,
      );
      out.push(`      ${visible(r.reason)}`);
      if (out.length >= linesPerChunk) {
        yield `${out.join('\n')}\n`;
        out = [];
      }
    }
    out.push('');
    i = j;
  }
  let counted = 0;
  const meetingIds = new Set<string>();
  for (const r of rows) {
    if (r.counted) counted++;
    meetingIds.add(r.meetingId);
  }
  const meetings = meetingIds.size;
  let total = `${rows.length} disconnection${rows.length === 1 ? '' : 's'} listed (${counted} counted) in ${meetings} meeting${meetings === 1 ? '' : 's'}`;
  if (hiddenPossible > 0) total += `; ${hiddenPossible} in the possible band not shown (--include possible)`;
  out.push(total);
  yield `${out.join('\n')}\n`;
}

const CLASS_COLUMNS: readonly TextColumn<
  [string, SummaryReport['totals']['byClass'][keyof SummaryReport['totals']['byClass']]]
>[] = [
  { header: 'class', value: ([cls]) => cls },
  { header: 'participants', value: ([, c]) => c.participants, right: true },
  { header: 'sessions', value: ([, c]) => c.sessions, right: true },
  { header: 'eligible', value: ([, c]) => c.eligibleSessions, right: true },
  { header: 'drops', value: ([, c]) => c.drops, right: true },
  { header: 'drop rate %', value: ([, c]) => c.dropRatePct.toFixed(2), right: true },
  { header: 'lost s', value: ([, c]) => c.lostSeconds, right: true },
];

type RankingEntry = NonNullable<SummaryReport['rankings'][GroupBy]>[number];
const rankingColumns = (dimension: GroupBy): readonly TextColumn<RankingEntry>[] => [
  { header: dimension, value: (r) => r.key },
  { header: 'eligible', value: (r) => r.eligibleSessions, right: true },
  { header: 'drops', value: (r) => r.drops, right: true },
  { header: 'drop rate %', value: (r) => (r.enoughData ? r.dropRatePct.toFixed(2) : 'n/a'), right: true },
  { header: 'lost s', value: (r) => r.lostSeconds, right: true },
  { header: 'participants', value: (r) => r.participants, right: true },
];

const pctText = (value: number): string => `${value.toFixed(1)}%`;

/**
 * Totals block, per-class table, gap histogram (with a bar of `#`), then each ranking present in
 * the report; `limit` rows per ranking (all when undefined).
 */
export function renderSummaryText(report: SummaryReport, limit?: number): string {
  const t = report.totals;
  const parts: string[] = [];
  parts.push(
    renderBlock([
      ['Meetings', `${t.meetings} (${t.meetingsAffected} with a counted drop, ${pctText(t.meetingsAffectedPct)})`],
      [
        'Participant-meetings',
        `${t.participantMeetings} human (${t.participantMeetingsAffected} affected, ${pctText(t.participantMeetingsAffectedPct)})`,
      ],
      ['Eligible sessions', `${t.eligibleHumanSessions} human`],
      ['Counted drops', `${t.drops} (drop rate ${t.dropRatePct.toFixed(2)}% of eligible human sessions)`],
      ['Time lost', `${t.lostSeconds} s`],
      ['Possible drops', `${t.possibleDrops} (not counted)`],
      ['Device switches', t.deviceSwitches],
      ['Device hand-offs', `${t.handoffs} (not drops)`],
      ['Mass events', t.massEvents],
    ]),
  );
  parts.push('By participant class\n' + renderTable(Object.entries(t.byClass), CLASS_COLUMNS, '  '));
  const max = t.gapHistogram.reduce((m, b) => Math.max(m, b.count), 0);
  const labelWidth = t.gapHistogram.reduce((w, b) => Math.max(w, displayWidth(b.label)), 0);
  const countWidth = String(max).length;
  const bars = t.gapHistogram.map((b) => {
    const bar = max === 0 ? '' : '#'.repeat(Math.round((b.count / max) * 40));
    return `  ${padEndTo(b.label, labelWidth)}  ${padStartTo(String(b.count), countWidth)}  ${bar}`.trimEnd();
  });
  parts.push('Re-join gaps of human participants (all bands)\n' + bars.join('\n') + '\n');
  for (const d of ['site', 'subnet', 'platform', 'user', 'day'] as const) {
    const ranking = report.rankings[d];
    if (ranking === undefined) continue;
    const shown = limit === undefined ? ranking : ranking.slice(0, limit);
    const more = ranking.length - shown.length;
    parts.push(
      `By ${d} (worst first; "n/a" below ${report.minSessions} eligible sessions)\n` +
        renderTable(shown, rankingColumns(d), '  ') +
        (more > 0 ? `  … ${more} more (--group-by ${d} shows all)\n` : ''),
    );
  }
  return parts.join('\n');
}

export function renderUsersText(rows: readonly UserRow[]): string {
  return renderTable(rows, [
    { header: 'uuid', value: (r) => r.uuid },
    { header: 'email', value: (r) => r.email },
    { header: 'origin', value: (r) => r.origin },
    { header: 'added', value: (r) => r.added },
  ]);
}

export function renderUnknownClientsText(rows: readonly UnknownClientRow[]): string {
  return renderTable(rows, [
    { header: 'field', value: (r) => r.field },
    { header: 'sessions', value: (r) => r.sessions, right: true },
    { header: 'value', value: (r) => r.value },
  ]);
}

/**
 * tala's display layout: `Line #n`, `CreationDate=`, `UserId=`, `Operation=`, `AuditData:`, the
 * fields as indented JSON, a blank line. A `File: <name>` line precedes the first record of
 * each file when `showFiles`. Control characters in values are written as JSON `\u` escapes.
 */
export function renderRecordsText(rows: readonly RecordRow[], showFiles: boolean): string {
  let text = '';
  let file: string | undefined;
  for (const r of rows) {
    text += recordText(r, showFiles && r.file !== file);
    file = r.file;
  }
  return text;
}

/** One record of renderRecordsText, with the `File:` line before it when `fileLine`. */
export function recordText(r: RecordRow, fileLine: boolean): string {
  const auditData = JSON.stringify(r.auditData, null, 2).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
  return `${fileLine ? `File: ${visible(r.file)}\n\n` : ''}Line #${r.line}\nCreationDate=${r.creationDate}\nUserId=${visible(r.userId)}\nOperation=${r.operation}\nAuditData:\n${auditData}\n\n`;
}
