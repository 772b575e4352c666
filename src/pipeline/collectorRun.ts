// One run of the Management Activity API collector as the timer function performs it: reads the
// collector settings (off unless configured), records configuration failures in the state table
// (/api/health), builds the API client and calls collectAuditRecords.
import { runBudgetMs } from '../hostSettings.js';
import { SETTINGS, TABLES, setting } from '../names.js';
import { storageClientsFromEnv, type StorageClients } from '../storage/clients.js';
import { CollectorState } from '../storage/collectorState.js';
import { readCollectorConfig } from '../collector/config.js';
import { CollectorError } from '../collector/errors.js';
import { createCollectorClient } from '../collector/factory.js';
import type { FetchLike, RetryPolicy } from '../collector/http.js';
import type { CredentialPipelineOptions } from '../collector/credential.js';
import { collectAuditRecords, failedBeforeStart } from './collect.js';
import { describeError } from '../errors.js';
import { type PipelineLog } from './log.js';

export const COLLECTOR_FUNCTION_NAME = 'collectAuditRecords';
/** Time kept back from the function timeout (host.json) for the downloads in flight and the run status. */
export const COLLECTOR_RUN_MARGIN_MS = 2 * 60_000;

export interface CollectorHandlerDeps {
  env?: NodeJS.ProcessEnv;
  /** Storage clients (default: from the AzureWebJobsStorage settings, built once). */
  storage?: () => StorageClients;
  fetch?: FetchLike;
  /** Pipeline options of the identity credentials (tests: the TLS trust of a local authority). */
  credentialOptions?: CredentialPipelineOptions;
  sleep?: (ms: number) => Promise<void>;
  retryPolicy?: Partial<RetryPolicy>;
  now?: () => Date;
  runBudgetMs?: number;
}

/** One collector run per call, with its dependencies replaceable for tests; state kept between calls. */
export function makeCollectorRunner(deps: CollectorHandlerDeps = {}): (log: PipelineLog) => Promise<void> {
  let notConfiguredLogged = false;
  let storage: StorageClients | undefined;
  let storageReady = false;

  return async (log: PipelineLog): Promise<void> => {
    const env = deps.env ?? process.env;
    const now = deps.now ?? (() => new Date());

    let configResult: ReturnType<typeof readCollectorConfig>;
    let configError: CollectorError | undefined;
    try {
      configResult = readCollectorConfig(env);
    } catch (error) {
      if (!(error instanceof CollectorError)) throw error;
      configError = error;
      configResult = { configured: false, missing: [] };
    }
    if (!configResult.configured && configError === undefined) {
      if (!notConfiguredLogged) {
        notConfiguredLogged = true;
        log.info(
          `${COLLECTOR_FUNCTION_NAME}: the Management Activity API collector is not configured (missing ${configResult.missing.join(', ')}); ` +
            `nothing to do. Deploy with enableCollector=true (README: Collecting automatically), or set ` +
            `AzureWebJobs.${COLLECTOR_FUNCTION_NAME}.Disabled=true to stop this timer.`,
        );
      }
      return;
    }

    storage ??= (deps.storage ?? (() => storageClientsFromEnv(env)))();
    const state = new CollectorState(storage.table(TABLES.collectorState));
    const exportsContainer = storage.blobService.getContainerClient(setting(SETTINGS.exportsContainer, env));
    if (!storageReady) {
      // The deployment creates both; this covers a fresh local emulator.
      await Promise.all([state.ensureTable(), exportsContainer.createIfNotExists()]);
      storageReady = true;
    }

    const started = now();
    if (configError !== undefined) {
      await state.recordRun(failedBeforeStart(started, configError.kind, configError.message));
      log.error(`${COLLECTOR_FUNCTION_NAME}: ${configError.message}`);
      throw configError;
    }
    if (!configResult.configured) return; // unreachable: narrowed for the compiler

    const deadline = started.getTime() + (deps.runBudgetMs ?? runBudgetMs(COLLECTOR_RUN_MARGIN_MS));
    const httpOptions: Parameters<typeof createCollectorClient>[1] = {
      deadline,
      onRetry: (notice) =>
        log.warn(
          `${COLLECTOR_FUNCTION_NAME}: ${notice.what}: ${notice.reason}${notice.status ? ` (HTTP ${notice.status})` : ''}; retry ${notice.attempt} in ${Math.ceil(notice.delayMs / 1000)} s`,
        ),
    };
    if (deps.fetch) httpOptions.fetch = deps.fetch;
    if (deps.credentialOptions) httpOptions.credentialOptions = deps.credentialOptions;
    if (deps.sleep) httpOptions.sleep = deps.sleep;
    if (deps.retryPolicy) httpOptions.policy = deps.retryPolicy;

    let client: ReturnType<typeof createCollectorClient>;
    try {
      client = createCollectorClient(configResult.config, httpOptions);
    } catch (error) {
      // A certificate that cannot be read: recorded like any configuration error.
      const message = describeError(error);
      await state.recordRun(
        failedBeforeStart(started, error instanceof CollectorError ? error.kind : 'configuration', message),
      );
      log.error(`${COLLECTOR_FUNCTION_NAME}: ${message}`);
      throw error;
    }

    const run = await collectAuditRecords(
      {
        api: client.api,
        state,
        exports: exportsContainer,
        retries: () => client.http.retries,
      },
      { now: started, deadline, log },
    );
    // A failed run (credentials, permissions, API) fails the invocation so that it shows in monitoring;
    // the message is already in the log and in the state table (/api/health).
    if (run.status === 'failed') throw new Error(`${COLLECTOR_FUNCTION_NAME} failed: ${run.error ?? 'unknown error'}`);
  };
}
