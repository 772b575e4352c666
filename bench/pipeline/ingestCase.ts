// Bench child: ingests one export (read into a Buffer first, as the blob trigger delivers it) into a
// fresh store on the bench Azurite, and records the time ingestExport took.
import { readFileSync } from 'node:fs';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { dropStore, freshBenchStore, recordResult } from './common.js';

async function main(): Promise<void> {
  const [file, caseId] = process.argv.slice(2);
  if (file === undefined || caseId === undefined) throw new Error('usage: ingestCase FILE CASE_ID');
  const content = readFileSync(file);
  const store = await freshBenchStore('ing');
  const started = process.hrtime.bigint();
  const { entry } = await ingestExport({ blobName: 'bench-export.csv', etag: '"bench"', content }, { store });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (entry.status !== 'completed') throw new Error(`ingestion ended ${entry.status}`);
  recordResult(caseId, { ms, rows: entry.rowsRead, entities: entry.sessions + entry.meetingDetails });
  await dropStore(store);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingestCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
