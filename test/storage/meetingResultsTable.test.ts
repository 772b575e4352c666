import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listingKeys, type MeetingResultLocation } from '../../src/storage/meetingResultsTable.js';
import { freshStore } from './testStore.js';

function location(meetingId: string): MeetingResultLocation {
  return {
    meetingId,
    listings: [],
    disconnectionRanges: [],
    aggregateDays: [],
    analysedAt: '2026-03-01T00:00:00.000Z',
  };
}

test('analysedMeetingsPage pages through the meetings that have results, and nothing else', async () => {
  const store = await freshStore('mrt');
  const table = store.meetingResults;
  assert.deepEqual(await table.analysedMeetingsPage(undefined, 5), { meetingIds: [], cursor: undefined, done: true });

  const ids = Array.from({ length: 23 }, (_, i) => `meeting-${String(i).padStart(2, '0')}`);
  ids.push('odd/meeting#?\\id', 'ünïcode meeting');
  for (const id of ids) await table.putLocation(location(id));
  // A listing row (another partition family) and an id too long to be a key (hashed: it cannot have been marked).
  await table.client.upsertEntity({ ...listingKeys('listed-only', '2026-03-01', 1), meetingId: 'listed-only' });
  await table.putLocation(location('x'.repeat(450)));

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await table.analysedMeetingsPage(cursor, 5);
    assert.ok(page.meetingIds.length <= 5);
    seen.push(...page.meetingIds);
    cursor = page.cursor;
    pages++;
    if (page.done) break;
    assert.ok(pages < 20);
  }
  assert.deepEqual(seen.sort(), [...ids].sort());
  assert.ok(pages >= 5);
  // Past the last meeting: an empty, finished page that keeps the cursor.
  assert.deepEqual(await table.analysedMeetingsPage(cursor, 5), { meetingIds: [], cursor, done: true });
});
