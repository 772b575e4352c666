// Bench section `pipeline`: the Azure side on Azurite. Ingestion of a 50,000-record export blob, streamed
// from storage through the blob trigger's SDK binding, against the write ceiling of the same Azurite (the
// same entities, batching and parallelism, without parsing); its peak RSS, and that of a 500,000-row
// export (about 500 MB) of mostly other operations, read and skipped (Azurite's table store breaks near
// 536 MB of stored entities, so the big file stores about as much as the small one); analysis of 100,000
// sessions in 2,000 marked meetings against its own ceiling (the same table reads and writes without
// detection), and report latency on a store of 500,000 sessions. Azurite has no throughput model: these
// numbers compare code paths on one machine, they do not predict Azure.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  formatMb,
  peakRssAtMost,
  type BenchCase,
  type BenchContext,
  type BenchSection,
  type Target,
} from '../harness.js';
import { describeInput, ensureInput } from '../inputs.js';
import { MIXED_50K } from './cli.js';
import {
  ANALYSIS_MEETINGS,
  BIG_MEETINGS,
  BIG_STORE_PREFIX,
  SESSIONS_PER_MEETING,
  readResults,
  storeWithPrefix,
} from '../pipeline/common.js';
import { writeBigStore, writeCeilingRecords, writeMostlySkippedExport } from '../pipeline/datasets.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';
import { BlobServiceClient } from '@azure/storage-blob';

const CHILDREN = join(__dirname, '..', 'pipeline');
/** The container the ingest cases read their export blobs from. */
const EXPORTS_CONTAINER = 'bench-exports';
/** Rows of other operations for the 500,000-row export (half of this file's rows). */
export const OTHER_OPERATIONS_100K = {
  seed: 5,
  records: 100_000,
  scenario: 'mixed',
  format: 'purview-v3',
  otherOperationsShare: 0.5,
} as const;
const BIG_EXPORT_ROWS = 500_000;

/** Uploads the export files the ingest cases read (in this process, so no case pays for it). */
async function uploadExports(connectionString: string, paths: readonly string[]): Promise<void> {
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(EXPORTS_CONTAINER);
  await container.createIfNotExists();
  for (const path of paths) await container.getBlockBlobClient(basename(path)).uploadFile(path);
}

/** Peak RSS within `share` of another case's peak. */
function peakRssNear(referenceId: string, share: number): Target {
  const description = `RSS within ${Math.round(share * 100)} % of the 50,000-row ingest`;
  return {
    description,
    check: (r, all) => {
      const ref = all.get(referenceId)?.peakRssBytes;
      if (ref === undefined || r.peakRssBytes === undefined)
        return { description, pass: undefined, detail: 'RSS not reported' };
      const ratio = r.peakRssBytes / ref;
      return {
        description,
        pass: ratio <= 1 + share,
        detail: `${formatMb(r.peakRssBytes)} (${ratio.toFixed(2)}× ${formatMb(ref)})`,
      };
    },
  };
}

/** Starts the section's Azurite in a helper process that stops it when the bench runner exits. */
export async function startBenchAzurite(ctx: BenchContext): Promise<string> {
  const child = spawn(process.execPath, [join(CHILDREN, 'azuriteServer.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bench Azurite exited (code ${String(code)}) before starting`)));
  });
  lines.close();
  child.unref();
  (child.stdin as unknown as Socket).unref();
  (child.stdout as unknown as Socket).unref();
  ctx.log('pipeline: Azurite started for the section');
  return (JSON.parse(first) as { connectionString: string }).connectionString;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function numbers(dir: string, caseId: string, field: string): number[] {
  return readResults(dir, caseId)
    .map((r) => Number(r[field]))
    .filter((n) => Number.isFinite(n));
}

function ratioToCeiling(dir: string, minimum: number): Target {
  const description = `≥ ${minimum} of the write ceiling`;
  return {
    description,
    check: () => {
      const ingest = median(numbers(dir, 'pipeline-ingest', 'ms'));
      const ceiling = median(numbers(dir, 'pipeline-ceiling', 'ms'));
      const rows = numbers(dir, 'pipeline-ingest', 'rows')[0];
      const entities = numbers(dir, 'pipeline-ceiling', 'entities')[0];
      if (ingest === undefined || ceiling === undefined || rows === undefined || entities === undefined) {
        return { description, pass: undefined, detail: 'not measured' };
      }
      const ratio = ceiling / ingest;
      const detail =
        `ingestExport ${Math.round((rows * 1000) / ingest).toLocaleString('en-US')} rows/s in ${(ingest / 1000).toFixed(1)} s; ` +
        `ceiling ${(ceiling / 1000).toFixed(1)} s for the same ${entities.toLocaleString('en-US')} entities; ratio ${ratio.toFixed(2)}`;
      return { description, pass: ratio >= minimum, detail };
    },
  };
}

/** The analysis within `factor` × its ceiling (the same table reads and writes, no detection), medians of this run. */
function analysisWithinCeiling(dir: string, factor: number): Target {
  const description = `≤ ${factor}× the analysis ceiling`;
  return {
    description,
    check: () => {
      const analysis = median(numbers(dir, 'pipeline-analysis', 'ms'));
      const ceiling = median(numbers(dir, 'pipeline-analysis-ceiling', 'ms'));
      if (analysis === undefined || ceiling === undefined)
        return { description, pass: undefined, detail: 'not measured' };
      const ratio = analysis / ceiling;
      const detail = `analysis ${(analysis / 1000).toFixed(1)} s, ceiling ${(ceiling / 1000).toFixed(1)} s (medians); ratio ${ratio.toFixed(2)}`;
      return { description, pass: ratio <= factor, detail };
    },
  };
}

function latency(dir: string, caseId: string, p95Ms: number, noSessionReads: boolean): Target {
  const description = `p95 < ${p95Ms} ms${noSessionReads ? ', no sessions read' : ''}`;
  return {
    description,
    check: () => {
      const last = readResults(dir, caseId).at(-1);
      if (last === undefined) return { description, pass: undefined, detail: 'not measured' };
      const p50 = Number(last.p50);
      const p95 = Number(last.p95);
      const reads = Number(last.sessionsReads);
      const detail = `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${String(last.requests)} requests; ${reads} sessions-table queries`;
      return { description, pass: p95 < p95Ms && (!noSessionReads || reads === 0), detail };
    },
  };
}

export const section: BenchSection = {
  id: 'pipeline',
  title: 'Pipeline on Azurite: ingestion, analysis, report latency',
  order: 40,
  async prepare(ctx) {
    const mixed = await ensureInput(ctx, 'mixed-50k-v3.csv', { ...MIXED_50K });
    const entitiesPath = join(ctx.outDir, 'mixed-50k-v3.records.jsonl');
    if (ctx.regenerate || !existsSync(entitiesPath) || statSync(entitiesPath).mtimeMs < statSync(mixed.path).mtimeMs) {
      ctx.log('pipeline: parsing the export once for the write ceiling');
      await writeCeilingRecords(mixed.path, entitiesPath);
    }
    const resultsDir = join(ctx.outDir, 'pipeline-results');
    rmSync(resultsDir, { recursive: true, force: true });
    mkdirSync(resultsDir, { recursive: true });

    // The 50,000-row export, then 450,000 rows of other operations (each of the filler's 50,000 nine times).
    const filler = await ensureInput(ctx, 'other-operations-100k-v3.csv', { ...OTHER_OPERATIONS_100K });
    const bigPath = join(ctx.outDir, 'mostly-skipped-500k-v3.csv');
    if (
      ctx.regenerate ||
      !existsSync(bigPath) ||
      statSync(bigPath).mtimeMs < Math.max(statSync(mixed.path).mtimeMs, statSync(filler.path).mtimeMs)
    ) {
      ctx.log('pipeline: writing the 500,000-row export of mostly other operations');
      await writeMostlySkippedExport(mixed.path, filler.path, bigPath, BIG_EXPORT_ROWS);
    }
    const big500k = {
      path: bigPath,
      name: basename(bigPath),
      bytes: statSync(bigPath).size,
      rows: BIG_EXPORT_ROWS,
      meetings: mixed.meetings,
    };
    const connectionString = await startBenchAzurite(ctx);
    ctx.log('pipeline: uploading the export blobs');
    await uploadExports(connectionString, [mixed.path, big500k.path]);
    const big = storeWithPrefix(BIG_STORE_PREFIX, connectionString);
    await big.ensureCreated();
    ctx.log(
      `pipeline: writing ${(BIG_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions in ${BIG_MEETINGS.toLocaleString('en-US')} meetings (several minutes)`,
    );
    await writeBigStore(big, ctx.log);
    ctx.log('pipeline: analysing them');
    const analysed = await analyseMarkedMeetings({ store: big }, { deadline: Date.now() + 3_600_000 });
    ctx.log(`pipeline: big store ready (${analysed.analysed} meetings, ${analysed.disconnections} disconnections)`);

    const env = { BENCH_STORAGE_CONNECTION: connectionString, BENCH_PIPELINE_RESULTS: resultsDir };
    const child = (script: string, args: string[]): BenchCase['command'] => ({
      runtime: 'node',
      script: join(CHILDREN, script),
      args,
      env,
    });
    const bigInput = `${(BIG_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions, ${BIG_MEETINGS.toLocaleString('en-US')} meetings`;
    return [
      {
        id: 'pipeline-ceiling',
        label: 'write ceiling (same writes, records already parsed)',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 3,
        command: child('ceilingCase.js', [entitiesPath, 'pipeline-ceiling']),
      },
      {
        id: 'pipeline-ingest',
        label: 'ingestExport of a 50,000-record export blob (streamed)',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 3,
        command: child('ingestCase.js', [EXPORTS_CONTAINER, basename(mixed.path), 'pipeline-ingest']),
        targets: [ratioToCeiling(resultsDir, 0.8), peakRssAtMost(200)],
      },
      {
        id: 'pipeline-ingest-500k',
        label: 'ingestExport of a 500,000-row export blob, 9 in 10 rows skipped (streamed)',
        input: describeInput(big500k),
        records: big500k.rows,
        runs: 1,
        command: child('ingestCase.js', [EXPORTS_CONTAINER, basename(big500k.path), 'pipeline-ingest-500k']),
        targets: [peakRssNear('pipeline-ingest', 0.1)],
      },
      {
        id: 'pipeline-analysis-ceiling',
        label: `analysis ceiling: the same ${ANALYSIS_MEETINGS.toLocaleString('en-US')} meetings read and their results written, no detection`,
        input: `${(ANALYSIS_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions of the ${bigInput} store`,
        records: ANALYSIS_MEETINGS * SESSIONS_PER_MEETING,
        runs: 3,
        command: child('analysisCeilingCase.js', ['pipeline-analysis-ceiling']),
      },
      {
        id: 'pipeline-analysis',
        label: `analyzeDisconnections: ${ANALYSIS_MEETINGS.toLocaleString('en-US')} marked meetings`,
        input: `${(ANALYSIS_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions of the ${bigInput} store`,
        records: ANALYSIS_MEETINGS * SESSIONS_PER_MEETING,
        runs: 3,
        command: child('analysisCase.js', ['pipeline-analysis']),
        targets: [analysisWithinCeiling(resultsDir, 1.3)],
      },
      {
        id: 'pipeline-http-meeting',
        label: 'GET /api/meetings/{id} (300 requests)',
        input: bigInput,
        records: 300,
        runs: 1,
        command: child('httpCase.js', ['meeting', 'pipeline-http-meeting']),
        targets: [latency(resultsDir, 'pipeline-http-meeting', 200, false)],
      },
      {
        id: 'pipeline-http-disconnections',
        label: 'GET /api/disconnections, first page (300 requests)',
        input: bigInput,
        records: 300,
        runs: 1,
        command: child('httpCase.js', ['disconnections', 'pipeline-http-disconnections']),
        targets: [latency(resultsDir, 'pipeline-http-disconnections', 200, true)],
      },
    ];
  },
};
