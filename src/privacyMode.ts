// Whether user identities are stored pseudonymised (PSEUDONYMIZE_USERS=true): the one place that reads the
// setting. In that mode nothing may bring names into the store, so the Microsoft Graph name lookup stays off.
import { SETTINGS, setting } from './names.js';

/** True when PSEUDONYMIZE_USERS is `true` (any letter case); anything else, or unset, is false. */
export function pseudonymizeUsers(env: NodeJS.ProcessEnv = process.env): boolean {
  return setting(SETTINGS.pseudonymizeUsers, env).trim().toLowerCase() === 'true';
}
