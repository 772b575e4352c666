// The collector's typed errors. Each message says what failed and which setting or permission to
// fix; none carries a secret, a token, a request body or personal data.

export type CollectorErrorKind =
  'configuration' | 'credentials' | 'permission' | 'subscription' | 'throttled' | 'deadline' | 'api' | 'network';

export class CollectorError extends Error {
  override name = 'CollectorError';
  constructor(
    readonly kind: CollectorErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A collector setting is present but unusable (wrong shape, unresolved Key Vault reference, bad certificate). */
export class CollectorConfigError extends CollectorError {
  override name = 'CollectorConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('configuration', message, options);
  }
}

/** Entra ID refused the client credentials (an AADSTS error). */
export class CollectorCredentialsError extends CollectorError {
  override name = 'CollectorCredentialsError';
  constructor(
    message: string,
    readonly aadstsCode: string | undefined,
  ) {
    super('credentials', message);
  }
}

/** The Management Activity API answered 401/403 for a reason other than throttling. */
export class CollectorPermissionError extends CollectorError {
  override name = 'CollectorPermissionError';
  constructor(
    message: string,
    readonly status: number,
    readonly apiCode: string | undefined,
  ) {
    super('permission', message);
  }
}

/** The content type has no subscription (AF20022) or it is disabled (AF20023). */
export class SubscriptionMissingError extends CollectorError {
  override name = 'SubscriptionMissingError';
  constructor(
    message: string,
    readonly apiCode: string,
  ) {
    super('subscription', message);
  }
}

/** Any other refusal by the API (after retries when it was retryable). */
export class ManagementApiError extends CollectorError {
  override name = 'ManagementApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly apiCode: string | undefined,
  ) {
    super('api', message);
  }
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/gi;

/** Text from a remote answer made safe for logs: no e-mail or IPv4 addresses, no bearer tokens, one line, bounded. */
export function scrubRemoteText(text: string, maxChars = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const cleaned = oneLine.replace(BEARER, 'Bearer [removed]').replace(EMAIL, '[address]').replace(IPV4, '[ip]');
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars)}…` : cleaned;
}
