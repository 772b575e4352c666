// The collector's settings, read from the app settings (names in src/names.json): which tenant, which
// Entra app, which credential (client secret, or PEM certificate + private key), which cloud. Values are
// validated by shape and never echoed, so a secret pasted into the wrong setting cannot reach a log.
import { SETTINGS, setting } from '../names.js';
import { CollectorConfigError } from './errors.js';

export type CloudName = 'commercial' | 'gcc' | 'gcchigh' | 'dod';

/** Management Activity API host and Entra ID authority per cloud (audit-records.md §8.1). */
export const CLOUDS: Readonly<Record<CloudName, { apiBaseUrl: string; loginBaseUrl: string }>> = {
  commercial: { apiBaseUrl: 'https://manage.office.com', loginBaseUrl: 'https://login.microsoftonline.com' },
  gcc: { apiBaseUrl: 'https://manage-gcc.office.com', loginBaseUrl: 'https://login.microsoftonline.com' },
  gcchigh: { apiBaseUrl: 'https://manage.office365.us', loginBaseUrl: 'https://login.microsoftonline.us' },
  dod: { apiBaseUrl: 'https://manage.protection.apps.mil', loginBaseUrl: 'https://login.microsoftonline.us' },
};

export type CollectorCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; pem: string };

export interface CollectorConfig {
  tenantId: string;
  clientId: string;
  credential: CollectorCredential;
  /** PublisherIdentifier sent on every call: the tenant id of whoever runs the integration (default: tenantId). */
  publisherId: string;
  cloud: CloudName;
  /** e.g. https://manage.office.com (no trailing slash). */
  apiBaseUrl: string;
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  loginBaseUrl: string;
  /** OAuth2 scope asked for: `<API base>/.default`. */
  scope: string;
}

export type CollectorConfigResult =
  | { configured: true; config: CollectorConfig }
  | { configured: false; missing: string[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** Which of the settings the collector cannot run without are absent (empty counts as absent). */
export function missingCollectorSettings(env: NodeJS.ProcessEnv = process.env): string[] {
  const missing: string[] = [];
  if (!value(env, SETTINGS.o365TenantId)) missing.push(SETTINGS.o365TenantId);
  if (!value(env, SETTINGS.o365ClientId)) missing.push(SETTINGS.o365ClientId);
  if (!value(env, SETTINGS.o365ClientSecret) && !value(env, SETTINGS.o365ClientCertificate)) {
    missing.push(`${SETTINGS.o365ClientSecret} or ${SETTINGS.o365ClientCertificate}`);
  }
  return missing;
}

function guidSetting(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = value(env, name)!;
  if (!GUID.test(v)) {
    throw new CollectorConfigError(
      `${name} must be ${what}, a GUID such as 00000000-0000-0000-0000-000000000000; the value set (${v.length} characters) is not one`,
    );
  }
  return v.toLowerCase();
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** A base URL override: https (http only for a loopback test server), no query, no trailing slash. */
export function checkBaseUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CollectorConfigError(`${name} must be an absolute URL such as https://manage.office.com`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new CollectorConfigError(`${name} must be an https:// URL (plain http is accepted only for a loopback test server)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new CollectorConfigError(`${name} must not carry a query, fragment or user information`);
  }
  return url.toString().replace(/\/+$/, '');
}

function credentialFrom(env: NodeJS.ProcessEnv): CollectorCredential {
  const certificate = value(env, SETTINGS.o365ClientCertificate);
  const secret = value(env, SETTINGS.o365ClientSecret);
  const [name, text] = certificate !== undefined
    ? [SETTINGS.o365ClientCertificate, certificate]
    : [SETTINGS.o365ClientSecret, secret!];
  if (KEY_VAULT_REFERENCE.test(text)) {
    throw new CollectorConfigError(
      `${name} still holds its Key Vault reference text: App Service could not resolve it. Check that the secret exists in the ` +
        `vault, that the Function App's managed identity has the 'Key Vault Secrets User' role on the vault, and that the site's ` +
        `keyVaultReferenceIdentity is that identity (deploy with enableCollector=true); then restart the Function App.`,
    );
  }
  if (certificate !== undefined) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || !/-----BEGIN CERTIFICATE-----/.test(text)) {
      throw new CollectorConfigError(
        `${name} must hold the certificate and its private key as PEM text (-----BEGIN CERTIFICATE----- and ` +
          `-----BEGIN PRIVATE KEY-----). A PFX/PKCS#12 value is not supported: store the certificate in Key Vault with content ` +
          `type application/x-pem-file, or put the PEM text in a Key Vault secret.`,
      );
    }
    return { kind: 'certificate', pem: text };
  }
  return { kind: 'secret', secret: text };
}

/**
 * The collector's configuration from app settings. `configured: false` (with the missing setting names)
 * when the settings it needs are absent; throws CollectorConfigError when they are present but unusable.
 */
export function readCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfigResult {
  const missing = missingCollectorSettings(env);
  if (missing.length > 0) return { configured: false, missing };

  const tenantId = guidSetting(env, SETTINGS.o365TenantId, 'the Microsoft 365 tenant (directory) id');
  const clientId = guidSetting(env, SETTINGS.o365ClientId, "the Entra app registration's application (client) id");
  const publisherId = value(env, SETTINGS.o365PublisherId) !== undefined
    ? guidSetting(env, SETTINGS.o365PublisherId, 'a tenant id (PublisherIdentifier: your own tenant id for an in-house tool)')
    : tenantId;

  const cloudText = setting(SETTINGS.o365Cloud, env).toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(CLOUDS, cloudText)) {
    throw new CollectorConfigError(`${SETTINGS.o365Cloud} must be one of ${Object.keys(CLOUDS).join(', ')}`);
  }
  const cloud = cloudText as CloudName;
  const apiOverride = value(env, SETTINGS.o365ApiBaseUrl);
  const loginOverride = value(env, SETTINGS.o365LoginBaseUrl);
  const apiBaseUrl = apiOverride !== undefined ? checkBaseUrl(SETTINGS.o365ApiBaseUrl, apiOverride) : CLOUDS[cloud].apiBaseUrl;
  const loginBaseUrl = loginOverride !== undefined ? checkBaseUrl(SETTINGS.o365LoginBaseUrl, loginOverride) : CLOUDS[cloud].loginBaseUrl;

  return {
    configured: true,
    config: {
      tenantId,
      clientId,
      credential: credentialFrom(env),
      publisherId,
      cloud,
      apiBaseUrl,
      loginBaseUrl,
      scope: `${apiBaseUrl}/.default`,
    },
  };
}
