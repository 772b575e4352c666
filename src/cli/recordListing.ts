// The records report (and the record view, its text form) written record by record as the inputs
// are read: no record is kept once it is listed. Duplicates are left out and counted as in every
// other report, so the accounting lines are the same whichever report is chosen.
import { readRecords } from '../audit/dataset.js';
import type { ExportStream } from '../audit/readExport.js';
import type { AuditRecord, ReadAccounting, Rejection } from '../audit/records.js';
import { RECORD_CSV_COLUMNS, SeenRecords, recordRow } from '../reports/records.js';
import { learnUsers, type UsersDatabase } from '../analysis/userDirectory.js';
import { csvHeaderLine, csvLine } from '../reports/render/csv.js';
import { jsonArrayElement, jsonArrayEnd } from '../reports/render/json.js';
import { recordText } from '../reports/render/text.js';
import { addAccounting, emptyAccounting } from '../audit/accounting.js';
import type { OutputFormat } from './options.js';
import type { ReportOutput } from './reportOutput.js';

export class RecordListing {
  /** Every rejected row of every file, in reading order. */
  readonly rejections: Rejection[] = [];
  private readonly totals = emptyAccounting();
  private readonly seen = new SeenRecords();
  private listed = 0;
  private lastFile: string | undefined;

  /** `users` learns from every listed record (-u with the record view, as in tala). */
  constructor(
    private readonly out: ReportOutput,
    private readonly format: OutputFormat,
    private readonly showFiles: boolean,
    private readonly users?: UsersDatabase,
  ) {}

  /** Totals across all files (a copy). */
  get accounting(): ReadAccounting {
    return { ...this.totals, skippedByOperation: { ...this.totals.skippedByOperation } };
  }

  /** Lists one export's records; returns its accounting. After a read error the rows read before it stay counted (and listed). */
  async addExport(stream: ExportStream): Promise<ReadAccounting> {
    const file = emptyAccounting();
    try {
      await readRecords(
        stream,
        { accounting: file, rejections: this.rejections },
        (r) => this.list(r),
        () => this.out.drained(),
      );
    } finally {
      addAccounting(this.totals, file);
    }
    return file;
  }

  /** Ends the output: the CSV header or an empty JSON array when nothing was listed. */
  async finish(): Promise<void> {
    if (this.format === 'json') this.out.write(jsonArrayEnd(this.listed));
    else if (this.format === 'csv' && this.listed === 0) this.out.write(csvHeaderLine(RECORD_CSV_COLUMNS));
    await this.out.end();
  }

  /** Whether any record has been written. */
  get started(): boolean {
    return this.listed > 0;
  }

  private list(record: AuditRecord): 'accepted' | 'duplicate' {
    if (this.seen.add(record) === 'duplicate') return 'duplicate';
    if (this.users !== undefined) learnUsers(this.users, [record]);
    const row = recordRow(record);
    if (this.format === 'json') {
      this.out.write(jsonArrayElement(row, this.listed));
    } else if (this.format === 'csv') {
      this.out.write((this.listed === 0 ? csvHeaderLine(RECORD_CSV_COLUMNS) : '') + csvLine(row, RECORD_CSV_COLUMNS));
    } else {
      this.out.write(recordText(row, this.showFiles && row.file !== this.lastFile));
      this.lastFile = row.file;
    }
    this.listed++;
    return 'accepted';
  }
}
