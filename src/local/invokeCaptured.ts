// Invokes a captured function the way the worker does: RPC-shaped inputs through the library's own
// InvocationModel, with the app's pre/post invocation hooks around the handler.
import { randomUUID } from 'node:crypto';
import { blobModelBindingData } from '../storage/bindingBlobClient.js';
import { escapeForLog } from './logText.js';
import type {
  BlobTriggerInput,
  CapturedBinding,
  CapturedFunction,
  HttpInvocationResponse,
  InvocationLogHandler,
  InvocationResult,
  InvokeOptions,
  TriggerInput,
} from './capturedFunction.js';
import type { CaptureState } from './fakeFunctionsCore.js';
import type {
  CoreFunctionMetadata,
  CoreInvocationContext,
  FunctionCallback,
  RpcHttpCookie,
  RpcHttpData,
  RpcInvocationRequest,
  RpcNullable,
  RpcTypedData,
} from './workerContract.js';

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

export async function executeHooks(state: CaptureState, name: string, context: unknown): Promise<void> {
  for (const hook of state.hooks.get(name) ?? []) await hook(context);
}

/** The worker asks the programming model for capabilities once after loading the app; this locks app.setup(). */
export async function capabilities(state: CaptureState): Promise<Record<string, string>> {
  if (!state.capabilities) {
    if (!state.programmingModel) throw new Error('The app set no programming model (no function was registered)');
    state.capabilities = await state.programmingModel.getCapabilities({});
  }
  return state.capabilities;
}

/** Headers the host strips before forwarding a request. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

export function makeCapturedFunction(
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

/** What a function or a hook threw, as an Error (a thrown non-Error becomes an Error with its text). */
function thrownError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
