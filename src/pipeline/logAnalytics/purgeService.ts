// The Log Analytics purge as the erasure route and the purgeLogAnalytics timer use it, built from the app
// settings: on when the export is on (LOGS_INGESTION_* set) and LOG_ANALYTICS_PURGE_WORKSPACE_ID names the
// workspace (the deployment sets it, with the Data Purger role for the app's identity, unless
// enableLogAnalyticsPurge is false). The app's user-assigned identity (LOGS_INGESTION_CLIENT_ID) signs in.
import { OperationalInsightsManagementClient } from '@azure/arm-operationalinsights';
import type { OperationalInsightsManagementClientOptionalParams } from '@azure/arm-operationalinsights';
import type { TokenCredential } from '@azure/identity';
import { SETTINGS } from '../../names.js';
import { LogPurgeQueue } from '../../storage/logPurgeQueue.js';
import type { Store } from '../../storage/store.js';
import type { PipelineLog } from '../log.js';
import { appCredential, LogAnalyticsSettingsError, readLogAnalyticsSettings } from './exportService.js';
import {
  erasurePurgeStatus,
  purgeQueueHealth,
  type PurgeQueueHealth,
  queuePurge,
  refreshPurgeStatuses,
  submitPurges,
  type ErasurePurgeStatus,
  type LogPurgeDeps,
  type SubmitOutcome,
  type WorkspacePurger,
  type WorkspaceRef,
} from './purge.js';

export interface LogPurge {
  /** Queues an erasure's identifiers; its purge id (undefined when there is nothing to purge). */
  queue(identifiers: Iterable<string>): Promise<string | undefined>;
  /** Submits what is queued (never throws). */
  submit(): Promise<SubmitOutcome>;
  /** Reads the status of unfinished operations (never throws). */
  refresh(): Promise<{ checked: number; completed: number }>;
  status(id: string): Promise<ErasurePurgeStatus | undefined>;
}

const WORKSPACE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)$/i;

/** The workspace named by a resource id; throws LogAnalyticsSettingsError for anything else. */
export function parseWorkspaceId(resourceId: string): WorkspaceRef {
  const match = WORKSPACE_ID.exec(resourceId.trim());
  if (!match)
    throw new LogAnalyticsSettingsError(
      `${SETTINGS.logAnalyticsPurgeWorkspaceId} must be the workspace's resource id, ` +
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>',
    );
  return { subscriptionId: match[1]!, resourceGroup: match[2]!, workspace: match[3]! };
}

export interface PurgeSettings {
  workspace: WorkspaceRef;
  clientId?: string;
}

/** The purge's settings, undefined when it is off; throws LogAnalyticsSettingsError for a wrong value. */
export function readPurgeSettings(env: NodeJS.ProcessEnv = process.env): PurgeSettings | undefined {
  const resourceId = env[SETTINGS.logAnalyticsPurgeWorkspaceId]?.trim() ?? '';
  if (resourceId === '') return undefined;
  const exportSettings = readLogAnalyticsSettings(env);
  if (exportSettings === undefined) return undefined;
  const settings: PurgeSettings = { workspace: parseWorkspaceId(resourceId) };
  if (exportSettings.clientId !== undefined) settings.clientId = exportSettings.clientId;
  return settings;
}

/** The purge's settings as they are: off, misconfigured (the message names the setting and its expected form), or on. */
export type PurgeSettingsState =
  { state: 'off' } | { state: 'misconfigured'; message: string } | { state: 'on'; settings: PurgeSettings };

export function purgeSettingsState(env: NodeJS.ProcessEnv = process.env): PurgeSettingsState {
  try {
    const settings = readPurgeSettings(env);
    return settings === undefined ? { state: 'off' } : { state: 'on', settings };
  } catch (error) {
    if (error instanceof LogAnalyticsSettingsError) return { state: 'misconfigured', message: error.message };
    throw error;
  }
}

/** The purge on a store with the given client (tests pass a client of a local server). */
export function logPurge(
  store: Store,
  deps: { purger: WorkspacePurger; workspace: WorkspaceRef; log: PipelineLog; now?: () => Date },
): LogPurge {
  const full: LogPurgeDeps = {
    queue: new LogPurgeQueue(store.clients.table(store.names.tables.logPurges)),
    purger: deps.purger,
    workspace: deps.workspace,
    log: deps.log,
    now: deps.now ?? (() => new Date()),
  };
  return {
    queue: (identifiers) => queuePurge(full, identifiers),
    submit: () => submitPurges(full),
    refresh: () => refreshPurgeStatuses(full),
    status: (id) => erasurePurgeStatus(full, id),
  };
}

export interface PurgeFromSettingsOptions {
  credential?: TokenCredential;
  clientOptions?: OperationalInsightsManagementClientOptionalParams;
  now?: () => Date;
}

/** The purge from the app settings, or undefined when it is off. */
export function logPurgeFromEnv(
  store: Store,
  log: PipelineLog,
  env: NodeJS.ProcessEnv = process.env,
  options: PurgeFromSettingsOptions = {},
): LogPurge | undefined {
  const settings = readPurgeSettings(env);
  if (settings === undefined) return undefined;
  const credential = options.credential ?? appCredential(settings.clientId);
  // No retries inside the client: a 429's Retry-After can be most of an hour; the queue waits it out instead.
  const client = new OperationalInsightsManagementClient(credential, settings.workspace.subscriptionId, {
    ...options.clientOptions,
    retryOptions: { maxRetries: 0, ...options.clientOptions?.retryOptions },
  });
  const deps: Parameters<typeof logPurge>[1] = { purger: client.workspacePurge, workspace: settings.workspace, log };
  if (options.now) deps.now = options.now;
  return logPurge(store, deps);
}

/** The purge as an erasure finds it: off, misconfigured (erasures are queued, nothing is sent), or on. */
export type PurgeSetup =
  { state: 'off' } | { state: 'misconfigured'; message: string; purge: LogPurge } | { state: 'on'; purge: LogPurge };

/** A purge that only queues: what erasures queue while a setting is wrong is sent once it is fixed. */
function queueOnly(store: Store, log: PipelineLog): LogPurge {
  const unused: WorkspacePurger = {
    purge: () => Promise.reject(new Error('the purge is misconfigured')),
    getPurgeStatus: () => Promise.reject(new Error('the purge is misconfigured')),
  };
  const purge = logPurge(store, {
    purger: unused,
    workspace: { subscriptionId: '', resourceGroup: '', workspace: '' },
    log,
  });
  return {
    ...purge,
    submit: () => Promise.resolve({ submitted: 0, throttled: false, failed: 0 }),
    refresh: () => Promise.resolve({ checked: 0, completed: 0 }),
  };
}

const perStore = new WeakMap<Store, PurgeSetup>();

/** The purge of this process for a store, built once; a wrong setting is logged once. */
export function logPurgeSetupFor(store: Store, log: PipelineLog, env: NodeJS.ProcessEnv = process.env): PurgeSetup {
  const known = perStore.get(store);
  if (known !== undefined) return known;
  let setup: PurgeSetup;
  const settings = purgeSettingsState(env);
  if (settings.state === 'misconfigured') {
    log.error(`logPurge: the Log Analytics purge is misconfigured: ${settings.message}`);
    setup = { state: 'misconfigured', message: settings.message, purge: queueOnly(store, log) };
  } else {
    const purge = settings.state === 'on' ? logPurgeFromEnv(store, log, env) : undefined;
    setup = purge === undefined ? { state: 'off' } : { state: 'on', purge };
  }
  perStore.set(store, setup);
  return setup;
}

/** The purge of this process for a store when it is on; undefined when off or misconfigured. */
export function logPurgeFor(
  store: Store,
  log: PipelineLog,
  env: NodeJS.ProcessEnv = process.env,
): LogPurge | undefined {
  const setup = logPurgeSetupFor(store, log, env);
  return setup.state === 'on' ? setup.purge : undefined;
}

export type LogPurgeRun =
  | { state: 'off' }
  | { state: 'misconfigured'; message: string }
  | { state: 'ran'; submit: SubmitOutcome; statuses: { checked: number; completed: number } };

/** One run of the purge timer: submits what is queued, then reads the status of unfinished operations. */
export async function runLogPurge(
  store: Store,
  log: PipelineLog,
  env: NodeJS.ProcessEnv = process.env,
  given?: LogPurge,
): Promise<LogPurgeRun> {
  let purge = given;
  if (purge === undefined) {
    const setup = logPurgeSetupFor(store, log, env);
    if (setup.state === 'off') return { state: 'off' };
    if (setup.state === 'misconfigured') {
      log.error(`logPurge: nothing sent: ${setup.message}`);
      return { state: 'misconfigured', message: setup.message };
    }
    purge = setup.purge;
  }
  const submit = await purge.submit();
  const statuses = await purge.refresh();
  log.info(
    `logPurge: ${submit.submitted} requests accepted, ${submit.failed} failed${submit.throttled ? ', throttled' : ''}; ` +
      `${statuses.checked} operations checked, ${statuses.completed} completed`,
  );
  return { state: 'ran', submit, statuses };
}

/** The purge in /api/health: off, or ok / misconfigured (with the message) and the queue's counts. */
export type LogPurgeHealth =
  | { state: 'off' }
  | ({ state: 'ok' } & PurgeQueueHealth)
  | ({ state: 'misconfigured'; message: string } & PurgeQueueHealth);

export async function logPurgeHealth(store: Store, env: NodeJS.ProcessEnv, now: Date): Promise<LogPurgeHealth> {
  const settings = purgeSettingsState(env);
  if (settings.state === 'off') return { state: 'off' };
  const queue = await purgeQueueHealth(new LogPurgeQueue(store.clients.table(store.names.tables.logPurges)), now);
  return settings.state === 'on'
    ? { state: 'ok', ...queue }
    : { state: 'misconfigured', message: settings.message, ...queue };
}
