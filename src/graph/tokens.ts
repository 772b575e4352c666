// Access tokens for Microsoft Graph from the Function App's managed identity (@azure/identity caches them and
// renews them before they expire), and the error for an identity Graph refuses, which says what to grant.
import { ManagedIdentityCredential, type TokenCredential, type TokenCredentialOptions } from '@azure/identity';
import { scrubRemoteText } from '../collector/errors.js';
import { SETTINGS } from '../names.js';
import type { GraphNamesConfig } from './config.js';

export interface GraphTokenSource {
  getToken(): Promise<string>;
  /** Forget the cached token (Graph answered 401 with it). */
  invalidate(): void;
}

const GUIDS = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Graph's or the identity library's words, safe for logs: no addresses, tokens or ids (of users or requests). */
export function graphText(text: string, maxChars = 200): string {
  return scrubRemoteText(text.replace(GUIDS, '[id]'), maxChars);
}

const GRANT =
  "grant the Function App's managed identity the Microsoft Graph application permission User.Read.All, " +
  'with admin consent (docs/graph-names.md gives the commands)';

/** Graph refused the identity, or the identity gave no token: nothing can be looked up until an admin acts. */
export class GraphPermissionError extends Error {
  override name = 'GraphPermissionError';

  static fromAnswer(status: number, code: string | undefined, said: string): GraphPermissionError {
    const what = `Microsoft Graph refused the lookup (HTTP ${status}${code ? `, ${code}` : ''})`;
    const hint =
      status === 401
        ? `the token was not accepted; check that ${SETTINGS.graphBaseUrl} is the Graph host of the tenant's cloud`
        : GRANT;
    return new GraphPermissionError(`${what}: ${hint}. Graph said: ${graphText(said)}`);
  }
}

export class CredentialGraphTokens implements GraphTokenSource {
  private credential: TokenCredential;

  constructor(
    private readonly createCredential: () => TokenCredential,
    private readonly scope: string,
  ) {
    this.credential = createCredential();
  }

  invalidate(): void {
    this.credential = this.createCredential();
  }

  async getToken(): Promise<string> {
    let token;
    try {
      token = await this.credential.getToken(this.scope);
    } catch (error) {
      const raw = error instanceof Error ? error.message : String(error);
      throw new GraphPermissionError(
        `the Function App's managed identity gave no token for Microsoft Graph (this works only in Azure, with the identity ` +
          `assigned to the app): ${graphText(raw.split(/Trace ID:|Correlation ID:/)[0] ?? '')}`,
      );
    }
    if (token === null)
      throw new GraphPermissionError("the Function App's managed identity gave no token for Microsoft Graph");
    return token.token;
  }
}

/** Tokens of the configured managed identity (user-assigned when a client id is set). */
export function managedIdentityGraphTokens(
  config: GraphNamesConfig,
  pipeline: TokenCredentialOptions = {},
): GraphTokenSource {
  const options =
    config.identityClientId === undefined ? { ...pipeline } : { ...pipeline, clientId: config.identityClientId };
  return new CredentialGraphTokens(() => new ManagedIdentityCredential(options), config.scope);
}
