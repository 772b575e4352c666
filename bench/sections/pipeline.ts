// Bench section `pipeline`: the Azure side on Azurite. Ingestion of a 50,000-record export against
// the write ceiling of the same Azurite (the same entities, batching and parallelism, without
// parsing), analysis of 100,000 sessions in 2,000 marked meetings, and report latency on a store of
// 500,000 sessions. Azurite has no throughput model: these numbers compare code paths on one
// machine, they do not predict Azure.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { peakRssAtMost, type BenchCase, type BenchContext, type BenchSection, type Target } from '../harness.js';
import { describeInput, ensureInput } from '../inputs.js';
import { MIXED_50K } from './cli.js';
import { ANALYSIS_MEETINGS, BIG_MEETINGS, BIG_STORE_PREFIX, SESSIONS_PER_MEETING, readResults, storeWithPrefix } from '../pipeline/common.js';
import { writeBigStore, writeCeilingRecords } from '../pipeline/datasets.js';
import { analyseMarkedMeetings } from '../../src/pipeline/analyse.js';

const CHILDREN = join(__dirname, '..', 'pipeline');

/** Starts the section's Azurite in a helper process that stops it when the bench runner exits. */
async function startBenchAzurite(ctx: BenchContext): Promise<string> {
  const child = spawn(process.execPath, [join(CHILDREN, 'azuriteServer.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
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
  return readResults(dir, caseId).map((r) => Number(r[field])).filter((n) => Number.isFinite(n));
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
      const detail = `ingestExport ${Math.round((rows * 1000) / ingest).toLocaleString('en-US')} rows/s in ${(ingest / 1000).toFixed(1)} s; ` +
        `ceiling ${(ceiling / 1000).toFixed(1)} s for the same ${entities.toLocaleString('en-US')} entities; ratio ${ratio.toFixed(2)}`;
      return { description, pass: ratio >= minimum, detail };
    },
  };
}

function internalAtMost(dir: string, caseId: string, seconds: number, what: string): Target {
  const description = `${what} < ${seconds} s`;
  return {
    description,
    check: () => {
      const ms = median(numbers(dir, caseId, 'ms'));
      if (ms === undefined) return { description, pass: undefined, detail: 'not measured' };
      return { description, pass: ms < seconds * 1000, detail: `${(ms / 1000).toFixed(1)} s (median)` };
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

    const connectionString = await startBenchAzurite(ctx);
    const big = storeWithPrefix(BIG_STORE_PREFIX, connectionString);
    await big.ensureCreated();
    ctx.log(`pipeline: writing ${(BIG_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions in ${BIG_MEETINGS.toLocaleString('en-US')} meetings (several minutes)`);
    await writeBigStore(big, ctx.log);
    ctx.log('pipeline: analysing them');
    const analysed = await analyseMarkedMeetings({ store: big }, { deadline: Date.now() + 3_600_000 });
    ctx.log(`pipeline: big store ready (${analysed.analysed} meetings, ${analysed.disconnections} disconnections)`);

    const env = { BENCH_STORAGE_CONNECTION: connectionString, BENCH_PIPELINE_RESULTS: resultsDir };
    const child = (script: string, args: string[]): BenchCase['command'] => ({ runtime: 'node', script: join(CHILDREN, script), args, env });
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
        label: 'ingestExport of a 50,000-record export',
        input: describeInput(mixed),
        records: mixed.rows,
        runs: 3,
        command: child('ingestCase.js', [mixed.path, 'pipeline-ingest']),
        targets: [ratioToCeiling(resultsDir, 0.8), peakRssAtMost(400, true)],
      },
      {
        id: 'pipeline-analysis',
        label: `analyzeDisconnections: ${ANALYSIS_MEETINGS.toLocaleString('en-US')} marked meetings`,
        input: `${(ANALYSIS_MEETINGS * SESSIONS_PER_MEETING).toLocaleString('en-US')} sessions of the ${bigInput} store`,
        records: ANALYSIS_MEETINGS * SESSIONS_PER_MEETING,
        runs: 3,
        command: child('analysisCase.js', ['pipeline-analysis']),
        targets: [internalAtMost(resultsDir, 'pipeline-analysis', 30, 'analysis')],
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
