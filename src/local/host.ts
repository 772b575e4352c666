// A small local stand-in for the Functions host: drives captured registrations from storage and
// HTTP. New blobs invoke blob triggers (with poison-blob retries and receipts), timers fire on
// their NCRONTAB schedule, /api/<route> reaches HTTP functions and POST /admin/functions/{name}
// invokes any other function at once. The parts live in blobTriggers, timerTriggers,
// httpFrontDoor, adminApi and functionRoutes; this module puts them together.
import { randomBytes } from 'node:crypto';
import type { StorageClients } from '../storage/clients.js';
import type { CapturedFunction, InvocationLogHandler } from './captureRegistrations.js';
import { resolveSettings } from './templates.js';
import { HOST_JSON_DEFAULTS, type HostJsonSettings } from './hostJson.js';
import { createRuntime, delay, type InvocationEvent } from './hostRuntime.js';
import { classifyRegistrations } from './registrations.js';
import { createBlobTriggers } from './blobTriggers.js';
import { createTimerScheduler } from './timerTriggers.js';
import { listen } from './httpFrontDoor.js';
import { adminHandler } from './adminApi.js';
import { functionRouteHandler } from './functionRoutes.js';

export { readHostJson, type HostJsonSettings } from './hostJson.js';
export type { InvocationEvent, InvocationReason } from './hostRuntime.js';

export interface HostOptions {
  functions: readonly CapturedFunction[];
  /** Storage clients for a binding's `connection` setting name. */
  storageFor: (connection: string) => StorageClients;
  /** App settings for %NAME% tokens; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** HTTP port (0 = any free port); the server listens on 127.0.0.1 only. */
  port: number;
  hostJson?: Partial<HostJsonSettings>;
  /** How often the blob containers are scanned (ms). */
  blobPollIntervalMs?: number;
  /** Pause between attempts on a failing blob (ms). */
  blobRetryDelayMs?: number;
  /** Set false to leave timers to POST /admin/functions/{name} only. */
  runTimers?: boolean;
  /** Host log lines (no PII: names of functions and blobs, route templates, durations). */
  log?: (line: string) => void;
  /** The functions' own context.log output. */
  functionLog?: InvocationLogHandler;
  /** The key the admin API requires in x-functions-key; by default a new random one. */
  adminKey?: string;
}

export interface HostFunctionInfo {
  name: string;
  trigger: string;
  /** HTTP: the URL template; blob: container/pattern; timer: the schedule. */
  detail: string;
  methods?: string[];
  nextRun?: Date;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  /** The key of this start for POST /admin/functions/{name}, sent in the x-functions-key header. */
  readonly adminKey: string;
  describe(): HostFunctionInfo[];
  onInvocation(listener: (event: InvocationEvent) => void): () => void;
  /** Scans the blob containers now instead of waiting for the next poll. */
  pollBlobsNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const env = options.env ?? process.env;
  const runtime = createRuntime(options.log ?? ((line: string) => console.log(line)), options.functionLog);
  const settings: HostJsonSettings = { ...HOST_JSON_DEFAULTS, ...definedOnly(options.hostJson) };
  const pollInterval = options.blobPollIntervalMs ?? 2000;
  const routePrefix = settings.routePrefix.replace(/^\/+|\/+$/g, '');
  const adminKey = options.adminKey ?? randomBytes(32).toString('base64url');
  if (adminKey.length < 16) throw new Error('The admin key must have at least 16 characters');

  const { httpRoutes, blobWatches, timers, byName } = classifyRegistrations(options.functions, env, options.storageFor);
  const blobTriggers = createBlobTriggers(runtime, blobWatches, {
    poisonBlobThreshold: settings.poisonBlobThreshold,
    maxDegreeOfParallelism: settings.maxDegreeOfParallelism,
    retryDelayMs: options.blobRetryDelayMs ?? 1000,
  });
  const scheduler = createTimerScheduler(runtime, timers);

  const { server, port } = await listen(runtime, options.port, {
    routePrefix,
    admin: adminHandler({ runtime, adminKey, routePrefix, byName, blobWatches, timers, blobTriggers, scheduler }),
    api: functionRouteHandler(runtime, routePrefix, httpRoutes),
  });

  // ---- Start the triggers ----
  let pollTimer: NodeJS.Timeout | undefined;
  if (blobWatches.length > 0) {
    const loop = (): void => {
      if (runtime.stopping()) return;
      void blobTriggers.pollOnce().finally(() => {
        if (!runtime.stopping()) pollTimer = setTimeout(loop, pollInterval);
      });
    };
    loop();
  }
  if (options.runTimers !== false) scheduler.start();

  return {
    url: `http://localhost:${port}`,
    port,
    adminKey,
    describe(): HostFunctionInfo[] {
      return options.functions.map((fn) => {
        const route = httpRoutes.find((r) => r.fn === fn);
        if (route) {
          return {
            name: fn.name,
            trigger: 'http',
            detail: `http://localhost:${port}/${routePrefix ? `${routePrefix}/` : ''}${route.route.template}`,
            methods: [...route.methods],
          };
        }
        const watch = blobWatches.find((w) => w.fn === fn);
        if (watch)
          return {
            name: fn.name,
            trigger: 'blob',
            detail: String(resolveSettings(String(fn.trigger['path']), env, fn.name)),
          };
        const timer = timers.find((t) => t.fn === fn)!;
        return { name: fn.name, trigger: 'timer', detail: timer.schedule.expression, nextRun: timer.next };
      });
    },
    onInvocation(listener) {
      runtime.listeners.add(listener);
      return () => runtime.listeners.delete(listener);
    },
    pollBlobsNow: blobTriggers.pollOnce,
    async stop() {
      if (runtime.stopping()) return;
      runtime.stop();
      if (pollTimer) clearTimeout(pollTimer);
      scheduler.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Let running invocations finish (bounded), then drop whatever connections remain.
      await Promise.race([Promise.allSettled([...runtime.active]), delay(10_000)]);
      server.closeAllConnections();
      await closed;
    },
  };
}

function definedOnly<T extends object>(value: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
