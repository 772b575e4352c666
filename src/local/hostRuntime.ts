// What the parts of the local host share: the invocation events they report, the host log, and the
// set of running work that stop() waits for.
import type { InvocationLogHandler } from './captureRegistrations.js';
import { escapeForLog } from './logText.js';

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

export interface HostRuntime {
  /** Host log lines (no PII: names of functions and blobs, route templates, durations); outside text escaped (logText). */
  log: (line: string) => void;
  /** Logs the outcome of an invocation and tells the listeners. */
  emit: (event: InvocationEvent) => void;
  /** Keeps a promise in the set stop() waits for. */
  track: <T>(promise: Promise<T>) => Promise<T>;
  /** True once stop() was called. */
  stopping(): boolean;
  /** The functions' own context.log output. */
  functionLog?: InvocationLogHandler;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * A failed invocation's error as the local host records it: the whole message, as the Functions host
 * reports a function's exception (describeError in src/errors.ts keeps the first line only).
 */
export function invocationErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function createRuntime(
  log: (line: string) => void,
  functionLog: InvocationLogHandler | undefined,
): HostRuntime & { listeners: Set<(event: InvocationEvent) => void>; active: Set<Promise<unknown>>; stop(): void } {
  const listeners = new Set<(event: InvocationEvent) => void>();
  const active = new Set<Promise<unknown>>();
  let stopping = false;
  return {
    listeners,
    active,
    log,
    functionLog,
    emit(event) {
      const status = event.outcome === 'succeeded' ? 'Succeeded' : event.outcome === 'poisoned' ? 'Poisoned' : 'Failed';
      const extra = event.error ? `, Error='${escapeForLog(event.error)}'` : '';
      log(
        `Executed '${event.functionName}' (${status}, Id=${shortId(event.invocationId)}, Duration=${event.durationMs}ms${extra})`,
      );
      for (const listener of listeners) listener(event);
    },
    track(promise) {
      active.add(promise);
      promise.then(
        () => active.delete(promise),
        () => active.delete(promise),
      );
      return promise;
    },
    stopping: () => stopping,
    stop() {
      stopping = true;
    },
  };
}
