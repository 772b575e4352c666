// Bearer tokens for the Management Activity API from the collector's @azure/identity credential, which caches
// them (one token request per hour or so, not one per API call). Refusals become CollectorCredentialsError
// naming the AADSTS code and the setting or portal step to fix; nothing of the credential reaches a message.
import type { TokenCredential } from '@azure/identity';
import { SETTINGS } from '../names.js';
import type { CollectorCredential } from './config.js';
import { CollectorError, CollectorCredentialsError, scrubRemoteText } from './errors.js';

export interface TokenSource {
  /** A bearer token (cached while valid). */
  getToken(): Promise<string>;
  /** Forget the cached token (after the API answered 401 with it). */
  invalidate(): void;
}

const FEDERATED = `the federated credential on the app registration must have issuer https://<login host>/<the identity's tenant id>/v2.0, subject = the object (principal) id of the identity whose client id is in ${SETTINGS.o365ManagedIdentityClientId}, and audience`;

/** What to do about the AADSTS codes people meet most often with client credentials. */
const AADSTS_HINTS: ReadonlyArray<[RegExp, string]> = [
  [
    /^AADSTS7000215$/,
    `the client secret is wrong: put the secret's Value (not its Secret ID) in the Key Vault secret behind ${SETTINGS.o365ClientSecret}`,
  ],
  [
    /^AADSTS7000222$/,
    'the client secret has expired: create a new one on the app registration and update the Key Vault secret',
  ],
  [
    /^AADSTS700016$/,
    `no application with ${SETTINGS.o365ClientId} exists in tenant ${SETTINGS.o365TenantId}: check both ids (the app must be registered in, or consented to by, that tenant)`,
  ],
  [
    /^AADSTS90002$|^AADSTS900023$/,
    `${SETTINGS.o365TenantId} is not a valid tenant: use the directory (tenant) id GUID`,
  ],
  [
    /^AADSTS700211$/,
    `the managed identity's token has an issuer no federated credential of the app registration names: ${FEDERATED} api://AzureADTokenExchange (US Government: api://AzureADTokenExchangeUSGov)`,
  ],
  [
    /^AADSTS700212$/,
    `the managed identity's token has an audience no federated credential of the app registration accepts: check ${SETTINGS.o365Cloud}; ${FEDERATED} api://AzureADTokenExchange (US Government: api://AzureADTokenExchangeUSGov)`,
  ],
  [
    /^AADSTS700213$|^AADSTS70021$/,
    `no federated credential of the app registration matches the managed identity: ${FEDERATED} api://AzureADTokenExchange (US Government: api://AzureADTokenExchangeUSGov)`,
  ],
  [
    /^AADSTS700027$|^AADSTS700024$|^AADSTS70002$/,
    'the client assertion was refused: upload the certificate (public part) to the app registration under Certificates & secrets, and check the server clock',
  ],
  [/^AADSTS7000112$/, 'the application is disabled in the tenant: enable its enterprise application'],
  [
    /^AADSTS500011$|^AADSTS70011$/,
    `the Office 365 Management APIs resource or scope was not found: check ${SETTINGS.o365Cloud} (or ${SETTINGS.o365ApiBaseUrl})`,
  ],
];

function hintFor(code: string | undefined, credential: CollectorCredential['kind']): string {
  if (code !== undefined) for (const [pattern, hint] of AADSTS_HINTS) if (pattern.test(code)) return hint;
  const setting =
    credential === 'secret'
      ? SETTINGS.o365ClientSecret
      : credential === 'certificate'
        ? SETTINGS.o365ClientCertificate
        : `${SETTINGS.o365ManagedIdentityClientId} (and the app registration's federated credential)`;
  return `check ${SETTINGS.o365TenantId}, ${SETTINGS.o365ClientId} and ${setting} against the app registration`;
}

/** The error a failed token request becomes: what Entra ID refused and what to fix, without trace ids or secrets. */
export function credentialsError(error: unknown, credential: CollectorCredential['kind']): CollectorError {
  const raw = error instanceof Error ? error.message : String(error);
  if (credential === 'managedIdentity' && /ManagedIdentityCredential/.test(raw)) {
    return new CollectorCredentialsError(
      `the Function App's managed identity gave no token for the federated credential: check that the user-assigned identity ` +
        `whose client id is in ${SETTINGS.o365ManagedIdentityClientId} is assigned to the Function App (this mode works only in ` +
        `Azure). The identity endpoint said: ${scrubRemoteText(/Description:\s*(.*?)\s*(?:- Correlation ID|$)/.exec(raw)?.[1] ?? raw.split(/Trace ID:|Correlation ID:/)[0] ?? '', 240)}`,
      undefined,
    );
  }
  const code = /\bAADSTS\d+\b/.exec(raw)?.[0];
  const status = /Status code: (\d{3})/.exec(raw)?.[1];
  const oauthError =
    /\b(invalid_client|unauthorized_client|invalid_request|invalid_scope|invalid_grant|unsupported_grant_type)\b/.exec(
      raw,
    )?.[1];
  if (code === undefined && oauthError === undefined) {
    return new CollectorError(
      'network',
      `token request to Entra ID failed without an Entra ID answer: ${scrubRemoteText(raw.split(/Trace ID:/)[0] ?? '', 240)}`,
    );
  }
  // The first sentence Entra ID wrote after the code says what it refused; trace and correlation ids are left out.
  const said =
    code !== undefined
      ? (raw
          .slice(raw.indexOf(code) + code.length)
          .replace(/^[:\s]+/, '')
          .split(/\r?\n|\\r\\n|Trace ID:/)[0] ?? '')
      : '';
  const details = [status !== undefined ? `HTTP ${status}` : undefined, code, oauthError]
    .filter((part) => part !== undefined)
    .join(', ');
  return new CollectorCredentialsError(
    `Entra ID refused the collector's credentials (${details}): ${hintFor(code, credential)}.` +
      `${said.trim() ? ` Entra ID said: ${scrubRemoteText(said, 240)}` : ''}`,
    code,
  );
}

export interface CredentialTokenSourceOptions {
  /** Builds the credential (again after invalidate: a fresh credential has an empty cache). */
  createCredential: () => TokenCredential;
  credentialKind: CollectorCredential['kind'];
  scope: string;
  /** Epoch ms past which a token request is abandoned. */
  deadline?: number;
  now?: () => number;
}

export class CredentialTokenSource implements TokenSource {
  private credential: TokenCredential;
  private readonly now: () => number;

  constructor(private readonly options: CredentialTokenSourceOptions) {
    this.credential = options.createCredential();
    this.now = options.now ?? Date.now;
  }

  invalidate(): void {
    this.credential = this.options.createCredential();
  }

  async getToken(): Promise<string> {
    const request = this.credential.getToken(this.options.scope);
    // Abandoned at the deadline, its later failure is not news.
    request.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = this.options.deadline;
      const token =
        deadline === undefined
          ? await request
          : await Promise.race([
              request,
              new Promise<never>((_, reject) => {
                timer = setTimeout(
                  () =>
                    reject(
                      new CollectorError(
                        'deadline',
                        "token request to Entra ID: no answer before the run's deadline. The next run continues from the saved position.",
                      ),
                    ),
                  Math.max(0, deadline - this.now()),
                );
              }),
            ]);
      if (token === null)
        throw new CollectorError('api', 'token request to Entra ID: the identity library returned no token');
      return token.token;
    } catch (error) {
      if (error instanceof CollectorError) throw error;
      throw credentialsError(error, this.options.credentialKind);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
