// Row accounting of a read (rows read = accepted + duplicates + skipped + rejected): an empty one, and sums.
import type { ReadAccounting } from './records.js';

export function emptyAccounting(): ReadAccounting {
  return { rowsRead: 0, accepted: 0, duplicates: 0, skipped: 0, rejected: 0, skippedByOperation: {} };
}

/** Adds `part` into `total`. */
export function addAccounting(total: ReadAccounting, part: ReadAccounting): void {
  total.rowsRead += part.rowsRead;
  total.accepted += part.accepted;
  total.duplicates += part.duplicates;
  total.skipped += part.skipped;
  total.rejected += part.rejected;
  for (const [operation, n] of Object.entries(part.skippedByOperation)) {
    total.skippedByOperation[operation] = (total.skippedByOperation[operation] ?? 0) + n;
  }
}
