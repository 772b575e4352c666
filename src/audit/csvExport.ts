// CSV exports: header variants (Purview, PowerShell, Sentinel, other), column lookup by name, row conversion.
import type { Parser } from 'csv-parse';
import {
  MEETING_OPERATION, PARTICIPANT_OPERATION, StringPool, describeJsonError, rejected, toAuditItem, type FieldNamer,
} from './auditData.js';
import { CsvTokenizer, type CsvRecordDelimiter, type CsvStructureError } from './csvTokenizer.js';
import { ExportReadError } from './exportReadError.js';
import type { CsvHeaderVariant, ExportItem, SourceRef } from './records.js';

/** A CSV record larger than this (bytes) means broken quoting; reading stops there. */
export const MAX_CSV_RECORD_BYTES = 8 * 1024 * 1024;

const PURVIEW_V1 = ['CreationDate', 'UserIds', 'Operations', 'AuditData'];
const PURVIEW_V2 = ['CreationDate', 'UserId', 'Operation', 'AuditData'];
const PURVIEW_V3 = ['RecordId', 'CreationDate', 'RecordType', 'Operation', 'UserId', 'AuditData',
  'AssociatedAdminUnits', 'AssociatedAdminUnitsNames'];
/** Properties of Search-UnifiedAuditLog output objects that no portal export has. */
const POWERSHELL_ONLY = ['ResultIndex', 'ResultCount', 'Identity', 'IsValid', 'ObjectState', 'RunspaceId', 'PSComputerName'];

/** Sentinel OfficeActivity columns mapped to AuditData keys (first column found wins). */
const SENTINEL_COLUMNS: ReadonlyArray<readonly [auditKey: string, columns: readonly string[]]> = [
  ['Operation', ['Operation']],
  ['Id', ['OfficeId', 'SourceRecordId']],
  ['Workload', ['OfficeWorkload']],
  ['RecordType', ['RecordType']],
  ['CreationTime', ['TimeGenerated [UTC]', 'TimeGenerated']],
  ['UserId', ['UserId']],
  ['UserKey', ['UserKey']],
  ['OrganizationId', ['OrganizationId']],
  ['ClientIP', ['ClientIP']],
  ['MeetingDetailId', ['MeetingDetailId']],
  ['Attendees', ['Attendees']],
  ['JoinTime', ['JoinTime [UTC]', 'JoinTime']],
  ['LeaveTime', ['LeaveTime [UTC]', 'LeaveTime']],
  ['DeviceInformation', ['DeviceInformation']],
  ['DeviceId', ['DeviceId']],
  ['ExtraProperties', ['ExtraProperties']],
  ['IsJoinedFromLobby', ['IsJoinedFromLobby']],
  ['ItemName', ['ItemName']],
  ['ChatThreadId', ['ChatThreadId']],
  ['CommunicationType', ['CommunicationType']],
  ['CommunicationSubType', ['CommunicationSubType']],
  ['StartTime', ['StartTime [UTC]', 'StartTime']],
  ['EndTime', ['EndTime [UTC]', 'EndTime']],
  ['MeetingURL', ['MeetingURL', 'MeetingUrl']],
];

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const PERSONAL_LOOKING = /@|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|::/;

/** Converts one data row (fields as strings) into an export item; repeated values share one string per layout. */
export interface CsvLayout {
  variant: CsvHeaderVariant;
  /** The columns toItem reads (the others need not be decoded). */
  columnsUsed: readonly number[];
  toItem(row: string[], source: SourceRef): ExportItem;
}

function sameColumns(names: readonly string[], expected: readonly string[]): boolean {
  return names.length === expected.length && expected.every((n) => names.includes(n));
}

function indexOfName(names: readonly string[], name: string): number {
  const wanted = name.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === wanted);
}

/** The header for an error message: personal-looking names withheld, long names and lists cut. */
function describeColumns(names: readonly string[]): string {
  if (names.length === 0 || (names.length === 1 && names[0] === '')) return '(none)';
  const shown = names.slice(0, 15).map((n) => {
    if (PERSONAL_LOOKING.test(n)) return '(withheld)';
    return JSON.stringify(n.length > 40 ? `${n.slice(0, 40)}…` : n);
  });
  return `${shown.join(', ')}${names.length > 15 ? `, … (${names.length} columns)` : ''}`;
}

function auditDataLayout(names: readonly string[], variant: CsvHeaderVariant, pooled: boolean): CsvLayout {
  const auditIndex = indexOfName(names, 'AuditData');
  const idIndex = Math.max(indexOfName(names, 'RecordId'), indexOfName(names, 'Identity'));
  const columnCount = names.length;
  const pool = pooled ? new StringPool() : undefined;
  const recordIdOf = (row: string[]): string | undefined => {
    const id = idIndex < 0 ? undefined : row[idIndex];
    return id !== undefined && GUID.test(id) ? id : undefined;
  };
  const shapeNote = (row: string[]): string => (row.length === columnCount ? ''
    : ` (this row has ${row.length} fields but the header has ${columnCount}: check for a stray quote or an unquoted comma)`);
  return {
    variant,
    columnsUsed: idIndex < 0 ? [auditIndex] : [auditIndex, idIndex],
    toItem(row, source) {
      const auditText = row[auditIndex];
      if (auditText === undefined || auditText === '') {
        return rejected(source, 'AuditData', `the AuditData cell is ${auditText === undefined ? 'missing' : 'empty'}${shapeNote(row)}`,
          recordIdOf(row));
      }
      let data: unknown;
      try {
        data = JSON.parse(auditText);
      } catch (e) {
        return rejected(source, 'AuditData', `AuditData cannot be read: ${describeJsonError(e, auditText.length)}${shapeNote(row)}`,
          recordIdOf(row));
      }
      return toAuditItem(data, source, undefined, pool);
    },
  };
}

function sentinelLayout(names: readonly string[], pooled: boolean): CsvLayout {
  const mapped: Array<[string, number]> = [];
  const columnOf = new Map<string, string>();
  for (const [key, candidates] of SENTINEL_COLUMNS) {
    for (const column of candidates) {
      const i = names.indexOf(column);
      if (i >= 0) {
        mapped.push([key, i]);
        columnOf.set(key, column);
        break;
      }
    }
  }
  const operationIndex = names.indexOf('Operation');
  const field: FieldNamer = (key) => columnOf.get(key) ?? key;
  const pool = pooled ? new StringPool() : undefined;
  return {
    variant: 'sentinel',
    columnsUsed: [operationIndex, ...mapped.map(([, i]) => i)],
    toItem(row, source) {
      const operation = row[operationIndex];
      if (!operation) return rejected(source, 'Operation', 'the Operation cell is empty, so the kind of record is unknown');
      if (operation !== PARTICIPANT_OPERATION && operation !== MEETING_OPERATION) return { type: 'skipped', source, operation };
      const data: Record<string, string> = {};
      for (const [key, i] of mapped) {
        const cell = row[i];
        if (cell !== undefined && cell !== '') data[key] = cell;
      }
      return toAuditItem(data, source, field, pool);
    },
  };
}

/**
 * Chooses the layout from the header row; throws ExportReadError when the file is not an audit export.
 * `pooled` (default true): repeated values of the rows share one string (see StringPool).
 */
export function csvLayout(header: readonly string[], file: string, hadTypeLine: boolean, pooled = true): CsvLayout {
  const names = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  if (indexOfName(names, 'AuditData') >= 0) {
    const variant: CsvHeaderVariant = hadTypeLine || POWERSHELL_ONLY.some((n) => names.includes(n)) ? 'powershell'
      : sameColumns(names, PURVIEW_V1) ? 'purview-v1'
        : sameColumns(names, PURVIEW_V2) ? 'purview-v2'
          : sameColumns(names, PURVIEW_V3) ? 'purview-v3'
            : 'other';
    return auditDataLayout(names, variant, pooled);
  }
  if (names.includes('Operation') && (names.includes('OfficeId') || names.includes('OfficeWorkload'))) {
    return sentinelLayout(names, pooled);
  }
  const flattened = names.some((n) => n.toLowerCase().startsWith('auditdata.'));
  throw new ExportReadError(file,
    'not a recognised audit export: expected a CSV with an AuditData column (Purview or Search-UnifiedAuditLog export) '
    + 'or a Sentinel OfficeActivity export (columns Operation and OfficeId). '
    + (flattened ? 'AuditData was expanded into separate columns (Power Query?); export the raw AuditData column instead. ' : '')
    + `Columns found: ${describeColumns(names)}.`);
}

/** True when the CSV has exactly as many rows as a known export cap, so it was probably cut off. */
export function truncationWarning(variant: CsvHeaderVariant, rows: number): string | undefined {
  if (variant === 'powershell') {
    if (rows === 5_000 || rows === 10_000 || rows === 50_000) {
      return `exactly ${rows.toLocaleString('en-US')} rows: Search-UnifiedAuditLog stops at 5,000, 10,000 or 50,000 results `
        + 'depending on the paging used, so this output is probably incomplete; search a shorter time range or page through all results';
    }
    return undefined;
  }
  if (variant !== 'sentinel' && rows === 50_000) {
    return 'exactly 50,000 rows: a Purview audit export stops at 50,000 rows, so this export is probably truncated; '
      + 'export a narrower date range';
  }
  return undefined;
}

function structureFailure(error: CsvStructureError): string {
  const code = error.code;
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted field opened in this row is never closed, so this row and the rest of the file cannot be read; '
      + 'look for a stray double quote';
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return `this row is longer than ${MAX_CSV_RECORD_BYTES / 1024 / 1024} MiB, which means a stray double quote merged many rows; `
      + 'reading stopped here';
  }
  return `the CSV structure is broken here (${String(code)}); reading stopped here`;
}

/** csv-parse options that read a CSV as CsvTokenizer does (the parallel reader reads the header with them). */
export function csvParserOptions(recordDelimiter?: CsvRecordDelimiter): ConstructorParameters<typeof Parser>[0] {
  return {
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    ...(recordDelimiter !== undefined ? { record_delimiter: recordDelimiter } : {}),
  };
}

export type { CsvRecordDelimiter } from './csvTokenizer.js';

/**
 * How to read a byte range that starts after the header (the parallel reader): the layout chosen from
 * the header, the record delimiter csv-parse found there, and the rows before the range (line numbers).
 */
export interface CsvContinuation {
  layout: CsvLayout;
  recordDelimiter: CsvRecordDelimiter;
  /** Data rows before the range; the range's first row is row rowsBefore + 1. */
  rowsBefore: number;
  /** Rows at the start of the range that are counted but not converted (already delivered). */
  skipRows: number;
  /**
   * True when the range ends at a guessed record boundary rather than at the end of the file: a quoted
   * field still open there is not an error; endedInsideQuotes() says the guess was wrong.
   */
  endsAtGuessedBoundary: boolean;
}

/**
 * Streams CSV bytes through CsvTokenizer. Rows come back as arrays (cheapest); the header picks the layout
 * (or a CsvContinuation gives it). Row numbers count CSV data records (header = 0), as tala does.
 */
export class CsvExportReader {
  private readonly tokenizer: CsvTokenizer;
  /** Items of rows converted since the last drain (rows are converted as they are tokenized, so the
   *  row's strings, above all the large AuditData text, die young instead of waiting for the chunk's end). */
  private itemsPending: ExportItem[] = [];
  /** The header could not be used (thrown from write(), outside the tokenizer's callback). */
  private headerError: unknown;
  private layout: CsvLayout | undefined;
  private rowNumber: number;
  private readonly skipUntil: number;
  private stoppedFlag = false;
  private endedInQuotes = false;
  private readonly guessedEnd: boolean;
  private readonly onRowBound = (row: string[]): void => this.onRow(row);

  constructor(private readonly file: string, private readonly hadTypeLine: boolean, continuation?: CsvContinuation) {
    this.tokenizer = new CsvTokenizer({
      maxRecordBytes: MAX_CSV_RECORD_BYTES,
      ...(continuation !== undefined ? { recordDelimiter: continuation.recordDelimiter } : {}),
    });
    this.layout = continuation?.layout;
    if (this.layout !== undefined) this.tokenizer.keepOnly(this.layout.columnsUsed);
    this.rowNumber = continuation?.rowsBefore ?? 0;
    this.skipUntil = this.rowNumber + (continuation?.skipRows ?? 0);
    this.guessedEnd = continuation?.endsAtGuessedBoundary ?? false;
  }

  get rows(): number { return this.rowNumber; }
  get variant(): CsvHeaderVariant | undefined { return this.layout?.variant; }
  /** True once the CSV structure broke; later input is ignored. */
  get stopped(): boolean { return this.stoppedFlag; }
  /** With endsAtGuessedBoundary: the input ended inside a quoted field, so the range end is not a record boundary. */
  get endedInsideQuotes(): boolean { return this.endedInQuotes; }

  /** Feeds bytes; appends the items of the rows completed so far to `out`. */
  write(chunk: Buffer, out: ExportItem[]): void {
    if (this.stoppedFlag) return;
    this.tokenizer.write(chunk, this.onRowBound);
    this.drain(out, false);
  }

  /** Flushes the last row; appends its items to `out`. */
  async end(out: ExportItem[]): Promise<void> {
    if (!this.stoppedFlag) {
      this.tokenizer.end(this.onRowBound);
      this.drain(out, true);
    }
    if (this.layout === undefined) {
      throw new ExportReadError(this.file, 'the CSV has no header row');
    }
  }

  private onRow(row: string[]): void {
    if (this.stoppedFlag || this.headerError !== undefined) return;
    const layout = this.layout;
    if (layout === undefined) {
      try {
        this.layout = csvLayout(row, this.file, this.hadTypeLine);
        this.tokenizer.keepOnly(this.layout.columnsUsed);
      } catch (e) {
        this.headerError = e;
      }
      return;
    }
    const line = ++this.rowNumber;
    if (line > this.skipUntil) this.itemsPending.push(layout.toItem(row, { file: this.file, line }));
  }

  private drain(out: ExportItem[], ended: boolean): void {
    if (this.headerError !== undefined) {
      this.stoppedFlag = true;
      throw this.headerError;
    }
    const items = this.itemsPending;
    if (items.length > 0) {
      this.itemsPending = [];
      for (const item of items) out.push(item);
    }
    const error = this.tokenizer.errored;
    if (error !== null && !this.stoppedFlag) {
      if (ended && this.guessedEnd && error.code === 'CSV_QUOTE_NOT_CLOSED') {
        this.endedInQuotes = true;
        return;
      }
      this.stoppedFlag = true;
      if (this.layout === undefined) {
        throw new ExportReadError(this.file, `the CSV header cannot be read: ${structureFailure(error)}`);
      }
      this.rowNumber++;
      out.push(rejected({ file: this.file, line: this.rowNumber }, 'CSV', structureFailure(error)));
    }
  }
}
