// Test helper: a local Entra ID authority over HTTPS (MSAL accepts only https authorities; the client trusts the
// server's self-signed certificate through the credential's tlsOptions.ca) implementing the documented contract
// that @azure/identity drives: the tenant's OpenID configuration, and the token endpoint's client_credentials grant
// with a client secret, a certificate client assertion (PS256 + x5t#S256, or the older RS256 + x5t; aud = the token
// endpoint, iss = sub = the client id) or a federated assertion (a managed identity token matched against the
// app's federated identity credentials by issuer, subject and audience), with AADSTS error bodies. It also issues
// the managed identity tokens that FakeManagedIdentityEndpoint hands out, signed with its own key.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from './selfSignedCertificate.js';
import { requestBody, sendJson } from './fakeJsonReply.js';

export interface EntraRequest {
  kind: 'openid-configuration' | 'token' | 'unknown';
  method: string;
  path: string;
  form: URLSearchParams;
  status?: number;
  /** Header and claims of the client_assertion, when one was sent. */
  assertion?: { header: Record<string, unknown>; claims: Record<string, unknown> };
}

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audiences: string[];
}

/** A scripted answer for the next token requests (a throttled or failing Entra ID). */
export interface TokenFault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function jsonPart(part: string | undefined): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class FakeEntraId {
  readonly tenantId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  readonly clientId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  clientSecret = 'correct-horse-battery-staple~secret';
  /** Certificate registered on the app (Certificates & secrets). */
  certificate: X509Certificate | undefined;
  /** Federated identity credentials of the app registration. */
  federatedCredentials: FederatedCredential[] = [];
  /** Scope the app may ask for (`<API base>/.default`). */
  scope = '';
  /** Lifetime of issued access tokens, in seconds. */
  expiresIn = 3599;
  readonly requests: EntraRequest[] = [];
  readonly faults: TokenFault[] = [];
  /** Application permissions granted (admin consent) to service principals, by object id: the tokens' roles claim. */
  readonly appRoles = new Map<string, string[]>();
  /** Called with each access token issued (the API side accepts them). */
  onIssued: (token: string) => void = () => {};
  baseUrl = '';
  /** The certificate clients must trust (pass as tlsOptions.ca). */
  readonly tlsCertificatePem: string;
  private readonly tlsKeyPem: string;
  private readonly signingKey: KeyObject;
  private readonly verifyingKey: KeyObject;
  private server: Server | undefined;
  private counter = 0;

  constructor() {
    const tls = selfSignedCertificate('127.0.0.1', '127.0.0.1');
    this.tlsCertificatePem = tls.certificatePem;
    this.tlsKeyPem = tls.privateKeyPem;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.signingKey = privateKey;
    this.verifyingKey = publicKey;
  }

  static async start(): Promise<FakeEntraId> {
    const entra = new FakeEntraId();
    entra.server = createServer({ key: entra.tlsKeyPem, cert: entra.tlsCertificatePem }, (req, res) => {
      entra.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: 'server_error', error_description: String(error) }));
      });
    });
    await new Promise<void>((resolve) => entra.server!.listen(0, '127.0.0.1', resolve));
    entra.baseUrl = `https://127.0.0.1:${(entra.server.address() as AddressInfo).port}`;
    return entra;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Pipeline options that make @azure/identity trust this server. */
  get credentialOptions(): {
    tlsOptions: { ca: string };
    retryOptions: { retryDelayInMs: number; maxRetryDelayInMs: number };
  } {
    return { tlsOptions: { ca: this.tlsCertificatePem }, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } };
  }

  get tokenEndpoint(): string {
    return `${this.baseUrl}/${this.tenantId}/oauth2/v2.0/token`;
  }

  /** The issuer of this tenant's tokens, as a federated credential names it. */
  get issuer(): string {
    return `${this.baseUrl}/${this.tenantId}/v2.0`;
  }

  requestsOf(kind: EntraRequest['kind']): EntraRequest[] {
    return this.requests.filter((r) => r.kind === kind);
  }

  /** A managed identity token, as Entra ID issues it for the identity endpoint: sub = the identity's object id. */
  issueManagedIdentityToken(
    resource: string,
    principalId: string,
    lifetimeS = 86_400,
  ): { token: string; expiresOn: number } {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: 'fake-entra' };
    const roles = this.appRoles.get(principalId);
    const claims = {
      aud: resource,
      iss: this.issuer,
      sub: principalId,
      oid: principalId,
      tid: this.tenantId,
      iat: now,
      nbf: now,
      exp: now + lifetimeS,
      ...(roles === undefined ? {} : { roles }),
    };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return {
      token: `${input}.${sign('sha256', Buffer.from(input), this.signingKey).toString('base64url')}`,
      expiresOn: now + lifetimeS,
    };
  }

  /** The claims of a token this authority signed and that has not expired; undefined for any other token. */
  verifyToken(token: string): Record<string, unknown> | undefined {
    const [headerPart, claimsPart, signaturePart] = token.split('.');
    if (headerPart === undefined || claimsPart === undefined || signaturePart === undefined) return undefined;
    if (
      !verify(
        'sha256',
        Buffer.from(`${headerPart}.${claimsPart}`),
        this.verifyingKey,
        Buffer.from(signaturePart, 'base64url'),
      )
    )
      return undefined;
    const claims = jsonPart(claimsPart);
    return this.checkTimes(claims) === undefined ? claims : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const form = new URLSearchParams((await requestBody(req)).toString('utf8'));
    const path = url.pathname;
    const kind: EntraRequest['kind'] = path.endsWith('/v2.0/.well-known/openid-configuration')
      ? 'openid-configuration'
      : path.endsWith('/oauth2/v2.0/token')
        ? 'token'
        : 'unknown';
    const record: EntraRequest = { kind, method: req.method ?? '', path, form };
    this.requests.push(record);
    const tenant = path.split('/')[1] ?? '';
    if (kind === 'openid-configuration') {
      if (tenant !== this.tenantId)
        return this.refuse(res, record, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
      const base = `${this.baseUrl}/${tenant}`;
      return sendJson(res, record, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${this.baseUrl}/${tenant}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        tenant_region_scope: 'EU',
      });
    }
    if (kind === 'unknown') return sendJson(res, record, 404, { error: 'not_found' });

    const fault = this.faults.find((f) => (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return sendJson(res, record, fault.status, fault.body ?? '', fault.headers);
    }
    if (req.method !== 'POST')
      return this.refuse(res, record, 400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    if (tenant !== this.tenantId)
      return this.refuse(res, record, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials')
      return this.refuse(
        res,
        record,
        400,
        'unsupported_grant_type',
        70003,
        'The app requested an unsupported grant type.',
      );
    if (form.get('client_id') !== this.clientId) {
      return this.refuse(
        res,
        record,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    if (form.get('scope') !== this.scope)
      return this.refuse(
        res,
        record,
        400,
        'invalid_scope',
        70011,
        "The provided value for the input parameter 'scope' is not valid.",
      );
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== this.clientSecret) {
        return this.refuse(
          res,
          record,
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
        );
      }
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== JWT_BEARER)
        return this.refuse(res, record, 400, 'invalid_request', 7000216, "'client_assertion_type' must be jwt-bearer.");
      const parts = assertion.split('.');
      record.assertion = { header: jsonPart(parts[0]), claims: jsonPart(parts[1]) };
      const problem =
        record.assertion.claims['iss'] === this.clientId
          ? this.checkCertificateAssertion(parts)
          : this.checkFederatedAssertion(parts);
      if (problem !== undefined) return this.refuse(res, record, 401, 'invalid_client', problem[0], problem[1]);
    } else {
      return this.refuse(
        res,
        record,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const token = `fake-token-${++this.counter}-${randomUUID()}`;
    this.onIssued(token);
    sendJson(res, record, 200, {
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      ext_expires_in: this.expiresIn,
      access_token: token,
    });
  }

  private refuse(
    res: ServerResponse,
    record: EntraRequest,
    status: number,
    error: string,
    code: number,
    text: string,
  ): void {
    sendJson(res, record, status, {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: 0000aaaa-11bb-cc22-dd33-444444eeeeee Correlation ID: 1111bbbb-22cc-dd33-ee44-555555ffffff Timestamp: 2026-03-02 08:00:00Z`,
      error_codes: [code],
      timestamp: '2026-03-02 08:00:00Z',
      trace_id: '0000aaaa-11bb-cc22-dd33-444444eeeeee',
      correlation_id: '1111bbbb-22cc-dd33-ee44-555555ffffff',
    });
  }

  private checkTimes(claims: Record<string, unknown>): string | undefined {
    const nowS = Date.now() / 1000;
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= nowS) return 'expired';
    if (typeof claims['nbf'] === 'number' && claims['nbf'] > nowS + 300) return 'not yet valid';
    return undefined;
  }

  /** A client assertion signed with the registered certificate's key. */
  private checkCertificateAssertion(parts: string[]): [number, string] | undefined {
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    const header = jsonPart(headerPart);
    const claims = jsonPart(claimsPart);
    const refused = (why: string): [number, string] => [
      700027,
      `Client assertion failed signature validation: ${why}.`,
    ];
    if (!this.certificate) return refused('no certificate is registered on the app');
    const der = this.certificate.raw;
    let signed: boolean;
    const input = Buffer.from(`${headerPart}.${claimsPart}`);
    const signature = Buffer.from(signaturePart ?? '', 'base64url');
    if (header['alg'] === 'PS256') {
      if (header['x5t#S256'] !== createHash('sha256').update(der).digest('base64url'))
        return refused('x5t#S256 does not match a registered certificate');
      signed = verify(
        'sha256',
        input,
        {
          key: this.certificate.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
    } else if (header['alg'] === 'RS256') {
      if (header['x5t'] !== createHash('sha1').update(der).digest('base64url'))
        return refused('x5t does not match a registered certificate');
      signed = verify('sha256', input, this.certificate.publicKey, signature);
    } else {
      return refused('alg must be PS256 or RS256');
    }
    if (!signed) return refused('bad signature');
    if (claims['aud'] !== this.tokenEndpoint)
      return [700024, 'Client assertion audience claim does not match the token endpoint.'];
    if (claims['sub'] !== this.clientId) return refused('sub is not the client id');
    if (typeof claims['jti'] !== 'string' || claims['jti'] === '') return refused('no jti');
    const time = this.checkTimes(claims);
    return time === undefined ? undefined : [700024, `Client assertion is not within its valid time range (${time}).`];
  }

  /** A token from another issuer, accepted when a federated identity credential matches its iss, sub and aud. */
  private checkFederatedAssertion(parts: string[]): [number, string] | undefined {
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    const claims = jsonPart(claimsPart);
    if (
      !verify(
        'sha256',
        Buffer.from(`${headerPart}.${claimsPart}`),
        this.verifyingKey,
        Buffer.from(signaturePart ?? '', 'base64url'),
      )
    ) {
      return [50027, 'JWT token is invalid or malformed.'];
    }
    const byIssuer = this.federatedCredentials.filter((c) => c.issuer === claims['iss']);
    if (byIssuer.length === 0)
      return [
        700211,
        `No matching federated identity record found for presented assertion issuer '${String(claims['iss'])}'.`,
      ];
    const bySubject = byIssuer.filter((c) => c.subject === claims['sub']);
    if (bySubject.length === 0)
      return [
        700213,
        `No matching federated identity record found for presented assertion subject '${String(claims['sub'])}'.`,
      ];
    if (!bySubject.some((c) => c.audiences.includes(String(claims['aud'])))) {
      return [
        700212,
        `No matching federated identity record found for presented assertion audience '${String(claims['aud'])}'.`,
      ];
    }
    const time = this.checkTimes(claims);
    return time === undefined ? undefined : [700024, `Client assertion is not within its valid time range (${time}).`];
  }
}
