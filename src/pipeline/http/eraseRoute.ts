// DELETE /api/privacy/users/{objectIdOrUpn}: erases one person (src/pipeline/logAnalytics/erasure.ts) and answers
// the counts per table and where the purge of their Log Analytics rows is; POST /api/privacy/pseudonyms: the
// pseudonyms of given candidates, for re-identifying one pseudonym in pseudonymised mode. Never throw: failures
// become error responses without internals, and the log names no identifier.
import { describeError } from '../../errors.js';
import { SILENT_LOG } from '../log.js';
import { ErasureInputError } from '../../storage/erasure.js';
import type { Pseudonymizer } from '../../audit/pseudonymize.js';
import { PseudonymKeyError } from '../../privacyMode.js';
import type { ReportDeps } from './context.js';
import { noQueryParameters, unfinishedResponse } from './changeRoutes.js';
import { logPurgeSetupFor, type LogPurge, type PurgeSetup } from '../logAnalytics/purgeService.js';
import { eraseEverywhere } from '../logAnalytics/erasure.js';
import { exportErasureMode } from './eraseExportsParameter.js';
import { errorResponse, jsonResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

export type AdminDeps = Pick<ReportDeps, 'store' | 'log'> & {
  /** The pseudonymizer when pseudonymised mode is on; a function so that a missing key is reported per request. */
  pseudonymizer: () => Pseudonymizer | undefined;
  /** The Log Analytics purge (undefined: off); when not given, the one of the app settings (`env`). */
  logPurge?: () => LogPurge | undefined;
  /** The app settings the purge is read from when `logPurge` is not given (process.env by default). */
  env?: NodeJS.ProcessEnv;
};

function purgeSetup(deps: AdminDeps, log: NonNullable<AdminDeps['log']>): PurgeSetup {
  if (deps.logPurge === undefined) return logPurgeSetupFor(deps.store, log, deps.env);
  const purge = deps.logPurge();
  return purge === undefined ? { state: 'off' } : { state: 'on', purge };
}

export async function answerErasure(
  request: { id: string | undefined; query: URLSearchParams | Record<string, string | undefined> },
  deps: AdminDeps,
): Promise<ReportResponse> {
  const log = deps.log ?? SILENT_LOG;
  try {
    const exports = exportErasureMode(request.query);
    const pseudonymizer = deps.pseudonymizer();
    const purge = purgeSetup(deps, log);
    return jsonResponse(
      await eraseEverywhere({ store: deps.store, pseudonymizer, log, purge, exports }, request.id ?? ''),
    );
  } catch (error) {
    if (error instanceof ErasureInputError) return errorResponse(badParameter('objectIdOrUpn', error.message));
    if (error instanceof ApiError) return errorResponse(error);
    if (error instanceof PseudonymKeyError)
      return errorResponse(new ApiError(503, 'PseudonymKeyUnavailable', error.message));
    return unfinishedResponse(log, 'eraseUser', 'erasure', error);
  }
}

/** The two privacy routes (registered by src/functions/eraseUser.ts, described by openApi.ts). */
export const ERASE_ROUTE = { name: 'eraseUser', route: 'privacy/users/{objectIdOrUpn}', method: 'DELETE' } as const;
export const PSEUDONYMS_ROUTE = { name: 'pseudonymLookup', route: 'privacy/pseudonyms', method: 'POST' } as const;

/** Most candidates one request may ask for. */
export const MAX_CANDIDATES = 1000;

/**
 * Body `{ "candidates": ["ann@contoso.com", "<object id>", ...], "pseudonym": "ps_..." }` (pseudonym optional):
 * answers each candidate's pseudonym and, with `pseudonym`, the candidates that have it. A pseudonym cannot be
 * turned back without candidates: only someone who already knows who it may be can confirm it.
 */
export function answerPseudonyms(
  body: string,
  deps: AdminDeps,
  query: URLSearchParams | Record<string, string | undefined> = {},
): ReportResponse {
  const log = deps.log ?? SILENT_LOG;
  try {
    noQueryParameters(query, 'POST /api/privacy/pseudonyms');
    const pseudonymizer = deps.pseudonymizer();
    if (pseudonymizer === undefined)
      throw new ApiError(
        409,
        'NotPseudonymised',
        'identities are stored in clear (PSEUDONYMIZE_USERS is not true): there is nothing to re-identify',
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badParameter(
        'body',
        'the body must be JSON: { "candidates": ["<UPN, e-mail or object id>", ...], "pseudonym": "ps_..." }',
      );
    }
    const candidates = (parsed as { candidates?: unknown } | null)?.candidates;
    if (
      !Array.isArray(candidates) ||
      candidates.length === 0 ||
      !candidates.every((c) => typeof c === 'string' && c.trim() !== '')
    ) {
      throw badParameter('candidates', '"candidates" must be a non-empty list of UPNs, e-mails or object ids');
    }
    if (candidates.length > MAX_CANDIDATES)
      throw badParameter('candidates', `at most ${MAX_CANDIDATES} candidates per request (got ${candidates.length})`);
    const wanted = (parsed as { pseudonym?: unknown }).pseudonym;
    if (wanted !== undefined && typeof wanted !== 'string')
      throw badParameter('pseudonym', '"pseudonym" must be a string (ps_ and 32 hex digits)');
    const pairs = (candidates as string[]).map((candidate) => ({ candidate, pseudonym: pseudonymizer.of(candidate) }));
    const answer: Record<string, unknown> = { items: pairs };
    if (wanted !== undefined)
      answer['matches'] = pairs.filter((p) => p.pseudonym === wanted.trim().toLowerCase()).map((p) => p.candidate);
    log.info(`pseudonyms: ${pairs.length} candidates answered`);
    return jsonResponse(answer);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    if (error instanceof PseudonymKeyError)
      return errorResponse(new ApiError(503, 'PseudonymKeyUnavailable', error.message));
    log.error(`pseudonyms: failed: ${describeError(error)}`);
    return errorResponse(
      new ApiError(500, 'InternalError', 'the pseudonyms could not be computed; the error was logged'),
    );
  }
}
