// The local host's HTTP server: listens on 127.0.0.1, checks each request (requestGuards), sends it
// to the admin API or to the function routes, and turns refusals into plain-text answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { invocationErrorMessage, type HostRuntime } from './hostRuntime.js';
import { escapeForLog } from './logText.js';
import { bodyHeldBack, checkHost, dropRestOfBody, HttpError, refuseBodyOnGet, requestPath } from './requestGuards.js';

export { HttpError } from './requestGuards.js';

export function sendText(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(message === '' ? undefined : `${message}\n`);
}

export interface FrontDoorHandlers {
  routePrefix: string;
  admin(req: IncomingMessage, res: ServerResponse, functionName: string): Promise<void>;
  api(req: IncomingMessage, res: ServerResponse, url: URL, subPath: string): Promise<void>;
}

export interface ListeningServer {
  server: Server;
  port: number;
}

export async function listen(
  runtime: HostRuntime,
  port: number,
  handlers: FrontDoorHandlers,
): Promise<ListeningServer> {
  const { routePrefix } = handlers;
  let boundPort = port;

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHost(req.headers.host);
    const rawPath = requestPath(req.url);
    refuseBodyOnGet(req);
    // The base is fixed and the target starts with "/", so the request cannot change the URL's host.
    let url: URL;
    try {
      url = new URL(`http://localhost:${boundPort}${req.url}`);
    } catch {
      throw new HttpError(400, 'The request target is not a valid URL path');
    }
    const path = rawPath.replace(/^\/+|\/+$/g, '');
    const admin = /^admin\/functions\/([^/]+)$/i.exec(path);
    if (admin) return handlers.admin(req, res, decodeURIComponent(admin[1]!));
    const prefix = routePrefix === '' ? '' : `${routePrefix}/`;
    if (
      routePrefix === '' ||
      path.toLowerCase() === routePrefix.toLowerCase() ||
      path.toLowerCase().startsWith(prefix.toLowerCase())
    ) {
      return handlers.api(req, res, url, routePrefix === '' ? path : path.slice(Math.min(path.length, prefix.length)));
    }
    throw new HttpError(404, `Nothing here; functions answer under /${routePrefix}/`);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const work = (async () => route(req, res))();
    void runtime.track(
      work.catch(async (err: unknown) => {
        if (res.headersSent) return;
        await dropRestOfBody(req, res);
        // A client waiting for "100 Continue" never got it: it sends no body, so the connection cannot carry on.
        const close: Record<string, string> = bodyHeldBack(req, res) ? { connection: 'close' } : {};
        if (err instanceof HttpError) {
          sendText(res, err.status, err.message, { ...err.headers, ...close });
        } else {
          runtime.log(`Request handling failed: ${escapeForLog(invocationErrorMessage(err))}`);
          sendText(res, 500, 'Internal error in the local host', close);
        }
      }),
    );
  }

  const server: Server = createServer(onRequest);
  // Requests with "Expect: 100-continue" come here too; readBody sends the 100 once the body is wanted.
  server.on('checkContinue', onRequest);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`HTTP port ${port} is already in use; stop what listens there or set PORT to another port`)
          : err,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  boundPort = typeof address === 'object' && address ? address.port : port;
  return { server, port: boundPort };
}
