// The OpenAPI description of /api's error responses: one per HTTP status of API_ERROR_STATUS, with its codes.
import { STORAGE_RETRY_AFTER_SECONDS } from './storageUnavailable.js';
import { API_ERROR_STATUS, type ApiErrorCode } from './types.js';
import { object } from './openApiBodies.js';
import type { Json } from './openApiParameters.js';

/** The error codes of one HTTP status, from API_ERROR_STATUS. */
export function errorCodes(status: number): ApiErrorCode[] {
  return (Object.keys(API_ERROR_STATUS) as ApiErrorCode[]).filter((code) => API_ERROR_STATUS[code] === status);
}

const ERROR_STATUSES: number[] = [...new Set<number>(Object.values(API_ERROR_STATUS))].sort((a, b) => a - b);

const ERROR_NOTES: Record<number, string> = {
  400: 'A bad request; `parameter` names the parameter at fault and the message says what is accepted.',
  401: 'Not signed in (Entra). With function keys the host itself answers 401 without a body to a missing or wrong key.',
  404: 'No such meeting or upload.',
  500: 'Anything else; the error was logged.',
  503: 'Storage does not answer (sending the same request again later finishes it; Retry-After says when), the pseudonym key is unavailable, or HTTP_AUTH=entra while App Service authentication is off.',
};

/** A 503 may ask the caller to wait: StorageUnavailable carries Retry-After. */
const RETRY_AFTER_HEADER: Json = {
  description: `With StorageUnavailable: the seconds to wait before sending the request again (${STORAGE_RETRY_AFTER_SECONDS}).`,
  schema: { type: 'integer', minimum: 0 },
};

export function errorResponses(): Json {
  return Object.fromEntries(
    ERROR_STATUSES.map((status) => [
      `Error${status}`,
      {
        description: `${ERROR_NOTES[status] ?? 'An error.'} Codes: ${errorCodes(status).join(', ')}.`,
        ...(status === 503 ? { headers: { 'Retry-After': RETRY_AFTER_HEADER } } : {}),
        content: {
          'application/json': {
            schema: object({
              error: object(
                {
                  code: { type: 'string', enum: errorCodes(status) },
                  message: { type: 'string' },
                  parameter: { type: 'string' },
                },
                ['code', 'message'],
              ),
            }),
          },
        },
      },
    ]),
  );
}

export const errorRefs = (hasPathParameter: boolean): Json =>
  Object.fromEntries(
    ERROR_STATUSES.filter((s) => s !== 404 || hasPathParameter).map((s) => [
      String(s),
      { $ref: `#/components/responses/Error${s}` },
    ]),
  );
