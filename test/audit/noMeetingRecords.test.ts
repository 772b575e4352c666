import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noMeetingRecordsWarning, noMeetingRecordsWarnings } from '../../src/audit/noMeetingRecords.js';
import type { ReadAccounting } from '../../src/audit/records.js';

const accounting = (a: Partial<ReadAccounting>): ReadAccounting => ({
  rowsRead: 0,
  accepted: 0,
  duplicates: 0,
  skipped: 0,
  rejected: 0,
  skippedByOperation: {},
  ...a,
});

test('rows but no meeting record: the warning names the most frequent operations and the activities to export', () => {
  const w = noMeetingRecordsWarning(
    accounting({
      rowsRead: 12,
      skipped: 11,
      rejected: 1,
      skippedByOperation: { PageViewed: 2, FileAccessed: 5, MemberAdded: 2, TeamCreated: 1, FilePreviewed: 1 },
    }),
  );
  assert.equal(
    w,
    'no meeting records among its 12 rows, so nothing can be analysed; it holds FileAccessed (5), MemberAdded (2), PageViewed (2), 2 other operations. ' +
      'Export the audit activities "Added information about meeting participants" (MeetingParticipantDetail) and ' +
      '"Added details about Teams meeting" (MeetingDetail) from the Purview audit search',
  );
  assert.deepEqual(
    noMeetingRecordsWarnings(accounting({ rowsRead: 1, skipped: 1, skippedByOperation: { X: 1 } })).length,
    1,
  );
});

test('no warning with meeting records (accepted or duplicates), with no rows, or when every row was rejected', () => {
  assert.equal(
    noMeetingRecordsWarning(accounting({ rowsRead: 3, accepted: 1, skipped: 2, skippedByOperation: { X: 2 } })),
    undefined,
  );
  assert.equal(
    noMeetingRecordsWarning(accounting({ rowsRead: 3, duplicates: 1, skipped: 2, skippedByOperation: { X: 2 } })),
    undefined,
  );
  assert.equal(noMeetingRecordsWarning(accounting({})), undefined);
  assert.equal(noMeetingRecordsWarning(accounting({ rowsRead: 2, rejected: 2 })), undefined);
  assert.deepEqual(noMeetingRecordsWarnings(accounting({})), []);
});
