// Bench child: the write ceiling. Loads the export's accepted records, already parsed (no export
// reading), then writes exactly what ingestion writes, with the same writers and bounds: ledger entry,
// sessions with their bundles and the meeting details in input order, learned users, the rejects
// blob check, marks, ledger entry.
import { dropStore, freshBenchStore, recordResult } from './common.js';
import { readCeilingRecords } from './datasets.js';
import type { UserEntry } from '../../src/analysis/userDirectory.js';
import { RecordWriter } from '../../src/storage/recordWriter.js';
import { sessionToEntity } from '../../src/storage/sessionsTable.js';
import { meetingDetailToEntity } from '../../src/storage/meetingsTable.js';
import type { UploadEntry } from '../../src/storage/ledger.js';

async function main(): Promise<void> {
  const [file, caseId] = process.argv.slice(2);
  if (file === undefined || caseId === undefined) throw new Error('usage: ceilingCase RECORDS_FILE CASE_ID');
  const lines = readCeilingRecords(file);
  const users: UserEntry[] = [];
  const store = await freshBenchStore('cei');
  const entry: UploadEntry = {
    blobName: 'bench-export.csv',
    etag: '"bench"',
    status: 'processing',
    attempts: 1,
    startedAt: new Date().toISOString(),
    warnings: [],
    rowsRead: 0,
    accepted: 0,
    duplicates: 0,
    skipped: 0,
    rejected: 0,
    skippedByOperation: {},
    sessions: 0,
    meetingDetails: 0,
    meetingsTouched: 0,
    truncatedEntities: 0,
    firstRejections: [],
  };
  const started = process.hrtime.bigint();
  await store.ledger.put(entry);
  const writer = new RecordWriter(store, 'bench-export.csv\n"bench"');
  let records = 0;
  // The users' seenAt, as ingestion sets it: the latest join or leave time of the export.
  let latestSeen = -Infinity;
  for (const line of lines) {
    if (line.t === 'u') {
      users.push(line.u);
      continue;
    }
    const r = line.r;
    if (r.kind === 'session') latestSeen = Math.max(latestSeen, r.joinTime, r.leaveTime);
    await writer.add(r, r.kind === 'session' ? sessionToEntity(r).entity : meetingDetailToEntity(r).entity);
    records++;
  }
  await writer.flush();
  await store.users.upsertAll(users, {}, Number.isFinite(latestSeen) ? latestSeen : undefined);
  await store.rejects.write('bench-export.csv', '"bench"', []);
  await writer.mark(new Date());
  await store.ledger.put({ ...entry, status: 'completed' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  recordResult(caseId, { ms, entities: records });
  await dropStore(store);
}

main().catch((error: unknown) => {
  process.stderr.write(`ceilingCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
