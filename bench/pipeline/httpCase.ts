// Bench child: latency of the registered report handlers on the 500,000-session store:
// GET /api/meetings/{id} for random meetings, or the first page of GET /api/disconnections,
// counting every request the sessions table receives meanwhile.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { reportHandlers } from '../../src/functions/reports.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';
import { BIG_MEETINGS, BIG_STORE_PREFIX, bigMeetingId, recordResult, storeWithPrefix } from './common.js';

const REQUESTS = 300;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const [which, caseId] = process.argv.slice(2);
  if ((which !== 'meeting' && which !== 'disconnections') || caseId === undefined)
    throw new Error('usage: httpCase meeting|disconnections CASE_ID');
  const store = storeWithPrefix(BIG_STORE_PREFIX);
  let sessionsReads = 0;
  const client = store.sessions.client;
  const listEntities = client.listEntities.bind(client);
  client.listEntities = (...args: Parameters<typeof listEntities>) => {
    sessionsReads++;
    return listEntities(...args);
  };
  usePipelineServices(servicesFor(store));
  const context = new InvocationContext({ functionName: 'bench', logHandler: () => {} });
  const call = async (i: number): Promise<{ ms: number; reads: number }> => {
    const before = sessionsReads;
    const started = process.hrtime.bigint();
    let status: number | undefined;
    if (which === 'meeting') {
      const meetingId = bigMeetingId((i * 7919) % BIG_MEETINGS);
      status = (
        await reportHandlers.reportMeeting!(
          new HttpRequest({ method: 'GET', url: `http://localhost/api/meetings/${meetingId}`, params: { meetingId } }),
          context,
        )
      ).status;
    } else {
      status = (
        await reportHandlers.reportDisconnections!(
          new HttpRequest({ method: 'GET', url: 'http://localhost/api/disconnections' }),
          context,
        )
      ).status;
    }
    if (status !== 200) throw new Error(`request ${i} answered ${String(status)}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, reads: sessionsReads - before };
  };
  await call(0); // warm-up: config load and table creation check
  const times: number[] = [];
  let reads = 0;
  for (let i = 1; i <= REQUESTS; i++) {
    const r = await call(i);
    times.push(r.ms);
    reads += r.reads;
  }
  times.sort((a, b) => a - b);
  recordResult(caseId, {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    requests: REQUESTS,
    sessionsReads: reads,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`httpCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
