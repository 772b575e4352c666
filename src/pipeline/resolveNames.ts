// The name lookup job: takes the object ids in the users table that Microsoft Graph has not been asked about, or
// was asked about longer ago than the refresh period, at most a run's maximum, looks them up 20 per $batch, and
// merges the answers (display name, UPN, mail, member or guest; or not in this tenant) into the users table. Ids
// Graph did not answer stay due for the next run. The run's counts go to the users table for /api/health.
// Logs carry counts and Graph's error codes only, never ids or names.
import type { DirectoryName } from '../analysis/userDirectory.js';
import type { Store } from '../storage/store.js';
import type { NamesRunStatus } from '../storage/usersTable.js';
import type { DirectoryAnswer, LookupResult } from '../graph/graphUsers.js';
import { describeError } from '../errors.js';
import { SILENT_LOG, type PipelineLog } from './log.js';

export const NAMES_FUNCTION_NAME = 'resolveUserNames';

/** What the job needs from Graph (GraphUsersClient). */
export interface UserDirectory {
  lookUp(ids: readonly string[]): Promise<LookupResult>;
}

export interface NamesRunDeps {
  store: Store;
  directory: UserDirectory;
  now?: () => Date;
  log?: PipelineLog;
}

export interface NamesRunOptions {
  /** A name looked up longer ago than this is looked up again. */
  refreshMs: number;
  /** Ids looked up in this run at most. */
  maxPerRun: number;
}

function toDirectoryName(answer: DirectoryAnswer, checkedAt: string): DirectoryName {
  return answer.status === 'found'
    ? {
        status: 'found',
        displayName: answer.displayName,
        userPrincipalName: answer.userPrincipalName,
        mail: answer.mail,
        userType: answer.userType,
        checkedAt,
      }
    : { status: 'notInTenant', displayName: '', userPrincipalName: '', mail: '', userType: '', checkedAt };
}

/** One run; a Graph that refuses or fails throws after the run status is recorded (the reports keep showing ids). */
export async function resolveUserNames(deps: NamesRunDeps, options: NamesRunOptions): Promise<NamesRunStatus> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? SILENT_LOG;
  const started = now();
  const status: NamesRunStatus = {
    startedAt: started.toISOString(),
    finishedAt: '',
    due: 0,
    found: 0,
    notInTenant: 0,
    failed: 0,
    stoppedByDeadline: false,
  };
  let failure: Error | undefined;
  try {
    const staleBefore = new Date(started.getTime() - options.refreshMs).toISOString();
    const due = await deps.store.users.listDueForLookup(staleBefore, options.maxPerRun);
    status.due = due.length;
    if (due.length > 0) {
      const result = await deps.directory.lookUp(due);
      const checkedAt = now().toISOString();
      const named: Array<[string, DirectoryName]> = [];
      for (const [id, answer] of result.answers) {
        named.push([id, toDirectoryName(answer, checkedAt)]);
        if (answer.status === 'found') status.found++;
        else status.notInTenant++;
      }
      await deps.store.users.recordDirectory(named);
      status.failed = due.length - result.answers.size;
      status.stoppedByDeadline = result.stoppedByDeadline;
      if (result.failed.size > 0)
        status.lastError = [...result.failed].map(([why, n]) => `${n} not answered: ${why}`).join('; ');
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    status.failed = status.due - status.found - status.notInTenant;
    status.lastError = describeError(error);
  }
  status.finishedAt = now().toISOString();
  try {
    await deps.store.users.recordNamesRun(status);
  } catch (error) {
    log.warn(`${NAMES_FUNCTION_NAME}: could not record the run status: ${describeError(error)}`);
  }
  const counts = `${status.found} named, ${status.notInTenant} not in this tenant, ${status.failed} not answered of ${status.due} due`;
  if (failure !== undefined) {
    log.error(`${NAMES_FUNCTION_NAME}: ${counts}; ${status.lastError ?? ''}`);
    throw failure;
  }
  if (status.lastError !== undefined) log.warn(`${NAMES_FUNCTION_NAME}: ${counts}; ${status.lastError}`);
  else log.info(`${NAMES_FUNCTION_NAME}: ${counts}`);
  return status;
}
