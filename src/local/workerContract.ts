// The slice of the worker <-> library contract (the worker's virtual `@azure/functions-core` module)
// that the local host implements: the RPC shapes the library reads and returns.
import type { ModelBindingData } from '../storage/bindingBlobClient.js';

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

export interface RpcNullable<T> {
  value?: T | null;
}

export interface RpcHttpCookie {
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
export interface RpcBindingInfo {
  type?: string;
  direction?: string;
  [property: string]: unknown;
}

export interface CoreFunctionMetadata {
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

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: unknown) => unknown;

export interface RpcInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: Array<{ name: string; data: RpcTypedData }>;
  triggerMetadata: Record<string, RpcTypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
}

export interface RpcInvocationResponse {
  invocationId?: string;
  returnValue?: RpcTypedData | null;
  outputData?: Array<{ name?: string; data?: RpcTypedData | null }>;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: { name: string; bindings: Record<string, RpcBindingInfo> };
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: LogLevel, category: 'user' | 'system' | 'customMetric', message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}
