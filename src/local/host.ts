// A small local stand-in for the Functions host: drives captured registrations from storage and
// HTTP. New blobs invoke blob triggers (with poison-blob retries and receipts), timers fire on
// their NCRONTAB schedule, /api/<route> reaches HTTP functions and POST /admin/functions/{name}
// invokes any other function at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { StorageClients } from '../storage/clients.js';
import { usesDeferredBinding, type CapturedFunction, type InvocationLogHandler, type TimerTriggerInput } from './captureRegistrations.js';
import { parseNcrontab, type NcrontabSchedule } from './ncrontab.js';
import {
  compareRoutePrecedence,
  compileBlobPath,
  compileRoute,
  resolveSettings,
  type BlobPathPattern,
  type CompiledRoute,
} from './templates.js';

export interface HostJsonSettings {
  routePrefix: string;
  poisonBlobThreshold: number;
  maxDegreeOfParallelism: number;
}

/** The parts of host.json the local host honours, with the Functions defaults. */
export function readHostJson(packageRoot: string): HostJsonSettings {
  const path = join(packageRoot, 'host.json');
  const json = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>) : {};
  const blobs = json?.extensions?.blobs ?? {};
  const http = json?.extensions?.http ?? {};
  return {
    routePrefix: typeof http.routePrefix === 'string' ? http.routePrefix : 'api',
    poisonBlobThreshold: Number.isInteger(blobs.poisonBlobThreshold) && blobs.poisonBlobThreshold > 0 ? blobs.poisonBlobThreshold : 5,
    maxDegreeOfParallelism:
      Number.isInteger(blobs.maxDegreeOfParallelism) && blobs.maxDegreeOfParallelism > 0 ? blobs.maxDegreeOfParallelism : 8,
  };
}

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
}

export type InvocationReason = 'http' | 'blob' | 'timer' | 'admin';

export interface InvocationEvent {
  functionName: string;
  invocationId: string;
  reason: InvocationReason;
  outcome: 'succeeded' | 'failed' | 'poisoned';
  durationMs: number;
  /** 1-based attempt number for blob triggers. */
  attempt?: number;
  blobName?: string;
  error?: string;
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
  describe(): HostFunctionInfo[];
  onInvocation(listener: (event: InvocationEvent) => void): () => void;
  /** Scans the blob containers now instead of waiting for the next poll. */
  pollBlobsNow(): Promise<void>;
  stop(): Promise<void>;
}

const RECEIPTS_CONTAINER = 'azure-webjobs-hosts';
const RECEIPT_PREFIX = 'blobreceipts/local-host';
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface HttpRoute {
  fn: CapturedFunction;
  route: CompiledRoute;
  methods: Set<string>;
}

interface BlobWatch {
  fn: CapturedFunction;
  pattern: BlobPathPattern;
  container: ContainerClient;
  receipts: ContainerClient;
  /** Keys (name + ETag) already completed or poisoned. */
  done: Set<string>;
  inFlight: Set<string>;
  receiptsLoaded: boolean;
}

interface TimerState {
  fn: CapturedFunction;
  schedule: NcrontabSchedule;
  timeout?: NodeJS.Timeout;
  next?: Date;
  last?: Date;
  running?: Promise<void>;
  pending?: { scheduledFor: Date; reason: InvocationReason };
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const settings: HostJsonSettings = {
    routePrefix: options.hostJson?.routePrefix ?? 'api',
    poisonBlobThreshold: options.hostJson?.poisonBlobThreshold ?? 5,
    maxDegreeOfParallelism: options.hostJson?.maxDegreeOfParallelism ?? 8,
  };
  const pollInterval = options.blobPollIntervalMs ?? 2000;
  const retryDelay = options.blobRetryDelayMs ?? 1000;
  const routePrefix = settings.routePrefix.replace(/^\/+|\/+$/g, '');
  const listeners = new Set<(event: InvocationEvent) => void>();
  const active = new Set<Promise<unknown>>();
  let stopping = false;

  function emit(event: InvocationEvent): void {
    const status = event.outcome === 'succeeded' ? 'Succeeded' : event.outcome === 'poisoned' ? 'Poisoned' : 'Failed';
    const extra = event.error ? `, Error='${event.error}'` : '';
    log(`Executed '${event.functionName}' (${status}, Id=${shortId(event.invocationId)}, Duration=${event.durationMs}ms${extra})`);
    for (const listener of listeners) listener(event);
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    active.add(promise);
    promise.then(
      () => active.delete(promise),
      () => active.delete(promise),
    );
    return promise;
  }

  // ---- Classify the registrations ----
  const httpRoutes: HttpRoute[] = [];
  const blobWatches: BlobWatch[] = [];
  const timers: TimerState[] = [];
  const byName = new Map<string, CapturedFunction>();
  for (const fn of options.functions) {
    byName.set(fn.name.toLowerCase(), fn);
    const extra = fn.bindings.filter((b) => b !== fn.trigger && !(b.name === '$return' && b.type === 'http'));
    if (extra.length > 0) {
      throw new Error(
        `Function "${fn.name}" uses ${extra.map((b) => `${b.type} ${b.direction}`).join(', ')} binding(s), which the local host does not provide; use the storage SDK clients instead`,
      );
    }
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      const template = resolveSettings(String(fn.trigger['route'] ?? fn.name), env, `function ${fn.name}`);
      const methods = Array.isArray(fn.trigger['methods']) ? (fn.trigger['methods'] as string[]) : ['GET', 'POST'];
      httpRoutes.push({ fn, route: compileRoute(template, fn.name), methods: new Set(methods.map((m) => m.toUpperCase())) });
    } else if (type === 'blobtrigger') {
      const path = resolveSettings(String(fn.trigger['path'] ?? ''), env, `function ${fn.name}`);
      const pattern = compileBlobPath(path, fn.name);
      const connection = String(fn.trigger['connection'] || 'AzureWebJobsStorage');
      const storage = options.storageFor(connection);
      blobWatches.push({
        fn,
        pattern,
        container: storage.blobService.getContainerClient(pattern.container),
        receipts: storage.blobService.getContainerClient(RECEIPTS_CONTAINER),
        done: new Set(),
        inFlight: new Set(),
        receiptsLoaded: false,
      });
    } else if (type === 'timertrigger') {
      const expression = resolveSettings(String(fn.trigger['schedule'] ?? ''), env, `function ${fn.name}`);
      timers.push({ fn, schedule: parseNcrontab(expression) });
    } else {
      throw new Error(`Function "${fn.name}" has a ${fn.trigger.type}, which the local host does not run`);
    }
  }
  httpRoutes.sort((a, b) => compareRoutePrecedence(a.route, b.route));

  // ---- Blob triggers ----
  const blobQueue: Array<() => Promise<void>> = [];
  let blobWorkers = 0;

  function pumpBlobQueue(): void {
    while (!stopping && blobWorkers < settings.maxDegreeOfParallelism && blobQueue.length > 0) {
      const job = blobQueue.shift()!;
      blobWorkers++;
      void track(job()).finally(() => {
        blobWorkers--;
        pumpBlobQueue();
      });
    }
  }

  function receiptName(watch: BlobWatch, blobName: string, etag: string): string {
    return `${RECEIPT_PREFIX}/${watch.fn.name}/${watch.pattern.container}/${etag.replace(/"/g, '')}/${blobName}`;
  }

  async function loadReceipts(watch: BlobWatch): Promise<void> {
    if (watch.receiptsLoaded) return;
    await watch.receipts.createIfNotExists();
    const prefix = `${RECEIPT_PREFIX}/${watch.fn.name}/${watch.pattern.container}/`;
    for await (const item of watch.receipts.listBlobsFlat({ prefix })) {
      const rest = item.name.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) watch.done.add(`${rest.slice(slash + 1)}\u0000${rest.slice(0, slash)}`);
    }
    watch.receiptsLoaded = true;
  }

  async function writeReceipt(watch: BlobWatch, blobName: string, etag: string, status: 'succeeded' | 'poisoned'): Promise<void> {
    const body = JSON.stringify({ status, at: new Date().toISOString() });
    await watch.receipts
      .getBlockBlobClient(receiptName(watch, blobName, etag))
      .upload(body, Buffer.byteLength(body), { metadata: { status } });
  }

  async function invokeBlob(
    watch: BlobWatch,
    blobName: string,
    pathParams: Record<string, string>,
    reason: InvocationReason,
    attempt: number,
    ifMatch?: string,
  ): Promise<InvocationEvent> {
    const blob = watch.container.getBlobClient(blobName);
    const started = Date.now();
    const conditions = ifMatch ? { conditions: { ifMatch } } : {};
    // As the Functions host: an SDK binding (sdkBinding: true) gets model binding data and reads the
    // blob itself, so only the properties are read here; otherwise the bytes are read and sent.
    let content: Buffer | undefined;
    let properties: { etag?: string; contentLength?: number; contentType?: string; lastModified?: Date; createdOn?: Date; metadata?: Record<string, string> };
    if (usesDeferredBinding(watch.fn.trigger)) {
      properties = await blob.getProperties(conditions);
    } else {
      const download = await blob.download(0, undefined, conditions);
      const chunks: Buffer[] = [];
      for await (const chunk of download.readableStreamBody!) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      content = Buffer.concat(chunks);
      properties = download;
    }
    const etag = properties.etag ?? '';
    const invocationId = randomUUID();
    try {
      await watch.fn.invoke(
        {
          kind: 'blob',
          ...(content === undefined ? {} : { content }),
          container: watch.pattern.container,
          blobName,
          uri: blob.url,
          properties: {
            eTag: etag,
            contentLength: content?.length ?? properties.contentLength ?? 0,
            contentType: properties.contentType,
            lastModified: properties.lastModified,
            createdOn: properties.createdOn,
          },
          metadata: properties.metadata,
          pathParams,
        },
        { log: options.functionLog, invocationId },
      );
      return { functionName: watch.fn.name, invocationId, reason, outcome: 'succeeded', durationMs: Date.now() - started, attempt, blobName };
    } catch (err) {
      return {
        functionName: watch.fn.name,
        invocationId,
        reason,
        outcome: 'failed',
        durationMs: Date.now() - started,
        attempt,
        blobName,
        error: errorMessage(err),
      };
    }
  }

  function enqueueBlob(watch: BlobWatch, blobName: string, etag: string, pathParams: Record<string, string>): void {
    const key = `${blobName}\u0000${etag.replace(/"/g, '')}`;
    if (watch.done.has(key) || watch.inFlight.has(key)) return;
    watch.inFlight.add(key);
    blobQueue.push(async () => {
      try {
        for (let attempt = 1; attempt <= settings.poisonBlobThreshold && !stopping; attempt++) {
          log(`Executing '${watch.fn.name}' (Reason='New blob detected: ${watch.pattern.container}/${blobName}', Attempt=${attempt})`);
          let event: InvocationEvent;
          try {
            event = await invokeBlob(watch, blobName, pathParams, 'blob', attempt, etag);
          } catch (err) {
            const status = (err as { statusCode?: number }).statusCode;
            if (status === 404 || status === 412) {
              log(`Blob ${watch.pattern.container}/${blobName} changed or disappeared before '${watch.fn.name}' could read it; skipped`);
              return;
            }
            event = {
              functionName: watch.fn.name,
              invocationId: 'unknown',
              reason: 'blob',
              outcome: 'failed',
              durationMs: 0,
              attempt,
              blobName,
              error: `reading the blob failed: ${errorMessage(err)}`,
            };
          }
          if (event.outcome === 'succeeded') {
            emit(event);
            await writeReceipt(watch, blobName, etag, 'succeeded');
            watch.done.add(key);
            return;
          }
          if (attempt === settings.poisonBlobThreshold) {
            emit({ ...event, outcome: 'poisoned' });
            log(
              `Blob ${watch.pattern.container}/${blobName} is poisoned: '${watch.fn.name}' failed ${attempt} time(s) ` +
                `(poisonBlobThreshold ${settings.poisonBlobThreshold}); upload it again to retry`,
            );
            await writeReceipt(watch, blobName, etag, 'poisoned');
            watch.done.add(key);
            return;
          }
          emit(event);
          await delay(retryDelay);
        }
      } catch (err) {
        log(`Blob trigger bookkeeping for '${watch.fn.name}' failed: ${errorMessage(err)}`);
      } finally {
        watch.inFlight.delete(key);
      }
    });
    pumpBlobQueue();
  }

  let pollRunning: Promise<void> | undefined;
  let lastPollError = '';
  async function pollBlobs(): Promise<void> {
    for (const watch of blobWatches) {
      await loadReceipts(watch);
      for await (const item of watch.container.listBlobsFlat({ prefix: watch.pattern.prefix })) {
        const params = watch.pattern.match(item.name);
        if (!params || !item.properties.etag) continue;
        enqueueBlob(watch, item.name, item.properties.etag, params);
      }
    }
  }
  function pollBlobsOnce(): Promise<void> {
    pollRunning ??= track(
      pollBlobs()
        .then(() => {
          lastPollError = '';
        })
        .catch((err: unknown) => {
          const message = `Scanning blob containers failed: ${errorMessage(err)}`;
          if (message !== lastPollError) log(message);
          lastPollError = message;
        })
        .finally(() => {
          pollRunning = undefined;
        }),
    );
    return pollRunning;
  }

  // ---- Timers ----
  async function runTimer(timer: TimerState, scheduledFor: Date, reason: InvocationReason): Promise<void> {
    const retry = timer.fn.retryOptions;
    const maxRetries = Math.max(0, retry?.maxRetryCount ?? 0);
    const isPastDue = Date.now() - scheduledFor.getTime() > 1000;
    for (let retryCount = 0; retryCount <= maxRetries && !stopping; retryCount++) {
      const started = Date.now();
      log(`Executing '${timer.fn.name}' (Reason='${reason === 'admin' ? 'Invoked via the admin API' : 'Timer fired'}'${retryCount ? `, Retry=${retryCount}` : ''})`);
      const input: TimerTriggerInput = { kind: 'timer', isPastDue, last: timer.last, next: timer.next };
      const invocationId = randomUUID();
      try {
        await timer.fn.invoke(input, {
          invocationId,
          log: options.functionLog,
          retryContext: retry ? { retryCount, maxRetryCount: maxRetries } : undefined,
        });
        emit({ functionName: timer.fn.name, invocationId, reason, outcome: 'succeeded', durationMs: Date.now() - started });
        break;
      } catch (err) {
        emit({ functionName: timer.fn.name, invocationId, reason, outcome: 'failed', durationMs: Date.now() - started, error: errorMessage(err) });
        if (retryCount < maxRetries) {
          const base = (retry?.delayInterval?.seconds ?? retry?.minimumInterval?.seconds ?? 1) * 1000;
          const cap = (retry?.maximumInterval?.seconds ?? Infinity) * 1000;
          await delay(retry?.retryStrategy === 'exponentialBackoff' ? Math.min(cap, base * 2 ** retryCount) : base);
        }
      }
    }
    timer.last = scheduledFor;
  }

  /** Runs the timer function now, or right after the current run (the host never overlaps a timer). */
  function fireTimer(timer: TimerState, scheduledFor: Date, reason: InvocationReason): void {
    if (timer.running) {
      timer.pending = { scheduledFor, reason };
      return;
    }
    timer.running = track(runTimer(timer, scheduledFor, reason)).finally(() => {
      timer.running = undefined;
      const pending = timer.pending;
      timer.pending = undefined;
      if (pending && !stopping) fireTimer(timer, pending.scheduledFor, pending.reason);
    });
  }

  /** Schedules the next occurrence strictly after `after` (default: now). */
  function armTimer(timer: TimerState, after: Date = new Date()): void {
    if (stopping) return;
    const next = timer.schedule.next(after);
    timer.next = next;
    if (!next) {
      log(`Timer '${timer.fn.name}': schedule "${timer.schedule.expression}" has no occurrence in the next 10 years`);
      return;
    }
    const wait = Math.min(next.getTime() - Date.now(), MAX_TIMER_DELAY_MS);
    timer.timeout = setTimeout(() => {
      // Long waits are capped by setTimeout's range: re-arm until the occurrence is due.
      if (Date.now() + 50 < next.getTime()) return armTimer(timer, new Date(after.getTime()));
      fireTimer(timer, next, 'timer');
      armTimer(timer, new Date(Math.max(Date.now(), next.getTime())));
    }, Math.max(0, wait));
  }

  // ---- HTTP ----
  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES) {
          reject(new HttpError(413, `Request body larger than ${MAX_REQUEST_BYTES} bytes`));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  function sendText(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(message === '' ? undefined : `${message}\n`);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST to invoke a function');
    const fn = byName.get(name.toLowerCase());
    if (!fn) throw new HttpError(404, `No function named "${name}"`);
    const body = await readBody(req);
    let input: unknown;
    if (body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'The body must be JSON: { "input": "..." }');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new HttpError(400, 'The body must be a JSON object: { "input": "..." }');
      }
      input = (parsed as Record<string, unknown>)['input'];
    }
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      throw new HttpError(400, `"${fn.name}" is an HTTP function; call it at its route under /${routePrefix}/`);
    }
    if (type === 'timertrigger') {
      const timer = timers.find((t) => t.fn === fn)!;
      fireTimer(timer, new Date(), 'admin');
    } else {
      const watch = blobWatches.find((w) => w.fn === fn)!;
      if (typeof input !== 'string' || input === '') {
        throw new HttpError(400, `"${fn.name}" is blob-triggered: send { "input": "${watch.pattern.container}/<blob name>" }`);
      }
      const containerPrefix = `${watch.pattern.container}/`;
      if (!input.startsWith(containerPrefix)) {
        throw new HttpError(400, `"input" must name a blob in ${watch.pattern.container}: "${containerPrefix}<blob name>"`);
      }
      const blobName = input.slice(containerPrefix.length);
      const params = watch.pattern.match(blobName);
      if (!params) throw new HttpError(400, `Blob name "${blobName}" does not fit the trigger path of "${fn.name}"`);
      log(`Executing '${fn.name}' (Reason='Invoked via the admin API: ${input}')`);
      void track(
        invokeBlob(watch, blobName, params, 'admin', 1)
          .catch((err: unknown) => ({
            functionName: fn.name,
            invocationId: 'unknown',
            reason: 'admin' as const,
            outcome: 'failed' as const,
            durationMs: 0,
            attempt: 1,
            blobName,
            error: `reading the blob failed: ${errorMessage(err)}`,
          }))
          .then(emit),
      );
    }
    res.writeHead(202);
    res.end();
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, subPath: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = httpRoutes
      .map((r) => ({ r, m: r.route.match(subPath) }))
      .filter((x): x is { r: HttpRoute; m: NonNullable<typeof x.m> } => x.m !== undefined);
    if (matches.length === 0) throw new HttpError(404, 'No function answers at this route');
    const hit = matches.find((x) => x.r.methods.has(method));
    if (!hit) {
      const allowed = [...new Set(matches.flatMap((x) => [...x.r.methods]))].join(', ');
      throw new HttpError(405, `Method ${method} is not allowed here; use ${allowed}`);
    }
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const started = Date.now();
    const label = `${method} /${routePrefix ? `${routePrefix}/` : ''}${hit.r.route.template}`;
    log(`Executing '${hit.r.fn.name}' (Reason='${label}')`);
    const invocationId = randomUUID();
    let result;
    try {
      result = await hit.r.fn.invoke(
        { kind: 'http', method, url: url.toString(), headers, params: hit.m.params, body },
        { invocationId, log: options.functionLog },
      );
    } catch (err) {
      emit({ functionName: hit.r.fn.name, invocationId, reason: 'http', outcome: 'failed', durationMs: Date.now() - started, error: errorMessage(err) });
      res.writeHead(500);
      res.end();
      return;
    }
    emit({ functionName: hit.r.fn.name, invocationId, reason: 'http', outcome: 'succeeded', durationMs: Date.now() - started });
    if (!result.http) {
      res.writeHead(204);
      res.end();
      return;
    }
    const outHeaders: Record<string, string | string[]> = {};
    for (const [key, value] of result.http.headers) {
      if (key.toLowerCase() !== 'content-length') outHeaders[key] = value;
    }
    if (result.http.cookies.length > 0) outHeaders['set-cookie'] = result.http.cookies;
    res.writeHead(result.http.status, outHeaders);
    res.end(method === 'HEAD' ? undefined : result.http.body);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    const path = url.pathname.replace(/^\/+|\/+$/g, '');
    const work = (async () => {
      const admin = /^admin\/functions\/([^/]+)$/i.exec(path);
      if (admin) return handleAdmin(req, res, decodeURIComponent(admin[1]!));
      const prefix = routePrefix === '' ? '' : `${routePrefix}/`;
      if (routePrefix === '' || path.toLowerCase() === routePrefix.toLowerCase() || path.toLowerCase().startsWith(prefix.toLowerCase())) {
        return handleApi(req, res, url, routePrefix === '' ? path : path.slice(Math.min(path.length, prefix.length)));
      }
      throw new HttpError(404, `Nothing here; functions answer under /${routePrefix}/`);
    })();
    void track(
      work.catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof HttpError) {
          sendText(res, err.status, err.message);
        } else {
          log(`Request handling failed: ${errorMessage(err)}`);
          sendText(res, 500, 'Internal error in the local host');
        }
      }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`HTTP port ${options.port} is already in use; stop what listens there or set PORT to another port`)
          : err,
      );
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  // ---- Start the triggers ----
  let pollTimer: NodeJS.Timeout | undefined;
  if (blobWatches.length > 0) {
    const loop = (): void => {
      if (stopping) return;
      void pollBlobsOnce().finally(() => {
        if (!stopping) pollTimer = setTimeout(loop, pollInterval);
      });
    };
    loop();
  }
  if (options.runTimers !== false) {
    for (const timer of timers) {
      if (timer.fn.trigger['runOnStartup'] === true) fireTimer(timer, new Date(), 'timer');
      armTimer(timer);
    }
  }

  return {
    url: `http://localhost:${port}`,
    port,
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
        if (watch) return { name: fn.name, trigger: 'blob', detail: String(resolveSettings(String(fn.trigger['path']), env, fn.name)) };
        const timer = timers.find((t) => t.fn === fn)!;
        return { name: fn.name, trigger: 'timer', detail: timer.schedule.expression, nextRun: timer.next };
      });
    },
    onInvocation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pollBlobsNow: pollBlobsOnce,
    async stop() {
      if (stopping) return;
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      for (const timer of timers) if (timer.timeout) clearTimeout(timer.timeout);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Let running invocations finish (bounded), then drop whatever connections remain.
      await Promise.race([Promise.allSettled([...active]), delay(10_000)]);
      server.closeAllConnections();
      await closed;
    },
  };
}
