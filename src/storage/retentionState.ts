// The retention run's status (for /api/health and the reports' `purged` note): one row in the marks table's
// status partition (PartitionKey `status`, RowKey `retention`). No personal data: times and counts.
import type { TableClient } from '@azure/data-tables';
import { getEntityIfExists, str } from './tableEntities.js';

const STATUS = 'status';
const ROW = 'retention';

/** Days before which each kind of data has been purged (YYYY-MM-DD, UTC): set once a run finished that kind. */
export interface PurgedBefore {
  /** Session records, MeetingDetail records, exports and rejects; IP addresses of older results cut to their network. */
  records?: string;
  /** Per-meeting results, disconnections and per-user aggregates. */
  results?: string;
  /** Site, subnet, platform and day aggregates. */
  aggregates?: string;
}

export interface RetentionRunStatus {
  startedAt: string;
  finishedAt: string;
  /** The periods the run applied, in days. */
  periods: { recordsDays: number; resultsDays: number; aggregatesDays: number };
  purgedBefore: PurgedBefore;
  /** What the run deleted or rewrote, per table or container. */
  counts: Record<string, number>;
  /** True when the run stopped before its end (the next run goes on; every step is idempotent). */
  stoppedByDeadline: boolean;
  lastError?: string;
}

export class RetentionState {
  constructor(readonly client: TableClient) {}

  async record(status: RetentionRunStatus): Promise<void> {
    await this.client.upsertEntity({ partitionKey: STATUS, rowKey: ROW, data: JSON.stringify(status) }, 'Replace');
  }

  async last(): Promise<RetentionRunStatus | undefined> {
    const entity = await getEntityIfExists(this.client, STATUS, ROW);
    return entity === undefined ? undefined : (JSON.parse(str(entity, 'data')) as RetentionRunStatus);
  }
}
