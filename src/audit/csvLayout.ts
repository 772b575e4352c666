// CSV exports: the header variants (Purview, PowerShell, Sentinel, other), column lookup by name,
// row conversion, and the message for a header that is not an audit export's.
import {
  MEETING_OPERATION,
  PARTICIPANT_OPERATION,
  StringPool,
  describeJsonError,
  rejected,
  toAuditItem,
  type FieldNamer,
} from './auditData.js';
import type { CsvSeparator } from './csvTokenizer.js';
import { ExportReadError } from './exportReadError.js';
import type { CsvHeaderVariant, ExportItem, SourceRef } from './records.js';

const PURVIEW_V1 = ['CreationDate', 'UserIds', 'Operations', 'AuditData'];
const PURVIEW_V2 = ['CreationDate', 'UserId', 'Operation', 'AuditData'];
const PURVIEW_V3 = [
  'RecordId',
  'CreationDate',
  'RecordType',
  'Operation',
  'UserId',
  'AuditData',
  'AssociatedAdminUnits',
  'AssociatedAdminUnitsNames',
];
/** Properties of Search-UnifiedAuditLog output objects that no portal export has. */
const POWERSHELL_ONLY = [
  'ResultIndex',
  'ResultCount',
  'Identity',
  'IsValid',
  'ObjectState',
  'RunspaceId',
  'PSComputerName',
];

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

const SEPARATOR_NAMES: Record<CsvSeparator, string> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' };

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

function auditDataLayout(
  names: readonly string[],
  variant: CsvHeaderVariant,
  pooled: boolean,
  separator: CsvSeparator,
): CsvLayout {
  const auditIndex = indexOfName(names, 'AuditData');
  const idIndex = Math.max(indexOfName(names, 'RecordId'), indexOfName(names, 'Identity'));
  const columnCount = names.length;
  const pool = pooled ? new StringPool() : undefined;
  const recordIdOf = (row: string[]): string | undefined => {
    const id = idIndex < 0 ? undefined : row[idIndex];
    return id !== undefined && GUID.test(id) ? id : undefined;
  };
  const shapeNote = (row: string[]): string =>
    row.length === columnCount
      ? ''
      : ` (this row has ${row.length} fields but the header has ${columnCount}: check for a stray quote or an unquoted ${SEPARATOR_NAMES[separator].slice(0, -1)})`;
  return {
    variant,
    columnsUsed: idIndex < 0 ? [auditIndex] : [auditIndex, idIndex],
    toItem(row, source) {
      const auditText = row[auditIndex];
      if (auditText === undefined || auditText === '') {
        return rejected(
          source,
          'AuditData',
          `the AuditData cell is ${auditText === undefined ? 'missing' : 'empty'}${shapeNote(row)}`,
          recordIdOf(row),
        );
      }
      let data: unknown;
      try {
        data = JSON.parse(auditText);
      } catch (e) {
        return rejected(
          source,
          'AuditData',
          `AuditData cannot be read: ${describeJsonError(e, auditText.length)}${shapeNote(row)}`,
          recordIdOf(row),
        );
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
      if (!operation)
        return rejected(source, 'Operation', 'the Operation cell is empty, so the kind of record is unknown');
      if (operation !== PARTICIPANT_OPERATION && operation !== MEETING_OPERATION)
        return { type: 'skipped', source, operation };
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
 * The layout the header row calls for, or undefined when it is not an audit export's header.
 * `pooled` (default true): repeated values of the rows share one string (see StringPool); `separator`
 * (default `,`) is named in the note on a row whose field count differs from the header's.
 */
export function findCsvLayout(
  header: readonly string[],
  hadTypeLine: boolean,
  pooled = true,
  separator: CsvSeparator = ',',
): CsvLayout | undefined {
  const names = cleanNames(header);
  if (indexOfName(names, 'AuditData') >= 0) {
    const variant: CsvHeaderVariant =
      hadTypeLine || POWERSHELL_ONLY.some((n) => names.includes(n))
        ? 'powershell'
        : sameColumns(names, PURVIEW_V1)
          ? 'purview-v1'
          : sameColumns(names, PURVIEW_V2)
            ? 'purview-v2'
            : sameColumns(names, PURVIEW_V3)
              ? 'purview-v3'
              : 'other';
    return auditDataLayout(names, variant, pooled, separator);
  }
  if (names.includes('Operation') && (names.includes('OfficeId') || names.includes('OfficeWorkload'))) {
    return sentinelLayout(names, pooled);
  }
  return undefined;
}

function cleanNames(header: readonly string[]): string[] {
  return header.map((h) => h.replace(/^\uFEFF/, '').trim());
}

/**
 * The error for a header row that is not an audit export's: what was expected, and the columns found
 * with the separator that split them (`separator` undefined: none of `,` `;` TAB split the row).
 */
export function unrecognisedHeader(
  header: readonly string[],
  file: string,
  separator: CsvSeparator | undefined,
): ExportReadError {
  const names = cleanNames(header);
  const flattened = names.some((n) => n.toLowerCase().startsWith('auditdata.'));
  const split =
    separator === undefined ? 'no comma, semicolon or tab between them' : `separated by ${SEPARATOR_NAMES[separator]}`;
  return new ExportReadError(
    file,
    'not a recognised audit export: expected a CSV with an AuditData column (Purview or Search-UnifiedAuditLog export) ' +
      'or a Sentinel OfficeActivity export (columns Operation and OfficeId). ' +
      (flattened
        ? 'AuditData was expanded into separate columns (Power Query?); export the raw AuditData column instead. '
        : '') +
      `Columns found: ${describeColumns(names)} (${split}).`,
  );
}

/** Chooses the layout from a comma-separated header row; throws ExportReadError when the file is not an audit export. */
export function csvLayout(header: readonly string[], file: string, hadTypeLine: boolean, pooled = true): CsvLayout {
  const layout = findCsvLayout(header, hadTypeLine, pooled);
  if (layout === undefined) throw unrecognisedHeader(header, file, header.length > 1 ? ',' : undefined);
  return layout;
}

/** True when the CSV has exactly as many rows as a known export cap, so it was probably cut off. */
export function truncationWarning(variant: CsvHeaderVariant, rows: number): string | undefined {
  if (variant === 'powershell') {
    if (rows === 5_000 || rows === 10_000 || rows === 50_000) {
      return (
        `exactly ${rows.toLocaleString('en-US')} rows: Search-UnifiedAuditLog stops at 5,000, 10,000 or 50,000 results ` +
        'depending on the paging used, so this output is probably incomplete; search a shorter time range or page through all results'
      );
    }
    return undefined;
  }
  if (variant !== 'sentinel' && rows === 50_000) {
    return (
      'exactly 50,000 rows: a Purview audit export stops at 50,000 rows, so this export is probably truncated; ' +
      'export a narrower date range'
    );
  }
  return undefined;
}
