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

/**
 * Reading the input's bytes failed (storage or network), through no fault of the file: the readers
 * pass it on as it is, never as an ExportReadError, so it is not reported as the file being bad.
 */
export class ExportSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportSourceError';
  }
}
