// One run of the Microsoft Graph name lookup as the timer function performs it: reads the settings (off unless
// GRAPH_NAMES=true, and always off in pseudonymised mode), builds the Graph client on the managed identity and
// runs resolveUserNames before the run's deadline. A setting that is wrong fails the run with a message naming it.
import type { TokenCredentialOptions } from '@azure/identity';
import type { FetchLike } from '../collector/http.js';
import { readGraphNamesSettings } from '../graph/config.js';
import { runBudgetMs } from '../hostSettings.js';
import { GraphUsersClient } from '../graph/graphUsers.js';
import { managedIdentityGraphTokens, type GraphTokenSource } from '../graph/tokens.js';
import type { NamesRunStatus } from '../storage/usersTable.js';
import type { PipelineServices } from './services.js';
import type { PipelineLog } from './log.js';
import { NAMES_FUNCTION_NAME, resolveUserNames } from './resolveNames.js';

/** Time kept back from the function timeout (host.json): the refresh stops sending batches well before it. */
export const NAMES_RUN_MARGIN_MS = 5 * 60_000;

export interface NamesRunnerDeps {
  env?: NodeJS.ProcessEnv;
  services: () => PipelineServices;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Pipeline options of the managed identity credential (tests: retries). */
  credentialOptions?: TokenCredentialOptions;
  /** Replaces the managed identity (tests that need no identity endpoint). */
  tokens?: GraphTokenSource;
  now?: () => Date;
  runBudgetMs?: number;
}

/** A runner: undefined when the lookup is off (said once in the log), else the run's status. */
export function makeNamesRunner(deps: NamesRunnerDeps): (log: PipelineLog) => Promise<NamesRunStatus | undefined> {
  let offLogged = false;
  return async (log) => {
    const settings = readGraphNamesSettings(deps.env ?? process.env);
    if (!settings.enabled) {
      if (!offLogged) {
        offLogged = true;
        log.info(`${NAMES_FUNCTION_NAME}: names from Microsoft Graph are off (${settings.why}); nothing to do.`);
      }
      return undefined;
    }
    const { config } = settings;
    const now = deps.now ?? (() => new Date());
    const services = deps.services();
    await services.ready();
    const directory = new GraphUsersClient({
      baseUrl: config.baseUrl,
      tokens: deps.tokens ?? managedIdentityGraphTokens(config, deps.credentialOptions),
      deadline: now().getTime() + (deps.runBudgetMs ?? runBudgetMs(NAMES_RUN_MARGIN_MS)),
      now: () => now().getTime(),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
    return resolveUserNames(
      { store: services.store, directory, now, log },
      { refreshMs: config.refreshMs, maxPerRun: config.maxPerRun },
    );
  };
}
