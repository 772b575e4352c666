// OAuth2 client-credentials tokens from Entra ID for the Management Activity API: with a client secret,
// or with a certificate through a signed JWT client assertion (RS256, x5t thumbprint) built with
// node:crypto. Tokens are cached until five minutes before they expire; AADSTS refusals become
// CollectorCredentialsError with the setting or portal step to fix.
import { X509Certificate, createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { SETTINGS } from '../names.js';
import type { CollectorCredential } from './config.js';
import { CollectorConfigError, CollectorCredentialsError, CollectorError, scrubRemoteText } from './errors.js';
import type { RetryingHttp } from './http.js';

export interface TokenSource {
  /** A bearer token (cached while valid). */
  getToken(): Promise<string>;
  /** Forget the cached token (after the API answered 401 with it). */
  invalidate(): void;
}

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  credential: CollectorCredential;
  loginBaseUrl: string;
  scope: string;
  http: RetryingHttp;
  now?: () => number;
}

const REFRESH_MARGIN_MS = 5 * 60_000;
const CERTIFICATE = SETTINGS.o365ClientCertificate;
const ASSERTION_LIFETIME_S = 10 * 60;

/** What to do about the AADSTS codes people meet most often with client credentials. */
const AADSTS_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/^AADSTS7000215$/, `the client secret is wrong: put the secret's Value (not its Secret ID) in the Key Vault secret behind ${SETTINGS.o365ClientSecret}`],
  [/^AADSTS7000222$/, 'the client secret has expired: create a new one on the app registration and update the Key Vault secret'],
  [/^AADSTS700016$/, `no application with ${SETTINGS.o365ClientId} exists in tenant ${SETTINGS.o365TenantId}: check both ids (the app must be registered in, or consented to by, that tenant)`],
  [/^AADSTS90002$|^AADSTS900023$/, `${SETTINGS.o365TenantId} is not a valid tenant: use the directory (tenant) id GUID`],
  [/^AADSTS700027$|^AADSTS700024$|^AADSTS70002$/, 'the client assertion was refused: upload the certificate (public part) to the app registration under Certificates & secrets, and check the server clock'],
  [/^AADSTS7000112$/, 'the application is disabled in the tenant: enable its enterprise application'],
  [/^AADSTS500011$|^AADSTS70011$/, `the Office 365 Management APIs resource or scope was not found: check ${SETTINGS.o365Cloud} (or ${SETTINGS.o365ApiBaseUrl})`],
];

function hintFor(code: string | undefined): string {
  if (code !== undefined) for (const [pattern, hint] of AADSTS_HINTS) if (pattern.test(code)) return hint;
  return `check ${SETTINGS.o365TenantId}, ${SETTINGS.o365ClientId} and the credential (${SETTINGS.o365ClientSecret} or ${SETTINGS.o365ClientCertificate}) against the app registration`;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface ParsedCertificate {
  key: KeyObject;
  /** base64url SHA-1 of the DER certificate (the JWT `x5t` header). */
  x5t: string;
}

/** The private key and certificate thumbprint from PEM text holding both. */
export function parseCertificatePem(pem: string): ParsedCertificate {
  const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyBlock = /-----BEGIN (?:RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certificateBlock || !keyBlock) {
    throw new CollectorConfigError(`${CERTIFICATE} must hold a PEM certificate and its PEM private key`);
  }
  if (keyBlock.includes('ENCRYPTED')) {
    throw new CollectorConfigError(`${CERTIFICATE} holds an encrypted private key: store the key unencrypted in Key Vault (the vault protects it)`);
  }
  let key: KeyObject;
  let certificate: X509Certificate;
  try {
    key = createPrivateKey(keyBlock);
    certificate = new X509Certificate(certificateBlock);
  } catch {
    throw new CollectorConfigError(`${CERTIFICATE} could not be read: the PEM certificate or private key is damaged`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CollectorConfigError(`${CERTIFICATE} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; Entra ID client assertions need an RSA key`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new CollectorConfigError(`${CERTIFICATE}: the private key does not belong to the certificate`);
  }
  return { key, x5t: base64url(createHash('sha1').update(certificate.raw).digest()) };
}

/** A signed client assertion (RFC 7523) for the token endpoint `audience`. */
export function buildClientAssertion(options: { clientId: string; audience: string; certificate: ParsedCertificate; nowMs: number; jti?: string }): string {
  const iat = Math.floor(options.nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', x5t: options.certificate.x5t };
  const claims = {
    aud: options.audience,
    iss: options.clientId,
    sub: options.clientId,
    jti: options.jti ?? randomUUID(),
    nbf: iat,
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), options.certificate.key);
  return `${signingInput}.${base64url(signature)}`;
}

export class ClientCredentialsTokenSource implements TokenSource {
  private cached: { token: string; expiresAt: number } | undefined;
  private certificate: ParsedCertificate | undefined;
  private readonly now: () => number;
  readonly tokenEndpoint: string;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.now = options.now ?? Date.now;
    this.tokenEndpoint = `${options.loginBaseUrl}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
    if (options.credential.kind === 'certificate') this.certificate = parseCertificatePem(options.credential.pem);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  async getToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - REFRESH_MARGIN_MS > this.now()) return this.cached.token;
    const form = new URLSearchParams({ client_id: this.options.clientId, scope: this.options.scope, grant_type: 'client_credentials' });
    if (this.options.credential.kind === 'secret') {
      form.set('client_secret', this.options.credential.secret);
    } else {
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', buildClientAssertion({
        clientId: this.options.clientId,
        audience: this.tokenEndpoint,
        certificate: this.certificate!,
        nowMs: this.now(),
      }));
    }
    const answer = await this.options.http.send({
      method: 'POST',
      url: this.tokenEndpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      what: 'token request to Entra ID',
    });
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(answer.text) as unknown;
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // handled below: no access_token
    }
    if (answer.status === 200 && typeof body['access_token'] === 'string') {
      const expiresIn = Number(body['expires_in']);
      this.cached = {
        token: body['access_token'],
        expiresAt: this.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000,
      };
      return this.cached.token;
    }
    const description = typeof body['error_description'] === 'string' ? body['error_description'] : '';
    const code = /\bAADSTS\d+\b/.exec(description)?.[0];
    if (answer.status >= 400 && answer.status < 500 && (code !== undefined || typeof body['error'] === 'string')) {
      // The first sentence of the description says what Entra ID refused; trace and correlation ids are left out.
      const firstSentence = scrubRemoteText(description.split(/\r?\n|Trace ID:/)[0] ?? '', 240);
      throw new CollectorCredentialsError(
        `Entra ID refused the collector's credentials (HTTP ${answer.status}${code ? `, ${code}` : ''}` +
          `${typeof body['error'] === 'string' ? `, ${scrubRemoteText(body['error'], 40)}` : ''}): ${hintFor(code)}.` +
          `${firstSentence ? ` Entra ID said: ${firstSentence}` : ''}`,
        code,
      );
    }
    throw new CollectorError('api', `token request to Entra ID: unexpected answer (HTTP ${answer.status}) without an access token`);
  }
}
