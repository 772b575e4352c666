// Erasure of one person everywhere the pipeline keeps data (docs/privacy.md): the tables and blobs
// (src/storage/erasure.ts) and, with the Log Analytics purge on, the rows the export sent (./purge.ts). The
// identifiers are queued for the purge before anything is deleted, then submitted at once unless throttled; the
// purgeLogAnalytics timer retries what stays queued. Used by DELETE /api/privacy/users/{id} and `teams-audit erase`.
import type { Pseudonymizer } from '../../audit/pseudonymize.js';
import { erasePerson, type ErasureResult } from '../../storage/erasure.js';
import type { Store } from '../../storage/store.js';
import type { ExportErasureMode } from '../../storage/exportErasure.js';
import type { PipelineLog } from '../log.js';
import type { ErasurePurgeStatus } from './purge.js';
import type { PurgeSetup } from './purgeService.js';

/**
 * What the erasure says about the person's rows in Log Analytics. misconfigured: a purge setting is wrong (the
 * message names it and its expected form); the identifiers are queued (`id`) and sent once it is fixed.
 */
export type LogAnalyticsErasure =
  { state: 'off' | 'nothing-to-purge' } | { state: 'misconfigured'; message: string; id?: string } | ErasurePurgeStatus;

export type FullErasureResult = ErasureResult & { logAnalytics: LogAnalyticsErasure };

/**
 * The values to purge by: the identifiers; in pseudonymised mode only their pseudonyms, which is what the rows
 * carry (the queue then stores no identity in clear).
 */
export function purgeValues(identifiers: readonly string[], pseudonymizer: Pseudonymizer | undefined): string[] {
  if (pseudonymizer === undefined) return [...identifiers];
  return [...new Set(identifiers.map((v) => pseudonymizer.of(v)))];
}

export async function eraseEverywhere(
  deps: {
    store: Store;
    pseudonymizer: Pseudonymizer | undefined;
    log: PipelineLog;
    purge: PurgeSetup;
    /** What happens to the export blobs naming the person (default `rewrite`). */
    exports?: ExportErasureMode;
  },
  objectIdOrUpn: string,
): Promise<FullErasureResult> {
  const { pseudonymizer } = deps;
  const purge = deps.purge.state === 'off' ? undefined : deps.purge.purge;
  let purgeId: string | undefined;
  const eraseDeps: Parameters<typeof erasePerson>[0] = {
    store: deps.store,
    pseudonymizer,
    log: deps.log,
    exports: { mode: deps.exports ?? 'rewrite' },
  };
  if (purge !== undefined)
    eraseDeps.onIdentifiers = async (identifiers) => {
      purgeId = await purge.queue(purgeValues(identifiers, pseudonymizer));
    };
  const result = await erasePerson(eraseDeps, objectIdOrUpn);
  let logAnalytics: LogAnalyticsErasure = { state: purge === undefined ? 'off' : 'nothing-to-purge' };
  if (deps.purge.state === 'misconfigured') {
    logAnalytics = { state: 'misconfigured', message: deps.purge.message };
    if (purgeId !== undefined) logAnalytics.id = purgeId;
  } else if (purge !== undefined && purgeId !== undefined) {
    await purge.submit();
    logAnalytics = (await purge.status(purgeId)) ?? logAnalytics;
  }
  return { ...result, logAnalytics };
}
