// How HTTP callers authenticate, from the HTTP_AUTH app setting (src/names.json), which the Bicep sets:
// - `functionKey` (the default, and what any other value means): the Functions host checks a function key
//   (x-functions-key header) before a function runs; authLevel 'function'.
// - `entra`: App Service authentication (Easy Auth) signs callers in with Entra ID in front of the app, and the
//   functions register with authLevel 'anonymous' for the host. Each request must then still show that Easy Auth
//   is on for the app (WEBSITE_AUTH_ENABLED, which the platform sets) and authenticated the caller (the
//   x-ms-client-principal-id header Easy Auth adds; it drops that header from what clients send), or it is refused.
import { SETTINGS, setting } from '../../names.js';
import { errorResponse } from './render.js';
import { ApiError, type ReportResponse } from './types.js';

export type HttpAuthMode = 'functionKey' | 'entra';

/** The mode of the app's settings; anything but `entra` keeps function keys (the safe side). */
export function httpAuthMode(env: NodeJS.ProcessEnv = process.env): HttpAuthMode {
  return setting(SETTINGS.httpAuth, env).trim().toLowerCase() === 'entra' ? 'entra' : 'functionKey';
}

/** The authLevel the HTTP functions register with. */
export function functionAuthLevel(mode: HttpAuthMode): 'function' | 'anonymous' {
  return mode === 'entra' ? 'anonymous' : 'function';
}

/** The header Easy Auth sets to the signed-in caller's object id. */
export const PRINCIPAL_ID_HEADER = 'x-ms-client-principal-id';

interface Headers {
  get(name: string): string | null;
}

/**
 * Why a request may not go on, as the response to send; undefined when it may. Only `entra` mode refuses here:
 * with function keys the host has already checked the key.
 */
export function signInRefusal(
  mode: HttpAuthMode,
  headers: Headers,
  env: NodeJS.ProcessEnv = process.env,
): ReportResponse | undefined {
  if (mode !== 'entra') return undefined;
  if ((env['WEBSITE_AUTH_ENABLED'] ?? '').trim().toLowerCase() !== 'true') {
    return errorResponse(
      new ApiError(
        503,
        'SignInNotEnforced',
        `${SETTINGS.httpAuth} is entra but App Service authentication is not on for this app (the platform's WEBSITE_AUTH_ENABLED is not True), so nothing checks who is calling: ` +
          `turn it back on (azd provision with ENABLE_ENTRA_AUTH=true), or set ${SETTINGS.httpAuth}=functionKey to use function keys`,
      ),
    );
  }
  if (!headers.get(PRINCIPAL_ID_HEADER)) {
    const refused = errorResponse(
      new ApiError(
        401,
        'SignInRequired',
        'sign in with Entra ID (open /.auth/login/aad in a browser), or send an Entra access token for the app as Authorization: Bearer',
      ),
    );
    return { ...refused, headers: { ...refused.headers, 'www-authenticate': 'Bearer' } };
  }
  return undefined;
}
