// Erasure in Log Analytics (docs/privacy.md): the rows the export sent that name an erased person are deleted
// through the workspace's purge API. Purges are throttled (50 requests an hour) and meant for GDPR requests only,
// so erasures are queued (storage/logPurgeQueue.ts) and submitted together: one request per target (a table and
// one of its person columns, tables.json), its filter `<column> in~ (<every queued identifier>)`. A 429 keeps
// them queued until its Retry-After has passed; any other failure until the next attempt (the erasure call or
// the purgeLogAnalytics timer). Logs carry counts, operation ids and status codes, never an identifier.
import { randomBytes } from 'node:crypto';
import {
  UNKNOWN_STATUS,
  type LogPurgeQueue,
  type PurgeOperation,
  type PurgeRequest,
} from '../../storage/logPurgeQueue.js';
import { describeError } from '../../errors.js';
import type { PipelineLog } from '../log.js';
import { LOG_TABLES } from './tables.js';

/** The part of OperationalInsightsManagementClient's workspacePurge operations the purge uses. */
export interface WorkspacePurger {
  purge(
    resourceGroupName: string,
    workspaceName: string,
    body: { table: string; filters: Array<{ column: string; operator: string; value: string[] }> },
  ): Promise<{ operationId: string }>;
  getPurgeStatus(resourceGroupName: string, workspaceName: string, purgeId: string): Promise<{ status: string }>;
}

/** The workspace, from its resource id. */
export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

export interface PurgeTarget {
  /** `<table>.<column>` */
  key: string;
  table: string;
  column: string;
}

/** Every column of the exported tables that holds a person's identifier (from tables.json). */
export const PURGE_TARGETS: readonly PurgeTarget[] = Object.values(LOG_TABLES).flatMap((t) =>
  t.personColumns.map((column) => ({ key: `${t.table}.${column}`, table: t.table, column })),
);

/** Case-insensitive membership: UPNs keep their case in the rows, identifiers are compared in lower case. */
export const PURGE_OPERATOR = 'in~';
/** Most identifiers in one request's filter; more are sent in further requests. */
export const MAX_IDENTIFIERS_PER_REQUEST = 500;

export interface LogPurgeDeps {
  queue: LogPurgeQueue;
  purger: WorkspacePurger;
  workspace: WorkspaceRef;
  now: () => Date;
  log: PipelineLog;
  maxIdentifiersPerRequest?: number;
}

/** Where one erasure's purge is. */
export interface ErasurePurgeStatus {
  /**
   * queued: some target not yet accepted; submitted: every target accepted, some not finished; completed; unknown:
   * every operation finished or forgotten by the service, some forgotten (send the erasure again to be sure).
   */
  state: 'queued' | 'submitted' | 'completed' | 'unknown';
  id: string;
  queuedAt: string;
  operations: Array<{ table: string; column: string; operationId: string; status: string }>;
  /** While queued: the earliest time the next request may go (after a 429). */
  notBefore?: string;
  /** While queued: why the last submission failed (status code and service error code). */
  lastError?: string;
}

export interface SubmitOutcome {
  submitted: number;
  throttled: boolean;
  failed: number;
}

function erasureId(now: Date): string {
  return `${now.toISOString().replace(/[^0-9]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** Queues one erasure's identifiers (lower-cased, deduplicated); returns the erasure's purge id. */
export async function queuePurge(deps: LogPurgeDeps, identifiers: Iterable<string>): Promise<string | undefined> {
  const values = [...new Set([...identifiers].map((v) => v.trim().toLowerCase()).filter((v) => v !== ''))].sort();
  if (values.length === 0 || PURGE_TARGETS.length === 0) return undefined;
  const now = deps.now();
  const id = erasureId(now);
  await deps.queue.add({
    id,
    queuedAt: now.toISOString(),
    identifiers: values,
    targets: PURGE_TARGETS.map((t) => t.key),
  });
  deps.log.info(`logPurge: erasure ${id} queued (${values.length} identifiers, ${PURGE_TARGETS.length} targets)`);
  return id;
}

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Seconds of a Retry-After header (seconds or an HTTP date), if the error carries one. */
function retryAfterMs(error: unknown, now: Date): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } } | null)
    ?.response?.headers;
  const value = typeof headers?.get === 'function' ? headers.get('retry-after') : undefined;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}

/** A failure described without anything the service may have echoed: status code and error code only. */
function failureText(error: unknown): string {
  const status = statusCodeOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (status === undefined) return describeError(error).slice(0, 200);
  return `HTTP ${status}${typeof code === 'string' && code !== '' ? ` ${code}` : ''}`;
}

/** How long a submitter holds the erasures it claimed (longer than a run takes; a crashed run's claim expires). */
export const CLAIM_MS = 10 * 60_000;

/** Without a Retry-After, a 429 waits this long (the limit is per hour). */
const DEFAULT_THROTTLE_MS = 15 * 60_000;

/**
 * Submits the queued erasures, one request per target and batch of identifiers; never throws. Stops at the
 * first 429 (recording its Retry-After) and skips the run while an earlier Retry-After has not passed.
 */
export async function submitPurges(deps: LogPurgeDeps): Promise<SubmitOutcome> {
  const outcome: SubmitOutcome = { submitted: 0, throttled: false, failed: 0 };
  const max = deps.maxIdentifiersPerRequest ?? MAX_IDENTIFIERS_PER_REQUEST;
  try {
    const throttle = await deps.queue.throttle();
    const now = deps.now();
    if (throttle.notBefore !== undefined && Date.parse(throttle.notBefore) > now.getTime()) {
      outcome.throttled = true;
      return outcome;
    }
    // Claim before submitting, so that the erasure call and the timer at the same moment never send a batch twice.
    const open = await deps.queue.claim(
      await deps.queue.open(),
      randomBytes(8).toString('hex'),
      now,
      new Date(now.getTime() + CLAIM_MS),
    );
    if (open.length === 0) return outcome;
    try {
      return await submitClaimed(deps, open, outcome, max);
    } finally {
      await deps.queue.release(open);
    }
  } catch (error) {
    outcome.failed++;
    deps.log.error(`logPurge: the purge queue could not be read or written: ${failureText(error)}`);
  }
  return outcome;
}

/** Sends the claimed erasures: per target, one request per batch; stops at the first 429. */
async function submitClaimed(
  deps: LogPurgeDeps,
  open: PurgeRequest[],
  outcome: SubmitOutcome,
  max: number,
): Promise<SubmitOutcome> {
  let lastError: string | undefined;
  for (const target of PURGE_TARGETS) {
    const waiting = open.filter((r) => r.targets[target.key] === '');
    for (const batch of batches(waiting, max)) {
      const values = [...new Set(batch.flatMap((r) => r.identifiers))].sort();
      try {
        const accepted = await deps.purger.purge(deps.workspace.resourceGroup, deps.workspace.workspace, {
          table: target.table,
          filters: [{ column: target.column, operator: PURGE_OPERATOR, value: values }],
        });
        const operation: PurgeOperation = {
          operationId: accepted.operationId,
          target: target.key,
          erasures: batch.length,
          identifiers: values.length,
          submittedAt: deps.now().toISOString(),
          status: 'pending',
          erasureIds: batch.map((r) => r.id),
          notFoundChecks: 0,
          resubmission: batch.some((r) => r.resubmitted.includes(target.key)),
        };
        await deps.queue.recordSubmitted(batch, target.key, operation);
        outcome.submitted++;
        deps.log.info(
          `logPurge: ${target.key}: operation ${accepted.operationId} accepted (${batch.length} erasures, ${values.length} identifiers)`,
        );
      } catch (error) {
        lastError = failureText(error);
        await deps.queue.recordFailure(batch);
        if (statusCodeOf(error) === 429) {
          const waitMs = retryAfterMs(error, deps.now()) ?? DEFAULT_THROTTLE_MS;
          const notBefore = new Date(deps.now().getTime() + waitMs).toISOString();
          await deps.queue.recordThrottle({ notBefore, lastError, lastAttemptAt: deps.now().toISOString() });
          deps.log.warn(`logPurge: throttled (${lastError}); next attempt after ${notBefore}`);
          outcome.throttled = true;
          return outcome;
        }
        outcome.failed++;
        deps.log.error(`logPurge: ${target.key}: the purge request failed (${lastError}); it stays queued`);
      }
    }
  }
  const state = { lastAttemptAt: deps.now().toISOString() };
  await deps.queue.recordThrottle(lastError === undefined ? state : { ...state, lastError });
  return outcome;
}

/** Erasures grouped so that no request names more than `max` identifiers (an erasure is never split). */
function batches(requests: readonly PurgeRequest[], max: number): PurgeRequest[][] {
  const out: PurgeRequest[][] = [];
  let current: PurgeRequest[] = [];
  let size = 0;
  for (const request of requests) {
    if (current.length > 0 && size + request.identifiers.length > max) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(request);
    size += request.identifiers.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Status reads answered 404 in a row after which an operation counts as unknown to the service. */
export const MAX_NOT_FOUND_CHECKS = 3;

/**
 * Asks the service for the status of every unfinished operation and records it; never throws. A completed
 * operation lets its erasures drop their identifiers once all their operations are done. An operation the service
 * answers 404 for MAX_NOT_FOUND_CHECKS times in a row (it forgot it) becomes 'unknown': its erasures are re-opened
 * for that target, once, so that the next run sends it again (the rows may still be there); a re-submission that
 * is forgotten too is not sent a third time (a warning says to send the erasure again).
 */
export async function refreshPurgeStatuses(deps: LogPurgeDeps): Promise<{ checked: number; completed: number }> {
  const counts = { checked: 0, completed: 0 };
  try {
    for (const op of await deps.queue.unfinishedOperations()) {
      let status: string;
      try {
        ({ status } = await deps.purger.getPurgeStatus(
          deps.workspace.resourceGroup,
          deps.workspace.workspace,
          op.operationId,
        ));
      } catch (error) {
        if (statusCodeOf(error) === 404) await forgotten(deps, op);
        else deps.log.warn(`logPurge: status of operation ${op.operationId} not read (${failureText(error)})`);
        continue;
      }
      await deps.queue.recordStatus(op.operationId, status, deps.now().toISOString());
      counts.checked++;
      if (status === 'completed') {
        counts.completed++;
        deps.log.info(`logPurge: operation ${op.operationId} (${op.target}) completed`);
        for (const id of op.erasureIds) await deps.queue.settle(id);
      }
    }
  } catch (error) {
    deps.log.error(`logPurge: the purge queue could not be read: ${failureText(error)}`);
  }
  return counts;
}

/** One more 404 for an operation: counted, then (at the bound) unknown and re-opened once. */
async function forgotten(deps: LogPurgeDeps, op: PurgeOperation): Promise<void> {
  const checks = op.notFoundChecks + 1;
  const checkedAt = deps.now().toISOString();
  if (checks < MAX_NOT_FOUND_CHECKS) {
    await deps.queue.recordNotFound(op.operationId, checks, checkedAt);
    deps.log.warn(
      `logPurge: operation ${op.operationId} (${op.target}) not found by the service (${checks} of ${MAX_NOT_FOUND_CHECKS} checks)`,
    );
    return;
  }
  await deps.queue.recordNotFound(op.operationId, checks, checkedAt);
  await deps.queue.recordStatus(op.operationId, UNKNOWN_STATUS, checkedAt);
  let reopened = 0;
  if (!op.resubmission) for (const id of op.erasureIds) if (await deps.queue.reopen(id, op.target)) reopened++;
  if (reopened > 0) {
    deps.log.warn(
      `logPurge: operation ${op.operationId} (${op.target}) is unknown to the service after ${checks} checks; ` +
        `${reopened} erasures are sent again at the next run`,
    );
    return;
  }
  for (const id of op.erasureIds) await deps.queue.settle(id);
  deps.log.warn(
    `logPurge: operation ${op.operationId} (${op.target}) is unknown to the service after ${checks} checks and is ` +
      'not sent again; to be sure the rows are gone, send the erasure again',
  );
}

function finishedState(statuses: readonly string[]): ErasurePurgeStatus['state'] {
  if (statuses.every((s) => s === 'completed')) return 'completed';
  return statuses.every((s) => s === 'completed' || s === UNKNOWN_STATUS) ? 'unknown' : 'submitted';
}

/** Where one erasure's purge is, from the recorded operations. */
export async function erasurePurgeStatus(deps: LogPurgeDeps, id: string): Promise<ErasurePurgeStatus | undefined> {
  const request = await deps.queue.get(id);
  if (request === undefined) return undefined;
  const operations: ErasurePurgeStatus['operations'] = [];
  for (const target of PURGE_TARGETS) {
    const operationId = request.targets[target.key] ?? '';
    if (operationId === '') continue;
    const op = await deps.queue.operation(operationId);
    operations.push({ table: target.table, column: target.column, operationId, status: op?.status ?? 'pending' });
  }
  const queued = PURGE_TARGETS.some((t) => (request.targets[t.key] ?? '') === '');
  const status: ErasurePurgeStatus = {
    state: queued ? 'queued' : finishedState(operations.map((o) => o.status)),
    id,
    queuedAt: request.queuedAt,
    operations,
  };
  if (queued) {
    const throttle = await deps.queue.throttle();
    if (throttle.notBefore !== undefined && Date.parse(throttle.notBefore) > deps.now().getTime())
      status.notBefore = throttle.notBefore;
    if (throttle.lastError !== undefined) status.lastError = throttle.lastError;
  }
  return status;
}

/** The purge's state for /api/health: counts and times only, never an identifier. */
export interface PurgeQueueHealth {
  /** Erasures with a target not yet accepted by the service. */
  queued: number;
  oldestQueuedAt: string | null;
  oldestQueuedAgeSeconds: number | null;
  /** After a 429: no request goes before this time (null when none is pending). */
  notBefore: string | null;
  /** Why the last submission failed (status code and service error code). */
  lastError: string | null;
  lastAttemptAt: string | null;
  /** Accepted operations the service has not reported completed. */
  unfinishedOperations: number;
  /** Operations the service forgot (404 on every status read); see refreshPurgeStatuses. */
  unknownOperations: number;
}

export async function purgeQueueHealth(queue: LogPurgeQueue, now: Date): Promise<PurgeQueueHealth> {
  const [summary, throttle] = await Promise.all([queue.summary(), queue.throttle()]);
  const oldest = summary.oldestQueuedAt ?? null;
  const waiting = throttle.notBefore !== undefined && Date.parse(throttle.notBefore) > now.getTime();
  return {
    queued: summary.queued,
    oldestQueuedAt: oldest,
    oldestQueuedAgeSeconds:
      oldest === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(oldest)) / 1000)),
    notBefore: waiting ? throttle.notBefore! : null,
    lastError: throttle.lastError ?? null,
    lastAttemptAt: throttle.lastAttemptAt ?? null,
    unfinishedOperations: summary.unfinished,
    unknownOperations: summary.unknown,
  };
}
