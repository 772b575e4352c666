// POST /admin/functions/{name}: runs a timer- or blob-triggered function at once, as the Functions
// host's admin API does. Answers 202; the outcome goes to the host log and the invocation listeners.
// As in Azure, where it takes the master key, it takes a key: one made at each start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CapturedFunction } from './captureRegistrations.js';
import type { BlobTriggers, BlobWatch } from './blobTriggers.js';
import type { TimerScheduler, TimerState } from './timerTriggers.js';
import { checkAdminKey, checkSameOrigin, HttpError, readBody } from './requestGuards.js';
import { blobNameProblem } from './blobNames.js';
import { escapeForLog } from './logText.js';
import type { HostRuntime } from './hostRuntime.js';

/** An admin body is `{ "input": "<container>/<blob name>" }`: a blob name is at most 1,024 characters. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export interface AdminApiParts {
  runtime: HostRuntime;
  adminKey: string;
  routePrefix: string;
  byName: ReadonlyMap<string, CapturedFunction>;
  blobWatches: readonly BlobWatch[];
  timers: readonly TimerState[];
  blobTriggers: BlobTriggers;
  scheduler: TimerScheduler;
}

/** The `input` of the JSON body, if there is a body. */
function parseInput(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'The body is not UTF-8 text; send JSON: { "input": "..." }');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body must be JSON: { "input": "..." }');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'The body must be a JSON object: { "input": "..." }');
  }
  return (parsed as Record<string, unknown>)['input'];
}

/** The blob name of a blob trigger's admin input, confined to the container the trigger watches. */
function blobOfInput(
  fn: CapturedFunction,
  watch: BlobWatch,
  input: unknown,
): { blobName: string; params: Record<string, string> } {
  const container = watch.pattern.container;
  if (typeof input !== 'string' || input === '') {
    throw new HttpError(400, `"${fn.name}" is blob-triggered: send { "input": "${container}/<blob name>" }`);
  }
  const containerPrefix = `${container}/`;
  if (!input.startsWith(containerPrefix)) {
    throw new HttpError(
      400,
      `"input" must name a blob in ${container}, the container "${fn.name}" watches: "${containerPrefix}<blob name>"`,
    );
  }
  const blobName = input.slice(containerPrefix.length);
  const problem = blobNameProblem(blobName);
  if (problem) throw new HttpError(400, `"input" cannot be used: ${problem}`);
  const params = watch.pattern.match(blobName);
  if (!params)
    throw new HttpError(400, `Blob name ${JSON.stringify(blobName)} does not fit the trigger path of "${fn.name}"`);
  return { blobName, params };
}

export function adminHandler(
  parts: AdminApiParts,
): (req: IncomingMessage, res: ServerResponse, name: string) => Promise<void> {
  const { runtime, routePrefix, byName, blobWatches, timers } = parts;
  return async (req, res, name) => {
    checkSameOrigin(req);
    checkAdminKey(req, parts.adminKey);
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST to invoke a function', { allow: 'POST' });
    const fn = byName.get(name.toLowerCase());
    if (!fn) throw new HttpError(404, `No function named ${JSON.stringify(name)}`);
    const input = parseInput(await readBody(req, res, MAX_ADMIN_BODY_BYTES));
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      throw new HttpError(400, `"${fn.name}" is an HTTP function; call it at its route under /${routePrefix}/`);
    }
    if (type === 'timertrigger') {
      const timer = timers.find((t) => t.fn === fn)!;
      parts.scheduler.fire(timer, new Date(), 'admin');
    } else {
      const watch = blobWatches.find((w) => w.fn === fn)!;
      const { blobName, params } = blobOfInput(fn, watch, input);
      runtime.log(
        `Executing '${fn.name}' (Reason='Invoked via the admin API: ${watch.pattern.container}/${escapeForLog(blobName)}')`,
      );
      parts.blobTriggers.invokeNow(watch, blobName, params);
    }
    res.writeHead(202);
    res.end();
  };
}
