// Timer triggers on the local host: each fires on its NCRONTAB schedule (UTC), never overlapping
// itself, with the function's retry policy; the admin API can fire one at once.
import { randomUUID } from 'node:crypto';
import type { CapturedFunction, TimerTriggerInput } from './captureRegistrations.js';
import type { NcrontabSchedule } from './ncrontab.js';
import { delay, invocationErrorMessage, type HostRuntime, type InvocationReason } from './hostRuntime.js';

/** setTimeout's largest delay; longer waits are re-armed. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface TimerState {
  fn: CapturedFunction;
  schedule: NcrontabSchedule;
  timeout?: NodeJS.Timeout;
  next?: Date;
  last?: Date;
  running?: Promise<void>;
  pending?: { scheduledFor: Date; reason: InvocationReason };
}

export interface TimerScheduler {
  /** Runs the timer function now, or right after the current run (the host never overlaps a timer). */
  fire(timer: TimerState, scheduledFor: Date, reason: InvocationReason): void;
  /** Arms every timer (and runs those with runOnStartup). */
  start(): void;
  /** Clears the armed timeouts (runs in progress finish). */
  stop(): void;
}

export function createTimerScheduler(runtime: HostRuntime, timers: readonly TimerState[]): TimerScheduler {
  const { log, emit, track } = runtime;

  async function run(timer: TimerState, scheduledFor: Date, reason: InvocationReason): Promise<void> {
    const retry = timer.fn.retryOptions;
    const maxRetries = Math.max(0, retry?.maxRetryCount ?? 0);
    const isPastDue = Date.now() - scheduledFor.getTime() > 1000;
    for (let retryCount = 0; retryCount <= maxRetries && !runtime.stopping(); retryCount++) {
      const started = Date.now();
      log(
        `Executing '${timer.fn.name}' (Reason='${reason === 'admin' ? 'Invoked via the admin API' : 'Timer fired'}'${retryCount ? `, Retry=${retryCount}` : ''})`,
      );
      const input: TimerTriggerInput = { kind: 'timer', isPastDue, last: timer.last, next: timer.next };
      const invocationId = randomUUID();
      try {
        await timer.fn.invoke(input, {
          invocationId,
          log: runtime.functionLog,
          retryContext: retry ? { retryCount, maxRetryCount: maxRetries } : undefined,
        });
        emit({
          functionName: timer.fn.name,
          invocationId,
          reason,
          outcome: 'succeeded',
          durationMs: Date.now() - started,
        });
        break;
      } catch (err) {
        emit({
          functionName: timer.fn.name,
          invocationId,
          reason,
          outcome: 'failed',
          durationMs: Date.now() - started,
          error: invocationErrorMessage(err),
        });
        if (retryCount < maxRetries) {
          const base = (retry?.delayInterval?.seconds ?? retry?.minimumInterval?.seconds ?? 1) * 1000;
          const cap = (retry?.maximumInterval?.seconds ?? Infinity) * 1000;
          await delay(retry?.retryStrategy === 'exponentialBackoff' ? Math.min(cap, base * 2 ** retryCount) : base);
        }
      }
    }
    timer.last = scheduledFor;
  }

  function fire(timer: TimerState, scheduledFor: Date, reason: InvocationReason): void {
    if (timer.running) {
      timer.pending = { scheduledFor, reason };
      return;
    }
    timer.running = track(run(timer, scheduledFor, reason)).finally(() => {
      timer.running = undefined;
      const pending = timer.pending;
      timer.pending = undefined;
      if (pending && !runtime.stopping()) fire(timer, pending.scheduledFor, pending.reason);
    });
  }

  /** Schedules the next occurrence strictly after `after` (default: now). */
  function arm(timer: TimerState, after: Date = new Date()): void {
    if (runtime.stopping()) return;
    const next = timer.schedule.next(after);
    timer.next = next;
    if (!next) {
      log(`Timer '${timer.fn.name}': schedule "${timer.schedule.expression}" has no occurrence in the next 10 years`);
      return;
    }
    const wait = Math.min(next.getTime() - Date.now(), MAX_TIMER_DELAY_MS);
    timer.timeout = setTimeout(
      () => {
        // Long waits are capped by setTimeout's range: re-arm until the occurrence is due.
        if (Date.now() + 50 < next.getTime()) return arm(timer, new Date(after.getTime()));
        fire(timer, next, 'timer');
        arm(timer, new Date(Math.max(Date.now(), next.getTime())));
      },
      Math.max(0, wait),
    );
  }

  return {
    fire,
    start() {
      for (const timer of timers) {
        if (timer.fn.trigger['runOnStartup'] === true) fire(timer, new Date(), 'timer');
        arm(timer);
      }
    },
    stop() {
      for (const timer of timers) if (timer.timeout) clearTimeout(timer.timeout);
    },
  };
}
