// A meeting's stored records, read for the analysis job and for /api/meetings/{meetingId}: its session
// bundles and details by point reads when indexed (else by partition queries), de-duplicated the same
// way whatever order they were ingested in.
import { Deduplicator } from '../audit/dataset.js';
import type { MeetingDetailRecord, SessionRecord } from '../audit/records.js';
import type { Meeting } from '../analysis/model.js';
import type { PendingMeeting } from './marks.js';
import type { MeetingResultLocation } from './meetingResultsTable.js';
import { MissingIndexedEntityError } from './meetingsTable.js';
import type { Store } from './store.js';

/** The stored sessions of a meeting, de-duplicated the same way whatever order they were ingested in. */
export function meetingFromStorage(
  meetingId: string,
  sessions: SessionRecord[],
  details: MeetingDetailRecord[],
): Meeting {
  const deduplicator = new Deduplicator();
  const sorted = [...sessions].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
  const kept = sorted.filter((s) => deduplicator.add(s) === 'accepted');
  const meeting: Meeting = { meetingId, sessions: kept };
  const detail = [...details].sort(
    (a, b) => (b.creationTime ?? 0) - (a.creationTime ?? 0) || (a.recordId < b.recordId ? -1 : 1),
  )[0];
  if (detail !== undefined) meeting.detail = detail;
  return meeting;
}

/** A meeting's stored records, and the keys that name them for the next analysis. */
export interface MeetingRecords {
  sessions: SessionRecord[];
  details: MeetingDetailRecord[];
  keys: { bundles: string[]; details: string[] };
  /** The meeting's result location as read (undefined: never analysed). */
  location: MeetingResultLocation | undefined;
}

/**
 * Reads a marked meeting's records: by point reads when its marks and previous result name every
 * bundle and detail, otherwise (or when a named entity is missing) by partition queries.
 */
export async function readMeetingRecords(
  store: Store,
  pending: PendingMeeting,
  knownLocation?: { location: MeetingResultLocation | undefined },
): Promise<MeetingRecords> {
  const location =
    knownLocation !== undefined ? knownLocation.location : await store.meetingResults.getLocation(pending.meetingId);
  const indexed = location === undefined ? pending.indexed : location.records !== undefined;
  if (indexed) {
    const bundles = [...new Set([...(location?.records?.bundles ?? []), ...pending.index.bundles])].sort();
    const detailKeys = [...new Set([...(location?.records?.details ?? []), ...pending.index.details])].sort();
    try {
      const [sessions, details] = await Promise.all([
        store.meetings.readBundles(pending.meetingId, bundles),
        store.meetings.readDetails(pending.meetingId, detailKeys),
      ]);
      return { sessions, details, keys: { bundles, details: detailKeys }, location };
    } catch (error) {
      if (!(error instanceof MissingIndexedEntityError)) throw error;
    }
  }
  const [sessions, partition] = await Promise.all([
    store.sessions.listMeeting(pending.meetingId),
    store.meetings.listMeetingWithBundles(pending.meetingId),
  ]);
  return {
    sessions,
    details: partition.details,
    keys: { bundles: partition.bundleKeys.sort(), details: partition.detailKeys.sort() },
    location,
  };
}

/** A meeting with no marks (to read a meeting that is not waiting for analysis). */
export function unmarked(meetingId: string): PendingMeeting {
  return { meetingId, rows: [], index: { bundles: [], details: [] }, indexed: false, markedAt: '' };
}
