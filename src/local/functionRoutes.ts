// /api/<route>: finds the HTTP function whose route template fits (most specific first), invokes it
// with the request, and writes its response back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { HttpRoute } from './registrations.js';
import { HttpError, readBody } from './requestGuards.js';
import { invocationErrorMessage, type HostRuntime } from './hostRuntime.js';

/** The request body limit of Azure Functions' HTTP triggers (100 MB); GET and HEAD take none. */
export const MAX_FUNCTION_BODY_BYTES = 100 * 1024 * 1024;

export function functionRouteHandler(
  runtime: HostRuntime,
  routePrefix: string,
  httpRoutes: readonly HttpRoute[],
): (req: IncomingMessage, res: ServerResponse, url: URL, subPath: string) => Promise<void> {
  const { log, emit } = runtime;
  return async (req, res, url, subPath) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = httpRoutes
      .map((r) => ({ r, m: r.route.match(subPath) }))
      .filter((x): x is { r: HttpRoute; m: NonNullable<typeof x.m> } => x.m !== undefined);
    if (matches.length === 0) throw new HttpError(404, 'No function answers at this route');
    const hit = matches.find((x) => x.r.methods.has(method));
    if (!hit) {
      const allowed = [...new Set(matches.flatMap((x) => [...x.r.methods]))].join(', ');
      throw new HttpError(405, `Method ${method} is not allowed here; use ${allowed}`, { allow: allowed });
    }
    // The front door has refused GET and HEAD requests with a body.
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, res, MAX_FUNCTION_BODY_BYTES);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const started = Date.now();
    const label = `${method} /${routePrefix ? `${routePrefix}/` : ''}${hit.r.route.template}`;
    log(`Executing '${hit.r.fn.name}' (Reason='${label}')`);
    const invocationId = randomUUID();
    let result;
    try {
      result = await hit.r.fn.invoke(
        { kind: 'http', method, url: url.toString(), headers, params: hit.m.params, body },
        { invocationId, log: runtime.functionLog },
      );
    } catch (err) {
      emit({
        functionName: hit.r.fn.name,
        invocationId,
        reason: 'http',
        outcome: 'failed',
        durationMs: Date.now() - started,
        error: invocationErrorMessage(err),
      });
      res.writeHead(500);
      res.end();
      return;
    }
    emit({
      functionName: hit.r.fn.name,
      invocationId,
      reason: 'http',
      outcome: 'succeeded',
      durationMs: Date.now() - started,
    });
    if (!result.http) {
      res.writeHead(204);
      res.end();
      return;
    }
    const outHeaders: Record<string, string | string[]> = {};
    for (const [key, value] of result.http.headers) {
      if (key.toLowerCase() !== 'content-length') outHeaders[key] = value;
    }
    if (result.http.cookies.length > 0) outHeaders['set-cookie'] = result.http.cookies;
    res.writeHead(result.http.status, outHeaders);
    res.end(method === 'HEAD' ? undefined : result.http.body);
  };
}
