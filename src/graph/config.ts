// Settings of the Microsoft Graph name lookup (names in src/names.json): on or off (GRAPH_NAMES, and never in
// pseudonymised mode), how long a looked-up name stays fresh, how many ids one run looks up at most, the Graph
// host (national clouds) and the client id of the user-assigned identity whose token Graph accepts.
import { SETTINGS, setting } from '../names.js';
import { pseudonymizeUsers } from '../privacyMode.js';

export interface GraphNamesConfig {
  /** e.g. https://graph.microsoft.com (no trailing slash, no version). */
  baseUrl: string;
  /** OAuth2 scope the managed identity asks for: `<baseUrl>/.default`. */
  scope: string;
  /** Client id of the user-assigned identity; undefined: the system-assigned one. */
  identityClientId?: string;
  /** A name looked up longer ago than this is looked up again. */
  refreshMs: number;
  /** Ids looked up in one run at most (the rest wait for the next run). */
  maxPerRun: number;
}

export type GraphNamesSettings = { enabled: true; config: GraphNamesConfig } | { enabled: false; why: string };

export class GraphConfigError extends Error {
  override name = 'GraphConfigError';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const text = setting(name, env).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new GraphConfigError(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** Graph's host: https, or http only on the loopback (a local test server). */
function baseUrlOf(env: NodeJS.ProcessEnv): string {
  const name = SETTINGS.graphBaseUrl;
  const text = setting(name, env).trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GraphConfigError(`${name} must be the Graph host, such as https://graph.microsoft.com, got "${text}"`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new GraphConfigError(`${name} must be an https:// address`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new GraphConfigError(
      `${name} must be the Graph host only, without /v1.0 or a path, such as https://graph.microsoft.com`,
    );
  }
  return url.origin;
}

/**
 * The lookup's settings: off unless GRAPH_NAMES is `true`, and always off when PSEUDONYMIZE_USERS is `true`.
 * Throws GraphConfigError, naming the setting, when it is on and a value is unusable.
 */
export function readGraphNamesSettings(env: NodeJS.ProcessEnv = process.env): GraphNamesSettings {
  if (pseudonymizeUsers(env))
    return {
      enabled: false,
      why: `${SETTINGS.pseudonymizeUsers} is true: names are not looked up in pseudonymised mode`,
    };
  const switchValue = setting(SETTINGS.graphNames, env).trim().toLowerCase();
  if (switchValue !== 'true') {
    if (switchValue !== 'false')
      throw new GraphConfigError(`${SETTINGS.graphNames} must be true or false, got "${switchValue}"`);
    return { enabled: false, why: `${SETTINGS.graphNames} is not true` };
  }
  const baseUrl = baseUrlOf(env);
  const clientId = (env[SETTINGS.graphManagedIdentityClientId] ?? '').trim();
  if (clientId !== '' && !GUID.test(clientId)) {
    throw new GraphConfigError(
      `${SETTINGS.graphManagedIdentityClientId} must be the client id (a GUID) of the Function App's user-assigned identity`,
    );
  }
  const config: GraphNamesConfig = {
    baseUrl,
    scope: `${baseUrl}/.default`,
    refreshMs: wholeNumber(env, SETTINGS.graphNamesRefreshHours, 1, 24 * 365) * 3_600_000,
    maxPerRun: wholeNumber(env, SETTINGS.graphNamesMaxPerRun, 1, 100_000),
  };
  if (clientId !== '') config.identityClientId = clientId;
  return { enabled: true, config };
}
