// What the local host's callers get from a captured function registration: its bindings, the
// trigger inputs it is invoked with and what an invocation returns.
import type { LogLevel, RetryOptions, RpcTypedData } from './workerContract.js';

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
