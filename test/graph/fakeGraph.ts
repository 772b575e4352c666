// Test helper: a local Microsoft Graph implementing the contracts the name lookup uses. POST /v1.0/$batch takes
// { requests: [{ id, method, url }] } (at most 20, else 400) and answers 200 { responses: [{ id, status, headers,
// body }] } in an order of its own; each request may be GET /users/{id}?$select=... (also served directly), which
// answers 200 with the selected properties, or 404 Request_ResourceNotFound for an id not in the tenant. Tokens
// are the local Entra ID's (FakeEntraId): a wrong or missing token is 401 InvalidAuthenticationToken for the whole
// request; without the User.Read.All role each item is 403 Authorization_RequestDenied. Faults can be scripted for
// whole requests (429 with Retry-After, 503, ...) and for single users inside a batch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeEntraId } from '../collector/fakeEntraId.js';

export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  userType: 'Member' | 'Guest';
}

export interface Fault {
  status: number;
  retryAfter?: string;
  /** How many answers it replaces (default 1). */
  times?: number;
}

export interface BatchCall {
  status: number;
  /** The user ids asked for, in request order. */
  ids: string[];
}

interface ItemAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const USER_PATH = /^\/?(?:v1\.0\/)?users\/([^/?]+)$/;

function graphError(code: string, message: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: '2026-12-06T14:00:00', 'request-id': '00000000-0000-4000-8000-000000000000' },
    },
  };
}

function takeFault(list: Fault[] | undefined): Fault | undefined {
  const fault = list?.find((f) => (f.times ?? 1) > 0);
  if (fault !== undefined) fault.times = (fault.times ?? 1) - 1;
  return fault;
}

export class FakeGraph {
  readonly users = new Map<string, DirectoryUser>();
  /** Faults of whole $batch requests, used in order. */
  readonly requestFaults: Fault[] = [];
  /** Faults of single users' items inside a batch, by user id (lower case). */
  readonly userFaults = new Map<string, Fault[]>();
  readonly batches: BatchCall[] = [];
  baseUrl = '';
  private server: Server | undefined;

  private constructor(private readonly entra: FakeEntraId) {}

  static async start(entra: FakeEntraId): Promise<FakeGraph> {
    const graph = new FakeGraph(entra);
    graph.server = createServer((req, res) => {
      graph
        .handle(req, res)
        .catch((error: unknown) => graph.send(res, 500, graphError('generalException', String(error))));
    });
    await new Promise<void>((resolve) => graph.server!.listen(0, '127.0.0.1', resolve));
    graph.baseUrl = `http://127.0.0.1:${(graph.server.address() as AddressInfo).port}`;
    return graph;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  add(user: DirectoryUser): void {
    this.users.set(user.id.toLowerCase(), user);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; odata.metadata=minimal');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(JSON.stringify(body));
  }

  /** The token's claims when it is this tenant's token for this Graph, else the 401 body. */
  private authenticate(req: IncomingMessage): { roles: string[] } | undefined {
    const header = req.headers.authorization ?? '';
    const claims = header.startsWith('Bearer ') ? this.entra.verifyToken(header.slice(7)) : undefined;
    if (claims === undefined || claims['aud'] !== this.baseUrl) return undefined;
    return { roles: Array.isArray(claims['roles']) ? (claims['roles'] as string[]) : [] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const auth = this.authenticate(req);
    if (auth === undefined) {
      return this.send(
        res,
        401,
        graphError('InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'),
      );
    }
    if (req.method === 'GET' && USER_PATH.test(url.pathname)) {
      const answer = this.user(url.pathname + url.search, auth.roles);
      return this.send(res, answer.status, answer.body, answer.headers);
    }
    if (req.method !== 'POST' || url.pathname !== '/v1.0/$batch') {
      return this.send(res, 400, graphError('BadRequest', `Resource not found for the segment '${url.pathname}'.`));
    }
    let requests: Array<{ id?: unknown; method?: unknown; url?: unknown }>;
    try {
      requests = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { requests: typeof requests }).requests;
      if (!Array.isArray(requests)) throw new Error('no requests');
    } catch {
      return this.send(res, 400, graphError('BadRequest', 'Invalid batch payload format.'));
    }
    const ids = requests.map(
      (r) => USER_PATH.exec((typeof r.url === 'string' ? r.url : '').split('?')[0] ?? '')?.[1] ?? '',
    );
    const call: BatchCall = { status: 200, ids };
    this.batches.push(call);
    if (requests.length > 20) {
      call.status = 400;
      return this.send(
        res,
        400,
        graphError('BadRequest', 'The number of requests in the batch exceeds the limit of 20.'),
      );
    }
    const fault = takeFault(this.requestFaults);
    if (fault !== undefined) {
      call.status = fault.status;
      return this.send(
        res,
        fault.status,
        graphError(fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Scripted fault.'),
        fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter },
      );
    }
    const responses = requests.map((r, i) => {
      const id = ids[i]!;
      const itemFault = takeFault(this.userFaults.get(id.toLowerCase()));
      const answer: ItemAnswer =
        r.method !== 'GET'
          ? { status: 405, headers: {}, body: graphError('BadRequest', 'Method not allowed.') }
          : itemFault !== undefined
            ? {
                status: itemFault.status,
                headers: itemFault.retryAfter === undefined ? {} : { 'Retry-After': itemFault.retryAfter },
                body: graphError(itemFault.status === 429 ? 'TooManyRequests' : 'generalException', 'Scripted fault.'),
              }
            : this.user(typeof r.url === 'string' ? r.url : '', auth.roles);
      return {
        id: r.id,
        status: answer.status,
        headers: { 'Content-Type': 'application/json', ...answer.headers },
        body: answer.body,
      };
    });
    // Graph gives the answers in no particular order.
    this.send(res, 200, { responses: responses.reverse() });
  }

  /** GET /users/{id}?$select=... */
  private user(relativeUrl: string, roles: string[]): ItemAnswer {
    const [path, query] = relativeUrl.split('?');
    const id = USER_PATH.exec(path ?? '')?.[1] ?? '';
    if (!roles.includes('User.Read.All')) {
      return {
        status: 403,
        headers: {},
        body: graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      };
    }
    const user = this.users.get(decodeURIComponent(id).toLowerCase());
    if (user === undefined) {
      return {
        status: 404,
        headers: {},
        body: graphError(
          'Request_ResourceNotFound',
          `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
        ),
      };
    }
    const select = new URLSearchParams(query ?? '').get('$select')?.split(',') ?? Object.keys(user);
    const body: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl}/v1.0/$metadata#users(${select.join(',')})/$entity`,
    };
    for (const key of select) if (key in user) body[key] = user[key as keyof DirectoryUser];
    return { status: 200, headers: {}, body };
  }
}
