// The collector's settings, read from the app settings (names in src/names.json): which tenant, which
// Entra app, which credential (client secret, PEM certificate + private key, or the Function App's user-assigned
// managed identity as a federated credential of the app), which cloud. Values are validated by shape and never
// echoed, so a secret pasted into the wrong setting cannot reach a log.
import { SETTINGS, setting } from '../names.js';
import { CollectorConfigError } from './errors.js';
import clouds from './clouds.json';

export type CloudName = 'commercial' | 'gcc' | 'gcchigh' | 'dod';

export interface CloudEndpoints {
  /** Management Activity API host (one per cloud, src/collector/clouds.json). */
  apiBaseUrl: string;
  /** Entra ID authority host. */
  loginBaseUrl: string;
  /** Audience of the managed identity token that a federated identity credential accepts in this cloud. */
  tokenExchangeAudience: string;
}

/**
 * Everything that differs per cloud, in one place: clouds.json, which infra/modules/collector.bicep reads too
 * (the federated credential's audience it prints).
 */
export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = clouds;

export type CollectorCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; pem: string }
  /** The app registration trusts this user-assigned managed identity (federated identity credential). */
  | { kind: 'managedIdentity'; identityClientId: string };

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
  /** True when loginBaseUrl is one of the clouds' own hosts (the authority libraries know it; no instance discovery otherwise). */
  knownAuthority: boolean;
  /** Scope of the managed identity token exchanged in managedIdentity mode: `<audience>/.default`. */
  tokenExchangeScope: string;
  /** OAuth2 scope asked for: `<API base>/.default`. */
  scope: string;
}

export type CollectorConfigResult =
  { configured: true; config: CollectorConfig } | { configured: false; missing: string[] };

/** The three ways to authenticate; exactly one is set. */
const CREDENTIAL_SETTINGS = [
  SETTINGS.o365ClientSecret,
  SETTINGS.o365ClientCertificate,
  SETTINGS.o365ManagedIdentityClientId,
] as const;
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
  if (CREDENTIAL_SETTINGS.every((name) => !value(env, name))) missing.push(CREDENTIAL_SETTINGS.join(' or '));
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

/**
 * A base URL override: https (http only for a loopback test server, and not for the Entra authority, which the
 * identity library requires over https), no query, no trailing slash.
 */
export function checkBaseUrl(name: string, text: string, options: { httpsOnly?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CollectorConfigError(`${name} must be an absolute URL such as https://manage.office.com`);
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && isLoopbackHost(url.hostname) && options.httpsOnly !== true)
  ) {
    throw new CollectorConfigError(
      options.httpsOnly === true
        ? `${name} must be an https:// URL`
        : `${name} must be an https:// URL (plain http is accepted only for a loopback test server)`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new CollectorConfigError(`${name} must not carry a query, fragment or user information`);
  }
  return url.toString().replace(/\/+$/, '');
}

function credentialFrom(env: NodeJS.ProcessEnv): CollectorCredential {
  const set = CREDENTIAL_SETTINGS.filter((name) => value(env, name) !== undefined);
  if (set.length > 1) {
    throw new CollectorConfigError(
      `${set.join(' and ')} are set: set only one of ${CREDENTIAL_SETTINGS.join(', ')}, so that it is clear which credential the collector uses`,
    );
  }
  const name = set[0]!;
  const text = value(env, name)!;
  if (KEY_VAULT_REFERENCE.test(text)) {
    throw new CollectorConfigError(
      `${name} still holds its Key Vault reference text: App Service could not resolve it. Check that the secret exists in the ` +
        `vault, that the Function App's managed identity has the 'Key Vault Secrets User' role on the vault, and that the site's ` +
        `keyVaultReferenceIdentity is that identity (deploy with enableCollector=true); then restart the Function App.`,
    );
  }
  if (name === SETTINGS.o365ManagedIdentityClientId) {
    return {
      kind: 'managedIdentity',
      identityClientId: guidSetting(
        env,
        name,
        "the client id of the Function App's user-assigned managed identity that the app registration trusts",
      ),
    };
  }
  if (name === SETTINGS.o365ClientCertificate) {
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
  const publisherId =
    value(env, SETTINGS.o365PublisherId) !== undefined
      ? guidSetting(
          env,
          SETTINGS.o365PublisherId,
          'a tenant id (PublisherIdentifier: your own tenant id for an in-house tool)',
        )
      : tenantId;

  const cloudText = setting(SETTINGS.o365Cloud, env).toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(CLOUDS, cloudText)) {
    throw new CollectorConfigError(`${SETTINGS.o365Cloud} must be one of ${Object.keys(CLOUDS).join(', ')}`);
  }
  const cloud = cloudText as CloudName;
  const apiOverride = value(env, SETTINGS.o365ApiBaseUrl);
  const loginOverride = value(env, SETTINGS.o365LoginBaseUrl);
  const apiBaseUrl =
    apiOverride !== undefined ? checkBaseUrl(SETTINGS.o365ApiBaseUrl, apiOverride) : CLOUDS[cloud].apiBaseUrl;
  const loginBaseUrl =
    loginOverride !== undefined
      ? checkBaseUrl(SETTINGS.o365LoginBaseUrl, loginOverride, { httpsOnly: true })
      : CLOUDS[cloud].loginBaseUrl;
  const knownAuthority = Object.values(CLOUDS).some((c) => c.loginBaseUrl === loginBaseUrl);

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
      knownAuthority,
      scope: `${apiBaseUrl}/.default`,
      tokenExchangeScope: `${CLOUDS[cloud].tokenExchangeAudience}/.default`,
    },
  };
}
