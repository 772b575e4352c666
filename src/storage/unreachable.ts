// Whether a storage error means the service could not be reached at all (as opposed to a refusal of one
// request): no HTTP response (connection refused or reset, DNS, timeout) or 503, in the error or its causes.

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'REQUEST_SEND_ERROR',
]);

export function isStorageUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { statusCode?: unknown; code?: unknown; name?: unknown; cause?: unknown };
    if (e.statusCode === 503) return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'RestError' && e.statusCode === undefined) return true;
    current = e.cause;
  }
  return false;
}
