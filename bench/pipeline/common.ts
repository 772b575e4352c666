// Shared by the pipeline bench children: the Azurite connection they are given, stores with their
// own prefixes, and the measurements each child appends to a results file for the section's targets.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';

/** Prefix of the store holding the 500,000-session data set (analysis and HTTP cases). */
export const BIG_STORE_PREFIX = 'benchbig';
export const BIG_MEETINGS = 10_000;
export const SESSIONS_PER_MEETING = 50;
/** The analysis case re-analyses the first 2,000 meetings (100,000 sessions). */
export const ANALYSIS_MEETINGS = 2_000;

export function connectionString(): string {
  const cs = process.env.BENCH_STORAGE_CONNECTION;
  if (!cs) throw new Error('BENCH_STORAGE_CONNECTION is not set (the pipeline section starts Azurite and sets it)');
  return cs;
}

export function storeWithPrefix(prefix: string, cs = connectionString()): Store {
  return openStore(storageClientsFromConnectionString(cs), prefixedStoreNames(prefix));
}

/** A store with a fresh random prefix, created. */
export async function freshBenchStore(label: string): Promise<Store> {
  const store = storeWithPrefix(`${label}${randomBytes(3).toString('hex')}`);
  await store.ensureCreated();
  return store;
}

/** Deletes a store's tables (frees Azurite memory between runs). */
export async function dropStore(store: Store): Promise<void> {
  await Promise.all(Object.values(store.names.tables).map((name) => store.clients.table(name).deleteTable()));
}

/** The meeting id of synthetic meeting `i` of the big store. */
export function bigMeetingId(i: number): string {
  return `bench-meeting-${String(i).padStart(5, '0')}`;
}

/** The folder the children write their measurements (and the analysis ceiling its inputs) to. */
export function resultsDir(): string {
  const dir = process.env.BENCH_PIPELINE_RESULTS;
  if (!dir) throw new Error('BENCH_PIPELINE_RESULTS is not set');
  return dir;
}

function resultsFile(caseId: string): string {
  return join(resultsDir(), `${caseId}.jsonl`);
}

/** Appends one run's measurements for a case. */
export function recordResult(caseId: string, values: Record<string, number | string>): void {
  appendFileSync(resultsFile(caseId), `${JSON.stringify(values)}\n`);
}

/** Every run's measurements of a case, oldest first. */
export function readResults(dir: string, caseId: string): Array<Record<string, number | string>> {
  const path = join(dir, `${caseId}.jsonl`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, number | string>);
}
