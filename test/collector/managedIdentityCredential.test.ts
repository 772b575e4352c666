// The managed-identity mode: the real @azure/identity reads IDENTITY_ENDPOINT/IDENTITY_HEADER as on App Service, gets
// the user-assigned identity's token for api://AzureADTokenExchange from the local managed identity endpoint, and
// presents it as the client assertion to the local Entra ID, which matches it against the app registration's
// federated identity credentials. (This file sets those variables for its own test process.)
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createCollectorClient } from '../../src/collector/factory.js';
import { readCollectorConfig } from '../../src/collector/config.js';
import { CollectorCredentialsError } from '../../src/collector/errors.js';
import { credentialsRefusal } from './credentialRefusal.js';
import { FakeManagementApi } from './fakeManagementApi.js';
import { FakeManagedIdentityEndpoint } from './fakeManagedIdentityEndpoint.js';

const IDENTITY_CLIENT_ID = '7d9e3f10-2b4c-4d6e-8f01-23456789abcd';
const IDENTITY_PRINCIPAL_ID = 'c4b3a291-8e7f-4a6b-9c5d-0e1f2a3b4c5d';
let server: FakeManagementApi;
let identityEndpoint: FakeManagedIdentityEndpoint;

before(async () => {
  server = await FakeManagementApi.start();
  server.subscription = 'enabled';
  identityEndpoint = await FakeManagedIdentityEndpoint.start(server.entra);
  identityEndpoint.identities.set(IDENTITY_CLIENT_ID, IDENTITY_PRINCIPAL_ID);
  Object.assign(process.env, identityEndpoint.environment);
});
after(async () => {
  await identityEndpoint.close();
  await server.close();
});
beforeEach(() => {
  server.entra.requests.length = 0;
  identityEndpoint.requests.length = 0;
  server.entra.federatedCredentials = [
    { issuer: server.entra.issuer, subject: IDENTITY_PRINCIPAL_ID, audiences: ['api://AzureADTokenExchange'] },
  ];
});

function client(extra: NodeJS.ProcessEnv = {}): ReturnType<typeof createCollectorClient> {
  const config = readCollectorConfig({ ...server.settings({ managedIdentityClientId: IDENTITY_CLIENT_ID }), ...extra });
  assert.ok(config.configured);
  assert.equal(config.config.credential.kind, 'managedIdentity');
  return createCollectorClient(config.config, { sleep: async () => {}, credentialOptions: server.credentialOptions });
}

function refusal(promise: Promise<unknown>): Promise<CollectorCredentialsError> {
  return credentialsRefusal(promise, [identityEndpoint.identityHeader]);
}

test('the managed identity token for api://AzureADTokenExchange is the client assertion; one token serves many API calls', async () => {
  const c = client();
  for (let i = 0; i < 10; i++)
    assert.deepEqual(await c.api.listSubscriptions(), [{ contentType: 'Audit.General', status: 'enabled' }]);

  const identityCalls = identityEndpoint.requests;
  assert.ok(identityCalls.length >= 1);
  assert.ok(identityCalls.length <= 1, `the managed identity token is cached too (${identityCalls.length} requests)`);
  assert.deepEqual(identityCalls[0], {
    resource: 'api://AzureADTokenExchange',
    clientId: IDENTITY_CLIENT_ID,
    apiVersion: '2019-08-01',
    headerOk: true,
    status: 200,
  });

  const tokens = server.entra.requestsOf('token');
  assert.equal(tokens.length, 1, 'one Entra ID token request for ten API calls');
  assert.equal(tokens[0]!.status, 200);
  assert.equal(tokens[0]!.form.get('client_id'), server.clientId);
  assert.equal(tokens[0]!.form.get('client_secret'), null);
  const claims = tokens[0]!.assertion!.claims;
  assert.equal(claims['sub'], IDENTITY_PRINCIPAL_ID);
  assert.equal(claims['iss'], server.entra.issuer);
  assert.equal(claims['aud'], 'api://AzureADTokenExchange');
});

test('no federated credential for the identity (subject): AADSTS700213 and the federated credential to add', async () => {
  server.entra.federatedCredentials = [
    {
      issuer: server.entra.issuer,
      subject: '99999999-8888-4777-8666-555555555555',
      audiences: ['api://AzureADTokenExchange'],
    },
  ];
  const error = await refusal(client().api.listSubscriptions());
  assert.equal(error.aadstsCode, 'AADSTS700213');
  assert.match(
    error.message,
    /subject = the object \(principal\) id of the identity whose client id is in O365_MANAGED_IDENTITY_CLIENT_ID/,
  );
  assert.match(error.message, /api:\/\/AzureADTokenExchange/);
});

test('a US Government cloud asks the managed identity for api://AzureADTokenExchangeUSGov; a credential with the public audience refuses it (AADSTS700212)', async () => {
  const error = await refusal(client({ O365_CLOUD: 'gcchigh' }).api.listSubscriptions());
  assert.equal(identityEndpoint.requests.at(-1)?.resource, 'api://AzureADTokenExchangeUSGov');
  assert.equal(error.aadstsCode, 'AADSTS700212');
  assert.match(error.message, /audience/);
  assert.match(error.message, /O365_CLOUD/);
});

test('an identity that is not assigned to the app: the managed identity endpoint refuses, and the message says what to check', async () => {
  const c = createCollectorClient(
    (() => {
      const config = readCollectorConfig(
        server.settings({ managedIdentityClientId: '00000000-1111-4222-8333-444444444444' }),
      );
      assert.ok(config.configured);
      return config.config;
    })(),
    { credentialOptions: { ...server.credentialOptions, retryOptions: { maxRetries: 0 } } },
  );
  const error = await refusal(c.api.listSubscriptions());
  assert.equal(identityEndpoint.requests.at(-1)?.status, 400);
  assert.match(error.message, /managed identity gave no token/);
  assert.match(error.message, /assigned to the Function App/);
  assert.match(error.message, /said: Unable to load the proper Managed Identity\.$/);
  assert.equal(server.entra.requestsOf('token').length, 0, 'nothing reached the token endpoint');
});
