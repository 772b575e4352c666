// The blob ingestion records the same "no meeting records" warning in the ledger entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { freshStore } from '../storage/testStore.js';

const line = (operation: string, id: string): string =>
  JSON.stringify({
    CreationTime: '2024-03-05T11:00:00',
    Id: id,
    Operation: operation,
    RecordType: 6,
    Workload: 'SharePoint',
    UserId: 'someone@contoso.example',
  });

test('an export of other activities completes with a ledger warning naming them and the activities to export', async () => {
  const store = await freshStore('nomeet');
  const content = Buffer.from(
    [line('FileAccessed', 'a'), line('FileAccessed', 'b'), line('MemberAdded', 'c')].join('\n') + '\n',
  );
  const { outcome, entry } = await ingestExport({ blobName: 'sharepoint.ndjson', etag: '"1"', content }, { store });
  assert.equal(outcome, 'completed');
  assert.equal(entry.skipped, 3);
  const stored = await store.ledger.get('sharepoint.ndjson', '"1"');
  assert.deepEqual(
    stored?.warnings.filter((w) => w.startsWith('no meeting records')),
    [
      'no meeting records among its 3 rows, so nothing can be analysed; it holds FileAccessed (2), MemberAdded (1). ' +
        'Export the audit activities "Added information about meeting participants" (MeetingParticipantDetail) and "Added details about Teams meeting" (MeetingDetail) from the Purview audit search',
    ],
  );
});
