// Bench child: the write ceiling. Loads the pre-encoded entities of the export (no export parsing),
// then writes exactly what ingestion writes, with the same writers and bounds: ledger entry,
// sessions and meeting details in input order, learned users, rejects blob check, marks, ledger entry.
import { dropStore, freshBenchStore, recordResult } from './common.js';
import { readCeilingEntities } from './datasets.js';
import type { UserEntry } from '../../src/reports/users.js';

async function main(): Promise<void> {
  const [file, caseId] = process.argv.slice(2);
  if (file === undefined || caseId === undefined) throw new Error('usage: ceilingCase ENTITIES_FILE CASE_ID');
  const lines = readCeilingEntities(file);
  const users: UserEntry[] = [];
  const meetings: string[] = [];
  const store = await freshBenchStore('cei');
  const entry = {
    blobName: 'bench-export.csv', etag: '"bench"', status: 'processing' as const, attempts: 1, startedAt: new Date().toISOString(), warnings: [],
    rowsRead: 0, accepted: 0, duplicates: 0, skipped: 0, rejected: 0, skippedByOperation: {}, sessions: 0, meetingDetails: 0,
    meetingsTouched: 0, truncatedEntities: 0, firstRejections: [],
  };
  const started = process.hrtime.bigint();
  await store.ledger.put(entry);
  const sessions = store.sessions.writer();
  const details = store.meetings.writer();
  let entities = 0;
  for (const line of lines) {
    if (line.t === 's' || line.t === 'm') {
      await (line.t === 's' ? sessions : details).upsert(line.e);
      entities++;
    } else if (line.t === 'u') users.push(line.u);
    else if (line.t === 'k') meetings.push(line.meetingId);
  }
  await Promise.all([sessions.flush(), details.flush()]);
  await store.users.upsertAll(users);
  await store.rejects.write('bench-export.csv', '"bench"', []);
  await store.marks.mark(meetings);
  await store.ledger.put({ ...entry, status: 'completed' as const });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  recordResult(caseId, { ms, entities });
  await dropStore(store);
}

main().catch((error: unknown) => {
  process.stderr.write(`ceilingCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
