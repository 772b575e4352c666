// Bench child: concurrent load on the registered report handlers, in this process as one Functions
// instance would run them: CLIENTS callers, each sending its next request as soon as the last one is
// answered, for DURATION_MS. Records latency percentiles and throughput for the section's targets.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { reportHandlers } from '../../src/functions/reports.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';
import { bigMeetingId, recordResult, storeWithPrefix } from '../pipeline/common.js';
import { LOAD_MEETINGS, LOAD_STORE_PREFIX } from './store.js';
import { TOWN_HALL_ID } from './townHall.js';

/** The text body of a handler's answer (these handlers answer with text). */
function bodyText(response: { body?: unknown }): string {
  if (typeof response.body !== 'string') throw new Error(`expected a text body, got ${typeof response.body}`);
  return response.body;
}

const DURATION_MS = 20_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

type Scenario = 'disconnections' | 'disconnections-distinct' | 'meetings' | 'meeting' | 'town-hall';

function request(scenario: Scenario, i: number): { handler: string; request: HttpRequest } {
  switch (scenario) {
    case 'disconnections':
      return {
        handler: 'reportDisconnections',
        request: new HttpRequest({ method: 'GET', url: 'http://localhost/api/disconnections' }),
      };
    case 'disconnections-distinct': {
      // A different query each time (no two callers share a read): what one Azurite query costs under load.
      const url = `http://localhost/api/disconnections?organizer=organizer${i % 50}%40contoso.com&limit=${50 + (i % 50)}`;
      return { handler: 'reportDisconnections', request: new HttpRequest({ method: 'GET', url }) };
    }
    case 'meetings':
      return {
        handler: 'reportMeetings',
        request: new HttpRequest({ method: 'GET', url: 'http://localhost/api/meetings' }),
      };
    case 'meeting': {
      const meetingId = bigMeetingId((i * 7919) % LOAD_MEETINGS);
      return {
        handler: 'reportMeeting',
        request: new HttpRequest({
          method: 'GET',
          url: `http://localhost/api/meetings/${meetingId}`,
          params: { meetingId },
        }),
      };
    }
    case 'town-hall':
      return {
        handler: 'reportMeeting',
        request: new HttpRequest({
          method: 'GET',
          url: `http://localhost/api/meetings/${TOWN_HALL_ID}`,
          params: { meetingId: TOWN_HALL_ID },
        }),
      };
  }
}

async function main(): Promise<void> {
  const [scenario, clientsText, caseId] = process.argv.slice(2) as [Scenario, string, string];
  const clients = Number(clientsText);
  if (
    !['disconnections', 'disconnections-distinct', 'meetings', 'meeting', 'town-hall'].includes(scenario) ||
    !(clients >= 1) ||
    caseId === undefined
  ) {
    throw new Error(
      'usage: loadCase disconnections|disconnections-distinct|meetings|meeting|town-hall CLIENTS CASE_ID',
    );
  }
  usePipelineServices(servicesFor(storeWithPrefix(LOAD_STORE_PREFIX)));
  const context = new InvocationContext({ functionName: 'bench', logHandler: () => {} });
  let sent = 0;
  let maxBytes = 0;
  const call = async (): Promise<number> => {
    const { handler, request: r } = request(scenario, sent++);
    const started = process.hrtime.bigint();
    const response = await reportHandlers[handler]!(r, context);
    if (response.status !== 200)
      throw new Error(`${scenario}: answered ${String(response.status)}: ${bodyText(response).slice(0, 200)}`);
    maxBytes = Math.max(maxBytes, Buffer.byteLength(bodyText(response)));
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // Warm-up: the config, the token key, the first connections.
  await Promise.all(Array.from({ length: clients }, () => call()));
  const times: number[] = [];
  const until = Date.now() + DURATION_MS;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) times.push(await call());
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  times.sort((a, b) => a - b);
  recordResult(caseId, {
    clients,
    requests: times.length,
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
    maxBytes,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`loadCase: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
