// CSV renderer for report rows: RFC 4180 quoting, CRLF line ends, spreadsheet-formula neutralisation.

/** A report column: its header (the row's JSON field name) and how to read the cell. */
export interface Column<R> {
  header: string;
  value: (row: R) => CellValue;
}

export type CellValue = string | number | boolean | null | undefined;

/** Line terminator of every CSV line we write (RFC 4180 §2.1), including the last. */
export const CSV_EOL = '\r\n';

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A text cell that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`,
 * TAB or CR) gets a leading `'`. Plain numbers such as `-5` or `+1.5e3` are left alone.
 */
export function neutraliseFormula(text: string): string {
  if (text.length === 0 || !FORMULA_START.test(text)) return text;
  if (PLAIN_NUMBER.test(text)) return text;
  return `'${text}`;
}

/** One cell: formula neutralisation, then quoting when it holds a comma, quote, CR or LF. */
export function csvCell(value: CellValue): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'number') {
    text = Number.isFinite(value) ? String(value) : '';
  } else if (typeof value === 'boolean') {
    text = value ? 'true' : 'false';
  } else {
    text = neutraliseFormula(value);
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line, ended by CRLF. */
export function csvHeaderLine<R>(columns: readonly Column<R>[]): string {
  return columns.map((c) => csvCell(c.header)).join(',') + CSV_EOL;
}

/** One row's line, ended by CRLF. */
export function csvLine<R>(row: R, columns: readonly Column<R>[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(columns[i]!.value(row));
  }
  return line + CSV_EOL;
}

/** Header line plus one line per row, each ended by CRLF. */
export function renderCsv<R>(rows: Iterable<R>, columns: readonly Column<R>[]): string {
  const parts: string[] = [csvHeaderLine(columns)];
  for (const row of rows) parts.push(csvLine(row, columns));
  return parts.join('');
}

/** Columns that read the row's own fields of the same names. */
export function fieldColumns<R extends object>(fields: readonly (keyof R & string)[]): Column<R>[] {
  return fields.map((f) => ({ header: f, value: (row: R) => row[f] as unknown as CellValue }));
}
