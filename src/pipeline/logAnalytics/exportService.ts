// The Log Analytics export as the analysis timer uses it, built from the app settings: off unless
// LOGS_INGESTION_ENDPOINT and LOGS_INGESTION_RULE_ID are set (the deployment sets them when enableLogAnalytics is
// on). The app's user-assigned identity (LOGS_INGESTION_CLIENT_ID) signs in; without it DefaultAzureCredential
// does (a developer's az login).
import { LogsIngestionClient, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SETTINGS, setting } from '../../names.js';
import { LogExportQueue, type LogExportStatus } from '../../storage/logExportQueue.js';
import type { MeetingResult } from '../../storage/resultsWriter.js';
import type { Store } from '../../storage/store.js';
import { exportQueuedResults, type LogExportDeps, type LogExportOptions } from './exportResults.js';
import type { AnalysisStamp } from './rows.js';

/** Values of LOGS_INGESTION_USER_IDS. */
export const USER_ID_MODES = ['include', 'omit'] as const;

export interface LogAnalyticsExport {
  /** Queues a meeting whose new result was just stored (the analysis calls it before clearing the meeting's marks). */
  queue: (result: MeetingResult, stamp: AnalysisStamp) => Promise<void>;
  /** Sends the queued meetings; never throws. */
  run: (options: LogExportOptions) => Promise<LogExportStatus>;
}

export interface LogAnalyticsSettings {
  endpoint: string;
  ruleId: string;
  includeUserIds: boolean;
  clientId?: string;
}

export class LogAnalyticsSettingsError extends Error {
  override name = 'LogAnalyticsSettingsError';
}

/** The export's settings, undefined when the export is off; throws LogAnalyticsSettingsError for a wrong value. */
export function readLogAnalyticsSettings(env: NodeJS.ProcessEnv = process.env): LogAnalyticsSettings | undefined {
  const endpoint = env[SETTINGS.logsIngestionEndpoint]?.trim() ?? '';
  const ruleId = env[SETTINGS.logsIngestionRuleId]?.trim() ?? '';
  if (endpoint === '' && ruleId === '') return undefined;
  if (endpoint === '' || ruleId === '') {
    throw new LogAnalyticsSettingsError(
      `The Log Analytics export needs both ${SETTINGS.logsIngestionEndpoint} and ${SETTINGS.logsIngestionRuleId}; ` +
        `only ${endpoint === '' ? SETTINGS.logsIngestionRuleId : SETTINGS.logsIngestionEndpoint} is set. Set both, or neither to turn the export off.`,
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LogAnalyticsSettingsError(
      `${SETTINGS.logsIngestionEndpoint} is not a URL: expected the rule's logs ingestion endpoint, https://<name>.<region>-1.ingest.monitor.azure.com`,
    );
  }
  if (url.protocol !== 'https:')
    throw new LogAnalyticsSettingsError(
      `${SETTINGS.logsIngestionEndpoint} must be an https:// URL (the token is sent to it)`,
    );
  if (!/^dcr-[0-9a-f]{32}$/i.test(ruleId)) {
    throw new LogAnalyticsSettingsError(
      `${SETTINGS.logsIngestionRuleId} must be the rule's immutable id (dcr- and 32 hex digits), not its name or resource id`,
    );
  }
  const mode = setting(SETTINGS.logsIngestionUserIds, env);
  if (!(USER_ID_MODES as readonly string[]).includes(mode)) {
    throw new LogAnalyticsSettingsError(
      `${SETTINGS.logsIngestionUserIds} must be ${USER_ID_MODES.join(' or ')}, got "${mode}"`,
    );
  }
  const settings: LogAnalyticsSettings = { endpoint, ruleId, includeUserIds: mode === 'include' };
  const clientId = env[SETTINGS.logsIngestionClientId]?.trim();
  if (clientId) settings.clientId = clientId;
  return settings;
}

/** The export on a store with the given client (tests pass a client of a local server). */
export function logAnalyticsExport(store: Store, deps: Omit<LogExportDeps, 'store' | 'queue'>): LogAnalyticsExport {
  const queue = new LogExportQueue(store.clients.table(store.names.tables.logExports));
  const now = deps.now ?? (() => new Date());
  return {
    queue: (result, stamp) =>
      queue.add({
        meetingId: result.listing.meetingId,
        run: stamp.run,
        analysedAt: result.listing.analysedAt,
        configFingerprint: stamp.configFingerprint,
        queuedAt: now().toISOString(),
      }),
    run: (options) => exportQueuedResults({ ...deps, store, queue }, options),
  };
}

export interface ExportFromSettingsOptions {
  credential?: TokenCredential;
  clientOptions?: LogsIngestionClientOptions;
  now?: () => Date;
}

/** The app's user-assigned identity when its client id is set (Azure), else the developer's sign-in chain. */
export function appCredential(clientId: string | undefined): TokenCredential {
  return clientId !== undefined ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

/** The export from the app settings, or undefined when it is off. */
export function logAnalyticsExportFromEnv(
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
  options: ExportFromSettingsOptions = {},
): LogAnalyticsExport | undefined {
  const settings = readLogAnalyticsSettings(env);
  if (settings === undefined) return undefined;
  const credential = options.credential ?? appCredential(settings.clientId);
  const client = new LogsIngestionClient(settings.endpoint, credential, options.clientOptions ?? {});
  const deps: Omit<LogExportDeps, 'store' | 'queue'> = {
    client,
    ruleId: settings.ruleId,
    includeUserIds: settings.includeUserIds,
  };
  if (options.now) deps.now = options.now;
  return logAnalyticsExport(store, deps);
}

const perStore = new WeakMap<Store, LogAnalyticsExport | undefined>();

/**
 * The export of this process for a store, built once from the app settings; undefined when it is off or its
 * settings are wrong (then logged once: the analysis runs without it).
 */
export function logAnalyticsExportFor(
  store: Store,
  log: { error(message: string): void },
  env: NodeJS.ProcessEnv = process.env,
): LogAnalyticsExport | undefined {
  if (perStore.has(store)) return perStore.get(store);
  let built: LogAnalyticsExport | undefined;
  try {
    built = logAnalyticsExportFromEnv(store, env);
  } catch (error) {
    if (!(error instanceof LogAnalyticsSettingsError)) throw error;
    log.error(`analyzeDisconnections: the Log Analytics export is off: ${error.message}`);
  }
  perStore.set(store, built);
  return built;
}
