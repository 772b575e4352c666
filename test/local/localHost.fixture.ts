// The local host started for the tests of test/local, collecting its log lines and invocations: over
// stand-in functions (test/fixtures/functions) and the test Azurite, or as `npm start` runs it (the REAL
// registrations, package.json `main`) on the test Azurite or on a supervised Azurite of the test's own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { captureRegistrations, findPackageRoot, type CapturedFunction } from '../../src/local/captureRegistrations.js';
import {
  readHostJson,
  startHost,
  type HostJsonSettings,
  type HostOptions,
  type InvocationEvent,
  type RunningHost,
} from '../../src/local/host.js';
import { freePort } from '../../src/local/azuriteProcess.js';
import {
  startSupervisedStorage,
  type SupervisedStorage,
  type SupervisedStorageOptions,
} from '../../src/local/supervisedStorage.js';
import {
  storageClientsFromConnectionString,
  type ClientRetryOptions,
  type StorageClients,
} from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';
import { testConnectionString } from '../storage/testStore.js';
import { responseJson } from '../support/jsonBody.js';
import { type LocalHealthBody } from '../support/responses.js';

/** A running host with what it logged and ran so far. */
export interface WatchedHost {
  host: RunningHost;
  /** Host log lines, in order. */
  lines: string[];
  events: InvocationEvent[];
  /** Waits until `predicate` holds, polling; fails after `timeoutMs` saying what it waited for and `context()`. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/** Polls `predicate` every `stepMs` until it holds; past `timeoutMs` fails naming `what` and `context()`. */
export async function waitUntil(
  predicate: () => boolean,
  what: string,
  context: () => string,
  timeoutMs: number,
  stepMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; ${context()}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

function watched(host: RunningHost, lines: string[], context: () => string, defaultTimeoutMs: number): WatchedHost {
  const events: InvocationEvent[] = [];
  host.onInvocation((e) => events.push(e));
  return {
    host,
    lines,
    events,
    waitFor: (predicate, what, timeoutMs = defaultTimeoutMs) => waitUntil(predicate, what, context, timeoutMs),
  };
}

/** The compiled stand-in functions (test/fixtures/functions), by file name, e.g. `blobFixture.js`. */
export function captureStandIns(files: readonly string[]): Promise<CapturedFunction[]> {
  const dir = join(__dirname, '..', 'fixtures', 'functions');
  return captureRegistrations({ files: files.map((f) => join(dir, f)) });
}

/** The test Azurite's clients (scripts/run-tests.mjs sets TEST_STORAGE_CONNECTION). */
export function testStorage(): StorageClients {
  return storageClientsFromConnectionString(testConnectionString());
}

export interface StandInHostOptions {
  functions: readonly CapturedFunction[];
  storage: StorageClients;
  env: NodeJS.ProcessEnv;
  /** startHost's other options (the host listens on a free port and its log is collected). */
  host: Omit<HostOptions, 'functions' | 'storageFor' | 'env' | 'port' | 'log'>;
}

/** A host over stand-in functions on the test Azurite; a timeout shows the blobs invoked and the last log lines. */
export async function startStandInHost(options: StandInHostOptions): Promise<WatchedHost> {
  const lines: string[] = [];
  const host = await startHost({
    functions: options.functions,
    storageFor: () => options.storage,
    env: options.env,
    port: 0,
    functionLog: () => {},
    ...options.host,
    log: (line) => lines.push(line),
  });
  const context = () =>
    `invoked: ${JSON.stringify(w.events.map((e) => e.blobName?.slice(0, 40)))}; log: ${lines.slice(-3).join(' / ')}`;
  const w = watched(host, lines, context, 20_000);
  return w;
}

/**
 * Starts a second host over the same storage and functions, polls the blobs and waits a little: it must
 * invoke nothing (the first host's receipts are read back).
 */
export async function assertSecondHostRunsNothing(options: {
  functions: readonly CapturedFunction[];
  storage: StorageClients;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const seen: InvocationEvent[] = [];
  const second = await startHost({
    functions: options.functions,
    storageFor: () => options.storage,
    env: options.env,
    port: 0,
    runTimers: false,
    blobPollIntervalMs: 60_000,
    log: () => {},
    functionLog: () => {},
  });
  second.onInvocation((e) => seen.push(e));
  try {
    await second.pollBlobsNow();
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(seen, []);
  } finally {
    await second.stop();
  }
}

export interface RealHostOptions {
  /** The store the pipeline services use; its exports container is EXPORTS_CONTAINER. */
  store: Store;
  /** The storage the host lists and binds blobs with (and AzureWebJobsStorage); the test Azurite by default. */
  connection?: string;
  /** startHost's blob polling and retry tuning. */
  host?: Pick<HostOptions, 'blobPollIntervalMs' | 'blobRetryDelayMs'>;
  /** Default wait of waitFor. */
  timeoutMs: number;
}

export interface RealHost extends WatchedHost {
  /** The registrations the host runs. */
  functions: CapturedFunction[];
  /** The host.json it runs with. */
  hostJson: HostJsonSettings;
}

/**
 * The host as npm start runs it (the REAL registrations, host.json; timers only through the admin API) on
 * the test Azurite, with the pipeline services over `options.store`. Sets AzureWebJobsStorage/EXPORTS_CONTAINER.
 * A timeout shows the invocations so far.
 */
export async function startRealHost(options: RealHostOptions): Promise<RealHost> {
  const connection = options.connection ?? testConnectionString();
  usePipelineServices(servicesFor(options.store));
  process.env['AzureWebJobsStorage'] = connection;
  process.env['EXPORTS_CONTAINER'] = options.store.names.containers.exports;
  const packageRoot = findPackageRoot(__dirname);
  const functions = await captureRegistrations({ packageRoot });
  const hostJson = readHostJson(packageRoot);
  const storage = storageClientsFromConnectionString(connection);
  const lines: string[] = [];
  const host = await startHost({
    functions,
    storageFor: () => storage,
    port: 0,
    hostJson,
    runTimers: false,
    ...options.host,
    log: (line) => lines.push(line),
    functionLog: () => {},
  });
  const w = watched(host, lines, () => `events: ${JSON.stringify(w.events)}`, options.timeoutMs);
  return { ...w, functions, hostJson };
}

export interface SupervisedHostOptions {
  /** Prefix of the store's tables and containers. */
  prefix: string;
  /** Table store limits, check interval and supervisor tuning of startSupervisedStorage. */
  storage?: Pick<SupervisedStorageOptions, 'limits' | 'checkIntervalMs' | 'supervisor'>;
  /** As npm start does: create the store's tables and containers again after each restart of Azurite. */
  recreateAfterRestart?: boolean;
  clientRetry?: ClientRetryOptions;
  blobPollIntervalMs: number;
  /** Default wait of waitFor. */
  timeoutMs: number;
}

export interface SupervisedHost extends WatchedHost {
  storage: SupervisedStorage;
  clients: StorageClients;
  store: Store;
  /** GET /api/health: its status and body. */
  health(): Promise<{ status: number; body: LocalHealthBody }>;
  /** Whether a log line matches. */
  logged(pattern: RegExp): boolean;
  stop(): Promise<void>;
}

/**
 * The host as npm start runs it: the real registrations, guarded by a supervised Azurite (its own data
 * folder and free ports) that is restarted when it dies and whose table store is watched; timers run
 * only through the admin API. Sets the pipeline services and AzureWebJobsStorage/EXPORTS_CONTAINER.
 */
export async function startSupervisedHost(options: SupervisedHostOptions): Promise<SupervisedHost> {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  // The store opens once Azurite runs; a restart comes later.
  const opened: { store?: Store } = {};
  const storage = await startSupervisedStorage({
    location: join(mkdtempSync(join(tmpdir(), `${options.prefix}-`)), 'azurite'),
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
    log,
    ...options.storage,
    ...(options.recreateAfterRestart ? { afterRestart: () => opened.store!.ensureCreated() } : {}),
  });
  const clients = storageClientsFromConnectionString(storage.connectionString, options.clientRetry);
  const store = openStore(clients, prefixedStoreNames(options.prefix));
  opened.store = store;
  await store.ensureCreated();
  usePipelineServices(servicesFor(store));
  process.env['AzureWebJobsStorage'] = storage.connectionString;
  process.env['EXPORTS_CONTAINER'] = store.names.containers.exports;

  const packageRoot = findPackageRoot(__dirname);
  const host = await startHost({
    functions: storage.guard(await captureRegistrations({ packageRoot }), {
      exportsContainer: store.names.containers.exports,
      ledger: store.ledger,
      blobService: clients.blobService,
      healthFunction: 'reportHealth',
    }),
    storageFor: () => clients,
    port: 0,
    hostJson: readHostJson(packageRoot),
    blobPollIntervalMs: options.blobPollIntervalMs,
    runTimers: false,
    log,
    functionLog: () => {},
  });
  const w = watched(host, lines, () => `log:\n${lines.join('\n')}`, options.timeoutMs);
  return {
    ...w,
    storage,
    clients,
    store,
    async health() {
      const res = await fetch(`${host.url}/api/health`);
      return { status: res.status, body: await responseJson<LocalHealthBody>(res) };
    },
    logged: (pattern) => lines.some((l) => pattern.test(l)),
    async stop() {
      await host.stop();
      await storage.stop();
    },
  };
}
