// What every report route works with: the store, the cached config with its classifier, and the
// users lookup for the rows of one page (users file first, then the users learned at ingestion).
import { SessionClassifier } from '../../analysis/classify.js';
import type { PipelineConfig } from '../../storage/configBlobs.js';
import type { Store } from '../../storage/store.js';
import type { UsersLookup } from '../../reports/users.js';
import { SILENT_LOG, type PipelineLog } from '../log.js';

export interface ReportDeps {
  store: Store;
  /** The config (site map, users file, rules, parameters), typically a CachedConfig. */
  config: { get(): Promise<PipelineConfig> };
  log?: PipelineLog;
  now?: () => Date;
}

const classifiers = new WeakMap<PipelineConfig, SessionClassifier>();

/** One classifier per loaded config. */
export function classifierFor(config: PipelineConfig): SessionClassifier {
  let classifier = classifiers.get(config);
  if (classifier === undefined) {
    classifier = new SessionClassifier(config.siteMap === undefined ? { rules: config.rules } : { rules: config.rules, siteMap: config.siteMap });
    classifiers.set(config, classifier);
  }
  return classifier;
}

const MAX_LOOKUPS = 200;

/** A users lookup for the given ids: the users file, then the learned users (point reads, bounded). */
export async function usersFor(deps: ReportDeps, config: PipelineConfig, ids: Iterable<string>): Promise<UsersLookup> {
  const learned = new Map<string, string>();
  const missing = [...new Set([...ids].filter((id) => id !== '' && config.users.get(id) === undefined))].slice(0, MAX_LOOKUPS);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const id = missing[next++]!;
      const entry = await deps.store.users.get(id);
      if (entry !== undefined) learned.set(id.toLowerCase(), entry.email);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, missing.length) }, worker));
  return { get: (id: string) => config.users.get(id) ?? learned.get(id.toLowerCase()) };
}

export function logOf(deps: ReportDeps): PipelineLog {
  return deps.log ?? SILENT_LOG;
}
