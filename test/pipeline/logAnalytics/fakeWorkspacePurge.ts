// Test helper: a local Azure Resource Manager endpoint over HTTPS implementing the Log Analytics Workspace Purge
// contract as @azure/arm-operationalinsights drives it:
// POST /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.OperationalInsights/workspaces/{w}/purge
// with { table, filters: [{ column, operator, value }] } answers 202 with { operationId } and an
// x-ms-status-location header; GET .../workspaces/{w}/operations/{id} answers { status: pending | completed }.
// A bearer token issued by the local Entra ID stand-in is required (401 otherwise), an unknown workspace, table
// or column gets 404/400, and at most `hourlyLimit` purges are accepted per hour (then 429 with Retry-After, as
// the service throttles at 50 an hour); scripted faults answer the next requests. The workspace holds rows per
// table: a purge removes the rows its filters match when it completes (after `pollsUntilCompleted` status reads).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { selfSignedCertificate } from '../../collector/selfSignedCertificate.js';

export const PURGE_API_VERSION = '2025-07-01';
const OPERATORS = ['==', '=~', 'in', 'in~'];

export interface PurgeFilter {
  column: string;
  operator: string;
  value: unknown;
}

export interface PurgeCall {
  method: string;
  path: string;
  status: number;
  table?: string;
  filters?: PurgeFilter[];
}

interface Operation {
  table: string;
  filters: PurgeFilter[];
  polls: number;
  status: 'pending' | 'completed';
}

export class FakeWorkspacePurge {
  readonly subscriptionId = '3f2b8a8e-6c1d-4b7a-9e0f-112233445566';
  readonly resourceGroup = 'rg-teams';
  readonly workspace = 'log-teams-test';
  /** Rows per table (what the purge deletes from). */
  readonly tables = new Map<string, Array<Record<string, unknown>>>();
  readonly calls: PurgeCall[] = [];
  readonly operations = new Map<string, Operation>();
  /** Scripted answers for the next purge requests. */
  readonly faults: Array<{ status: number; retryAfterSeconds?: number; times?: number }> = [];
  hourlyLimit = 50;
  /** Status reads an operation stays pending for. */
  pollsUntilCompleted = 1;
  baseUrl = '';
  readonly tlsCertificatePem: string;
  private readonly tlsKeyPem: string;
  private readonly tokens = new Set<string>();
  private readonly accepted: number[] = [];
  private server: Server | undefined;

  private constructor() {
    const tls = selfSignedCertificate('127.0.0.1', '127.0.0.1');
    this.tlsCertificatePem = tls.certificatePem;
    this.tlsKeyPem = tls.privateKeyPem;
  }

  static async start(tables: Record<string, string[]>): Promise<FakeWorkspacePurge> {
    const fake = new FakeWorkspacePurge();
    fake.columns = new Map(Object.entries(tables).map(([t, cols]) => [t, new Set(cols)]));
    for (const table of fake.columns.keys()) fake.tables.set(table, []);
    fake.server = createServer({ key: fake.tlsKeyPem, cert: fake.tlsCertificatePem }, (req, res) => {
      fake
        .handle(req, res)
        .catch((error: unknown) => fake.send(res, 500, { error: { code: 'Internal', message: String(error) } }));
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `https://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  private columns = new Map<string, Set<string>>();

  get workspaceResourceId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${this.workspace}`;
  }

  /** Starts the hourly count afresh. */
  forgetAccepted(): void {
    this.accepted.length = 0;
  }

  trust(token: string): void {
    this.tokens.add(token);
  }

  rows(table: string): Array<Record<string, unknown>> {
    return this.tables.get(table) ?? [];
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.statusCode = status;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (body === undefined) {
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const call: PurgeCall = { method: req.method ?? '', path: url.pathname, status: 0 };
    this.calls.push(call);
    const finish = (status: number, code?: string, message?: string, headers?: Record<string, string>): void => {
      call.status = status;
      this.send(res, status, code === undefined ? undefined : { error: { code, message } }, headers);
    };
    const prefix = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/`;
    const match = url.pathname.startsWith(prefix)
      ? /^([^/]+)\/(purge|operations\/([^/]+))$/.exec(url.pathname.slice(prefix.length))
      : null;
    if (!match) return finish(404, 'ResourceNotFound', 'No such resource');
    if (url.searchParams.get('api-version') !== PURGE_API_VERSION)
      return finish(400, 'InvalidApiVersion', `api-version must be ${PURGE_API_VERSION}`);
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice('Bearer '.length)))
      return finish(401, 'InvalidAuthenticationToken', 'The access token is missing or invalid');
    if (decodeURIComponent(match[1]!) !== this.workspace) return finish(404, 'ResourceNotFound', 'No such workspace');
    if (match[2] === 'purge') {
      if (req.method !== 'POST') return finish(405, 'MethodNotAllowed', 'POST only');
      return this.purge(Buffer.concat(chunks), call, finish, url, res);
    }
    if (req.method !== 'GET') return finish(405, 'MethodNotAllowed', 'GET only');
    const id = decodeURIComponent(match[3]!);
    const op = this.operations.get(id);
    if (!op) return finish(404, 'OperationNotFound', 'No such purge operation');
    op.polls++;
    if (op.status === 'pending' && op.polls >= this.pollsUntilCompleted) this.complete(id);
    call.status = 200;
    this.send(res, 200, { status: op.status });
  }

  private purge(
    raw: Buffer,
    call: PurgeCall,
    finish: (status: number, code?: string, message?: string, headers?: Record<string, string>) => void,
    url: URL,
    res: ServerResponse,
  ): void {
    const fault = this.faults[0];
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.shift();
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      return finish(fault.status, fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Scripted', headers);
    }
    const hourAgo = Date.now() - 3_600_000;
    while (this.accepted.length > 0 && this.accepted[0]! < hourAgo) this.accepted.shift();
    if (this.accepted.length >= this.hourlyLimit) {
      const retryAfter = Math.ceil((this.accepted[0]! + 3_600_000 - Date.now()) / 1000);
      return finish(429, 'TooManyRequests', 'Purge requests are throttled at 50 an hour', {
        'Retry-After': String(retryAfter),
      });
    }
    let body: { table?: unknown; filters?: unknown };
    try {
      body = JSON.parse(raw.toString('utf8')) as typeof body;
    } catch {
      return finish(400, 'InvalidRequest', 'The body is not JSON');
    }
    const table = typeof body.table === 'string' ? body.table : '';
    const columns = this.columns.get(table);
    if (!columns) return finish(400, 'InvalidTable', 'The table does not exist in the workspace');
    if (!Array.isArray(body.filters) || body.filters.length === 0)
      return finish(400, 'InvalidFilters', 'At least one filter is required');
    const filters = body.filters as PurgeFilter[];
    for (const f of filters) {
      if (!columns.has(f.column)) return finish(400, 'InvalidColumn', 'A filter names a column the table lacks');
      if (!OPERATORS.includes(f.operator)) return finish(400, 'InvalidOperator', 'Unsupported operator');
      if (f.operator.startsWith('in') && (!Array.isArray(f.value) || f.value.length === 0))
        return finish(400, 'InvalidValue', 'in and in~ take a non-empty array');
    }
    call.table = table;
    call.filters = filters;
    const id = randomUUID();
    this.operations.set(id, { table, filters, polls: 0, status: 'pending' });
    this.accepted.push(Date.now());
    const location = `${this.baseUrl}${url.pathname.replace(/\/purge$/, `/operations/${id}`)}?api-version=${PURGE_API_VERSION}`;
    call.status = 202;
    this.send(res, 202, { operationId: id }, { 'x-ms-status-location': location });
  }

  /** Completes an operation: its rows are deleted. */
  complete(id: string): void {
    const op = this.operations.get(id);
    if (!op || op.status === 'completed') return;
    const rows = this.tables.get(op.table) ?? [];
    this.tables.set(
      op.table,
      rows.filter((row) => !op.filters.every((f) => matches(row[f.column], f))),
    );
    op.status = 'completed';
  }
}

function matches(cell: unknown, filter: PurgeFilter): boolean {
  const text = typeof cell === 'string' ? cell : String(cell);
  const values = Array.isArray(filter.value) ? filter.value.map(String) : [String(filter.value)];
  switch (filter.operator) {
    case '==':
    case 'in':
      return values.includes(text);
    case '=~':
    case 'in~':
      return values.some((v) => v.toLowerCase() === text.toLowerCase());
    default:
      return false;
  }
}
