// A meeting's sessions for /api/meetings/{meetingId} when the meeting is small enough to read whole:
// its session bundles by point reads (what the analysis reads), else its partition of the sessions table;
// one session per record id, in the sessions table's order (by RowKey), so that a page is the same slice
// whichever way the sessions were read. Big meetings are paged by a Table query instead (meetingDetail.ts).
import type { SessionRecord } from '../../audit/records.js';
import { encodeKey } from '../../storage/keys.js';
import type { PendingMeeting } from '../../storage/marks.js';
import type { MeetingResultLocation } from '../../storage/meetingResultsTable.js';
import { MissingIndexedEntityError } from '../../storage/meetingsTable.js';
import type { Store } from '../../storage/store.js';

/** Meetings with at most this many session bundles (each a committed batch, up to 100 sessions) are read whole. */
export const WHOLE_MEETING_BUNDLES = 20;

/** The meeting's bundle keys, as the analysis knows them (undefined when not indexed: read the partition). */
export function bundleKeysOf(
  location: MeetingResultLocation | undefined,
  pending: PendingMeeting | undefined,
): string[] | undefined {
  const indexed = location === undefined ? pending?.indexed === true : location.records !== undefined;
  if (!indexed) return undefined;
  return [...new Set([...(location?.records?.bundles ?? []), ...(pending?.index.bundles ?? [])])].sort();
}

/** Every session of the meeting, one per record id, ordered as the sessions table orders them. */
export async function wholeMeetingSessions(
  store: Store,
  meetingId: string,
  bundleKeys: string[] | undefined,
): Promise<SessionRecord[]> {
  let sessions: SessionRecord[] | undefined;
  if (bundleKeys !== undefined) {
    try {
      sessions = await store.meetings.readBundles(meetingId, bundleKeys);
    } catch (error) {
      if (!(error instanceof MissingIndexedEntityError)) throw error;
    }
  }
  sessions ??= await store.sessions.listMeeting(meetingId);
  const byKey = new Map<string, SessionRecord>();
  for (const s of sessions) byKey.set(encodeKey(s.recordId, 'record Id'), s);
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
