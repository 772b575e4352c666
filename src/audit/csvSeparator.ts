// The field separator of a CSV export, told by its header row: `,` `;` or TAB (Excel writes `;` where
// the decimal mark is a comma, and TAB in its "Unicode text"), whichever gives an audit export's header.
import { findCsvLayout, unrecognisedHeader, type CsvLayout } from './csvLayout.js';
import { CSV_SEPARATORS, CsvTokenizer, type CsvSeparator, type CsvStructureError } from './csvTokenizer.js';
import { ExportReadError } from './exportReadError.js';

export interface CsvHeaderChoice {
  separator: CsvSeparator;
  layout: CsvLayout;
}

type FirstRecord =
  | { kind: 'fields'; fields: string[] }
  | { kind: 'oversized' }
  | { kind: 'broken'; error: CsvStructureError }
  /** Not complete in the bytes so far. */
  | { kind: 'more' };

/** The header row read with one separator, fed the file's first bytes until it is complete. */
class Candidate {
  first: FirstRecord = { kind: 'more' };
  private readonly tokenizer: CsvTokenizer;
  private readonly take = (fields: string[]): void => {
    if (this.first.kind === 'more') this.first = { kind: 'fields', fields };
  };

  constructor(
    readonly separator: CsvSeparator,
    maxRecordBytes: number,
  ) {
    this.tokenizer = new CsvTokenizer({
      maxRecordBytes,
      separator,
      onOversized: () => {
        if (this.first.kind === 'more') this.first = { kind: 'oversized' };
      },
    });
  }

  /** Bytes to feed at once: small at first (the header row is short; the rows after it need not be
   *  read three times), doubling so that a long header is not re-scanned piece after piece. */
  private piece = 16 * 1024;

  add(chunk: Buffer): void {
    for (let at = 0; at < chunk.length && this.first.kind === 'more'; at += this.piece, this.piece *= 2) {
      this.tokenizer.write(chunk.subarray(at, at + this.piece), this.take);
    }
  }

  end(): void {
    if (this.first.kind !== 'more') return;
    this.tokenizer.end(this.take);
    const error = this.tokenizer.errored;
    if (this.first.kind === 'more' && error !== null) this.first = { kind: 'broken', error };
  }
}

/**
 * Reads the header row with each separator in turn and keeps the first that gives an audit export's
 * header. Feed it the first bytes of the file (add) until decide() returns a choice.
 */
export class CsvHeaderSniffer {
  private readonly candidates: Candidate[];

  constructor(
    private readonly context: {
      file: string;
      hadTypeLine: boolean;
      maxRecordBytes: number;
      describeBroken: (error: CsvStructureError) => string;
    },
  ) {
    this.candidates = CSV_SEPARATORS.map((separator) => new Candidate(separator, context.maxRecordBytes));
  }

  add(chunk: Buffer): void {
    for (const candidate of this.candidates) candidate.add(chunk);
  }

  /**
   * The separator and layout, or undefined when more bytes are needed (`final`: there are no more, so
   * undefined means the input holds no record). Throws ExportReadError when the header is not an audit
   * export's under any separator, naming the separator that splits it into the most columns.
   */
  decide(final: boolean): CsvHeaderChoice | undefined {
    const { file, hadTypeLine, maxRecordBytes, describeBroken } = this.context;
    let widest: { separator: CsvSeparator; fields: string[] } | undefined;
    for (const candidate of this.candidates) {
      if (final) candidate.end();
      const first = candidate.first;
      if (first.kind === 'more') return undefined;
      if (first.kind !== 'fields') continue;
      const layout = findCsvLayout(first.fields, hadTypeLine, true, candidate.separator);
      if (layout !== undefined) return { separator: candidate.separator, layout };
      if (widest === undefined || first.fields.length > widest.fields.length)
        widest = { separator: candidate.separator, fields: first.fields };
    }
    const comma = this.candidates[0]!.first;
    if (comma.kind === 'oversized') {
      throw new ExportReadError(
        file,
        `the header row is longer than ${maxRecordBytes / 1024 / 1024} MiB, ` +
          'so this is not an audit export (or a stray double quote in it merged many rows)',
      );
    }
    if (comma.kind === 'broken')
      throw new ExportReadError(file, `the CSV header cannot be read: ${describeBroken(comma.error)}`);
    const fields = widest?.fields ?? [];
    throw unrecognisedHeader(fields, file, fields.length > 1 ? widest!.separator : undefined);
  }
}
