// The model binding data the Functions host sends for a blob binding declared with `sdkBinding: true`
// (source "AzureStorageBlobs", JSON content naming the connection setting, the container and the blob),
// turned into a BlobClient that authenticates the way the host does for that connection: a connection
// string when the setting holds one (locally: Azurite), otherwise the identity-based settings
// <conn>__blobServiceUri (or __serviceUri / __accountName) with __credential and __clientId.
import { BlobServiceClient, type BlobClient } from '@azure/storage-blob';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

/** The `source` of a blob's model binding data (the host's Storage Blobs extension). */
export const BLOB_BINDING_SOURCE = 'AzureStorageBlobs';
/** The only layout of the content this module reads. */
export const BLOB_BINDING_VERSION = '1.0';
export const BLOB_BINDING_CONTENT_TYPE = 'application/json';

/** Model binding data as the worker protocol carries it (the library passes it on unchanged). */
export interface ModelBindingData {
  version?: string | null;
  source?: string | null;
  contentType?: string | null;
  content?: Uint8Array | null;
}

/** What the content names. */
export interface BlobBindingTarget {
  /** The app setting (prefix) of the storage connection, e.g. AzureWebJobsStorage. */
  connection: string;
  container: string;
  blobName: string;
}

export class BlobBindingError extends Error {
  override name = 'BlobBindingError';
}

/** The model binding data the host sends for one blob (the local host builds the same). */
export function blobModelBindingData(target: BlobBindingTarget): Required<ModelBindingData> {
  const content = JSON.stringify({
    Connection: target.connection,
    ContainerName: target.container,
    BlobName: target.blobName,
  });
  return {
    version: BLOB_BINDING_VERSION,
    source: BLOB_BINDING_SOURCE,
    contentType: BLOB_BINDING_CONTENT_TYPE,
    content: Buffer.from(content, 'utf8'),
  };
}

/** Reads the connection, container and blob named by model binding data; throws BlobBindingError with what is wrong. */
export function parseBlobBindingData(data: ModelBindingData): BlobBindingTarget {
  if (data.source != null && data.source !== BLOB_BINDING_SOURCE) {
    throw new BlobBindingError(
      `Model binding data from "${data.source}" is not a blob's (expected ${BLOB_BINDING_SOURCE})`,
    );
  }
  if (data.version != null && data.version.split('.')[0] !== BLOB_BINDING_VERSION.split('.')[0]) {
    throw new BlobBindingError(
      `Blob model binding data version ${data.version} is not supported (expected ${BLOB_BINDING_VERSION})`,
    );
  }
  if (data.content == null || data.content.length === 0)
    throw new BlobBindingError('Blob model binding data has no content');
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(data.content.buffer, data.content.byteOffset, data.content.byteLength).toString('utf8'),
    );
  } catch {
    throw new BlobBindingError(`Blob model binding data is not JSON (content type ${data.contentType ?? 'not given'})`);
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = fields[name];
    if (typeof value !== 'string' || value === '')
      throw new BlobBindingError(`Blob model binding data names no ${name}`);
    return value;
  };
  return { connection: text('Connection'), container: text('ContainerName'), blobName: text('BlobName') };
}

function blobServiceUrl(connection: string, env: NodeJS.ProcessEnv): string | undefined {
  const explicit = env[`${connection}__blobServiceUri`] ?? env[`${connection}__serviceUri`];
  if (explicit) return explicit;
  const accountName = env[`${connection}__accountName`];
  return accountName ? `https://${accountName}.blob.core.windows.net` : undefined;
}

/** The credential of identity-based connection settings: a managed identity (user-assigned with __clientId) or DefaultAzureCredential. */
function identityCredential(connection: string, env: NodeJS.ProcessEnv): TokenCredential {
  const clientId = env[`${connection}__clientId`];
  if (env[`${connection}__credential`] === 'managedidentity')
    return new ManagedIdentityCredential(clientId ? { clientId } : {});
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

/** A BlobServiceClient for a connection setting, resolved the way the Functions host resolves `connection`. */
export function blobServiceForConnection(connection: string, env: NodeJS.ProcessEnv = process.env): BlobServiceClient {
  const connectionString = env[connection];
  if (connectionString) return BlobServiceClient.fromConnectionString(connectionString);
  const url = blobServiceUrl(connection, env);
  if (url === undefined) {
    throw new BlobBindingError(
      `Storage connection "${connection}" is not configured: set ${connection} to a connection string (locally: ` +
        `UseDevelopmentStorage=true), or ${connection}__blobServiceUri (or ${connection}__accountName) for a managed identity`,
    );
  }
  return new BlobServiceClient(url, identityCredential(connection, env));
}

/**
 * Turns blob model binding data into BlobClients. Service clients are kept per connection, so the
 * credential (and its token cache) is shared by every invocation.
 */
export class BindingBlobClients {
  private readonly services = new Map<string, BlobServiceClient>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  clientFor(data: ModelBindingData): BlobClient {
    const target = parseBlobBindingData(data);
    let service = this.services.get(target.connection);
    if (service === undefined) {
      service = blobServiceForConnection(target.connection, this.env);
      this.services.set(target.connection, service);
    }
    return service.getContainerClient(target.container).getBlobClient(target.blobName);
  }
}
