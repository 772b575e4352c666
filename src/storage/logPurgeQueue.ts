// The logpurges table: erasures whose Log Analytics rows still have to be purged, the purge operations submitted
// for them, and the throttle state (docs/privacy.md). An erasure entry holds the person's identifiers until every
// operation covering it has completed (or stayed unknown to the service after its one re-submission): then the
// identifiers are cleared and the entry keeps just the operation ids. Operation entries record each purge's
// status (pending, completed, or unknown when the service no longer knows the operation).
import type { TableClient } from '@azure/data-tables';
import { isNotFound, isPreconditionFailed, listAll, num, optStr, str, stringLiteral } from './tableEntities.js';

const ERASURES = 'erasure';
const OPERATIONS = 'operation';
const STATE = 'state';
const THROTTLE = 'throttle';
/** Longest error text stored (no personal data: status codes and service error codes only). */
const MAX_ERROR_CHARS = 500;

/** One erasure's purge work. */
export interface PurgeRequest {
  id: string;
  queuedAt: string;
  /** Values to purge by; empty once every target has an operation. */
  identifiers: string[];
  /** Per target (`<table>.<column>`), the id of the purge operation that covers it, or '' while not submitted. */
  targets: Record<string, string>;
  /** Submissions that failed so far. */
  attempts: number;
  /** Targets re-opened once because the service forgot their operation (never re-opened twice). */
  resubmitted: string[];
  /** The entity's ETag as last read or written (claims are conditional on it). */
  etag?: string;
  /** While a submitter holds the erasure: its id and until when (ISO); an expired claim is free. */
  claimedBy?: string;
  claimedUntil?: string;
}

export interface PurgeOperation {
  operationId: string;
  target: string;
  /** Erasures the purge covers. */
  erasures: number;
  /** Identifiers in its filter. */
  identifiers: number;
  submittedAt: string;
  /** As the service last reported it: pending or completed (or another state it names). */
  status: string;
  checkedAt?: string;
  /** The erasures the operation covers. */
  erasureIds: string[];
  /** Status reads in a row that the service answered 404 (it does not know the operation). */
  notFoundChecks: number;
  /** True when the operation re-submits one the service forgot (it is not re-submitted again). */
  resubmission: boolean;
}

/** The status of an operation the service forgot (see refreshPurgeStatuses); like completed, it is not read again. */
export const UNKNOWN_STATUS = 'unknown';
/** Statuses after which an operation is not read again. */
const FINAL_STATUSES = ['completed', UNKNOWN_STATUS];
const UNFINISHED = FINAL_STATUSES.map((status) => `status ne ${stringLiteral(status)}`).join(' and ');

export interface PurgeThrottle {
  /** No purge is submitted before this time (ISO), from the service's Retry-After. */
  notBefore?: string;
  lastError?: string;
  lastAttemptAt?: string;
}

type Entity = Record<string, unknown>;

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toRequest(e: Entity): PurgeRequest {
  const request: PurgeRequest = {
    id: str(e, 'rowKey'),
    queuedAt: str(e, 'queuedAt'),
    identifiers: parseJson<string[]>(optStr(e, 'identifiers'), []),
    targets: parseJson<Record<string, string>>(optStr(e, 'targets'), {}),
    attempts: num(e, 'attempts') ?? 0,
    resubmitted: parseJson<string[]>(optStr(e, 'resubmitted'), []),
  };
  const etag = optStr(e, 'etag');
  if (etag !== undefined) request.etag = etag;
  const claimedBy = optStr(e, 'claimedBy');
  const claimedUntil = optStr(e, 'claimedUntil');
  if (claimedBy !== undefined && claimedBy !== '') request.claimedBy = claimedBy;
  if (claimedUntil !== undefined && claimedUntil !== '') request.claimedUntil = claimedUntil;
  return request;
}

function toOperation(e: Entity): PurgeOperation {
  const op: PurgeOperation = {
    operationId: str(e, 'operationId'),
    target: str(e, 'target'),
    erasures: num(e, 'erasures') ?? 0,
    identifiers: num(e, 'identifiers') ?? 0,
    submittedAt: str(e, 'submittedAt'),
    status: str(e, 'status'),
    erasureIds: parseJson<string[]>(optStr(e, 'erasureIds'), []),
    notFoundChecks: num(e, 'notFoundChecks') ?? 0,
    resubmission: e['resubmission'] === true,
  };
  const checkedAt = optStr(e, 'checkedAt');
  if (checkedAt !== undefined) op.checkedAt = checkedAt;
  return op;
}

/** Operation ids come from the service: kept as row keys when they are valid keys, else hex-encoded. */
function operationKey(operationId: string): string {
  return /^[A-Za-z0-9._:-]{1,200}$/.test(operationId) ? operationId : Buffer.from(operationId).toString('hex');
}

export class LogPurgeQueue {
  constructor(readonly client: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.client.createTable();
  }

  /** Queues one erasure's identifiers for every target (creating the table if a deployment predates it). */
  async add(request: { id: string; queuedAt: string; identifiers: readonly string[]; targets: readonly string[] }) {
    try {
      await this.insert(request);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.ensureTable();
      await this.insert(request);
    }
  }

  private async insert(request: {
    id: string;
    queuedAt: string;
    identifiers: readonly string[];
    targets: readonly string[];
  }): Promise<void> {
    await this.client.createEntity({
      partitionKey: ERASURES,
      rowKey: request.id,
      queuedAt: request.queuedAt,
      identifiers: JSON.stringify(request.identifiers),
      targets: JSON.stringify(Object.fromEntries(request.targets.map((t) => [t, '']))),
      open: true,
      attempts: 0,
    });
  }

  async get(id: string): Promise<PurgeRequest | undefined> {
    try {
      return toRequest(await this.client.getEntity<Record<string, unknown>>(ERASURES, id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Erasures with a target not yet submitted, oldest first. */
  async open(): Promise<PurgeRequest[]> {
    const filter = `PartitionKey eq ${stringLiteral(ERASURES)} and open eq true`;
    return (await listAll(this.client, filter)).map(toRequest);
  }

  /**
   * Claims the erasures for one submitter until `until` (a lease), each by an update conditional on the ETag it was
   * read with: of two submitters that read the same erasure, one gets it (the other's update fails with 412). An
   * erasure claimed by another whose claim has not expired is skipped. Returns the erasures claimed.
   */
  async claim(requests: readonly PurgeRequest[], owner: string, now: Date, until: Date): Promise<PurgeRequest[]> {
    const claimed: PurgeRequest[] = [];
    for (const request of requests) {
      const held = request.claimedUntil !== undefined && Date.parse(request.claimedUntil) > now.getTime();
      if (request.etag === undefined || (held && request.claimedBy !== owner)) continue;
      try {
        const response = await this.client.updateEntity(
          { partitionKey: ERASURES, rowKey: request.id, claimedBy: owner, claimedUntil: until.toISOString() },
          'Merge',
          { etag: request.etag },
        );
        claimed.push({ ...request, etag: response.etag, claimedBy: owner, claimedUntil: until.toISOString() });
      } catch (error) {
        if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    return claimed;
  }

  /** Ends a submitter's claims (unless the erasure changed hands since: then the other's claim stays). */
  async release(requests: readonly PurgeRequest[]): Promise<void> {
    for (const request of requests) {
      if (request.etag === undefined) continue;
      try {
        await this.client.updateEntity(
          { partitionKey: ERASURES, rowKey: request.id, claimedBy: '', claimedUntil: '' },
          'Merge',
          { etag: request.etag },
        );
      } catch (error) {
        if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
  }

  /** Records the operation that covers `target` for these erasures; one with every target covered is no longer open. */
  async recordSubmitted(requests: readonly PurgeRequest[], target: string, operation: PurgeOperation): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: OPERATIONS,
        rowKey: operationKey(operation.operationId),
        ...operation,
        erasureIds: JSON.stringify(operation.erasureIds),
      },
      'Replace',
    );
    for (const request of requests) {
      request.targets[target] = operation.operationId;
      const done = Object.values(request.targets).every((id) => id !== '');
      const response = await this.client.updateEntity(
        { partitionKey: ERASURES, rowKey: request.id, targets: JSON.stringify(request.targets), open: !done },
        'Merge',
      );
      if (response.etag !== undefined) request.etag = response.etag;
    }
  }

  /**
   * Re-opens `target` of an erasure whose operation the service forgot, once: false when it was re-opened before
   * or its identifiers are gone (nothing to send again).
   */
  async reopen(id: string, target: string): Promise<boolean> {
    const request = await this.get(id);
    if (request === undefined || request.identifiers.length === 0 || request.resubmitted.includes(target)) return false;
    request.targets[target] = '';
    await this.client.updateEntity(
      {
        partitionKey: ERASURES,
        rowKey: id,
        targets: JSON.stringify(request.targets),
        resubmitted: JSON.stringify([...request.resubmitted, target]),
        open: true,
      },
      'Merge',
    );
    return true;
  }

  /** Clears an erasure's identifiers once every target's operation is completed or unknown; true when cleared. */
  async settle(id: string): Promise<boolean> {
    const request = await this.get(id);
    if (request === undefined || request.identifiers.length === 0) return false;
    for (const operationId of Object.values(request.targets)) {
      if (operationId === '') return false;
      const op = await this.operation(operationId);
      if (op === undefined || !FINAL_STATUSES.includes(op.status)) return false;
    }
    await this.client.updateEntity({ partitionKey: ERASURES, rowKey: id, identifiers: '' }, 'Merge');
    return true;
  }

  async recordFailure(requests: readonly PurgeRequest[]): Promise<void> {
    for (const request of requests) {
      request.attempts++;
      const response = await this.client.updateEntity(
        { partitionKey: ERASURES, rowKey: request.id, attempts: request.attempts },
        'Merge',
      );
      if (response.etag !== undefined) request.etag = response.etag;
    }
  }

  async operation(operationId: string): Promise<PurgeOperation | undefined> {
    try {
      return toOperation(await this.client.getEntity<Record<string, unknown>>(OPERATIONS, operationKey(operationId)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Operations whose status is still to be read: not completed, not unknown. */
  async unfinishedOperations(): Promise<PurgeOperation[]> {
    const filter = `PartitionKey eq ${stringLiteral(OPERATIONS)} and ${UNFINISHED}`;
    return (await listAll(this.client, filter)).map(toOperation);
  }

  async recordStatus(operationId: string, status: string, checkedAt: string): Promise<void> {
    await this.client.updateEntity(
      { partitionKey: OPERATIONS, rowKey: operationKey(operationId), status, checkedAt, notFoundChecks: 0 },
      'Merge',
    );
  }

  /** Records a status read the service answered 404. */
  async recordNotFound(operationId: string, notFoundChecks: number, checkedAt: string): Promise<void> {
    await this.client.updateEntity(
      { partitionKey: OPERATIONS, rowKey: operationKey(operationId), notFoundChecks, checkedAt },
      'Merge',
    );
  }

  /** For /api/health: erasures queued (a target not yet submitted) and the oldest one's time; operations not completed. */
  async summary(): Promise<{ queued: number; oldestQueuedAt?: string; unfinished: number; unknown: number }> {
    try {
      const open = await listAll(this.client, `PartitionKey eq ${stringLiteral(ERASURES)} and open eq true`, [
        'queuedAt',
      ]);
      const operations = await listAll(
        this.client,
        `PartitionKey eq ${stringLiteral(OPERATIONS)} and status ne ${stringLiteral('completed')}`,
        ['status'],
      );
      const unknown = operations.filter((e) => e['status'] === UNKNOWN_STATUS).length;
      const times = open.map((e) => str(e, 'queuedAt')).sort();
      const summary: { queued: number; oldestQueuedAt?: string; unfinished: number; unknown: number } = {
        queued: open.length,
        unfinished: operations.length - unknown,
        unknown,
      };
      if (times[0] !== undefined) summary.oldestQueuedAt = times[0];
      return summary;
    } catch (error) {
      if (isNotFound(error)) return { queued: 0, unfinished: 0, unknown: 0 };
      throw error;
    }
  }

  async throttle(): Promise<PurgeThrottle> {
    try {
      const e = await this.client.getEntity<Record<string, unknown>>(STATE, THROTTLE);
      const state: PurgeThrottle = {};
      for (const key of ['notBefore', 'lastError', 'lastAttemptAt'] as const) {
        const value = optStr(e, key);
        if (value !== undefined && value !== '') state[key] = value;
      }
      return state;
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
  }

  async recordThrottle(state: PurgeThrottle): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: STATE,
        rowKey: THROTTLE,
        notBefore: state.notBefore ?? '',
        lastError: (state.lastError ?? '').slice(0, MAX_ERROR_CHARS),
        lastAttemptAt: state.lastAttemptAt ?? '',
      },
      'Replace',
    );
  }
}
