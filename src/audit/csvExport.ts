// Reading a CSV export: the header row chooses the separator and the layout, then every data row
// becomes one item (a record, a skipped row or a rejection), rows over the size limit included.
import { rejected } from './auditData.js';
import type { CsvLayout } from './csvLayout.js';
import { CsvHeaderSniffer } from './csvSeparator.js';
import { CsvTokenizer, type CsvExtent, type CsvSeparator, type CsvStructureError } from './csvTokenizer.js';
import { ExportReadError } from './exportReadError.js';
import type { CsvHeaderVariant, ExportItem } from './records.js';

export { truncationWarning } from './csvLayout.js';

/**
 * The longest CSV row read (bytes). A longer row is rejected with its size (its text is never held in
 * memory) and reading goes on after it; no Teams meeting record comes near this size.
 */
export const MAX_CSV_RECORD_BYTES = 8 * 1024 * 1024;

const MIB = 1024 * 1024;

function count(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

function sizeText(bytes: number): string {
  return bytes >= MIB ? `${count(bytes, 'byte')} (${(bytes / MIB).toFixed(1)} MiB)` : count(bytes, 'byte');
}

/** The rejection reason of a row over MAX_CSV_RECORD_BYTES. */
export function oversizedRowReason(extent: CsvExtent): string {
  return (
    `this row is ${sizeText(extent.bytes)} long${extent.lines > 1 ? ` over ${count(extent.lines, 'line')}` : ''}, ` +
    `more than the ${MAX_CSV_RECORD_BYTES / MIB} MiB a row may have, so it was not read; the rows after it were read`
  );
}

function structureFailure(error: CsvStructureError): string {
  const { bytes, lines } = error.extent;
  return (
    'a quoted field opened in this row is never closed, so this row and the rest of the file cannot be read ' +
    `(${count(lines, 'line')}, ${sizeText(bytes)}, from the start of this row to the end of the file); ` +
    'look for a stray double quote, or a file cut off before its end'
  );
}

/**
 * Streams CSV bytes through CsvTokenizer. Rows come back as arrays (cheapest); the header picks the
 * separator and the layout. Row numbers count CSV data records
 * (header = 0), as tala does.
 */
export class CsvExportReader {
  /** Undefined until the header row has told the separator (bytes wait in `head` until then). */
  private tokenizer: CsvTokenizer | undefined;
  private head: Buffer[] = [];
  private sniffer: CsvHeaderSniffer | undefined;
  /** The next record the tokenizer delivers is the header, already read by chooseCsvHeader. */
  private headerToSkip = false;
  /** Items of rows converted since the last drain (rows are converted as they are tokenized, so the
   *  row's strings, above all the large AuditData text, die young instead of waiting for the chunk's end). */
  private itemsPending: ExportItem[] = [];
  private layout: CsvLayout | undefined;
  private rowNumber = 0;
  private stoppedFlag = false;
  private readonly onRowBound = (row: string[]): void => this.onRow(row);

  constructor(
    private readonly file: string,
    private readonly hadTypeLine: boolean,
  ) {}

  get rows(): number {
    return this.rowNumber;
  }
  get variant(): CsvHeaderVariant | undefined {
    return this.layout?.variant;
  }
  /** True once the CSV structure broke; later input is ignored. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Feeds bytes; appends the items of the rows completed so far to `out`. */
  write(chunk: Buffer, out: ExportItem[]): void {
    if (this.stoppedFlag) return;
    const tokenizer = this.tokenizer;
    if (tokenizer !== undefined) tokenizer.write(chunk, this.onRowBound);
    else this.readHeader(chunk, false);
    this.drain(out);
  }

  /** Flushes the last row; appends its items to `out`. */
  end(out: ExportItem[]): void {
    if (!this.stoppedFlag) {
      if (this.tokenizer === undefined) this.readHeader(undefined, true);
      this.tokenizer?.end(this.onRowBound);
      this.drain(out);
    }
    if (this.layout === undefined) {
      throw new ExportReadError(this.file, 'the CSV has no header row');
    }
  }

  private newTokenizer(separator: CsvSeparator): CsvTokenizer {
    const tokenizer = new CsvTokenizer({
      maxRecordBytes: MAX_CSV_RECORD_BYTES,
      separator,
      onOversized: (extent) => this.onOversized(extent),
    });
    if (this.layout !== undefined) tokenizer.keepOnly(this.layout.columnsUsed);
    return tokenizer;
  }

  /** Keeps the bytes until the header row is complete; then chooses the separator and reads them. */
  private readHeader(chunk: Buffer | undefined, final: boolean): void {
    this.sniffer ??= new CsvHeaderSniffer({
      file: this.file,
      hadTypeLine: this.hadTypeLine,
      maxRecordBytes: MAX_CSV_RECORD_BYTES,
      describeBroken: structureFailure,
    });
    if (chunk !== undefined && chunk.length > 0) {
      this.head.push(Buffer.from(chunk)); // a copy: the caller may reuse the chunk's buffer
      this.sniffer.add(chunk);
    }
    let choice: ReturnType<CsvHeaderSniffer['decide']>;
    try {
      choice = this.sniffer.decide(final);
    } catch (e) {
      this.stoppedFlag = true;
      this.head = [];
      throw e;
    }
    if (choice === undefined) return;
    const head = this.head;
    this.head = [];
    this.sniffer = undefined;
    this.layout = choice.layout;
    this.headerToSkip = true;
    const tokenizer = this.newTokenizer(choice.separator);
    this.tokenizer = tokenizer;
    for (const bytes of head) tokenizer.write(bytes, this.onRowBound);
  }

  private onRow(row: string[]): void {
    if (this.headerToSkip) {
      this.headerToSkip = false;
      return;
    }
    const line = ++this.rowNumber;
    this.itemsPending.push(this.layout!.toItem(row, { file: this.file, line }));
  }

  private onOversized(extent: CsvExtent): void {
    const line = ++this.rowNumber;
    this.itemsPending.push(rejected({ file: this.file, line }, 'CSV', oversizedRowReason(extent)));
  }

  private drain(out: ExportItem[]): void {
    const items = this.itemsPending;
    if (items.length > 0) {
      this.itemsPending = [];
      for (const item of items) out.push(item);
    }
    const error = this.tokenizer?.errored ?? null;
    if (error !== null && !this.stoppedFlag) {
      this.stoppedFlag = true;
      this.rowNumber++;
      out.push(rejected({ file: this.file, line: this.rowNumber }, 'CSV', structureFailure(error)));
    }
  }
}
