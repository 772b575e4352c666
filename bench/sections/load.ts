// Bench section `load`: the report API under concurrent load on Azurite. A store of 100,000 sessions in
// 2,000 analysed meetings and a 20,000-attendee town hall (built before any case; not measured), then
// 20 callers for 20 s on each of /api/disconnections (first page), /api/meetings (first page) and
// /api/meetings/{id} (random meetings), and the town hall's first page. The handlers run in the case's
// own process, as in one Functions instance, without the HTTP hop. Azurite answers every query by
// scanning and sorting its in-memory table (one thread): its figures compare code paths, not Azure.
import { join } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import type { BenchCase, BenchSection, Target } from '../harness.js';
import { readResults, storeWithPrefix } from '../pipeline/common.js';
import { buildLoadStore, LOAD_MEETINGS, LOAD_SESSIONS, LOAD_STORE_PREFIX } from '../load/store.js';
import { TOWN_HALL_ATTENDEES } from '../load/townHall.js';
import { startBenchAzurite } from './pipeline.js';

const CHILDREN = join(__dirname, '..', 'load');
export const LOAD_CLIENTS = 20;

function latencies(dir: string, caseId: string): { detail: string; p95: number; bytes: number } | undefined {
  const last = readResults(dir, caseId).at(-1);
  if (last === undefined) return undefined;
  const [p50, p95, p99, max, bytes] = [last.p50, last.p95, last.p99, last.max, last.maxBytes].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const detail =
    `${String(last.clients)} clients: ${Number(last.perSecond).toFixed(1)} req/s; p50 ${p50.toFixed(0)}, p95 ${p95.toFixed(0)}, ` +
    `p99 ${p99.toFixed(0)}, max ${max.toFixed(0)} ms over ${String(last.requests)} requests; largest body ${(bytes / 1000).toFixed(0)} kB`;
  return { detail, p95, bytes };
}

/** p95 (and, when given, the body size) of the last run of a case. */
function p95AtMost(dir: string, caseId: string, ms: number, maxBytes?: number): Target {
  const description = `p95 ≤ ${ms} ms${maxBytes === undefined ? '' : `, body ≤ ${Math.round(maxBytes / 1000)} kB`}`;
  return {
    description,
    check: () => {
      const l = latencies(dir, caseId);
      if (l === undefined) return { description, pass: undefined, detail: 'not measured' };
      return { description, pass: l.p95 <= ms && (maxBytes === undefined || l.bytes <= maxBytes), detail: l.detail };
    },
  };
}

/** Latencies reported without a target (a reference). */
function reported(dir: string, caseId: string): Target {
  const description = 'reference';
  return {
    description,
    check: () => {
      const l = latencies(dir, caseId);
      return l === undefined
        ? { description, pass: undefined, detail: 'not measured' }
        : { description, pass: true, detail: l.detail };
    },
  };
}

export const section: BenchSection = {
  id: 'load',
  title: 'Report API under concurrent load on Azurite',
  order: 45,
  async prepare(ctx) {
    const resultsDir = join(ctx.outDir, 'load-results');
    rmSync(resultsDir, { recursive: true, force: true });
    mkdirSync(resultsDir, { recursive: true });
    const connectionString = await startBenchAzurite(ctx);
    const built = await buildLoadStore(storeWithPrefix(LOAD_STORE_PREFIX, connectionString), ctx.log);
    ctx.log(
      `load: store ready (${built.meetings.toLocaleString('en-US')} meetings, ${built.disconnections.toLocaleString('en-US')} disconnections)`,
    );
    const env = { BENCH_STORAGE_CONNECTION: connectionString, BENCH_PIPELINE_RESULTS: resultsDir };
    const input = `${LOAD_SESSIONS.toLocaleString('en-US')} sessions in ${LOAD_MEETINGS.toLocaleString('en-US')} meetings + a ${TOWN_HALL_ATTENDEES.toLocaleString('en-US')}-attendee town hall`;
    const loadCase = (id: string, label: string, scenario: string, clients: number, targets: Target[]): BenchCase => ({
      id,
      label,
      input,
      records: clients,
      runs: 1,
      targets,
      command: { runtime: 'node', script: join(CHILDREN, 'loadCase.js'), args: [scenario, String(clients), id], env },
    });
    return [
      loadCase(
        'load-disconnections',
        `GET /api/disconnections, ${LOAD_CLIENTS} clients, 20 s`,
        'disconnections',
        LOAD_CLIENTS,
        [p95AtMost(resultsDir, 'load-disconnections', 300)],
      ),
      loadCase(
        'load-disconnections-distinct',
        `GET /api/disconnections, ${LOAD_CLIENTS} clients, every query different (no shared reads)`,
        'disconnections-distinct',
        LOAD_CLIENTS,
        [reported(resultsDir, 'load-disconnections-distinct')],
      ),
      loadCase('load-meetings', `GET /api/meetings, ${LOAD_CLIENTS} clients, 20 s`, 'meetings', LOAD_CLIENTS, [
        p95AtMost(resultsDir, 'load-meetings', 300),
      ]),
      loadCase('load-meeting', `GET /api/meetings/{id}, ${LOAD_CLIENTS} clients, 20 s`, 'meeting', LOAD_CLIENTS, [
        p95AtMost(resultsDir, 'load-meeting', 150),
      ]),
      loadCase('load-town-hall', 'GET /api/meetings/{town hall}, first page, 1 client, 20 s', 'town-hall', 1, [
        p95AtMost(resultsDir, 'load-town-hall', 500, 250_000),
      ]),
    ];
  },
};
