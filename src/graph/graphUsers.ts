// Looks up users in Microsoft Graph by object id with JSON batching: POST /v1.0/$batch with up to 20
// GET /users/{id}?$select=... requests. Each item answers on its own: 200 (a member or a guest of this tenant),
// 404 (not in this tenant: an external user, a user of another tenant, a deleted user), 429 (throttled, with its
// own Retry-After) or 5xx; items that can be retried are sent again in a smaller batch after the longest wait asked.
// The whole request can be throttled or fail too (429, 503, 504 with Retry-After), or be refused (401, 403).
// Nothing here logs or returns an id with an error: messages carry counts and Graph's error codes only.
import { isObjectId } from '../audit/participantKey.js';
import { retryAfterMs, type FetchLike } from '../collector/http.js';
import type { GraphTokenSource } from './tokens.js';
import { GraphPermissionError, graphText } from './tokens.js';

/** Requests per $batch (Graph's limit). */
export const BATCH_LIMIT = 20;
export const USER_SELECT = 'id,displayName,userPrincipalName,mail,userType';

export type DirectoryAnswer =
  | { status: 'found'; displayName: string; userPrincipalName: string; mail: string; userType: string }
  /** 404: no such user in this tenant (external or other-tenant users, deleted users). */
  | { status: 'notInTenant' };

export interface LookupResult {
  /** By id, as asked; ids missing here could not be looked up this time (retried by a later run). */
  answers: Map<string, DirectoryAnswer>;
  /** Ids not answered, by reason ("throttled", "HTTP 503", "network", "deadline", ...). */
  failed: Map<string, number>;
  /** True when the deadline stopped the lookup before every batch was sent. */
  stoppedByDeadline: boolean;
  /** Waits for throttling or failures, in ms, in order (whole requests and items alike). */
  waits: number[];
}

export interface GraphUsersOptions {
  /** e.g. https://graph.microsoft.com */
  baseUrl: string;
  tokens: GraphTokenSource;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Epoch ms: no wait may end past it, no batch starts after it. */
  deadline?: number;
  /** Rounds per batch (the first included) before its remaining ids count as failed (default 6). */
  maxRounds?: number;
  /** Longest wait; a longer Retry-After ends the batch's attempts (default 120 s). */
  maxWaitMs?: number;
  /** First backoff without Retry-After (default 1 s, doubled per round). */
  baseDelayMs?: number;
  requestTimeoutMs?: number;
}

interface BatchItem {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  return typeof v === 'string' ? v : '';
}

function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

/** Graph's own error message when the body has one, else the body. */
function errorMessage(body: unknown, bodyText: string): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : bodyText;
}

function headerMap(headers: Record<string, string> | undefined): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') h.set(k, v);
  return h;
}

const retryable = (status: number): boolean => status === 429 || (status >= 500 && status <= 599);

export class GraphUsersClient {
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: GraphUsersOptions) {
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Looks the ids up, 20 per request, one request at a time. Throws GraphPermissionError when Graph refuses the
   * identity (401 after a fresh token, 403); any other failure leaves those ids out of `answers`.
   */
  async lookUp(ids: readonly string[]): Promise<LookupResult> {
    const result: LookupResult = { answers: new Map(), failed: new Map(), stoppedByDeadline: false, waits: [] };
    const wanted = [...new Set(ids.filter(isObjectId))];
    for (let i = 0; i < wanted.length; i += BATCH_LIMIT) {
      const batch = wanted.slice(i, i + BATCH_LIMIT);
      if (result.stoppedByDeadline || (this.options.deadline !== undefined && this.now() >= this.options.deadline)) {
        result.stoppedByDeadline = true;
        this.fail(result, wanted.slice(i), 'deadline');
        break;
      }
      await this.batch(batch, result);
    }
    return result;
  }

  private fail(result: LookupResult, ids: readonly string[], reason: string): void {
    if (ids.length > 0) result.failed.set(reason, (result.failed.get(reason) ?? 0) + ids.length);
  }

  private async batch(ids: readonly string[], result: LookupResult): Promise<void> {
    const maxRounds = this.options.maxRounds ?? 6;
    const maxWaitMs = this.options.maxWaitMs ?? 120_000;
    const baseDelayMs = this.options.baseDelayMs ?? 1000;
    let pending = [...ids];
    let tokenRenewed = false;
    for (let round = 1; pending.length > 0; round++) {
      const { retry, reason, askedMs } = await this.round(pending, result, () => {
        if (tokenRenewed) return false;
        tokenRenewed = true;
        return true;
      });
      if (retry.length === 0) return;
      pending = retry;
      if (round >= maxRounds) return this.fail(result, pending, `${reason} (gave up after ${round} attempts)`);
      const delay =
        askedMs ?? Math.round(Math.min(maxWaitMs, baseDelayMs * 2 ** (round - 1)) * (0.5 + this.random() / 2));
      if (delay > maxWaitMs)
        return this.fail(
          result,
          pending,
          `${reason} (Graph asked to wait ${Math.ceil(delay / 1000)} s, longer than a run waits)`,
        );
      if (this.options.deadline !== undefined && this.now() + delay >= this.options.deadline) {
        result.stoppedByDeadline = true;
        return this.fail(result, pending, 'deadline');
      }
      result.waits.push(delay);
      await this.sleep(delay);
    }
  }

  /** One POST /$batch for the pending ids: what to send again, why, and the longest Retry-After asked. */
  private async round(
    pending: readonly string[],
    result: LookupResult,
    mayRenewToken: () => boolean,
  ): Promise<{ retry: string[]; reason: string; askedMs: number | undefined }> {
    const requests = pending.map((id, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: `/users/${id}?$select=${USER_SELECT}`,
    }));
    let response: Response;
    let bodyText: string;
    try {
      response = await this.fetchImpl(`${this.options.baseUrl}/v1.0/$batch`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.options.tokens.getToken()}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ requests }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
      bodyText = await response.text();
    } catch (error) {
      if (error instanceof GraphPermissionError) throw error;
      return { retry: [...pending], reason: 'network', askedMs: undefined };
    }
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
    if (response.status === 401) {
      if (mayRenewToken()) {
        this.options.tokens.invalidate();
        return { retry: [...pending], reason: 'HTTP 401', askedMs: 0 };
      }
      throw GraphPermissionError.fromAnswer(401, errorCode(body), errorMessage(body, bodyText));
    }
    if (response.status === 403)
      throw GraphPermissionError.fromAnswer(403, errorCode(body), errorMessage(body, bodyText));
    if (retryable(response.status)) {
      return {
        retry: [...pending],
        reason: response.status === 429 ? 'throttled' : `HTTP ${response.status}`,
        askedMs: retryAfterMs(response.headers, this.now()),
      };
    }
    const items = (body as { responses?: unknown } | undefined)?.responses;
    if (response.status !== 200 || !Array.isArray(items)) {
      this.fail(
        result,
        pending,
        `HTTP ${response.status}${errorCode(body) ? ` ${errorCode(body)}` : ''}: ${graphText(errorMessage(body, bodyText), 160)}`,
      );
      return { retry: [], reason: '', askedMs: undefined };
    }
    const byRequest = new Map<string, BatchItem>();
    for (const item of items as BatchItem[])
      if (item !== null && typeof item === 'object') byRequest.set(String(item.id), item);
    const retry: string[] = [];
    let askedMs: number | undefined;
    let reason = '';
    pending.forEach((id, i) => {
      const item = byRequest.get(String(i + 1));
      if (item === undefined) {
        retry.push(id);
        reason ||= 'no answer in the batch';
        return;
      }
      if (item.status === 200 && item.body !== null && typeof item.body === 'object') {
        const b = item.body as Record<string, unknown>;
        result.answers.set(id, {
          status: 'found',
          displayName: text(b, 'displayName'),
          userPrincipalName: text(b, 'userPrincipalName'),
          mail: text(b, 'mail'),
          userType: text(b, 'userType'),
        });
      } else if (item.status === 404) {
        result.answers.set(id, { status: 'notInTenant' });
      } else if (item.status === 401 || item.status === 403) {
        throw GraphPermissionError.fromAnswer(
          item.status,
          errorCode(item.body),
          errorMessage(item.body, JSON.stringify(item.body ?? '')),
        );
      } else if (retryable(item.status)) {
        retry.push(id);
        reason = item.status === 429 ? 'throttled' : reason || `HTTP ${item.status}`;
        const asked = retryAfterMs(headerMap(item.headers), this.now());
        if (asked !== undefined) askedMs = Math.max(askedMs ?? 0, asked);
      } else {
        this.fail(result, [id], `HTTP ${item.status}${errorCode(item.body) ? ` ${errorCode(item.body)}` : ''}`);
      }
    });
    return { retry, reason, askedMs };
  }
}
