// Captures the app's function registrations the way the Node worker does: a stand-in for the
// worker's virtual `@azure/functions-core` module records setProgrammingModel / registerFunction /
// registerHook while the files matched by package.json `main` load, and each captured function can
// then be invoked through the library's own InvocationModel with RPC-shaped inputs.
import Module from 'node:module';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { blobModelBindingData, type ModelBindingData } from '../storage/bindingBlobClient.js';
import { escapeForLog } from './logText.js';

// ---- The slice of the worker <-> library contract (`@azure/functions-core`) that we implement ----

/** RpcTypedData: one value crossing the host/worker boundary. */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
  /** Sent instead of the value for a binding with supportsDeferredBinding (sdkBinding: true). */
  modelBindingData?: ModelBindingData | null;
}

interface RpcNullable<T> {
  value?: T | null;
}

interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: RpcNullable<string> | null;
  path?: RpcNullable<string> | null;
  expires?: RpcNullable<{ seconds?: number | null }> | null;
  secure?: RpcNullable<boolean> | null;
  httpOnly?: RpcNullable<boolean> | null;
  sameSite?: string | null;
  maxAge?: RpcNullable<number> | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  query?: Record<string, string> | null;
  statusCode?: string | null;
  cookies?: RpcHttpCookie[] | null;
  enableContentNegotiation?: boolean | null;
}

/** A binding as the library registers it (before the worker adds its name). */
interface RpcBindingInfo {
  type?: string;
  direction?: string;
  [property: string]: unknown;
}

interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: RetryOptions;
}

export interface RetryOptions {
  /** 'fixedDelay' or 'exponentialBackoff' (as the worker sends it: any other text is treated as a fixed delay). */
  retryStrategy?: string;
  maxRetryCount?: number;
  delayInterval?: { seconds?: number | null } | null;
  minimumInterval?: { seconds?: number | null } | null;
  maximumInterval?: { seconds?: number | null } | null;
}

type FunctionCallback = (...args: unknown[]) => unknown;
type HookCallback = (context: unknown) => unknown;

interface RpcInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: Array<{ name: string; data: RpcTypedData }>;
  triggerMetadata: Record<string, RpcTypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
}

interface RpcInvocationResponse {
  invocationId?: string;
  returnValue?: RpcTypedData | null;
  outputData?: Array<{ name?: string; data?: RpcTypedData | null }>;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: { name: string; bindings: Record<string, RpcBindingInfo> };
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: LogLevel, category: 'user' | 'system' | 'customMetric', message: string): void;
}

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

// ---- What callers get ----

/** One binding exactly as the host receives it (the worker sends JSON of `{ ...binding, name }`). */
export interface CapturedBinding {
  name: string;
  type: string;
  direction: string;
  [property: string]: unknown;
}

export interface HttpTriggerInput {
  kind: 'http';
  method: string;
  /** Absolute URL of the request as the client sent it. */
  url: string;
  headers: Record<string, string>;
  /** Route parameters ({meetingId} etc.), already URL-decoded. */
  params: Record<string, string>;
  body?: Buffer;
}

export interface BlobTriggerInput {
  kind: 'blob';
  /**
   * The blob's bytes, sent when the trigger is not an SDK binding. A trigger registered with
   * `sdkBinding: true` receives model binding data naming its connection, the container and the blob instead.
   */
  content?: Buffer;
  container: string;
  blobName: string;
  uri: string;
  properties: {
    eTag: string;
    contentLength: number;
    contentType?: string;
    lastModified?: Date;
    createdOn?: Date;
  };
  metadata?: Record<string, string>;
  /** Values of the `{tokens}` of the trigger's path ({name} etc.). */
  pathParams: Record<string, string>;
}

export interface TimerTriggerInput {
  kind: 'timer';
  isPastDue: boolean;
  last?: Date;
  next?: Date;
}

export type TriggerInput = HttpTriggerInput | BlobTriggerInput | TimerTriggerInput;

export type InvocationLogHandler = (entry: {
  functionName: string;
  invocationId: string;
  level: LogLevel;
  category: string;
  message: string;
}) => void;

export interface InvokeOptions {
  invocationId?: string;
  /** As the host sends it on a retried invocation. */
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
  /** Receives the function's context.log output; defaults to the console. */
  log?: InvocationLogHandler;
}

export interface HttpInvocationResponse {
  status: number;
  headers: Array<[string, string]>;
  /** Complete Set-Cookie header values. */
  cookies: string[];
  body: Buffer;
}

export interface InvocationResult {
  invocationId: string;
  /** For HTTP triggers; undefined when the handler returned nothing. */
  http?: HttpInvocationResponse;
  /** The RPC return value for other triggers (what the host would receive). */
  returnValue?: RpcTypedData | null;
}

export interface CapturedFunction {
  readonly name: string;
  /** All bindings, as the host receives them. */
  readonly bindings: readonly CapturedBinding[];
  /** The trigger binding (one of `bindings`). */
  readonly trigger: CapturedBinding;
  /** Function-level retry policy (timer triggers only honour it in Azure). */
  readonly retryOptions?: RetryOptions;
  /** Invokes the registered handler the way the worker does; rejects when the handler fails. */
  invoke(input: TriggerInput, options?: InvokeOptions): Promise<InvocationResult>;
}

export interface CaptureOptions {
  /** Folder holding package.json; defaults to the nearest one above this file. */
  packageRoot?: string;
  /** Files to load instead of package.json `main` (absolute, or relative to packageRoot). */
  files?: string[];
}

// ---- The fake core module ----

interface CaptureState {
  programmingModel?: ProgrammingModel;
  capabilities?: Record<string, string>;
  readonly registrations: Array<{ metadata: CoreFunctionMetadata; callback: FunctionCallback }>;
  readonly hooks: Map<string, Set<HookCallback>>;
  readonly appHookData: Record<string, unknown>;
  readonly loadedFiles: Set<string>;
  readonly captured: Map<string, CapturedFunction>;
}

const CORE_MODULE = '@azure/functions-core';
const STATE_KEY = Symbol.for('teams-audit.local.captureState');

function systemLog(level: LogLevel, _category: string, message: string): void {
  if (level === 'debug' || level === 'trace' || level === 'none') return;
  const line = `[functions-library] ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else console.log(line);
}

class Disposable {
  readonly #onDispose: () => void;
  constructor(onDispose: () => void) {
    this.#onDispose = onDispose;
  }
  dispose(): void {
    this.#onDispose();
  }
}

function installFakeCore(packageRoot: string): CaptureState {
  const holder = globalThis as unknown as Record<symbol, CaptureState | undefined>;
  const existing = holder[STATE_KEY];
  if (existing) return existing;

  // The library caches its lookup of the core module on first use, so it must not be loaded yet.
  const requireFromRoot = Module.createRequire(join(packageRoot, 'package.json'));
  let libraryPath: string | undefined;
  try {
    libraryPath = requireFromRoot.resolve('@azure/functions');
  } catch {
    throw new Error(`@azure/functions is not installed under ${packageRoot}; run npm install`);
  }
  if (Module.createRequire(__filename).cache[libraryPath]) {
    throw new Error(
      '@azure/functions was loaded before the registrations could be captured; load nothing that imports ' +
        '@azure/functions before calling captureRegistrations (it must run first in its process)',
    );
  }

  const state: CaptureState = {
    registrations: [],
    hooks: new Map(),
    appHookData: {},
    loadedFiles: new Set(),
    captured: new Map(),
  };
  const coreApi = {
    version: 'local-host',
    hostVersion: '4.0.0-local',
    setProgrammingModel(model: ProgrammingModel): void {
      state.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return state.programmingModel;
    },
    registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
      if (state.registrations.some((r) => r.metadata.name === metadata.name)) {
        throw new Error(`Function "${metadata.name}" is registered twice`);
      }
      const entry = { metadata, callback };
      state.registrations.push(entry);
      return new Disposable(() => {
        const i = state.registrations.indexOf(entry);
        if (i >= 0) state.registrations.splice(i, 1);
      });
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      let set = state.hooks.get(hookName);
      if (!set) state.hooks.set(hookName, (set = new Set()));
      set.add(callback);
      return new Disposable(() => set.delete(callback));
    },
    log(level: LogLevel, category: string, message: string): void {
      systemLog(level, category, message);
    },
    Disposable,
  };

  type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
  const moduleInternals = Module as unknown as { _load: Loader };
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (request === CORE_MODULE) return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
  holder[STATE_KEY] = state;
  return state;
}

// ---- package.json `main` ----

/** The nearest folder at or above `start` that holds a package.json. */
export function findPackageRoot(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${start}`);
    dir = parent;
  }
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) throw new Error(`Unbalanced "{" in the main pattern "${pattern}"`);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((alt) => expandBraces(head + alt + tail));
}

function segmentRegex(segment: string): RegExp {
  const body = segment
    .split('')
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Expands a package.json `main` value the way the worker's glob does for the forms apps use:
 * brace alternatives and `*` / `?` inside a path segment. Returns existing files, in pattern
 * order, sorted within each alternative.
 */
export function expandMainPattern(packageRoot: string, pattern: string): string[] {
  const out: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    let candidates = [packageRoot];
    for (const segment of alternative.split('/').filter((s) => s !== '' && s !== '.')) {
      const next: string[] = [];
      for (const dir of candidates) {
        if (!/[*?]/.test(segment)) {
          const path = join(dir, segment);
          if (existsSync(path)) next.push(path);
          continue;
        }
        if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
        const re = segmentRegex(segment);
        for (const name of readdirSync(dir).sort()) if (re.test(name)) next.push(join(dir, name));
      }
      candidates = next;
    }
    for (const file of candidates) {
      if (statSync(file).isFile() && !out.includes(file)) out.push(file);
    }
  }
  return out;
}

export function mainFiles(packageRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main === '') {
    throw new Error(`${join(packageRoot, 'package.json')} has no "main"; the Functions host loads the files it names`);
  }
  const files = expandMainPattern(packageRoot, pkg.main);
  if (files.length === 0) {
    throw new Error(`package.json "main" (${pkg.main}) matches no file under ${packageRoot}; run npm run build first`);
  }
  return files;
}

// ---- Invocation ----

function nullable<T>(v: RpcNullable<T> | null | undefined): T | undefined {
  return v?.value ?? undefined;
}

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  const domain = nullable(cookie.domain);
  const path = nullable(cookie.path);
  const expires = nullable(cookie.expires);
  const maxAge = nullable(cookie.maxAge);
  if (domain) parts.push(`Domain=${domain}`);
  if (path) parts.push(`Path=${path}`);
  if (expires?.seconds != null) parts.push(`Expires=${new Date(expires.seconds * 1000).toUTCString()}`);
  if (maxAge != null) parts.push(`Max-Age=${Math.round(maxAge)}`);
  if (nullable(cookie.secure)) parts.push('Secure');
  if (nullable(cookie.httpOnly)) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes != null) return Buffer.from(data.bytes);
  if (data.string != null) return Buffer.from(data.string, 'utf8');
  if (data.json != null) return Buffer.from(data.json, 'utf8');
  if (data.int != null) return Buffer.from(String(data.int));
  if (data.double != null) return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** Whether the host sends model binding data instead of the value (the library sets this for `sdkBinding: true`). */
export function usesDeferredBinding(binding: CapturedBinding): boolean {
  const properties = binding['properties'] as Record<string, unknown> | undefined;
  return properties?.['supportsDeferredBinding'] === 'true';
}

/** What the host puts in a blob trigger's input: model binding data for an SDK binding, the bytes otherwise. */
function blobTriggerData(trigger: CapturedBinding, input: BlobTriggerInput): RpcTypedData {
  if (usesDeferredBinding(trigger)) {
    const connection = trigger['connection'];
    if (typeof connection !== 'string' || connection === '')
      throw new Error(`The blob trigger "${trigger.name}" names no connection`);
    return {
      modelBindingData: blobModelBindingData({ connection, container: input.container, blobName: input.blobName }),
    };
  }
  if (input.content === undefined)
    throw new Error(`The blob trigger "${trigger.name}" receives the blob's bytes, and none were given`);
  return { bytes: input.content };
}

function fromRpcHttpResponse(data: RpcHttpData): HttpInvocationResponse {
  return {
    status: Number(data.statusCode ?? 200),
    headers: Object.entries(data.headers ?? {}),
    cookies: (data.cookies ?? []).map(serializeCookie),
    body: typedDataToBuffer(data.body),
  };
}

function defaultLog(entry: Parameters<InvocationLogHandler>[0]): void {
  if (entry.level === 'debug' || entry.level === 'trace' || entry.level === 'none') return;
  // One line per entry: a message quoting outside text (a blob name) cannot forge a line.
  const line = `[${entry.functionName}] ${escapeForLog(entry.message)}`;
  if (entry.level === 'error' || entry.level === 'critical') console.error(line);
  else if (entry.level === 'warning') console.warn(line);
  else console.log(line);
}

async function executeHooks(state: CaptureState, name: string, context: unknown): Promise<void> {
  for (const hook of state.hooks.get(name) ?? []) await hook(context);
}

/** The worker asks the programming model for capabilities once after loading the app; this locks app.setup(). */
async function capabilities(state: CaptureState): Promise<Record<string, string>> {
  if (!state.capabilities) {
    if (!state.programmingModel) throw new Error('The app set no programming model (no function was registered)');
    state.capabilities = await state.programmingModel.getCapabilities({});
  }
  return state.capabilities;
}

/** Headers the host strips before forwarding a request. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

function makeCapturedFunction(
  state: CaptureState,
  metadata: CoreFunctionMetadata,
  callback: FunctionCallback,
): CapturedFunction {
  const bindings: CapturedBinding[] = Object.entries(metadata.bindings).map(
    ([name, binding]) => JSON.parse(JSON.stringify({ ...binding, name })) as CapturedBinding,
  );
  const trigger = bindings.find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`Function "${metadata.name}" has no trigger binding`);

  async function invoke(input: TriggerInput, options: InvokeOptions = {}): Promise<InvocationResult> {
    const invocationId = options.invocationId ?? randomUUID();
    const log = options.log ?? defaultLog;
    const triggerName = trigger!.name;
    const triggerType = trigger!.type.toLowerCase();
    const request: RpcInvocationRequest = {
      invocationId,
      functionId: metadata.name,
      inputData: [],
      triggerMetadata: {},
      retryContext: options.retryContext,
    };
    const caps = await capabilities(state);
    const httpStreamUri = caps['HttpUri'];
    let proxied: Promise<Response> | undefined;
    const abortProxy = new AbortController();

    if (input.kind === 'http') {
      if (triggerType !== 'httptrigger') throw new Error(`Function "${metadata.name}" is not HTTP-triggered`);
      const url = new URL(input.url);
      request.triggerMetadata['Headers'] = { json: JSON.stringify(input.headers) };
      // The library ignores this binding data for the query (it reads request.query from http below).
      request.triggerMetadata['Query'] = { json: JSON.stringify(Object.fromEntries(url.searchParams)) };
      for (const [key, value] of Object.entries(input.params)) request.triggerMetadata[key] = { string: value };
      const http: RpcHttpData = {
        method: input.method,
        url: input.url,
        headers: input.headers,
        // No `query` map: the library then reads request.query from the URL, every value of a
        // repeated parameter kept (a map would keep one), so the handlers see what the client sent.
        params: input.params,
        body: input.body && input.body.length > 0 ? { bytes: input.body } : undefined,
      };
      request.inputData.push({ name: triggerName, data: { http } });
      if (httpStreamUri) {
        // app.setup({ enableHttpStream: true }): the host forwards the raw request to the library's proxy.
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(input.headers)) {
          if (!HOP_BY_HOP.has(key.toLowerCase())) headers[key] = value;
        }
        headers['x-ms-invocation-id'] = invocationId;
        headers['x-forwarded-host'] = url.host;
        headers['x-forwarded-proto'] = url.protocol.replace(':', '');
        const hasBody = !['GET', 'HEAD'].includes(input.method.toUpperCase());
        proxied = fetch(new URL(url.pathname + url.search, httpStreamUri), {
          method: input.method,
          headers,
          body: hasBody ? (input.body ?? Buffer.alloc(0)) : undefined,
          signal: abortProxy.signal,
        });
        proxied.catch(() => undefined);
      }
    } else if (input.kind === 'blob') {
      if (triggerType !== 'blobtrigger') throw new Error(`Function "${metadata.name}" is not blob-triggered`);
      const p = input.properties;
      // The host's binding data: PascalCase names, which the library camel-cases for context.triggerMetadata.
      request.triggerMetadata['BlobTrigger'] = { string: `${input.container}/${input.blobName}` };
      request.triggerMetadata['Uri'] = { string: input.uri };
      request.triggerMetadata['Properties'] = {
        json: JSON.stringify({
          ETag: p.eTag,
          ContentLength: p.contentLength,
          ContentType: p.contentType,
          LastModified: p.lastModified?.toISOString(),
          CreatedOn: p.createdOn?.toISOString(),
          BlobType: 'Block',
        }),
      };
      request.triggerMetadata['Metadata'] = { json: JSON.stringify(input.metadata ?? {}) };
      for (const [key, value] of Object.entries(input.pathParams)) request.triggerMetadata[key] = { string: value };
      request.triggerMetadata['sys'] = {
        json: JSON.stringify({ MethodName: metadata.name, UtcNow: new Date().toISOString(), RandGuid: randomUUID() }),
      };
      request.inputData.push({ name: triggerName, data: blobTriggerData(trigger!, input) });
    } else {
      if (triggerType !== 'timertrigger') throw new Error(`Function "${metadata.name}" is not timer-triggered`);
      const now = new Date().toISOString();
      request.inputData.push({
        name: triggerName,
        data: {
          json: JSON.stringify({
            Schedule: { AdjustForDST: true },
            ScheduleStatus: {
              Last: input.last?.toISOString() ?? now,
              Next: input.next?.toISOString() ?? now,
              LastUpdated: now,
            },
            IsPastDue: input.isPastDue,
          }),
        },
      });
    }

    const coreCtx: CoreInvocationContext = {
      invocationId,
      request,
      metadata: { name: metadata.name, bindings: metadata.bindings },
      log(level, category, message) {
        log({ functionName: metadata.name, invocationId, level, category, message });
      },
    };
    try {
      const model = await state.programmingModel!.getInvocationModel(coreCtx);
      const hookData: Record<string, unknown> = {};
      const { context, inputs: initialInputs } = await model.getArguments();
      const pre = {
        hookData,
        appHookData: state.appHookData,
        invocationContext: context,
        functionCallback: callback,
        inputs: initialInputs,
      };
      coreCtx.state = 'preInvocationHooks';
      try {
        await executeHooks(state, 'preInvocation', pre);
      } finally {
        coreCtx.state = undefined;
      }
      const post = {
        hookData,
        appHookData: state.appHookData,
        invocationContext: context,
        inputs: pre.inputs,
        result: null as unknown,
        error: null as unknown,
      };
      coreCtx.state = 'invocation';
      try {
        post.result = await model.invokeFunction(context, pre.inputs, pre.functionCallback);
      } catch (err) {
        post.error = err;
      } finally {
        coreCtx.state = undefined;
      }
      coreCtx.state = 'postInvocationHooks';
      try {
        await executeHooks(state, 'postInvocation', post);
      } finally {
        coreCtx.state = undefined;
      }
      if (post.error) throw thrownError(post.error);
      const response = await model.getResponse(context, post.result);

      if (input.kind !== 'http') return { invocationId, returnValue: response.returnValue };
      if (proxied) {
        const res = await proxied;
        const cookies = res.headers.getSetCookie();
        const headers = [...res.headers.entries()].filter(
          ([k]) => k !== 'set-cookie' && k !== 'x-ms-invocation-id' && !HOP_BY_HOP.has(k),
        );
        return {
          invocationId,
          http: { status: res.status, headers, cookies, body: Buffer.from(await res.arrayBuffer()) },
        };
      }
      const http = response.returnValue?.http;
      return { invocationId, http: http ? fromRpcHttpResponse(http) : undefined };
    } finally {
      abortProxy.abort();
    }
  }

  return { name: metadata.name, bindings, trigger, retryOptions: metadata.retryOptions, invoke };
}

/**
 * Installs the fake core module (first call only), loads the app's files (package.json `main`
 * unless `files` is given) and returns every function registered so far. Registration is an
 * import side effect, so a file is loaded once per process: call this before anything else
 * loads @azure/functions, and run it in a process of its own.
 */
export async function captureRegistrations(options: CaptureOptions = {}): Promise<CapturedFunction[]> {
  const packageRoot = options.packageRoot ?? findPackageRoot();
  const state = installFakeCore(packageRoot);
  const files = options.files ? options.files.map((f) => resolve(packageRoot, f)) : mainFiles(packageRoot);
  const requireFromRoot = Module.createRequire(join(packageRoot, 'package.json'));
  for (const file of files) {
    if (state.loadedFiles.has(file)) continue;
    try {
      requireFromRoot(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Loading ${file} failed: ${reason}`, { cause: err });
    }
    state.loadedFiles.add(file);
  }
  for (const { metadata, callback } of state.registrations) {
    if (!state.captured.has(metadata.name)) {
      state.captured.set(metadata.name, makeCapturedFunction(state, metadata, callback));
    }
  }
  if (state.registrations.length > 0) await capabilities(state);
  return state.registrations.map((r) => state.captured.get(r.metadata.name)!);
}

/** Runs the app's appStart / appTerminate hooks (app.hook.appStart etc.) as the worker does. */
export async function runAppHooks(kind: 'appStart' | 'appTerminate', functionAppDirectory: string): Promise<void> {
  const state = (globalThis as unknown as Record<symbol, CaptureState | undefined>)[STATE_KEY];
  if (!state) return;
  await executeHooks(state, kind, { hookData: {}, appHookData: state.appHookData, functionAppDirectory });
}

/** What a function or a hook threw, as an Error (a thrown non-Error becomes an Error with its text). */
function thrownError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
