// What every report route works with: the store, the cached config with its classifier, and the
// users lookup for the rows of one page (e-mails: the users file first, then the directory's (Microsoft Graph)
// address, then the e-mail learned at ingestion; names: the directory's).
import { SessionClassifier } from '../../analysis/classify.js';
import type { PipelineConfig } from '../../storage/configBlobs.js';
import type { Store } from '../../storage/store.js';
import { directoryEmail, type UsersLookup } from '../../analysis/userDirectory.js';
import type { StoredUser } from '../../storage/usersTable.js';
import { SILENT_LOG, type PipelineLog } from '../log.js';
import { forEachBounded } from '../../concurrency.js';

export interface ReportDeps {
  store: Store;
  /** The config (site map, users file, rules, parameters), typically a CachedConfig. */
  config: { get(): Promise<PipelineConfig> };
  log?: PipelineLog;
  now?: () => Date;
  /** The app settings (process.env by default); /api/health reads the Log Analytics purge's. */
  env?: NodeJS.ProcessEnv;
}

const classifiers = new WeakMap<PipelineConfig, SessionClassifier>();

/** One classifier per loaded config. */
export function classifierFor(config: PipelineConfig): SessionClassifier {
  let classifier = classifiers.get(config);
  if (classifier === undefined) {
    classifier = new SessionClassifier(
      config.siteMap === undefined ? { rules: config.rules } : { rules: config.rules, siteMap: config.siteMap },
    );
    classifiers.set(config, classifier);
  }
  return classifier;
}

const MAX_LOOKUPS = 200;

/**
 * A users lookup for the given ids (point reads of the users table, bounded, shared for a short time between
 * requests: UsersTable.getShared): e-mails from the users file, else
 * the directory's address, else the learned e-mail; display names from the directory.
 */
export async function usersFor(deps: ReportDeps, config: PipelineConfig, ids: Iterable<string>): Promise<UsersLookup> {
  const stored = new Map<string, StoredUser>();
  const missing = [...new Set([...ids].filter((id) => id !== '').map((id) => id.toLowerCase()))].slice(0, MAX_LOOKUPS);
  await forEachBounded(
    missing,
    async (id) => {
      const entry = await deps.store.users.getShared(id);
      if (entry !== undefined) stored.set(id, entry);
    },
    { concurrency: 8 },
  );
  return {
    get: (id: string) => {
      const entry = stored.get(id.toLowerCase());
      return config.users.get(id) ?? (directoryEmail(entry?.directory) || entry?.email || undefined);
    },
    name: (id: string) => stored.get(id.toLowerCase())?.directory?.displayName || undefined,
  };
}

export function logOf(deps: ReportDeps): PipelineLog {
  return deps.log ?? SILENT_LOG;
}
