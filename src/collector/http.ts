// HTTP for the collector: one request at a time through `fetch`, retried on throttling (429, or 403
// with AF429 in the body), 5xx and network failures with exponential backoff that honours Retry-After,
// within a retry budget shared by the whole run and never past the run's deadline.
import { CollectorError, ManagementApiError } from './errors.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Retries allowed in the whole run, all requests together. */
  runRetryBudget: number;
  /** Attempts of one request, the first included. */
  maxAttemptsPerRequest: number;
  /** First backoff delay when the answer has no Retry-After. */
  baseDelayMs: number;
  /** Longest single wait; a Retry-After longer than this ends the run's attempts at this request. */
  maxDelayMs: number;
  /** Each attempt is aborted after this long. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  runRetryBudget: 40,
  maxAttemptsPerRequest: 6,
  baseDelayMs: 1000,
  maxDelayMs: 120_000,
  requestTimeoutMs: 30_000,
};

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** What the request is for, in error messages and logs ("listing content", "token request"). */
  what: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface RetryNotice {
  what: string;
  /** 'throttled' (429 / AF429), 'server' (5xx) or 'network'. */
  reason: 'throttled' | 'server' | 'network';
  status?: number;
  attempt: number;
  delayMs: number;
}

export interface RetryingHttpOptions {
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Returns a number in [0, 1); spreads the backoff (default Math.random). */
  random?: () => number;
  policy?: Partial<RetryPolicy>;
  /** Epoch ms after which no wait may end. */
  deadline?: number;
  onRetry?: (notice: RetryNotice) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for the Management Activity API's throttling answer: 429, or 403 whose body names AF429. */
export function isThrottled(status: number, body: string): boolean {
  return status === 429 || (status === 403 && /\bAF429\b/.test(body));
}

function retryReason(status: number, body: string): RetryNotice['reason'] | undefined {
  if (isThrottled(status, body)) return 'throttled';
  if (status >= 500 && status <= 599) return 'server';
  return undefined;
}

export class RetryingHttp {
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  readonly policy: RetryPolicy;
  private retriesUsed = 0;

  constructor(private readonly options: RetryingHttpOptions = {}) {
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  }

  /** Retries spent so far in this run. */
  get retries(): number {
    return this.retriesUsed;
  }

  /**
   * Sends the request and returns the first answer that is not retryable (any status, the caller
   * judges it). Throws CollectorError 'throttled' / 'deadline' / 'network', or ManagementApiError for
   * 5xx, when the retries allowed run out.
   */
  async send(request: HttpRequest): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      let answer: HttpAnswer | undefined;
      let networkError: unknown;
      try {
        const init: RequestInit = {
          method: request.method,
          headers: request.headers ?? {},
          signal: AbortSignal.timeout(this.policy.requestTimeoutMs),
        };
        if (request.body !== undefined) init.body = request.body;
        const response = await this.fetchImpl(request.url, init);
        answer = { status: response.status, headers: response.headers, text: await response.text() };
      } catch (error) {
        networkError = error;
      }
      const reason = answer ? retryReason(answer.status, answer.text) : 'network';
      if (answer && reason === undefined) return answer;

      const status = answer?.status;
      const describe = (): string =>
        reason === 'throttled'
          ? `throttled (HTTP ${status ?? '?'}${answer && /AF429/.test(answer.text) ? ', AF429' : ''})`
          : reason === 'server'
            ? `HTTP ${status ?? '?'} from the server`
            : `network failure (${networkError instanceof Error ? networkError.name : 'error'})`;
      const giveUp = (why: string): never => {
        const message = `${request.what}: ${describe()}; ${why}. The next run continues from the saved position.`;
        if (reason === 'throttled') throw new CollectorError('throttled', message);
        if (reason === 'server') throw new ManagementApiError(message, status, undefined);
        throw new CollectorError('network', message, { cause: networkError });
      };

      if (attempt >= this.policy.maxAttemptsPerRequest) giveUp(`gave up after ${attempt} attempts`);
      if (this.retriesUsed >= this.policy.runRetryBudget)
        giveUp(`the run's retry budget (${this.policy.runRetryBudget}) is spent`);
      const asked = answer ? retryAfterMs(answer.headers, this.now()) : undefined;
      let delayMs: number;
      if (asked !== undefined) {
        if (asked > this.policy.maxDelayMs)
          giveUp(
            `the service asked to wait ${Math.ceil(asked / 1000)} s, longer than the ${this.policy.maxDelayMs / 1000} s a run waits`,
          );
        delayMs = asked;
      } else {
        const exponential = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
        delayMs = Math.round(exponential * (0.5 + this.random() / 2));
      }
      if (this.options.deadline !== undefined && this.now() + delayMs >= this.options.deadline) {
        const message = `${request.what}: ${describe()}; waiting ${Math.ceil(delayMs / 1000)} s more would pass the run's deadline. The next run continues from the saved position.`;
        throw new CollectorError(reason === 'throttled' ? 'throttled' : 'deadline', message);
      }
      this.retriesUsed++;
      const notice: RetryNotice = { what: request.what, reason: reason!, attempt, delayMs };
      if (status !== undefined) notice.status = status;
      this.options.onRetry?.(notice);
      await this.sleep(delayMs);
    }
  }
}
