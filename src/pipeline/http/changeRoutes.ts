// What the routes that change data (the withdrawal, the erasure) share: they take no query parameters, and a
// failure midway is answered as unfinished, its cause logged: their steps can run again, so sending the same
// request again finishes the work. Unreachable storage (src/storage/unreachable.ts) is 503 StorageUnavailable
// with Retry-After, as for the reports; any other failure is 500 InternalError.
import { describeError } from '../../errors.js';
import { isStorageUnreachable } from '../../storage/unreachable.js';
import type { PipelineLog } from '../log.js';
import { errorResponse } from './render.js';
import { STORAGE_RETRY_AFTER_SECONDS, storageUnavailableResponse } from './storageUnavailable.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

/** Refuses any query parameter (UnknownParameter, naming the first); `route` as a caller writes it. */
export function noQueryParameters(query: URLSearchParams | Record<string, string | undefined>, route: string): void {
  const names = query instanceof URLSearchParams ? [...query.keys()] : Object.keys(query);
  if (names.length > 0)
    throw badParameter(names[0]!, `${route} takes no query parameters; "${names[0]!}" was given`, 'UnknownParameter');
}

/** The answer when `what` (e.g. "withdrawal") failed midway; the error is logged under `name`. */
export function unfinishedResponse(log: PipelineLog, name: string, what: string, error: unknown): ReportResponse {
  if (isStorageUnreachable(error)) {
    log.error(`${name}: storage unavailable: ${describeError(error)}`);
    return storageUnavailableResponse(
      `the ${what} did not finish: the report store is not reachable right now; ` +
        `sending the same request again (after ${STORAGE_RETRY_AFTER_SECONDS} seconds) finishes it`,
    );
  }
  log.error(`${name}: failed: ${describeError(error)}`);
  return errorResponse(
    new ApiError(
      500,
      'InternalError',
      `the ${what} did not finish; the error was logged, and sending the same request again finishes it`,
    ),
  );
}
