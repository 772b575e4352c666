// The collector's secret and certificate credentials, driven by the real @azure/identity against the local Entra ID
// (fakeEntraId.ts, HTTPS, instance discovery off) and the local Management Activity API.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createCollectorClient } from '../../src/collector/factory.js';
import { readCollectorConfig } from '../../src/collector/config.js';
import { checkCertificatePem } from '../../src/collector/credential.js';
import { CollectorConfigError, CollectorCredentialsError } from '../../src/collector/errors.js';
import { credentialsRefusal } from './credentialRefusal.js';
import { FakeManagementApi } from './fakeManagementApi.js';
import { selfSignedCertificate, type TestCertificate } from './selfSignedCertificate.js';

let server: FakeManagementApi;
let certificate: TestCertificate;

before(async () => {
  server = await FakeManagementApi.start();
  server.subscription = 'enabled';
  certificate = selfSignedCertificate();
});
after(() => server.close());
beforeEach(() => {
  server.entra.requests.length = 0;
  server.entra.faults.length = 0;
  server.certificate = certificate.certificate;
});

function client(env: NodeJS.ProcessEnv): ReturnType<typeof createCollectorClient> {
  const config = readCollectorConfig(env);
  assert.ok(config.configured);
  return createCollectorClient(config.config, { sleep: async () => {}, credentialOptions: server.credentialOptions });
}

async function refusal(promise: Promise<unknown>): Promise<CollectorCredentialsError> {
  const error = await credentialsRefusal(promise, ['0000aaaa-11bb']);
  assert.equal(error.kind, 'credentials');
  return error;
}

test('a client secret gets one token that serves many API calls (the credential caches it)', async () => {
  const c = client(server.settings());
  for (let i = 0; i < 12; i++)
    assert.deepEqual(await c.api.listSubscriptions(), [{ contentType: 'Audit.General', status: 'enabled' }]);
  const tokens = server.entra.requestsOf('token');
  assert.equal(tokens.length, 1, 'one token request for twelve API calls');
  assert.equal(tokens[0]!.form.get('grant_type'), 'client_credentials');
  assert.equal(tokens[0]!.form.get('scope'), `${server.baseUrl}/.default`);
  assert.equal(tokens[0]!.status, 200);
});

test('invalidate (after a 401 from the API) makes the next call fetch a new token', async () => {
  const c = client(server.settings());
  const first = await c.tokens.getToken();
  assert.equal(await c.tokens.getToken(), first);
  c.tokens.invalidate();
  assert.notEqual(await c.tokens.getToken(), first);
  assert.equal(server.entra.requestsOf('token').length, 2);
});

test('a wrong secret: the AADSTS code and what to fix, without the secret or trace ids', async () => {
  const wrong = 'wrong-secret-value-1234567890';
  const error = await refusal(client(server.settings({ secret: wrong })).api.listSubscriptions());
  assert.equal(error.aadstsCode, 'AADSTS7000215');
  assert.match(error.message, /\(AADSTS7000215, invalid_client\)/);
  assert.match(error.message, /O365_CLIENT_SECRET/);
  assert.match(error.message, /Value \(not its Secret ID\)/);
  assert.match(error.message, /Entra ID said: Invalid client secret provided/);
  assert.ok(!error.message.includes(wrong));
});

test('an unknown client id is reported with the ids to check', async () => {
  const env = { ...server.settings(), O365_CLIENT_ID: '11111111-2222-4333-8444-555555555555' };
  const error = await refusal(client(env).api.listSubscriptions());
  assert.equal(error.aadstsCode, 'AADSTS700016');
  assert.match(error.message, /O365_CLIENT_ID/);
});

test('a certificate: @azure/identity signs a client assertion the token endpoint verifies (PS256, x5t#S256, aud, iss/sub, jti)', async () => {
  const c = client(server.settings({ certificatePem: certificate.combinedPem }));
  await c.api.listSubscriptions();
  await c.api.listSubscriptions();
  const [request, ...more] = server.entra.requestsOf('token');
  assert.equal(more.length, 0, 'one token for both calls');
  assert.equal(request!.status, 200);
  assert.equal(request!.form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  assert.equal(request!.form.get('client_secret'), null);
  const { header, claims } = request!.assertion!;
  assert.equal(header['alg'], 'PS256');
  assert.equal(header['x5t#S256'], createHash('sha256').update(certificate.certificate.raw).digest('base64url'));
  assert.equal(claims['aud'], server.entra.tokenEndpoint);
  assert.equal(claims['iss'], server.clientId);
  assert.equal(claims['sub'], server.clientId);
  assert.equal(typeof claims['jti'], 'string');
  assert.ok(Number(claims['exp']) > Date.now() / 1000);
});

test('an assertion signed by a certificate the app registration does not know: AADSTS700027 and the upload step', async () => {
  server.certificate = selfSignedCertificate('other').certificate;
  const error = await refusal(
    client(server.settings({ certificatePem: certificate.combinedPem })).api.listSubscriptions(),
  );
  assert.equal(error.aadstsCode, 'AADSTS700027');
  assert.match(error.message, /upload the certificate/);
});

test('certificate problems are configuration errors, raised when the client is built, that say what to store', () => {
  const other = selfSignedCertificate('other');
  const build = (pem: string) => () => client(server.settings({ certificatePem: pem }));
  assert.throws(
    build(`${other.privateKeyPem}${certificate.certificatePem}`),
    (e: unknown) => e instanceof CollectorConfigError && /does not belong to the \(first\) certificate/.test(e.message),
  );
  assert.throws(
    () => checkCertificatePem(certificate.certificatePem),
    (e: unknown) => e instanceof CollectorConfigError && /PEM private key/.test(e.message),
  );
  assert.throws(
    build(
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ),
    (e: unknown) => e instanceof CollectorConfigError && /damaged/.test(e.message),
  );
  assert.throws(
    build(
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ),
    (e: unknown) => e instanceof CollectorConfigError && /encrypted private key/.test(e.message),
  );
  assert.equal(server.entra.requests.length, 0, 'nothing was sent');
});

test('a throttled token endpoint (429 with Retry-After) is retried by the credential', async () => {
  server.entra.faults.push({
    status: 429,
    headers: { 'Retry-After': '0' },
    body: { error: 'temporarily_unavailable' },
  });
  const c = client(server.settings());
  assert.deepEqual(await c.api.listSubscriptions(), [{ contentType: 'Audit.General', status: 'enabled' }]);
  assert.deepEqual(
    server.entra.requestsOf('token').map((r) => r.status),
    [429, 200],
  );
});

test('a token request that outlives the run deadline stops the run with a deadline error', async () => {
  const config = readCollectorConfig(server.settings());
  assert.ok(config.configured);
  const c = createCollectorClient(config.config, {
    credentialOptions: server.credentialOptions,
    deadline: Date.now() - 1,
  });
  await assert.rejects(
    c.tokens.getToken(),
    (e: unknown) => e instanceof Error && 'kind' in e && e.kind === 'deadline' && /deadline/.test(e.message),
  );
});
