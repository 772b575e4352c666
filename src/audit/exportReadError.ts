// The error thrown when a whole export file cannot be read (as opposed to one bad row).

export class ExportReadError extends Error {
  readonly file: string;
  /** Data row (CSV) or record where reading failed, when it is known. */
  readonly line?: number;
  /** The message without the file name. */
  readonly reason: string;

  constructor(file: string, reason: string, line?: number) {
    super(`${file}${line === undefined ? '' : `, row ${line}`}: ${reason}`);
    this.name = 'ExportReadError';
    this.file = file;
    this.reason = reason;
    if (line !== undefined) this.line = line;
  }
}
