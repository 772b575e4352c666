// Keeps the Azurite of `npm start` running: when it exits without being asked to, says so in the host log
// (how it ended, what happens next), restarts it with backoff a bounded number of times, and tells the
// rest of the host whether storage is up (timers and blob triggers wait for it; /api/health shows it).
import { describeExit, type AzuriteExit, type RunningAzurite } from './azuriteProcess.js';

export type EmulatorState = 'running' | 'restarting' | 'failed' | 'stopped';

export interface EmulatorStatus {
  state: EmulatorState;
  /** Successful restarts since the host started. */
  restarts: number;
  /** While restarting: the attempt under way, 1-based, of maxAttempts. */
  attempt?: number;
  maxAttempts: number;
  /** The last unexpected exit: when, how ("signal SIGKILL"), Azurite's own last error line. */
  lastExit?: { at: string; how: string; detail?: string };
  /** When it could not be restarted: what to do. */
  action?: string;
}

export type SupervisedAzurite = Pick<RunningAzurite, 'exited' | 'stop' | 'pid'>;

export interface SupervisorOptions {
  /** Starts an Azurite process (same data folder and ports each time). */
  start(): Promise<SupervisedAzurite>;
  /**
   * Runs after each restart, before storage counts as back (e.g. creating the containers and tables
   * again: what Azurite had not saved when it died is gone). A failure fails the attempt.
   */
  afterRestart?(): Promise<void>;
  log: (line: string) => void;
  /** Restart attempts before giving up (default 5); counted again only after a stable run. */
  maxAttempts?: number;
  /** Pause before attempt n (default 1 s, 2 s, 4 s, ... up to 30 s). */
  backoffMs?(attempt: number): number;
  /** A run this long resets the attempt count (default 60 s); a quicker crash counts as the next attempt. */
  stableAfterMs?: number;
  now?: () => Date;
  /** Waits before a restart attempt; rejects when the signal aborts (default: a timer). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** Why Azurite may have ended (e.g. its table store at the limit), or undefined. */
  explainExit?(exit: AzuriteExit): string | undefined;
  /** What the user should do when Azurite cannot be restarted. */
  recovery(): string;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_STABLE_AFTER_MS = 60_000;

function defaultBackoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

/** The line of Azurite's stderr that best names the failure (a V8 fatal error, an exception), shortened. */
export function lastErrorLine(stderrTail: string): string | undefined {
  const lines = stderrTail
    .split('\n')
    .map((l) => l.replace(/^[#\s]+/, '').trim())
    .filter((l) => l !== '');
  const line = lines.find((l) => /fatal|error|exception|failed/i.test(l)) ?? lines[lines.length - 1];
  if (line === undefined) return undefined;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('stopping'));
      },
      { once: true },
    );
  });
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

export class AzuriteSupervisor {
  private current: SupervisedAzurite | undefined;
  private startedAt: number;
  private stopping = false;
  private consecutive = 0;
  private statusNow: EmulatorStatus;
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  private restartLoop: Promise<void> | undefined;
  private readonly maxAttempts: number;

  private constructor(
    private readonly options: SupervisorOptions,
    first: SupervisedAzurite,
  ) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.statusNow = { state: 'running', restarts: 0, maxAttempts: this.maxAttempts };
    this.startedAt = this.now().getTime();
    this.watch(first);
  }

  /** Starts Azurite (a failure to start the first time is thrown, as before supervision) and watches it. */
  static async start(options: SupervisorOptions): Promise<AzuriteSupervisor> {
    return new AzuriteSupervisor(options, await options.start());
  }

  /** The running Azurite's process id (undefined while it is down). */
  pid(): number | undefined {
    return this.current?.pid;
  }

  status(): EmulatorStatus {
    return { ...this.statusNow, ...(this.statusNow.lastExit ? { lastExit: { ...this.statusNow.lastExit } } : {}) };
  }

  /** Calls the listener on every change of status; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves at once while Azurite runs, or once a restart succeeds; rejects when it cannot run. */
  untilRunning(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const { state, action } = this.statusNow;
        if (state === 'running') resolve();
        else if (state === 'failed')
          reject(new Error(`Azurite could not be restarted; ${action ?? this.options.recovery()}`));
        else if (state === 'stopped') reject(new Error('the host is stopping'));
        else return false;
        return true;
      };
      if (check()) return;
      const off = this.onChange(() => {
        if (check()) off();
      });
    });
  }

  /** Stops Azurite (and any restart under way). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.restartLoop;
    await this.current?.stop();
    this.setStatus({ ...this.statusNow, state: 'stopped' });
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private setStatus(status: EmulatorStatus): void {
    this.statusNow = status;
    for (const listener of [...this.listeners]) listener();
  }

  private watch(azurite: SupervisedAzurite): void {
    this.current = azurite;
    void azurite.exited.then((exit) => {
      if (exit.stopped || this.stopping || this.current !== azurite) return;
      this.current = undefined;
      this.restartLoop = this.restart(exit);
    });
  }

  private async restart(exit: AzuriteExit): Promise<void> {
    const { log } = this.options;
    const ranFor = this.now().getTime() - this.startedAt;
    if (ranFor >= (this.options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS)) this.consecutive = 0;
    const detail = lastErrorLine(exit.stderrTail);
    const explanation = this.options.explainExit?.(exit);
    const lastExit = {
      at: this.now().toISOString(),
      how: describeExit(exit),
      ...(detail === undefined ? {} : { detail }),
    };
    log(
      `Azurite stopped unexpectedly (${lastExit.how}) after running ${seconds(ranFor)}` +
        (detail === undefined ? '' : `; its last error: ${detail}`) +
        (explanation === undefined ? '' : `. ${explanation}`),
    );
    let lastError = '';
    while (!this.stopping) {
      const attempt = ++this.consecutive;
      if (attempt > this.maxAttempts) {
        const action = this.options.recovery();
        this.setStatus({
          state: 'failed',
          restarts: this.statusNow.restarts,
          maxAttempts: this.maxAttempts,
          lastExit,
          action,
        });
        log(
          `Azurite could not be kept running: ${this.maxAttempts} restart attempts${lastError ? ` (last: ${lastError})` : ''}. ` +
            `Storage stays down: reports answer 503, and timers and blob triggers fail with this message. ${action}`,
        );
        return;
      }
      const wait = (this.options.backoffMs ?? defaultBackoff)(attempt);
      this.setStatus({
        state: 'restarting',
        restarts: this.statusNow.restarts,
        attempt,
        maxAttempts: this.maxAttempts,
        lastExit,
      });
      log(
        `Storage is down: timers and blob triggers wait, reports answer 503. ` +
          `Restarting Azurite in ${seconds(wait)} (attempt ${attempt} of ${this.maxAttempts})`,
      );
      try {
        await (this.options.sleep ?? timerSleep)(wait, this.abort.signal);
      } catch {
        return;
      }
      if (this.stopping) return;
      let started: SupervisedAzurite | undefined;
      try {
        started = await this.options.start();
        await this.options.afterRestart?.();
      } catch (error) {
        await started?.stop();
        lastError = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
        log(`Azurite restart attempt ${attempt} of ${this.maxAttempts} failed: ${lastError}`);
        continue;
      }
      if (this.stopping) {
        await started.stop();
        return;
      }
      this.startedAt = this.now().getTime();
      this.watch(started);
      this.setStatus({
        state: 'running',
        restarts: this.statusNow.restarts + 1,
        maxAttempts: this.maxAttempts,
        lastExit,
      });
      log(
        `Azurite restarted (attempt ${attempt} of ${this.maxAttempts}); storage is back, timers and blob triggers resume`,
      );
      return;
    }
  }
}
