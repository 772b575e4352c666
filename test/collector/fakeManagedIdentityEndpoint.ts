// Test helper: the managed identity endpoint App Service and Azure Functions give an app (IDENTITY_ENDPOINT, plain
// http on the loopback, with the secret IDENTITY_HEADER): GET ?api-version=2019-08-01&resource=...&client_id=...
// with the X-IDENTITY-HEADER header answers { access_token, expires_on, resource, token_type, client_id }. The tokens
// come from FakeEntraId, for the user-assigned identities assigned to the "app".
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FakeEntraId } from './fakeEntraId.js';
import { sendJson } from './fakeJsonReply.js';

export interface ManagedIdentityRequest {
  resource: string | null;
  clientId: string | null;
  apiVersion: string | null;
  headerOk: boolean;
  status?: number;
}

export class FakeManagedIdentityEndpoint {
  /** Secret the platform puts in IDENTITY_HEADER. */
  readonly identityHeader = randomBytes(16).toString('hex');
  /** User-assigned identities assigned to the app: client id -> object (principal) id. */
  readonly identities = new Map<string, string>();
  readonly requests: ManagedIdentityRequest[] = [];
  endpoint = '';
  private server: Server | undefined;

  private constructor(private readonly entra: FakeEntraId) {}

  static async start(entra: FakeEntraId): Promise<FakeManagedIdentityEndpoint> {
    const mi = new FakeManagedIdentityEndpoint(entra);
    mi.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record: ManagedIdentityRequest = {
        resource: url.searchParams.get('resource'),
        clientId: url.searchParams.get('client_id'),
        apiVersion: url.searchParams.get('api-version'),
        headerOk: req.headers['x-identity-header'] === mi.identityHeader,
      };
      mi.requests.push(record);
      const answer = (status: number, body: unknown): void => sendJson(res, record, status, body);
      if (!record.headerOk) return answer(401, { statusCode: 401, message: 'Missing or invalid X-IDENTITY-HEADER.' });
      if (record.apiVersion !== '2019-08-01')
        return answer(400, { statusCode: 400, message: 'Unsupported api-version.' });
      if (!record.resource) return answer(400, { statusCode: 400, message: 'Missing resource.' });
      const principalId = record.clientId === null ? undefined : mi.identities.get(record.clientId);
      if (principalId === undefined)
        return answer(400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.' });
      const issued = mi.entra.issueManagedIdentityToken(record.resource, principalId);
      answer(200, {
        access_token: issued.token,
        expires_on: String(issued.expiresOn),
        resource: record.resource,
        token_type: 'Bearer',
        client_id: record.clientId,
      });
    });
    await new Promise<void>((resolve) => mi.server!.listen(0, '127.0.0.1', resolve));
    mi.endpoint = `http://127.0.0.1:${(mi.server.address() as AddressInfo).port}/msi/token`;
    return mi;
  }

  /** The variables App Service sets for the app; @azure/identity reads them from process.env. */
  get environment(): Record<'IDENTITY_ENDPOINT' | 'IDENTITY_HEADER', string> {
    return { IDENTITY_ENDPOINT: this.endpoint, IDENTITY_HEADER: this.identityHeader };
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
