// Builds the Management Activity API client for one run from the collector's configuration: the API calls share
// one retry budget and one deadline; tokens come from the @azure/identity credential (its own retries and cache).
import type { CollectorConfig } from './config.js';
import { createCollectorCredential, type CredentialPipelineOptions } from './credential.js';
import { RetryingHttp, type RetryingHttpOptions } from './http.js';
import { ManagementActivityClient } from './managementApi.js';
import { CredentialTokenSource } from './tokens.js';

export interface CollectorClient {
  api: ManagementActivityClient;
  http: RetryingHttp;
  tokens: CredentialTokenSource;
}

export interface CollectorClientOptions extends RetryingHttpOptions {
  /** Pipeline options of the identity credentials (tests: the TLS trust of the local authority). */
  credentialOptions?: CredentialPipelineOptions;
}

export function createCollectorClient(config: CollectorConfig, options: CollectorClientOptions = {}): CollectorClient {
  const { credentialOptions, ...httpOptions } = options;
  const http = new RetryingHttp(httpOptions);
  const tokenOptions: ConstructorParameters<typeof CredentialTokenSource>[0] = {
    createCredential: () => createCollectorCredential(config, credentialOptions),
    credentialKind: config.credential.kind,
    scope: config.scope,
  };
  if (options.deadline !== undefined) tokenOptions.deadline = options.deadline;
  if (options.now !== undefined) tokenOptions.now = options.now;
  const tokens = new CredentialTokenSource(tokenOptions);
  const api = new ManagementActivityClient({
    tenantId: config.tenantId,
    publisherId: config.publisherId,
    apiBaseUrl: config.apiBaseUrl,
    tokens,
    http,
  });
  return { api, http, tokens };
}
