// The answer when storage cannot be reached (src/storage/unreachable.ts): 503 StorageUnavailable with
// Retry-After, so that clients wait before asking again. Used by the report routes and the routes that change data.
import { errorResponse } from './render.js';
import { ApiError, type ReportResponse } from './types.js';

/** Seconds the storage-unavailable answer asks a caller to wait before trying again (its Retry-After). */
export const STORAGE_RETRY_AFTER_SECONDS = 30;

/** 503 StorageUnavailable with Retry-After; `message` says what did not happen and what to do. */
export function storageUnavailableResponse(
  message = 'the report store is not reachable right now; try again shortly',
): ReportResponse {
  const response = errorResponse(new ApiError(503, 'StorageUnavailable', message));
  return { ...response, headers: { ...response.headers, 'retry-after': String(STORAGE_RETRY_AFTER_SECONDS) } };
}
