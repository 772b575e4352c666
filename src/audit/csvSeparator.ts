// The field separator of a CSV export, told by its header row: `,` `;` or TAB (Excel writes `;` where
// the decimal mark is a comma, and TAB in its "Unicode text"), whichever gives an audit export's header.
import { findCsvLayout, unrecognisedHeader, type CsvLayout } from './csvLayout.js';
import { CSV_SEPARATORS, CsvTokenizer, type CsvSeparator, type CsvStructureError } from './csvTokenizer.js';
import { ExportReadError } from './exportReadError.js';

export interface CsvHeaderChoice {
  separator: CsvSeparator;
  layout: CsvLayout;
}

/** Bytes fed at a time while looking for the header row (it nearly always fits in the first piece). */
const PIECE = 16 * 1024;

type FirstRecord =
  | { kind: 'fields'; fields: string[] }
  | { kind: 'oversized' }
  | { kind: 'broken'; error: CsvStructureError }
  /** Not complete in the bytes so far. */
  | { kind: 'more' };

function firstRecord(head: Buffer, separator: CsvSeparator, maxRecordBytes: number, final: boolean): FirstRecord {
  let found: FirstRecord = { kind: 'more' };
  const t = new CsvTokenizer({
    maxRecordBytes,
    separator,
    onOversized: () => { if (found.kind === 'more') found = { kind: 'oversized' }; },
  });
  const take = (fields: string[]): void => { if (found.kind === 'more') found = { kind: 'fields', fields }; };
  for (let at = 0; at < head.length && found.kind === 'more'; at += PIECE) t.write(head.subarray(at, at + PIECE), take);
  if (found.kind === 'more' && final) {
    t.end(take);
    if (t.errored !== null) found = { kind: 'broken', error: t.errored };
  }
  return found;
}

/**
 * Reads the header row at the start of `head` with each separator in turn and keeps the first that
 * gives an audit export's header. Returns undefined when more bytes are needed (`final`: there are no
 * more). Throws ExportReadError when the header is not an audit export's under any separator, naming
 * the separator that splits it into the most columns; `describeBroken` words a broken header.
 */
export function chooseCsvHeader(
  head: Buffer,
  final: boolean,
  context: { file: string; hadTypeLine: boolean; maxRecordBytes: number; describeBroken: (error: CsvStructureError) => string },
): CsvHeaderChoice | undefined {
  let widest: { separator: CsvSeparator; fields: string[] } | undefined;
  let firstFailure: FirstRecord | undefined;
  for (const separator of CSV_SEPARATORS) {
    const record = firstRecord(head, separator, context.maxRecordBytes, final);
    if (record.kind === 'more') return undefined;
    firstFailure ??= record;
    if (record.kind !== 'fields') continue;
    const layout = findCsvLayout(record.fields, context.hadTypeLine);
    if (layout !== undefined) return { separator, layout };
    if (widest === undefined || record.fields.length > widest.fields.length) widest = { separator, fields: record.fields };
  }
  if (firstFailure?.kind === 'oversized') {
    throw new ExportReadError(context.file, `the header row is longer than ${context.maxRecordBytes / 1024 / 1024} MiB, `
      + 'so this is not an audit export (or a stray double quote in it merged many rows)');
  }
  if (firstFailure?.kind === 'broken') {
    throw new ExportReadError(context.file, `the CSV header cannot be read: ${context.describeBroken(firstFailure.error)}`);
  }
  const fields = widest?.fields ?? [];
  throw unrecognisedHeader(fields, context.file, fields.length > 1 ? widest!.separator : undefined);
}
