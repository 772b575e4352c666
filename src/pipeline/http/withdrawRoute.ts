// DELETE /api/uploads/{name}: withdraws an export (every version of the blob name) through
// src/pipeline/withdraw.ts and answers what that removed, with the ledger entries as they are now.
// Never throws: failures become error responses without internals.
import { SILENT_LOG } from '../log.js';
import { withdrawExport, type RemovalDeps } from '../withdraw.js';
import type { ReportDeps } from './context.js';
import { noQueryParameters, unfinishedResponse } from './changeRoutes.js';
import { errorResponse, jsonResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

/** The withdrawal's registration: its function name, route template (under /api) and method. */
export const WITHDRAW_ROUTE = { name: 'withdrawUpload', route: 'uploads/{*name}', method: 'DELETE' } as const;

export interface WithdrawRequest {
  /** The blob name from the path (`uploads/{*name}`). */
  name: string | undefined;
  query: URLSearchParams | Record<string, string | undefined>;
}

export type WithdrawDeps = Pick<ReportDeps, 'store' | 'log' | 'now'> & Pick<RemovalDeps, 'onMeetingDone'>;

export async function answerWithdrawal(request: WithdrawRequest, deps: WithdrawDeps): Promise<ReportResponse> {
  const log = deps.log ?? SILENT_LOG;
  try {
    const name = request.name ?? '';
    if (name === '') throw badParameter('name', 'the blob name is missing from the path: DELETE /api/uploads/{name}');
    noQueryParameters(request.query, 'DELETE /api/uploads/{name}');
    const removalDeps: RemovalDeps = { store: deps.store, log };
    if (deps.now !== undefined) removalDeps.now = deps.now;
    if (deps.onMeetingDone !== undefined) removalDeps.onMeetingDone = deps.onMeetingDone;
    const result = await withdrawExport(removalDeps, name);
    if (result === undefined)
      throw new ApiError(404, 'UploadNotFound', 'no upload with this blob name is in the ledger', 'name');
    return jsonResponse(result);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    return unfinishedResponse(log, 'withdrawUpload', 'withdrawal', error);
  }
}
