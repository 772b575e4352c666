// `npm start`'s own Azurite, supervised: started on fixed ports with its data folder, restarted when it
// exits unexpectedly, its table store's size followed, and the captured functions guarded by both
// (storageGuards.ts).
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { startAzurite, TABLE_STORE_FILE, type AzuriteOptions } from './azuriteProcess.js';
import { AzuriteSupervisor, type SupervisorOptions } from './azuriteSupervisor.js';
import {
  DEFAULT_TABLE_STORE_LIMITS,
  TableStoreMonitor,
  formatMegabytes,
  remedies,
  type TableStoreLimits,
} from './tableStoreLimit.js';
import { guardFunctions, type GuardOptions } from './storageGuards.js';
import type { CapturedFunction } from './captureRegistrations.js';

export interface SupervisedStorageOptions {
  location: string;
  ports: NonNullable<AzuriteOptions['ports']>;
  log: (line: string) => void;
  limits?: TableStoreLimits;
  /** How often the table store's size is checked (default 15 s); it is also checked before each export. */
  checkIntervalMs?: number;
  /** Creates the containers and tables again after a restart (Azurite loses what it had not saved). */
  afterRestart?: () => Promise<void>;
  /** Supervisor tuning (tests): attempts, backoff, sleep, stable run. */
  supervisor?: Pick<SupervisorOptions, 'maxAttempts' | 'backoffMs' | 'sleep' | 'stableAfterMs'>;
}

export interface SupervisedStorage {
  supervisor: AzuriteSupervisor;
  tableStore: TableStoreMonitor;
  connectionString: string;
  /** The functions with storage waits, export admission and the emulator in /api/health. */
  guard(
    functions: readonly CapturedFunction[],
    options: Omit<GuardOptions, 'emulator' | 'tableStore' | 'log'>,
  ): CapturedFunction[];
  stop(): Promise<void>;
}

export async function startSupervisedStorage(options: SupervisedStorageOptions): Promise<SupervisedStorage> {
  const { location, ports, log } = options;
  const tableFile = join(location, TABLE_STORE_FILE);
  const tableStore = new TableStoreMonitor(tableFile, location, log, options.limits ?? DEFAULT_TABLE_STORE_LIMITS);
  let connectionString = '';
  const supervisor = await AzuriteSupervisor.start({
    ...options.supervisor,
    log,
    ...(options.afterRestart === undefined ? {} : { afterRestart: options.afterRestart }),
    start: async () => {
      const azurite = await startAzurite({ location, ports });
      connectionString = azurite.connectionString;
      return azurite;
    },
    explainExit: () => {
      let bytes: number;
      try {
        bytes = statSync(tableFile).size;
      } catch {
        return undefined;
      }
      if (bytes < tableStore.limits.warnAboveBytes) return undefined;
      return `Its table store is ${formatMegabytes(bytes)}, near the ${formatMegabytes(tableStore.limits.limitBytes)} at which Azurite aborts while saving it: the likely cause`;
    },
    recovery: () => {
      const large = tableStore.status().bytes >= tableStore.limits.warnAboveBytes;
      return (
        `Stop npm start (Ctrl-C) and start it again; ` +
        (large
          ? `the table store is near its limit, so it will stop again: ${remedies(location)}`
          : `if it stops again, see the lines above and docs/local-stack.md`)
      );
    },
  });
  await tableStore.check();
  const interval = setInterval(() => {
    if (supervisor.status().state === 'running') void tableStore.check().catch(() => undefined);
  }, options.checkIntervalMs ?? 15_000);
  interval.unref();
  return {
    supervisor,
    tableStore,
    connectionString,
    guard: (functions, guardOptions) =>
      guardFunctions(functions, { ...guardOptions, emulator: supervisor, tableStore, log }),
    async stop() {
      clearInterval(interval);
      await supervisor.stop();
    },
  };
}
