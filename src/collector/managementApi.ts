// Client of the Office 365 Management Activity API (docs/collector.md): subscriptions list/start,
// content listing for one window following NextPageUri (or NextPageUrl) pages, and content blobs.
// PublisherIdentifier goes on every call; URIs the service hands back must stay on the configured host,
// so the bearer token is never sent anywhere else.
import { SETTINGS } from '../names.js';
import { CollectorPermissionError, ManagementApiError, SubscriptionMissingError, scrubRemoteText } from './errors.js';
import type { HttpAnswer, RetryingHttp } from './http.js';
import type { TokenSource } from './tokens.js';
import { formatApiTime } from './windows.js';

export const AUDIT_GENERAL = 'Audit.General';

export interface Subscription {
  contentType: string;
  /** 'enabled' or 'disabled'. */
  status: string;
}

export interface ContentItem {
  contentType: string;
  contentId: string;
  contentUri: string;
  /** ISO time the blob became available, when the listing gave one. */
  contentCreated?: string;
  contentExpiration?: string;
}

export interface ContentPage {
  items: ContentItem[];
  /** Listing entries that lacked contentId or contentUri (skipped). */
  malformed: number;
}

export type ContentFetch =
  | { kind: 'records'; records: unknown[] }
  /** AF20051: older than the 7 days blobs are kept. */
  | { kind: 'expired'; message: string };

/** What the collector needs from the API (the client below, or a stand-in in tests). */
export interface ManagementActivityApi {
  listSubscriptions(): Promise<Subscription[]>;
  startSubscription(contentType: string): Promise<Subscription>;
  /** Pages of the content available in [start, end) (at most 24 h, within the last 7 days). */
  listContent(contentType: string, start: Date, end: Date): AsyncIterable<ContentPage>;
  fetchContent(item: ContentItem): Promise<ContentFetch>;
}

export interface ManagementActivityClientOptions {
  tenantId: string;
  publisherId: string;
  /** e.g. https://manage.office.com */
  apiBaseUrl: string;
  tokens: TokenSource;
  http: RetryingHttp;
  /** Guard against a listing that never stops paging. */
  maxPagesPerWindow?: number;
}

const PERMISSION_HINT =
  `grant the app registration (${SETTINGS.o365ClientId}) the application permission ActivityFeed.Read on "Office 365 Management APIs" ` +
  'and have an administrator grant admin consent; also check that auditing is turned on in Microsoft Purview';

interface ApiErrorBody {
  code?: string;
  message?: string;
}

function apiError(text: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null;
    const error = parsed?.error;
    if (error && typeof error === 'object') {
      const out: ApiErrorBody = {};
      if (typeof error.code === 'string') out.code = error.code;
      if (typeof error.message === 'string') out.message = error.message;
      return out;
    }
  } catch {
    // not JSON: look for a code in the text
  }
  const code = /\bAF\d{3,6}\b/.exec(text)?.[0];
  return code ? { code } : {};
}

/** `url` with PublisherIdentifier added unless its query already carries it (the rest of the URL is left as sent). */
export function withPublisherIdentifier(url: string, publisherId: string): string {
  const queryStart = url.indexOf('?');
  const query = queryStart >= 0 ? url.slice(queryStart + 1) : '';
  if (query.split('&').some((part) => /^PublisherIdentifier=/i.test(part))) return url;
  const separator = queryStart < 0 ? '?' : query === '' || url.endsWith('&') ? '' : '&';
  return `${url}${separator}PublisherIdentifier=${encodeURIComponent(publisherId)}`;
}

/** A string field of a JSON answer (a number is written out), or `fallback` when it is missing or of another type. */
function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function isoOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class ManagementActivityClient implements ManagementActivityApi {
  private readonly feedBase: string;
  private readonly origin: string;

  constructor(private readonly options: ManagementActivityClientOptions) {
    this.feedBase = `${options.apiBaseUrl}/api/v1.0/${encodeURIComponent(options.tenantId)}/activity/feed`;
    this.origin = new URL(options.apiBaseUrl).origin;
  }

  /** A URI from the service (NextPageUri, contentUri) must point at the configured API host. */
  private checkServiceUri(uri: string, what: string): string {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ManagementApiError(
        `${what} is not an absolute URL; the listing cannot be followed`,
        undefined,
        undefined,
      );
    }
    if (url.origin !== this.origin) {
      throw new ManagementApiError(
        `${what} points to ${url.origin}, not to the configured API host ${this.origin}; it was not called (the access token is sent only to the API host)`,
        undefined,
        undefined,
      );
    }
    return uri;
  }

  private async call(method: 'GET' | 'POST', url: string, what: string, body?: string): Promise<HttpAnswer> {
    const target = withPublisherIdentifier(url, this.options.publisherId);
    const send = async (): Promise<HttpAnswer> => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await this.options.tokens.getToken()}`,
        accept: 'application/json',
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const request: Parameters<RetryingHttp['send']>[0] = { method, url: target, headers, what };
      if (body !== undefined) request.body = body;
      return this.options.http.send(request);
    };
    let answer = await send();
    if (answer.status === 401) {
      // The cached token may have been revoked or expired early: one more try with a new one.
      this.options.tokens.invalidate();
      answer = await send();
    }
    return answer;
  }

  /** Throws the typed error for a refusal; returns the parsed JSON body of a 2xx answer. */
  private judge(answer: HttpAnswer, what: string): unknown {
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.text.trim() === '') return null;
      try {
        return JSON.parse(answer.text) as unknown;
      } catch {
        throw new ManagementApiError(
          `${what}: the answer (HTTP ${answer.status}) is not JSON`,
          answer.status,
          undefined,
        );
      }
    }
    const error = apiError(answer.text);
    const detail = `HTTP ${answer.status}${error.code ? `, ${error.code}` : ''}${error.message ? `: ${scrubRemoteText(error.message, 200)}` : ''}`;
    if (error.code === 'AF20022' || error.code === 'AF20023') {
      throw new SubscriptionMissingError(
        `${what}: the ${error.code === 'AF20022' ? 'subscription does not exist' : 'subscription is disabled'} (${detail})`,
        error.code,
      );
    }
    if (answer.status === 401 || answer.status === 403) {
      throw new CollectorPermissionError(
        `${what} was refused (${detail}): ${PERMISSION_HINT}.`,
        answer.status,
        error.code,
      );
    }
    throw new ManagementApiError(`${what} failed (${detail})`, answer.status, error.code);
  }

  async listSubscriptions(): Promise<Subscription[]> {
    const what = 'listing subscriptions';
    const body = this.judge(await this.call('GET', `${this.feedBase}/subscriptions/list`, what), what);
    if (!Array.isArray(body)) throw new ManagementApiError(`${what}: expected a JSON array`, 200, undefined);
    return body
      .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object')
      .map((s) => ({ contentType: textOr(s['contentType'], ''), status: textOr(s['status'], '') }));
  }

  async startSubscription(contentType: string): Promise<Subscription> {
    const what = `starting the ${contentType} subscription`;
    const url = `${this.feedBase}/subscriptions/start?contentType=${encodeURIComponent(contentType)}`;
    const body = this.judge(await this.call('POST', url, what), what) as Record<string, unknown> | null;
    return { contentType: textOr(body?.['contentType'], contentType), status: textOr(body?.['status'], 'enabled') };
  }

  async *listContent(contentType: string, start: Date, end: Date): AsyncGenerator<ContentPage> {
    const what = `listing ${contentType} content from ${formatApiTime(start)} to ${formatApiTime(end)}`;
    let url: string | undefined =
      `${this.feedBase}/subscriptions/content?contentType=${encodeURIComponent(contentType)}` +
      `&startTime=${formatApiTime(start)}&endTime=${formatApiTime(end)}`;
    const seen = new Set<string>();
    const maxPages = this.options.maxPagesPerWindow ?? 10_000;
    for (let page = 1; url !== undefined; page++) {
      if (page > maxPages)
        throw new ManagementApiError(`${what}: more than ${maxPages} pages; stopped`, undefined, undefined);
      seen.add(url);
      const answer = await this.call('GET', url, what);
      const body = this.judge(answer, what);
      const list = body === null ? [] : body;
      if (!Array.isArray(list))
        throw new ManagementApiError(`${what}: expected a JSON array`, answer.status, undefined);
      const items: ContentItem[] = [];
      let malformed = 0;
      for (const entry of list) {
        const e = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
        const contentId = isoOrUndefined(e['contentId']);
        const contentUri = isoOrUndefined(e['contentUri']);
        if (contentId === undefined || contentUri === undefined) {
          malformed++;
          continue;
        }
        const item: ContentItem = {
          contentType: isoOrUndefined(e['contentType']) ?? contentType,
          contentId,
          contentUri,
        };
        const created = isoOrUndefined(e['contentCreated']);
        if (created !== undefined) item.contentCreated = created;
        const expiration = isoOrUndefined(e['contentExpiration']);
        if (expiration !== undefined) item.contentExpiration = expiration;
        items.push(item);
      }
      yield { items, malformed };
      // Headers.get matches names case-insensitively; the documentation spells it both ways.
      const next = answer.headers.get('NextPageUri') ?? answer.headers.get('NextPageUrl') ?? undefined;
      if (next === undefined || next.trim() === '') {
        url = undefined;
      } else {
        url = this.checkServiceUri(next.trim(), 'the NextPageUri header');
        if (seen.has(url))
          throw new ManagementApiError(
            `${what}: the listing sent the same next page twice; stopped`,
            answer.status,
            undefined,
          );
      }
    }
  }

  async fetchContent(item: ContentItem): Promise<ContentFetch> {
    const what = `fetching content ${item.contentId}`;
    const url = this.checkServiceUri(item.contentUri, `the contentUri of ${item.contentId}`);
    const answer = await this.call('GET', url, what);
    if (answer.status >= 400 && apiError(answer.text).code === 'AF20051') {
      return { kind: 'expired', message: `content ${item.contentId} has expired (AF20051: content is kept 7 days)` };
    }
    const body = this.judge(answer, what);
    if (!Array.isArray(body))
      throw new ManagementApiError(`${what}: expected a JSON array of audit records`, answer.status, undefined);
    return { kind: 'records', records: body };
  }
}
