// Signing in from the dashboard. The page learns from its <meta name="dashboard-sign-in"> how the app
// authenticates callers: `entra` (App Service authentication; the browser's session cookie goes with every
// API call) or `functionKey`. With `entra`, an API answer that says the session is missing or over (401, or
// the redirect Easy Auth sends a request it does not see as a script's) sends the browser to Easy Auth's
// sign-in route, which brings it back to the same view. No key is ever read from or put into a URL.

export type SignInMode = 'entra' | 'functionKey';

/** Easy Auth's sign-in route for Microsoft Entra ID, at the root of the app's host. */
export const SIGN_IN_PATH = '/.auth/login/aad';

export function signInMode(doc: Document = document): SignInMode {
  return doc.querySelector<HTMLMetaElement>('meta[name="dashboard-sign-in"]')?.content === 'entra'
    ? 'entra'
    : 'functionKey';
}

/** The sign-in URL that returns to `here` (a path with its query) once signed in. */
export function signInUrl(here: string): string {
  return `${SIGN_IN_PATH}?post_login_redirect_uri=${encodeURIComponent(here)}`;
}

const ATTEMPT_KEY = 'teams-audit.dashboard.signInAttempt';
/** A second refusal this soon after a sign-in for the same view is not a lapsed session: stop instead of looping. */
const RETRY_AFTER_MS = 120_000;

/**
 * Sends the browser to sign in and back to the current view. Returns false, and goes nowhere, when it has just
 * come back from signing in for this view and the API still refuses it.
 */
export function startSignIn(): boolean {
  const here = `${location.pathname}${location.search}`;
  try {
    const last = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY) ?? 'null') as { here?: string; at?: number } | null;
    if (last?.here === here && typeof last.at === 'number' && Date.now() - last.at < RETRY_AFTER_MS) {
      sessionStorage.removeItem(ATTEMPT_KEY);
      return false;
    }
    sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify({ here, at: Date.now() }));
  } catch {
    // no session storage: sign in all the same
  }
  location.assign(signInUrl(here));
  return true;
}

/** The API answered: the session works, so a later refusal may sign in again. */
export function signedIn(): void {
  try {
    sessionStorage.removeItem(ATTEMPT_KEY);
  } catch {
    // no session storage
  }
}
