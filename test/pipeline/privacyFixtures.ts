// Test helpers for retention, erasure and pseudonymised mode: a store with a generated export ingested and
// analysed, and a scan of every stored entity and blob as text.
import type { Store } from '../../src/storage/store.js';
import type { TableNames } from '../../src/storage/store.js';
import { ingestExport } from '../../src/pipeline/ingest.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import type { Pseudonymizer } from '../../src/audit/pseudonymize.js';
import { freshStore } from '../storage/testStore.js';
import { generated, ndjson, ndjsonLines } from './pipelineFixtures.js';

export const FAR = (): number => Date.now() + 600_000;

export interface StoredText {
  where: string;
  text: string;
}

/** Every entity of every table (as JSON text, keys included) and every blob of every container (as UTF-8 text). */
export async function scanStore(store: Store): Promise<StoredText[]> {
  const out: StoredText[] = [];
  for (const key of Object.keys(store.names.tables) as Array<keyof TableNames>) {
    for await (const e of store.clients.table(store.names.tables[key]).listEntities<Record<string, unknown>>()) {
      const text = JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      out.push({ where: `${key}/${String(e.partitionKey)}/${String(e.rowKey)}`, text });
    }
  }
  const { exports, rejects, config } = store.names.containers;
  for (const name of [exports, rejects, config]) {
    const container = store.clients.blobService.getContainerClient(name);
    if (!(await container.exists())) continue;
    for await (const blob of container.listBlobsFlat()) {
      out.push({
        where: `${name}/${blob.name}`,
        text: (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'),
      });
    }
  }
  return out;
}

/** A store with one generated export uploaded, ingested (pseudonymised when given) and analysed. */
export async function analysedStore(
  label: string,
  options: { records?: number; seed?: number; pseudonymizer?: Pseudonymizer | null } = {},
): Promise<{ store: Store; lines: string[] }> {
  const store = await freshStore(label);
  const lines = ndjsonLines(generated({ records: options.records ?? 800, seed: options.seed ?? 41 }).text);
  const content = ndjson(lines);
  const response = await store.exports.getBlockBlobClient('p.ndjson').upload(content, content.length);
  const result = await ingestExport(
    { blobName: 'p.ndjson', etag: response.etag!, content },
    { store, pseudonymizer: options.pseudonymizer ?? null },
  );
  if (result.outcome !== 'completed') throw new Error('ingestion did not complete');
  await analyseMarkedMeetings({ store }, { deadline: FAR() });
  return { store, lines };
}
