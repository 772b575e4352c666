// Test helper: a local HTTP server (node:http, free port) that implements the contract of the Office 365
// Management Activity API as Microsoft documents it (docs/collector.md): subscriptions list/start, content listing
// by window (≤ 24 h, ≤ 7 days back, AF20022/AF20023/AF20055) with NextPageUri paging, content blobs,
// AF20051 for expired content, and scripted faults (403 AF429 / 429 with Retry-After, 5xx). It accepts the
// bearer tokens its companion local Entra ID (fakeEntraId.ts, HTTPS) issued.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FakeEntraId } from './fakeEntraId.js';
import { requestBody, sendJson } from './fakeJsonReply.js';
import type { CredentialPipelineOptions } from '../../src/collector/credential.js';

export type RouteKind = 'subscriptions-list' | 'subscriptions-start' | 'content-list' | 'content-blob' | 'unknown';

export interface Fault {
  kind: RouteKind;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests it answers (default 1). */
  times?: number;
  /** Only for this content id (content-blob). */
  contentId?: string;
}

export interface FakeContent {
  contentId: string;
  created: Date;
  records: unknown[];
  /** Answer AF20051 when fetched. */
  expired?: boolean;
}

export interface RecordedRequest {
  kind: RouteKind;
  method: string;
  url: URL;
  /** Value of the PublisherIdentifier query parameter(s). */
  publisherIdentifiers: string[];
  status?: number;
}

const DAY_MS = 86_400_000;

function parseApiTime(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(text)) return Number.NaN;
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`);
}

export class FakeManagementApi {
  /** The tenant's Entra ID (token endpoint over HTTPS). */
  readonly entra: FakeEntraId;
  subscription: 'none' | 'enabled' | 'disabled' = 'none';
  /** False: the app has no ActivityFeed.Read (every API call answers 401 AF10001). */
  permissionGranted = true;
  pageSize = 2;
  /** Header name used for the next page. */
  nextPageHeader = 'NextPageUri';
  /** Put PublisherIdentifier into the NextPageUri too. */
  nextPageCarriesPublisher = false;
  now: () => number = Date.now;
  contents: FakeContent[] = [];
  faults: Fault[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Set<string>();
  /** Successful fetches per content id. */
  readonly fetches = new Map<string, number>();
  baseUrl = '';
  private server: Server | undefined;

  private constructor(entra: FakeEntraId) {
    this.entra = entra;
    entra.onIssued = (token) => this.tokens.add(token);
  }

  get tenantId(): string {
    return this.entra.tenantId;
  }
  get clientId(): string {
    return this.entra.clientId;
  }
  get clientSecret(): string {
    return this.entra.clientSecret;
  }
  /** Certificate registered on the app for client assertions. */
  set certificate(value: X509Certificate | undefined) {
    this.entra.certificate = value;
  }
  /** Pipeline options that make @azure/identity trust the local Entra ID (createCollectorClient's credentialOptions). */
  get credentialOptions(): CredentialPipelineOptions {
    return this.entra.credentialOptions;
  }

  static async start(): Promise<FakeManagementApi> {
    const api = new FakeManagementApi(await FakeEntraId.start());
    api.server = createServer((req, res) => {
      api.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { code: 'FAKE', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve) => api.server!.listen(0, '127.0.0.1', resolve));
    api.baseUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    api.entra.scope = `${api.baseUrl}/.default`;
    return api;
  }

  /**
   * Back to a fresh tenant between tests: no content or faults, the permission granted, `subscription`,
   * default paging, and no requests or fetches recorded (here and at its Entra ID).
   */
  reset(subscription: FakeManagementApi['subscription'] = 'none'): void {
    this.contents = [];
    this.faults = [];
    this.subscription = subscription;
    this.permissionGranted = true;
    this.pageSize = 2;
    this.nextPageHeader = 'NextPageUri';
    this.nextPageCarriesPublisher = false;
    this.requests.length = 0;
    this.fetches.clear();
    this.entra.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    await this.entra.close();
  }

  /** Token requests Entra ID received (client_credentials grants). */
  get tokenRequests(): number {
    return this.entra.requestsOf('token').length;
  }

  /** App settings that point the collector at this server. */
  settings(
    credential: { secret?: string; certificatePem?: string; managedIdentityClientId?: string } = {
      secret: this.clientSecret,
    },
  ): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      O365_TENANT_ID: this.tenantId,
      O365_CLIENT_ID: this.clientId,
      O365_API_BASE_URL: this.baseUrl,
      O365_LOGIN_BASE_URL: this.entra.baseUrl,
    };
    if (credential.secret !== undefined) env['O365_CLIENT_SECRET'] = credential.secret;
    if (credential.certificatePem !== undefined) env['O365_CLIENT_CERTIFICATE'] = credential.certificatePem;
    if (credential.managedIdentityClientId !== undefined)
      env['O365_MANAGED_IDENTITY_CLIENT_ID'] = credential.managedIdentityClientId;
    return env;
  }

  addContent(content: FakeContent): void {
    this.contents.push(content);
  }

  requestsOf(kind: RouteKind): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === kind);
  }

  private apiError(res: ServerResponse, record: RecordedRequest, status: number, code: string, message: string): void {
    sendJson(res, record, status, { error: { code, message } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    await requestBody(req); // read to the end; no route of the API takes a body
    const feed = `/api/v1.0/${this.tenantId}/activity/feed/`;
    const path = url.pathname;
    const kind: RouteKind =
      path === `${feed}subscriptions/list`
        ? 'subscriptions-list'
        : path === `${feed}subscriptions/start`
          ? 'subscriptions-start'
          : path === `${feed}subscriptions/content`
            ? 'content-list'
            : path.startsWith(`${feed}audit/`)
              ? 'content-blob'
              : 'unknown';
    const publisherIdentifiers = [...url.searchParams.entries()]
      .filter(([k]) => k.toLowerCase() === 'publisheridentifier')
      .map(([, v]) => v);
    const record: RecordedRequest = { kind, method: req.method ?? '', url, publisherIdentifiers };
    this.requests.push(record);
    const contentId = kind === 'content-blob' ? decodeURIComponent(path.slice(`${feed}audit/`.length)) : undefined;

    const fault = this.faults.find(
      (f) => f.kind === kind && (f.times ?? 1) > 0 && (f.contentId === undefined || f.contentId === contentId),
    );
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      sendJson(res, record, fault.status, fault.body ?? '', fault.headers);
      return;
    }

    if (kind === 'unknown') return this.apiError(res, record, 404, 'FAKE404', `no route ${req.method} ${path}`);

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !this.tokens.has(token))
      return this.apiError(res, record, 401, 'AF10001', 'Authorization has been denied for this request.');
    if (!this.permissionGranted) {
      return this.apiError(
        res,
        record,
        401,
        'AF10001',
        'The permission set () sent in the request does not include the expected permission.',
      );
    }

    if (kind === 'subscriptions-list') {
      if (req.method !== 'GET') return this.apiError(res, record, 405, 'FAKE405', 'GET only');
      const list =
        this.subscription === 'none'
          ? []
          : [{ contentType: 'Audit.General', status: this.subscription, webhook: null }];
      return sendJson(res, record, 200, list);
    }
    if (kind === 'subscriptions-start') {
      if (req.method !== 'POST') return this.apiError(res, record, 405, 'FAKE405', 'POST only');
      if (url.searchParams.get('contentType') !== 'Audit.General')
        return this.apiError(res, record, 400, 'AF20010', 'Invalid content type.');
      this.subscription = 'enabled';
      return sendJson(res, record, 200, { contentType: 'Audit.General', status: 'enabled', webhook: null });
    }
    if (kind === 'content-list') return this.listContent(res, record, url);
    return this.contentBlob(res, record, contentId!);
  }

  private listContent(res: ServerResponse, record: RecordedRequest, url: URL): void {
    if (this.subscription === 'none')
      return this.apiError(res, record, 400, 'AF20022', 'No subscription found for the specified content type');
    if (this.subscription === 'disabled')
      return this.apiError(res, record, 400, 'AF20023', 'The subscription was disabled by the tenant admin');
    if (url.searchParams.get('contentType') !== 'Audit.General')
      return this.apiError(res, record, 400, 'AF20010', 'Invalid content type.');
    const start = parseApiTime(url.searchParams.get('startTime'));
    const end = parseApiTime(url.searchParams.get('endTime'));
    if (start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end)) {
      return this.apiError(
        res,
        record,
        400,
        'AF20055',
        'Start time and end time must both be specified (or both omitted) and be valid times.',
      );
    }
    if (end <= start || end - start > DAY_MS) {
      return this.apiError(
        res,
        record,
        400,
        'AF20055',
        'Start time and end time must be less than or equal to 24 hours apart, with the start time prior to end time.',
      );
    }
    if (start < this.now() - 7 * DAY_MS)
      return this.apiError(res, record, 400, 'AF20055', 'Start time cannot be more than 7 days in the past.');
    const nextPage = url.searchParams.get('nextPage');
    const offset = nextPage === null ? 0 : Number(nextPage.replace(/^page-/, ''));
    if (!Number.isInteger(offset) || offset < 0) return this.apiError(res, record, 400, 'AF20031', 'Invalid nextPage.');
    const matching = this.contents
      .filter((c) => c.created.getTime() >= start && c.created.getTime() < end)
      .sort((a, b) => a.created.getTime() - b.created.getTime() || (a.contentId < b.contentId ? -1 : 1));
    const page = matching.slice(offset, offset + this.pageSize).map((c) => ({
      contentType: 'Audit.General',
      contentId: c.contentId,
      contentUri: `${this.baseUrl}/api/v1.0/${this.tenantId}/activity/feed/audit/${encodeURIComponent(c.contentId)}`,
      contentCreated: c.created.toISOString(),
      contentExpiration: new Date(c.created.getTime() + 7 * DAY_MS).toISOString(),
    }));
    const headers: Record<string, string> = {};
    if (offset + this.pageSize < matching.length) {
      const next = new URL(url.pathname, this.baseUrl);
      next.searchParams.set('contentType', 'Audit.General');
      next.searchParams.set('startTime', url.searchParams.get('startTime')!);
      next.searchParams.set('endTime', url.searchParams.get('endTime')!);
      if (this.nextPageCarriesPublisher)
        next.searchParams.set('PublisherIdentifier', record.publisherIdentifiers[0] ?? '');
      next.searchParams.set('nextPage', `page-${offset + this.pageSize}`);
      headers[this.nextPageHeader] = next.toString();
    }
    sendJson(res, record, 200, page, headers);
  }

  private contentBlob(res: ServerResponse, record: RecordedRequest, contentId: string): void {
    const content = this.contents.find((c) => c.contentId === contentId);
    if (!content) return this.apiError(res, record, 404, 'AF20050', 'The specified content does not exist.');
    if (content.expired)
      return this.apiError(
        res,
        record,
        400,
        'AF20051',
        `Content requested with the key ${contentId} has already expired. Content older than 7 days cannot be retrieved.`,
      );
    this.fetches.set(contentId, (this.fetches.get(contentId) ?? 0) + 1);
    sendJson(res, record, 200, content.records);
  }
}
