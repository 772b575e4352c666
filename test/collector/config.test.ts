import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOUDS, checkBaseUrl, missingCollectorSettings, readCollectorConfig } from '../../src/collector/config.js';
import { CollectorConfigError } from '../../src/collector/errors.js';

const TENANT = '6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B';
const CLIENT = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SECRET = 'Abc~def.ghi_jkl-mno1234567890';

test('absent settings: not configured, naming what is missing (empty counts as absent)', () => {
  assert.deepEqual(readCollectorConfig({}), {
    configured: false,
    missing: [
      'O365_TENANT_ID',
      'O365_CLIENT_ID',
      'O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE or O365_MANAGED_IDENTITY_CLIENT_ID',
    ],
  });
  assert.deepEqual(
    missingCollectorSettings({ O365_TENANT_ID: TENANT, O365_CLIENT_ID: CLIENT, O365_CLIENT_SECRET: '  ' }),
    ['O365_CLIENT_SECRET or O365_CLIENT_CERTIFICATE or O365_MANAGED_IDENTITY_CLIENT_ID'],
  );
});

test('a secret configuration for the commercial cloud, with the tenant as PublisherIdentifier', () => {
  const result = readCollectorConfig({ O365_TENANT_ID: TENANT, O365_CLIENT_ID: CLIENT, O365_CLIENT_SECRET: SECRET });
  assert.ok(result.configured);
  assert.equal(result.config.tenantId, TENANT.toLowerCase());
  assert.equal(result.config.publisherId, TENANT.toLowerCase());
  assert.deepEqual(result.config.credential, { kind: 'secret', secret: SECRET });
  assert.equal(result.config.apiBaseUrl, 'https://manage.office.com');
  assert.equal(result.config.loginBaseUrl, 'https://login.microsoftonline.com');
  assert.equal(result.config.scope, 'https://manage.office.com/.default');
  assert.equal(result.config.knownAuthority, true);
});

test("the managed-identity mode: the user-assigned identity's client id, and the token-exchange audience of the cloud", () => {
  const IDENTITY = '7D9E3F10-2B4C-4D6E-8F01-23456789ABCD';
  const base = { O365_TENANT_ID: TENANT, O365_CLIENT_ID: CLIENT, O365_MANAGED_IDENTITY_CLIENT_ID: IDENTITY };
  const commercial = readCollectorConfig(base);
  assert.ok(commercial.configured);
  assert.deepEqual(commercial.config.credential, { kind: 'managedIdentity', identityClientId: IDENTITY.toLowerCase() });
  assert.equal(commercial.config.tokenExchangeScope, 'api://AzureADTokenExchange/.default');
  const expected: Record<string, string> = {
    commercial: 'api://AzureADTokenExchange',
    gcc: 'api://AzureADTokenExchange',
    gcchigh: 'api://AzureADTokenExchangeUSGov',
    dod: 'api://AzureADTokenExchangeUSGov',
  };
  for (const [cloud, audience] of Object.entries(expected)) {
    const result = readCollectorConfig({ ...base, O365_CLOUD: cloud });
    assert.ok(result.configured);
    assert.equal(result.config.tokenExchangeScope, `${audience}/.default`, cloud);
  }
  assert.throws(
    () => readCollectorConfig({ ...base, O365_MANAGED_IDENTITY_CLIENT_ID: 'func-identity' }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /O365_MANAGED_IDENTITY_CLIENT_ID must be the client id of the Function App's user-assigned managed identity/.test(
        e.message,
      ),
  );
});

test('two credentials at once are refused, naming them, rather than one silently winning', () => {
  const pem =
    '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';
  assert.throws(
    () =>
      readCollectorConfig({
        O365_TENANT_ID: TENANT,
        O365_CLIENT_ID: CLIENT,
        O365_CLIENT_SECRET: SECRET,
        O365_CLIENT_CERTIFICATE: pem,
      }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /^O365_CLIENT_SECRET and O365_CLIENT_CERTIFICATE are set: set only one of/.test(e.message) &&
      !e.message.includes(SECRET),
  );
  assert.throws(
    () =>
      readCollectorConfig({
        O365_TENANT_ID: TENANT,
        O365_CLIENT_ID: CLIENT,
        O365_CLIENT_SECRET: SECRET,
        O365_MANAGED_IDENTITY_CLIENT_ID: CLIENT,
      }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /O365_CLIENT_SECRET and O365_MANAGED_IDENTITY_CLIENT_ID are set/.test(e.message),
  );
});

test('O365_CLOUD picks the API host and authority of each cloud; an unknown cloud lists the accepted ones', () => {
  for (const [cloud, hosts] of Object.entries(CLOUDS)) {
    const result = readCollectorConfig({
      O365_TENANT_ID: TENANT,
      O365_CLIENT_ID: CLIENT,
      O365_CLIENT_SECRET: SECRET,
      O365_CLOUD: cloud.toUpperCase(),
    });
    assert.ok(result.configured);
    assert.equal(result.config.apiBaseUrl, hosts.apiBaseUrl);
    assert.equal(result.config.loginBaseUrl, hosts.loginBaseUrl);
  }
  assert.equal(CLOUDS.gcchigh.apiBaseUrl, 'https://manage.office365.us');
  assert.equal(CLOUDS.dod.apiBaseUrl, 'https://manage.protection.apps.mil');
  assert.throws(
    () =>
      readCollectorConfig({
        O365_TENANT_ID: TENANT,
        O365_CLIENT_ID: CLIENT,
        O365_CLIENT_SECRET: SECRET,
        O365_CLOUD: 'moon',
      }),
    (e: unknown) =>
      e instanceof CollectorConfigError && /O365_CLOUD must be one of commercial, gcc, gcchigh, dod/.test(e.message),
  );
});

test('a tenant id that is not a GUID is refused without echoing the value (it could be a misplaced secret)', () => {
  assert.throws(
    () => readCollectorConfig({ O365_TENANT_ID: SECRET, O365_CLIENT_ID: CLIENT, O365_CLIENT_SECRET: SECRET }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /O365_TENANT_ID must be the Microsoft 365 tenant/.test(e.message) &&
      !e.message.includes(SECRET),
  );
  assert.throws(
    () => readCollectorConfig({ O365_TENANT_ID: TENANT, O365_CLIENT_ID: 'contoso-app', O365_CLIENT_SECRET: SECRET }),
    (e: unknown) =>
      e instanceof CollectorConfigError && /O365_CLIENT_ID/.test(e.message) && !e.message.includes('contoso-app'),
  );
});

test('an unresolved Key Vault reference says which role and identity setting to check', () => {
  const reference = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/o365-collector-secret/)';
  assert.throws(
    () => readCollectorConfig({ O365_TENANT_ID: TENANT, O365_CLIENT_ID: CLIENT, O365_CLIENT_SECRET: reference }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /O365_CLIENT_SECRET still holds its Key Vault reference/.test(e.message) &&
      /Key Vault Secrets User/.test(e.message) &&
      /keyVaultReferenceIdentity/.test(e.message),
  );
});

test('a certificate must be PEM with both the certificate and the private key; a PFX is refused with what to do', () => {
  const base = { O365_TENANT_ID: TENANT, O365_CLIENT_ID: CLIENT };
  assert.throws(
    () =>
      readCollectorConfig({
        ...base,
        O365_CLIENT_CERTIFICATE: 'MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggokMIIKIDCCBg8GCSqGSIb3',
      }),
    (e: unknown) =>
      e instanceof CollectorConfigError &&
      /PFX\/PKCS#12 value is not supported/.test(e.message) &&
      /application\/x-pem-file/.test(e.message),
  );
  const pem =
    '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';
  const result = readCollectorConfig({ ...base, O365_CLIENT_CERTIFICATE: pem });
  assert.ok(result.configured);
  assert.equal(result.config.credential.kind, 'certificate');
});

test('base URL overrides: https, or http to a loopback test server for the API only; no query; another authority is not "known"', () => {
  assert.equal(checkBaseUrl('O365_API_BASE_URL', 'http://127.0.0.1:7071/'), 'http://127.0.0.1:7071');
  assert.equal(checkBaseUrl('O365_API_BASE_URL', 'https://manage.office.com'), 'https://manage.office.com');
  assert.throws(() => checkBaseUrl('O365_API_BASE_URL', 'http://manage.office.com'), /must be an https:\/\/ URL/);
  assert.throws(
    () => checkBaseUrl('O365_LOGIN_BASE_URL', 'https://login.example/?x=1'),
    /O365_LOGIN_BASE_URL must not carry a query/,
  );
  assert.throws(() => checkBaseUrl('O365_API_BASE_URL', 'manage.office.com'), /absolute URL/);
  const result = readCollectorConfig({
    O365_TENANT_ID: TENANT,
    O365_CLIENT_ID: CLIENT,
    O365_CLIENT_SECRET: SECRET,
    O365_API_BASE_URL: 'http://127.0.0.1:9',
    O365_LOGIN_BASE_URL: 'https://localhost:9',
    O365_PUBLISHER_ID: CLIENT,
  });
  assert.ok(result.configured);
  assert.equal(result.config.knownAuthority, false, 'instance discovery is off for it');
  assert.throws(
    () =>
      readCollectorConfig({
        O365_TENANT_ID: TENANT,
        O365_CLIENT_ID: CLIENT,
        O365_CLIENT_SECRET: SECRET,
        O365_LOGIN_BASE_URL: 'http://127.0.0.1:9',
      }),
    /O365_LOGIN_BASE_URL must be an https:\/\/ URL/,
  );
  assert.equal(result.config.scope, 'http://127.0.0.1:9/.default');
  assert.equal(result.config.publisherId, CLIENT);
});
