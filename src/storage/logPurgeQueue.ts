// The logpurges table: erasures whose Log Analytics rows still have to be purged, the purge operations submitted
// for them, and the throttle state (docs/privacy.md). An erasure entry holds the person's identifiers only until a
// purge naming them has been accepted for every target (table and column); then the identifiers are cleared and
// the entry keeps just the operation ids. Operation entries record each purge's status (pending, completed).
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
}

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

  /** Records the operation that covers `target` for these erasures; an erasure with every target covered loses its identifiers. */
  async recordSubmitted(requests: readonly PurgeRequest[], target: string, operation: PurgeOperation): Promise<void> {
    await this.client.upsertEntity(
      { partitionKey: OPERATIONS, rowKey: operationKey(operation.operationId), ...operation },
      'Replace',
    );
    for (const request of requests) {
      request.targets[target] = operation.operationId;
      const done = Object.values(request.targets).every((id) => id !== '');
      if (done) request.identifiers = [];
      const response = await this.client.updateEntity(
        {
          partitionKey: ERASURES,
          rowKey: request.id,
          targets: JSON.stringify(request.targets),
          identifiers: done ? '' : JSON.stringify(request.identifiers),
          open: !done,
        },
        'Merge',
      );
      if (response.etag !== undefined) request.etag = response.etag;
    }
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

  /** Operations the service has not reported completed yet. */
  async unfinishedOperations(): Promise<PurgeOperation[]> {
    const filter = `PartitionKey eq ${stringLiteral(OPERATIONS)} and status ne ${stringLiteral('completed')}`;
    return (await listAll(this.client, filter)).map(toOperation);
  }

  async recordStatus(operationId: string, status: string, checkedAt: string): Promise<void> {
    await this.client.updateEntity(
      { partitionKey: OPERATIONS, rowKey: operationKey(operationId), status, checkedAt },
      'Merge',
    );
  }

  /** For /api/health: erasures queued (a target not yet submitted) and the oldest one's time; operations not completed. */
  async summary(): Promise<{ queued: number; oldestQueuedAt?: string; unfinished: number }> {
    try {
      const open = await listAll(this.client, `PartitionKey eq ${stringLiteral(ERASURES)} and open eq true`, [
        'queuedAt',
      ]);
      const unfinished = await listAll(
        this.client,
        `PartitionKey eq ${stringLiteral(OPERATIONS)} and status ne ${stringLiteral('completed')}`,
        ['status'],
      );
      const times = open.map((e) => str(e, 'queuedAt')).sort();
      const summary: { queued: number; oldestQueuedAt?: string; unfinished: number } = {
        queued: open.length,
        unfinished: unfinished.length,
      };
      if (times[0] !== undefined) summary.oldestQueuedAt = times[0];
      return summary;
    } catch (error) {
      if (isNotFound(error)) return { queued: 0, unfinished: 0 };
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
