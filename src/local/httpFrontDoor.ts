// The local host's HTTP server: listens on 127.0.0.1, sends each request to the admin API or to the
// function routes, and turns refusals into plain-text answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorMessage, type HostRuntime } from './hostRuntime.js';

/** A refusal with its status and a message a person can act on. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new HttpError(413, `Request body larger than ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendText(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
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

export async function listen(runtime: HostRuntime, port: number, handlers: FrontDoorHandlers): Promise<ListeningServer> {
  const { routePrefix } = handlers;
  let boundPort = port;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${boundPort}`);
    const path = url.pathname.replace(/^\/+|\/+$/g, '');
    const work = (async () => {
      const admin = /^admin\/functions\/([^/]+)$/i.exec(path);
      if (admin) return handlers.admin(req, res, decodeURIComponent(admin[1]!));
      const prefix = routePrefix === '' ? '' : `${routePrefix}/`;
      if (routePrefix === '' || path.toLowerCase() === routePrefix.toLowerCase() || path.toLowerCase().startsWith(prefix.toLowerCase())) {
        return handlers.api(req, res, url, routePrefix === '' ? path : path.slice(Math.min(path.length, prefix.length)));
      }
      throw new HttpError(404, `Nothing here; functions answer under /${routePrefix}/`);
    })();
    void runtime.track(
      work.catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof HttpError) {
          sendText(res, err.status, err.message);
        } else {
          runtime.log(`Request handling failed: ${errorMessage(err)}`);
          sendText(res, 500, 'Internal error in the local host');
        }
      }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' ? new Error(`HTTP port ${port} is already in use; stop what listens there or set PORT to another port`) : err,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  boundPort = typeof address === 'object' && address ? address.port : port;
  return { server, port: boundPort };
}
