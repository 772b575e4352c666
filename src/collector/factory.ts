// Builds the Management Activity API client for one run from the collector's configuration: one retry
// budget and one deadline shared by the token requests and the API calls.
import type { CollectorConfig } from './config.js';
import { RetryingHttp, type RetryingHttpOptions } from './http.js';
import { ManagementActivityClient } from './managementApi.js';
import { ClientCredentialsTokenSource } from './token.js';

export interface CollectorClient {
  api: ManagementActivityClient;
  http: RetryingHttp;
  tokens: ClientCredentialsTokenSource;
}

export function createCollectorClient(config: CollectorConfig, options: RetryingHttpOptions = {}): CollectorClient {
  const http = new RetryingHttp(options);
  const tokenOptions: ConstructorParameters<typeof ClientCredentialsTokenSource>[0] = {
    tenantId: config.tenantId,
    clientId: config.clientId,
    credential: config.credential,
    loginBaseUrl: config.loginBaseUrl,
    scope: config.scope,
    http,
  };
  if (options.now !== undefined) tokenOptions.now = options.now;
  const tokens = new ClientCredentialsTokenSource(tokenOptions);
  const api = new ManagementActivityClient({
    tenantId: config.tenantId,
    publisherId: config.publisherId,
    apiBaseUrl: config.apiBaseUrl,
    tokens,
    http,
  });
  return { api, http, tokens };
}
