// POST /admin/functions/{name}: runs a timer- or blob-triggered function at once, as the Functions
// host's admin API does. Answers 202; the outcome goes to the host log and the invocation listeners.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CapturedFunction } from './captureRegistrations.js';
import type { BlobTriggers, BlobWatch } from './blobTriggers.js';
import type { TimerScheduler, TimerState } from './timerTriggers.js';
import { HttpError, readBody } from './httpFrontDoor.js';
import type { HostRuntime } from './hostRuntime.js';

export interface AdminApiParts {
  runtime: HostRuntime;
  routePrefix: string;
  byName: ReadonlyMap<string, CapturedFunction>;
  blobWatches: readonly BlobWatch[];
  timers: readonly TimerState[];
  blobTriggers: BlobTriggers;
  scheduler: TimerScheduler;
}

export function adminHandler(parts: AdminApiParts): (req: IncomingMessage, res: ServerResponse, name: string) => Promise<void> {
  const { runtime, routePrefix, byName, blobWatches, timers } = parts;
  return async (req, res, name) => {
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST to invoke a function');
    const fn = byName.get(name.toLowerCase());
    if (!fn) throw new HttpError(404, `No function named "${name}"`);
    const body = await readBody(req);
    let input: unknown;
    if (body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'The body must be JSON: { "input": "..." }');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new HttpError(400, 'The body must be a JSON object: { "input": "..." }');
      }
      input = (parsed as Record<string, unknown>)['input'];
    }
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      throw new HttpError(400, `"${fn.name}" is an HTTP function; call it at its route under /${routePrefix}/`);
    }
    if (type === 'timertrigger') {
      const timer = timers.find((t) => t.fn === fn)!;
      parts.scheduler.fire(timer, new Date(), 'admin');
    } else {
      const watch = blobWatches.find((w) => w.fn === fn)!;
      if (typeof input !== 'string' || input === '') {
        throw new HttpError(400, `"${fn.name}" is blob-triggered: send { "input": "${watch.pattern.container}/<blob name>" }`);
      }
      const containerPrefix = `${watch.pattern.container}/`;
      if (!input.startsWith(containerPrefix)) {
        throw new HttpError(400, `"input" must name a blob in ${watch.pattern.container}: "${containerPrefix}<blob name>"`);
      }
      const blobName = input.slice(containerPrefix.length);
      const params = watch.pattern.match(blobName);
      if (!params) throw new HttpError(400, `Blob name "${blobName}" does not fit the trigger path of "${fn.name}"`);
      runtime.log(`Executing '${fn.name}' (Reason='Invoked via the admin API: ${input}')`);
      parts.blobTriggers.invokeNow(watch, blobName, params);
    }
    res.writeHead(202);
    res.end();
  };
}
