// Whether user identities are stored pseudonymised (PSEUDONYMIZE_USERS=true) and with which key
// (PSEUDONYM_KEY: locally a setting, in Azure a Key Vault reference): the one place that reads those settings.
// In that mode nothing may bring names into the store, so the Microsoft Graph name lookup stays off.
import { SETTINGS, setting } from './names.js';
import { MIN_PSEUDONYM_KEY_BYTES, Pseudonymizer } from './audit/pseudonymize.js';

/** True when PSEUDONYMIZE_USERS is `true` (any letter case); anything else, or unset, is false. */
export function pseudonymizeUsers(env: NodeJS.ProcessEnv = process.env): boolean {
  return setting(SETTINGS.pseudonymizeUsers, env).trim().toLowerCase() === 'true';
}

export class PseudonymKeyError extends Error {
  override name = 'PseudonymKeyError';
}

/** The pseudonymizer with the key of PSEUDONYM_KEY; throws PseudonymKeyError (naming the setting) when it is unusable. */
export function pseudonymizerWithKey(env: NodeJS.ProcessEnv = process.env): Pseudonymizer {
  const key = env[SETTINGS.pseudonymKey] ?? '';
  if (key.startsWith('@Microsoft.KeyVault(')) {
    throw new PseudonymKeyError(
      `${SETTINGS.pseudonymKey} is an unresolved Key Vault reference: check that the app's identity may read the secret (Key Vault Secrets User)`,
    );
  }
  if (Buffer.byteLength(key, 'utf8') < MIN_PSEUDONYM_KEY_BYTES) {
    throw new PseudonymKeyError(
      `${SETTINGS.pseudonymKey} must hold a secret of at least ${MIN_PSEUDONYM_KEY_BYTES} characters when ${SETTINGS.pseudonymizeUsers}=true`,
    );
  }
  return new Pseudonymizer(key);
}

/** The pseudonymizer when pseudonymised mode is on, undefined when it is off; throws PseudonymKeyError when on without a usable key. */
export function pseudonymizerFromEnv(env: NodeJS.ProcessEnv = process.env): Pseudonymizer | undefined {
  return pseudonymizeUsers(env) ? pseudonymizerWithKey(env) : undefined;
}
