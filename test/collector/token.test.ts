import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientCredentialsTokenSource, buildClientAssertion, parseCertificatePem } from '../../src/collector/token.js';
import { RetryingHttp } from '../../src/collector/http.js';
import { CollectorConfigError, CollectorCredentialsError } from '../../src/collector/errors.js';
import type { CollectorCredential } from '../../src/collector/config.js';
import { FakeManagementApi } from './fakeManagementApi.js';
import { selfSignedCertificate, type TestCertificate } from './selfSignedCertificate.js';

let server: FakeManagementApi;
let certificate: TestCertificate;

before(async () => {
  server = await FakeManagementApi.start();
  certificate = selfSignedCertificate();
});
after(() => server.close());

function source(credential: CollectorCredential, overrides: { now?: () => number; clientId?: string } = {}): ClientCredentialsTokenSource {
  const options: ConstructorParameters<typeof ClientCredentialsTokenSource>[0] = {
    tenantId: server.tenantId,
    clientId: overrides.clientId ?? server.clientId,
    credential,
    loginBaseUrl: server.baseUrl,
    scope: `${server.baseUrl}/.default`,
    http: new RetryingHttp({ sleep: async () => {} }),
  };
  if (overrides.now) options.now = overrides.now;
  return new ClientCredentialsTokenSource(options);
}

test('a client secret gets a token, which is reused until five minutes before it expires', async () => {
  let now = Date.now();
  const tokens = source({ kind: 'secret', secret: server.clientSecret }, { now: () => now });
  const before = server.requestsOf('token').length;
  const first = await tokens.getToken();
  assert.ok(server.tokens.has(first));
  assert.equal(await tokens.getToken(), first);
  now += 3599_000 - 5 * 60_000 - 1000;
  assert.equal(await tokens.getToken(), first, 'still more than five minutes left');
  now += 2000;
  const renewed = await tokens.getToken();
  assert.notEqual(renewed, first);
  assert.equal(server.requestsOf('token').length - before, 2);
  tokens.invalidate();
  assert.notEqual(await tokens.getToken(), renewed);
});

test('a wrong secret gives a CollectorCredentialsError naming the AADSTS code and the setting to fix, without the secret or trace ids', async () => {
  const wrong = 'wrong-secret-value-1234567890';
  await assert.rejects(source({ kind: 'secret', secret: wrong }).getToken(), (error: unknown) => {
    assert.ok(error instanceof CollectorCredentialsError, String(error));
    assert.equal(error.kind, 'credentials');
    assert.equal(error.aadstsCode, 'AADSTS7000215');
    assert.match(error.message, /HTTP 401, AADSTS7000215, invalid_client/);
    assert.match(error.message, /O365_CLIENT_SECRET/);
    assert.match(error.message, /Value \(not its Secret ID\)/);
    assert.ok(!error.message.includes(wrong), 'the secret is not in the message');
    assert.ok(!/Trace ID|Correlation ID/.test(error.message));
    return true;
  });
});

test('an unknown client id is reported with the ids to check', async () => {
  await assert.rejects(
    source({ kind: 'secret', secret: server.clientSecret }, { clientId: '11111111-2222-4333-8444-555555555555' }).getToken(),
    (error: unknown) => error instanceof CollectorCredentialsError && error.aadstsCode === 'AADSTS700016' && /O365_CLIENT_ID/.test(error.message),
  );
});

test('a certificate signs a client assertion the token endpoint verifies (RS256, x5t, aud, iss/sub, exp)', async () => {
  server.certificate = certificate.certificate;
  const token = await source({ kind: 'certificate', pem: certificate.combinedPem }).getToken();
  assert.ok(server.tokens.has(token));
  const last = server.requestsOf('token').at(-1)!;
  assert.equal(last.status, 200);
});

test('an assertion signed by a certificate the app registration does not know is refused with AADSTS700027 and a hint', async () => {
  server.certificate = selfSignedCertificate('other').certificate;
  await assert.rejects(source({ kind: 'certificate', pem: certificate.combinedPem }).getToken(), (error: unknown) =>
    error instanceof CollectorCredentialsError && error.aadstsCode === 'AADSTS700027' && /upload the certificate/.test(error.message));
  server.certificate = certificate.certificate;
});

test('the assertion carries the claims Entra ID checks', () => {
  const parsed = parseCertificatePem(certificate.combinedPem);
  const jwt = buildClientAssertion({ clientId: 'app', audience: 'https://login.example/t/oauth2/v2.0/token', certificate: parsed, nowMs: 1_700_000_000_000, jti: 'j1' });
  const [header, claims] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
  assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', x5t: parsed.x5t });
  assert.deepEqual(claims, { aud: 'https://login.example/t/oauth2/v2.0/token', iss: 'app', sub: 'app', jti: 'j1', nbf: 1_700_000_000, iat: 1_700_000_000, exp: 1_700_000_600 });
});

test('certificate problems are configuration errors that say what to store', () => {
  const other = selfSignedCertificate('other');
  assert.throws(() => parseCertificatePem(`${other.privateKeyPem}${certificate.certificatePem}`), (e: unknown) =>
    e instanceof CollectorConfigError && /does not belong to the certificate/.test(e.message));
  assert.throws(() => parseCertificatePem(certificate.certificatePem), (e: unknown) =>
    e instanceof CollectorConfigError && /PEM private key/.test(e.message));
  assert.throws(() => parseCertificatePem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), (e: unknown) =>
    e instanceof CollectorConfigError && /damaged/.test(e.message));
  assert.throws(() => parseCertificatePem('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), (e: unknown) =>
    e instanceof CollectorConfigError && /encrypted private key/.test(e.message));
});

test('the token endpoint being throttled is waited out like the API', async () => {
  server.faults.push({ kind: 'token', status: 429, headers: { 'Retry-After': '2' }, body: { error: 'temporarily_unavailable' } });
  const sleeps: number[] = [];
  const tokens = new ClientCredentialsTokenSource({
    tenantId: server.tenantId, clientId: server.clientId, credential: { kind: 'secret', secret: server.clientSecret },
    loginBaseUrl: server.baseUrl, scope: `${server.baseUrl}/.default`,
    http: new RetryingHttp({ sleep: async (ms) => { sleeps.push(ms); } }),
  });
  assert.ok(server.tokens.has(await tokens.getToken()));
  assert.deepEqual(sleeps, [2000]);
});
