// Messages on stderr: `teams-audit: LEVEL: …` lines, a cap on printed warnings/rejections (all
// are counted), per-file and total accounting lines, and a throttled progress line on a TTY.
// Every line goes through redactPii (no e-mail or IP address reaches stderr), except messages about
// the admin's configuration (site map, --ip, rules, parameters), whose networks are not personal
// data: those go through the config* methods, which still hide e-mail addresses.
import type { ExportInfo, ReadAccounting, Rejection } from '../audit/records.js';
import { noMeetingRecordsWarning } from '../audit/noMeetingRecords.js';

export const PROGRAM = 'teams-audit';

export interface ErrStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const EMAIL = /[^\s@'",;:<>()[\]]+@[^\s@'",;:<>()[\]]+/g;
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;
// Only forms a time of day cannot take: with `::`, or with at least 5 colons.
const IPV6 = /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(?![0-9A-Za-z:])/g;

/** Replaces e-mail addresses and IP addresses by `<e-mail>` / `<IP>`. */
export function redactPii(text: string): string {
  return text
    .replace(EMAIL, '<e-mail>')
    .replace(IPV6, (m) => (m.includes('::') || (m.match(/:/g)?.length ?? 0) >= 5 ? '<IP>' : m))
    .replace(IPV4, '<IP>');
}

/** Replaces e-mail addresses only: for configuration messages, whose addresses are the admin's networks. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, '<e-mail>');
}

export function accountingText(a: ReadAccounting): string {
  let text = `${a.rowsRead} rows read = ${a.accepted} accepted + ${a.duplicates} duplicates + ${a.skipped} skipped + ${a.rejected} rejected`;
  const ops = Object.entries(a.skippedByOperation);
  if (ops.length > 0) {
    ops.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const shown = ops.slice(0, 5).map(([op, n]) => `${op} ${n}`);
    if (ops.length > 5) shown.push(`${ops.length - 5} other operations`);
    text += ` (skipped: ${shown.join(', ')})`;
  }
  return text;
}

export class Messages {
  /** Row-level messages (warnings and rejections) produced, printed or not. */
  rowMessages = 0;
  private printedRowMessages = 0;
  private progressShown = false;
  private lastProgress = 0;

  constructor(
    private readonly err: ErrStream,
    private readonly maxRowMessages: number,
    private readonly debug: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  private line(level: string, message: string, redact: (text: string) => string = redactPii): void {
    this.clearProgress();
    this.err.write(`${PROGRAM}: ${level}: ${redact(message)}\n`);
  }

  info(message: string): void {
    if (this.debug) this.line('INFO', message);
  }

  warning(message: string): void {
    this.line('WARNING', message);
  }

  error(message: string): void {
    this.line('ERROR', message);
  }

  critical(message: string): void {
    this.line('CRITICAL', message);
  }

  /** A line without a level (e.g. that standard input is being read), redacted like the others. */
  notice(message: string): void {
    this.clearProgress();
    this.err.write(`${PROGRAM}: ${redactPii(message)}\n`);
  }

  /**
   * Messages about configuration the admin wrote (site map, --ip, -i, rules, parameters): its IP
   * addresses and networks are shown; e-mail addresses are still hidden. Never for input data.
   */
  configWarning(message: string): void {
    this.line('WARNING', message, redactEmails);
  }

  configCritical(message: string): void {
    this.line('CRITICAL', message, redactEmails);
  }

  /** A row-level message `<file>:<line>: <field>: <reason>`, printed while under the cap. */
  rowWarning(file: string, line: number, field: string, reason: string): void {
    if (this.countRowMessage()) this.warning(`${file}:${line}: ${field}: ${reason}`);
  }

  /** rowWarning for a line of a configuration file (a site map): its networks are shown. */
  configRowWarning(file: string, line: number, field: string, reason: string): void {
    if (this.countRowMessage()) this.configWarning(`${file}:${line}: ${field}: ${reason}`);
  }

  /** Counts a row message; true while it is under the cap and should be printed. */
  private countRowMessage(): boolean {
    this.rowMessages++;
    if (this.printedRowMessages >= this.maxRowMessages) return false;
    this.printedRowMessages++;
    return true;
  }

  rejection(r: Rejection): void {
    this.rowWarning(r.file, r.line, r.field, r.reason);
  }

  /** Says how many row messages were not printed, if any. */
  finishRowMessages(): void {
    const hidden = this.rowMessages - this.printedRowMessages;
    if (hidden > 0) {
      this.warning(
        `${hidden} more row message${hidden === 1 ? '' : 's'} not shown (--max-rejections ${this.maxRowMessages}; all are counted below)`,
      );
    }
  }

  /** `teams-audit: <label>: N rows read = A accepted + D duplicates + S skipped + R rejected`. */
  accounting(label: string, a: ReadAccounting): void {
    this.clearProgress();
    this.err.write(`${PROGRAM}: ${redactPii(label)}: ${accountingText(a)}\n`);
  }

  /**
   * A progress line (rows read, rate) on a TTY only, at most every 250 ms; overwritten in place
   * and cleared before any other message and at the end.
   */
  progress(label: string, rowsRead: number, startedAt: number): void {
    if (!this.err.isTTY) return;
    const t = this.now();
    if (t - this.lastProgress < 250) return;
    this.lastProgress = t;
    const seconds = (t - startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(rowsRead / seconds) : 0;
    this.err.write(`\r\x1b[K${PROGRAM}: ${redactPii(label)}: ${rowsRead} rows read (${rate} rows/s)`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.err.write('\r\x1b[K');
    this.progressShown = false;
  }
}

/** The file's format (INFO, with --debug) and its whole-file warnings (e.g. probable truncation). */
export function reportFileInfo(info: ExportInfo, msg: Messages): void {
  msg.info(`${info.file}: ${info.format}${info.csvVariant ? ` (${info.csvVariant})` : ''}`);
  for (const w of info.warnings) msg.warning(`${info.file}: ${w}`);
}

/** The warning for an input file that holds rows but no meeting record (the wrong activities were exported). */
export function reportNoMeetingRecords(file: string, accounting: ReadAccounting, msg: Messages): void {
  const warning = noMeetingRecordsWarning(accounting);
  if (warning !== undefined) msg.warning(`${file}: ${warning}`);
}
