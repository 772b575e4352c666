// The one place that builds storage clients: a connection string when the connection setting
// holds one (Azurite: UseDevelopmentStorage=true), otherwise identity-based settings
// (<conn>__blobServiceUri, __queueServiceUri, __tableServiceUri, __credential, __clientId).
import { BlobServiceClient } from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SETTINGS } from '../names.js';

export interface StorageClients {
  readonly blobService: BlobServiceClient;
  /** A client for one table (cached per name). */
  table(name: string): TableClient;
  /** How the clients authenticate, for /api/health (never contains a secret). */
  readonly description: string;
}

export class StorageConfigError extends Error {
  override name = 'StorageConfigError';
}

/** Retry tuning for tests and tools that must fail fast; the SDK defaults apply when omitted. */
export interface ClientRetryOptions {
  /** Retries after the first attempt (SDK default 3). */
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

function tableRetry(retry: ClientRetryOptions | undefined): {
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
} {
  return retry === undefined ? {} : { retryOptions: { ...retry } };
}

function blobRetry(retry: ClientRetryOptions | undefined): {
  retryOptions?: { maxTries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
} {
  if (retry === undefined) return {};
  const options: { maxTries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number } = {};
  if (retry.maxRetries !== undefined) options.maxTries = retry.maxRetries + 1;
  if (retry.retryDelayInMs !== undefined) options.retryDelayInMs = retry.retryDelayInMs;
  if (retry.maxRetryDelayInMs !== undefined) options.maxRetryDelayInMs = retry.maxRetryDelayInMs;
  return { retryOptions: options };
}

function isLoopback(cs: string): boolean {
  return /UseDevelopmentStorage=true/i.test(cs) || /Endpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(cs);
}

export function storageClientsFromConnectionString(
  connectionString: string,
  retry?: ClientRetryOptions,
): StorageClients {
  const insecure = isLoopback(connectionString);
  const blobService = BlobServiceClient.fromConnectionString(connectionString, blobRetry(retry));
  const tables = new Map<string, TableClient>();
  return {
    blobService,
    description: insecure ? 'connection string (local emulator)' : 'connection string',
    table(name: string): TableClient {
      let client = tables.get(name);
      if (!client) {
        client = TableClient.fromConnectionString(connectionString, name, {
          allowInsecureConnection: insecure,
          ...tableRetry(retry),
        });
        tables.set(name, client);
      }
      return client;
    },
  };
}

export function storageClientsFromIdentity(
  urls: { blob: string; queue: string; table: string },
  credential: TokenCredential,
  description: string,
): StorageClients {
  const blobService = new BlobServiceClient(urls.blob, credential);
  const tables = new Map<string, TableClient>();
  return {
    blobService,
    description,
    table(name: string): TableClient {
      let client = tables.get(name);
      if (!client) {
        client = new TableClient(urls.table, name, credential);
        tables.set(name, client);
      }
      return client;
    },
  };
}

/** Resolves the connection the way the Functions host does for `connection: <conn>`. */
export function storageClientsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  connection: string = SETTINGS.storageConnection,
): StorageClients {
  const connectionString = env[connection];
  if (connectionString) return storageClientsFromConnectionString(connectionString);
  const blob = env[`${connection}__blobServiceUri`];
  const queue = env[`${connection}__queueServiceUri`];
  const table = env[`${connection}__tableServiceUri`];
  const accountName = env[`${connection}__accountName`];
  const urls =
    blob && queue && table
      ? { blob, queue, table }
      : accountName
        ? {
            blob: `https://${accountName}.blob.core.windows.net`,
            queue: `https://${accountName}.queue.core.windows.net`,
            table: `https://${accountName}.table.core.windows.net`,
          }
        : undefined;
  if (!urls) {
    throw new StorageConfigError(
      `Storage connection "${connection}" is not configured: set ${connection} to a connection string ` +
        `(locally: UseDevelopmentStorage=true), or set ${connection}__blobServiceUri, ${connection}__queueServiceUri ` +
        `and ${connection}__tableServiceUri (or ${connection}__accountName) for a managed identity.`,
    );
  }
  const clientId = env[`${connection}__clientId`];
  const credentialKind = env[`${connection}__credential`];
  const credential: TokenCredential =
    credentialKind === 'managedidentity'
      ? new ManagedIdentityCredential(clientId ? { clientId } : {})
      : new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  const how =
    credentialKind === 'managedidentity'
      ? `managed identity${clientId ? ' (user-assigned)' : ' (system-assigned)'}`
      : 'DefaultAzureCredential';
  return storageClientsFromIdentity(urls, credential, how);
}
