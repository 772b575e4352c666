// Takes one source's records (an export version's) back from one meeting, keeping what other sources
// also brought: its session bundles and MeetingDetail copies say what it brought; a record that no other
// source's bundle or copy holds is deleted, one that another source holds is written again from that
// source's copy (so it no longer carries the removed version's content). The meeting is marked for
// analysis before anything is deleted (a crash leaves it marked, and the source's remaining rows let a
// re-run find it) and again at the end (an analysis that read it meanwhile leaves it marked).
import type { Store } from '../storage/store.js';
import type { SessionRecord } from '../audit/records.js';
import { meetingDetailToEntity, parseSourceRowKey, type SourceRows } from '../storage/meetingsTable.js';

export interface SourceRemoval {
  sessionsRemoved: number;
  detailsRemoved: number;
  /** False when the meeting held nothing of the source (any more). */
  touched: boolean;
}

/** Removes what `sourceKey` (a key component, see ingestionSourceKey) brought to one meeting. */
export async function removeSourceFromMeeting(
  store: Store,
  meetingId: string,
  sourceKey: string,
  now: () => Date,
): Promise<SourceRemoval> {
  const bySource = await store.meetings.sourcesOfMeeting(meetingId);
  const removed = bySource.get(sourceKey);
  if (removed === undefined) return { sessionsRemoved: 0, detailsRemoved: 0, touched: false };
  const kept: SourceRows = { bundles: [], detailCopies: [] };
  for (const [key, rows] of bySource) {
    if (key === sourceKey) continue;
    kept.bundles.push(...rows.bundles);
    kept.detailCopies.push(...rows.detailCopies);
  }
  await store.marks.mark([meetingId], now());

  // Sessions: every one the source's bundles hold, before any bundle is deleted (a re-run reads the rest).
  // A bundle gone meanwhile was taken back by a concurrent removal, which handles its sessions.
  const [removedSessions, keptSessions] = await Promise.all([
    store.meetings.readBundles(meetingId, removed.bundles, true),
    store.meetings.readBundles(meetingId, kept.bundles, true),
  ]);
  const keptById = new Map<string, SessionRecord>();
  for (const s of keptSessions) if (!keptById.has(s.recordId)) keptById.set(s.recordId, s);
  const removedIds = [...new Set(removedSessions.map((s) => s.recordId))];
  const rewrite = removedIds.map((id) => keptById.get(id)).filter((s): s is SessionRecord => s !== undefined);
  const gone = removedIds.filter((id) => !keptById.has(id));
  await store.sessions.upsertAll(rewrite);
  const sessionsRemoved = await store.sessions.deleteSessions(meetingId, gone);

  // MeetingDetail records, the same way, from the detail copies.
  const detailKeyOf = (copyKey: string): string => parseSourceRowKey(copyKey)?.rest ?? '';
  const keptCopyByDetail = new Map<string, string>();
  for (const copy of kept.detailCopies)
    if (!keptCopyByDetail.has(detailKeyOf(copy))) keptCopyByDetail.set(detailKeyOf(copy), copy);
  const removedDetailKeys = [...new Set(removed.detailCopies.map(detailKeyOf))];
  const rewriteCopies = removedDetailKeys
    .map((k) => keptCopyByDetail.get(k))
    .filter((k): k is string => k !== undefined);
  const goneDetails = removedDetailKeys.filter((k) => !keptCopyByDetail.has(k));
  const writer = store.meetings.writer();
  for (const detail of await store.meetings.readDetailCopies(meetingId, rewriteCopies))
    await writer.upsert(meetingDetailToEntity(detail).entity);
  await writer.flush();
  const detailsRemoved = await store.meetings.deleteRows(meetingId, goneDetails);

  // Last, the provenance rows themselves: once they are gone, this meeting is done for this source.
  await store.meetings.deleteRows(meetingId, [...removed.bundles, ...removed.detailCopies]);
  await store.marks.mark([meetingId], now());
  return { sessionsRemoved, detailsRemoved, touched: true };
}
