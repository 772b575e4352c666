// Azurite keeps every table in one LokiJS JSON file and saves it with one JSON.stringify: when that text
// nears V8's longest string (about 512 MiB) Azurite aborts. The local host watches the file's size, warns
// well before the limit, and refuses exports whose ingestion and analysis would take the file over its
// ceiling (docs/local-stack.md has the measured growth per export byte).
import { constants } from 'node:buffer';
import { stat } from 'node:fs/promises';

/** V8's longest string (characters); the table file's JSON text must stay below it. */
export const V8_MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

export interface TableStoreLimits {
  /** Where Azurite aborts: the longest string of the Node that runs it. */
  limitBytes: number;
  /** Above this the host warns. */
  warnAboveBytes: number;
  /** The ceiling the host keeps the file under: no export may take it past this. */
  ceilingBytes: number;
  /** Table-file bytes per uncompressed export byte, ingestion and analysis together (measured 2.2 + 0.6). */
  growthPerExportByte: number;
  /** Uncompressed bytes assumed per byte of a zip archive (a gzip file states its own size). */
  zipExpansion: number;
}

export const DEFAULT_TABLE_STORE_LIMITS: TableStoreLimits = {
  limitBytes: V8_MAX_STRING_LENGTH,
  warnAboveBytes: Math.floor(V8_MAX_STRING_LENGTH * 0.6),
  ceilingBytes: Math.floor(V8_MAX_STRING_LENGTH * 0.85),
  growthPerExportByte: 3,
  zipExpansion: 10,
};

export type TableStoreState = 'ok' | 'warning' | 'refusing';

export interface TableStoreStatus {
  state: TableStoreState;
  /** The file's size as Azurite last saved it (it saves every 5 s). */
  bytes: number;
  limitBytes: number;
  warnAboveBytes: number;
  ceilingBytes: number;
  /** Growth expected from exports being ingested now (counted against the ceiling). */
  reservedBytes: number;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;
}

export function tableStoreState(bytes: number, limits: TableStoreLimits): TableStoreState {
  return bytes >= limits.ceilingBytes ? 'refusing' : bytes >= limits.warnAboveBytes ? 'warning' : 'ok';
}

/** The export's uncompressed size: its own for plain text, the gzip trailer's, or an assumed zip expansion. */
export interface ExportSize {
  bytes: number;
  /** How the figure was found, for the refusal message. */
  basis: 'plain' | 'gzip' | 'zip';
}

export function projectedGrowth(size: ExportSize, limits: TableStoreLimits): number {
  return Math.ceil(size.bytes * limits.growthPerExportByte);
}

/** What to do when the local table store is full: the same three ways out in every message. */
export function remedies(dataDir: string): string {
  return (
    `To go on: analyse the files with the CLI instead (npx teams-audit FILE...); or stop npm start, delete ${dataDir} ` +
    `(all local data) and load fewer exports at a time; or run the host on Azure storage ` +
    `(LOCAL_STORAGE_CONNECTION=<connection string> npm start; see docs/local-stack.md)`
  );
}

export interface AdmissionRefusal {
  message: string;
}

/**
 * Admits an export when the table file, with what exports being ingested will add and what this one
 * will add (ingestion and analysis), stays under the ceiling; otherwise says why and what to do.
 */
export function admitExport(
  status: TableStoreStatus,
  size: ExportSize,
  limits: TableStoreLimits,
  dataDir: string,
): AdmissionRefusal | undefined {
  const growth = projectedGrowth(size, limits);
  const after = status.bytes + status.reservedBytes + growth;
  if (after <= limits.ceilingBytes) return undefined;
  const pending =
    status.reservedBytes > 0
      ? ` (and ${formatMegabytes(status.reservedBytes)} more expected from exports being ingested)`
      : '';
  const ceiling =
    `the local host keeps it under ${formatMegabytes(limits.ceilingBytes)} because Azurite aborts ` +
    `when it nears ${formatMegabytes(limits.limitBytes)} (V8's longest string)`;
  const sizeText =
    size.basis === 'plain'
      ? formatMegabytes(size.bytes)
      : `${formatMegabytes(size.bytes)} uncompressed${size.basis === 'zip' ? `, assumed ${limits.zipExpansion}x its size` : ''}`;
  const message =
    status.bytes + status.reservedBytes >= limits.ceilingBytes
      ? `Refused by the local host: Azurite's table store is ${formatMegabytes(status.bytes)}${pending}; ${ceiling}. ${remedies(dataDir)}.`
      : `Refused by the local host: this export (${sizeText}) would add about ${formatMegabytes(growth)} ` +
        `(${limits.growthPerExportByte} bytes per export byte, ingestion and analysis) to Azurite's table store of ` +
        `${formatMegabytes(status.bytes)}${pending}, taking it over the ceiling: ${ceiling}. ${remedies(dataDir)}.`;
  return { message };
}

/**
 * Follows the table file's size: logs when it crosses into warning or refusing, keeps the growth
 * reserved by exports being ingested, and answers admissions.
 */
export class TableStoreMonitor {
  private lastBytes = 0;
  private lastState: TableStoreState = 'ok';
  private reserved = new Map<symbol, number>();

  constructor(
    private readonly file: string,
    private readonly dataDir: string,
    private readonly log: (line: string) => void,
    readonly limits: TableStoreLimits = DEFAULT_TABLE_STORE_LIMITS,
  ) {}

  /** Reads the file's size now (0 when Azurite has not saved it yet) and logs a change of state. */
  async check(): Promise<TableStoreStatus> {
    try {
      this.lastBytes = (await stat(this.file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.lastBytes = 0;
    }
    const status = this.status();
    if (status.state !== this.lastState) {
      if (status.state === 'warning') {
        this.log(
          `Warning: Azurite's table store is ${formatMegabytes(status.bytes)}; Azurite aborts when it nears ` +
            `${formatMegabytes(this.limits.limitBytes)}, and from ${formatMegabytes(this.limits.ceilingBytes)} on new exports are refused. ` +
            remedies(this.dataDir),
        );
      } else if (status.state === 'refusing') {
        this.log(
          `Azurite's table store is ${formatMegabytes(status.bytes)}, at the local host's ceiling of ${formatMegabytes(this.limits.ceilingBytes)}: ` +
            `new exports are refused (the ledger says why). ${remedies(this.dataDir)}`,
        );
      } else {
        this.log(
          `Azurite's table store is ${formatMegabytes(status.bytes)}, under ${formatMegabytes(this.limits.warnAboveBytes)} again`,
        );
      }
      this.lastState = status.state;
    }
    return status;
  }

  /** The state as of the last check. */
  status(): TableStoreStatus {
    return {
      state: tableStoreState(this.lastBytes, this.limits),
      bytes: this.lastBytes,
      limitBytes: this.limits.limitBytes,
      warnAboveBytes: this.limits.warnAboveBytes,
      ceilingBytes: this.limits.ceilingBytes,
      reservedBytes: [...this.reserved.values()].reduce((a, b) => a + b, 0),
    };
  }

  /**
   * Admits an export (keeping its expected growth reserved until `release` is called) or refuses it.
   */
  async admit(size: ExportSize): Promise<{ release: () => void } | AdmissionRefusal> {
    const status = await this.check();
    const refusal = admitExport(status, size, this.limits, this.dataDir);
    if (refusal) return refusal;
    const key = Symbol('export');
    this.reserved.set(key, projectedGrowth(size, this.limits));
    return { release: () => this.reserved.delete(key) };
  }
}
