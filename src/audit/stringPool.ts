// One shared copy of each repeated value of an export (a memory saving for large exports).
import type { Attendee } from './records.js';

/**
 * One shared copy of each value that repeats across the records of an export (meeting and organiser
 * ids, tenant, participant, client and network strings), so a large export does not hold thousands of
 * copies of the same text; a participant seen again with the same values shares one Attendee object.
 * Ids that are unique per record are not pooled.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();
  /** The last Attendee made for a participant identifier (UserObjectId, else UPN, else DisplayName). */
  readonly attendees = new Map<string, Attendee>();
  /** Per field, the last few values seen: meeting-level fields repeat from row to row, and comparing
   *  with them is cheaper than hashing a new string for the map. */
  private readonly recentValues: Array<string | undefined> = new Array<string | undefined>(
    RECENT_FIELDS * RECENT_SLOTS,
  ).fill(undefined);

  get(s: string): string {
    const kept = this.strings.get(s);
    if (kept !== undefined) return kept;
    this.strings.set(s, s);
    return s;
  }

  /** get(s), first looking among the recent values of `field` (0 ≤ field < RECENT_FIELDS). */
  getRecent(field: number, s: string): string {
    const recent = this.recentValues;
    const base = field * RECENT_SLOTS;
    for (let i = base; i < base + RECENT_SLOTS; i++) {
      if (recent[i] === s) return recent[i]!;
    }
    const kept = this.get(s);
    for (let i = base + RECENT_SLOTS - 1; i > base; i--) recent[i] = recent[i - 1];
    recent[base] = kept;
    return kept;
  }

  get size(): number {
    return this.strings.size;
  }
}

/** Fields pooled through StringPool.getRecent (values that stay the same for the rows of one meeting or client). */
export const RECENT_FIELDS = 10;
const RECENT_SLOTS = 4;
