// The dashboard of a Function App that uses function keys (no Entra sign-in), served from this machine. The
// page and its files come from dist/dashboard, and each report API call is forwarded to the app with the key in
// the x-functions-key header. The key stays in this process, read from the REPORTS_KEY environment variable; the
// browser never sees it, in a URL or anywhere else. Listens on 127.0.0.1 only, and answers only requests
// addressed to that host, so a web page cannot reach it through a DNS name of its own.
//   REPORTS_KEY=<host key> node dist/src/dashboard/remoteDashboard.js https://<app>.azurewebsites.net [port]
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DashboardAssets } from './assets.js';

export interface RemoteDashboardOptions {
  /** The app's address: `https://<app>.azurewebsites.net`, with or without `/api`. */
  appUrl: string;
  /** A host key of the app (the default one opens every report route). */
  key: string;
  /** Local port; 0 (the default) takes a free one. */
  port?: number;
  assets?: DashboardAssets;
}

export interface RemoteDashboard {
  /** The dashboard's local address, e.g. `http://127.0.0.1:7072/api/dashboard`. */
  url: string;
  close(): Promise<void>;
}

/** Headers of the app's answer that go back to the browser. */
const PASSED_BACK = ['content-type', 'cache-control', 'x-continuation-token', 'www-authenticate', 'retry-after'];

function send(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(`${message}\n`);
}

export async function startRemoteDashboard(options: RemoteDashboardOptions): Promise<RemoteDashboard> {
  const app = new URL(options.appUrl);
  if (app.protocol !== 'https:' && app.hostname !== '127.0.0.1' && app.hostname !== 'localhost') {
    throw new Error(`the app's address must use https (the key goes with every call): ${options.appUrl}`);
  }
  if (options.key.trim() === '') throw new Error('no function key: set REPORTS_KEY to a host key of the app');
  const assets = options.assets ?? new DashboardAssets();
  let hosts: Set<string> = new Set();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hosts.has((req.headers.host ?? '').toLowerCase()))
      return send(res, 403, 'This dashboard answers only at its own address.');
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Use GET');
    const url = new URL(req.url ?? '/', 'http://local');
    const dashboard = /^\/api\/dashboard(?:\/(.*))?$/.exec(url.pathname);
    if (dashboard) {
      const answer = assets.respond({
        asset: decodeURIComponent(dashboard[1] ?? ''),
        pathname: url.pathname,
        method,
        signIn: 'functionKey',
        ...(req.headers['accept-encoding'] ? { acceptEncoding: String(req.headers['accept-encoding']) } : {}),
      });
      res.writeHead(answer.status, answer.headers).end(method === 'HEAD' ? undefined : answer.body);
      return;
    }
    if (!url.pathname.startsWith('/api/')) return send(res, 404, 'Not found: the dashboard is at /api/dashboard');
    const headers: Record<string, string> = { 'x-functions-key': options.key };
    if (req.headers.accept) headers['accept'] = String(req.headers.accept);
    let answer: Response;
    try {
      answer = await fetch(new URL(`${url.pathname}${url.search}`, app.origin), {
        method,
        headers,
        redirect: 'manual',
      });
    } catch (error) {
      return send(
        res,
        502,
        `The app at ${app.origin} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const back: Record<string, string> = {};
    for (const name of PASSED_BACK) {
      const value = answer.headers.get(name);
      if (value !== null) back[name] = value;
    }
    res.writeHead(answer.status, back).end(method === 'HEAD' ? undefined : Buffer.from(await answer.arrayBuffer()));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, `The dashboard failed: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}/api/dashboard`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const [appUrl, port] = argv;
  if (!appUrl) {
    console.error(
      'usage: REPORTS_KEY=<host key> node dist/src/dashboard/remoteDashboard.js https://<app>.azurewebsites.net [port]',
    );
    process.exitCode = 2;
    return;
  }
  const running = await startRemoteDashboard({
    appUrl,
    key: process.env['REPORTS_KEY'] ?? '',
    port: port === undefined ? 7072 : Number(port),
  });
  console.log(`The dashboard of ${new URL(appUrl).origin}: ${running.url} (Ctrl+C stops it)`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
