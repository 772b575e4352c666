// A stand-in for App Service authentication (Easy Auth) in front of the local host, following its documented
// contract: `/.auth/login/aad?post_login_redirect_uri=<path>` signs the browser in (here without asking anyone),
// sets the session cookie and sends it back to that path; a request with a session reaches the app with
// x-ms-client-principal-id added (the same header from a client is dropped); one without a session gets 401 when
// it says it comes from a script (X-Requested-With: XMLHttpRequest), else a redirect to the sign-in route.
// `behaviour` lets a test end every session, refuse a signed-in caller (403, as the authorization policy does),
// answer scripts with the redirect too, or pass requests on without the principal (a broken front end).
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const SESSION_COOKIE = 'AppServiceAuthSession';
export const SIGNED_IN_PRINCIPAL = '11111111-2222-3333-4444-555555555555';

export interface StandInBehaviour {
  /** A script's request without a session: 401 (Easy Auth's answer) or the redirect a page gets. */
  scriptsWithoutSession: '401' | 'redirect';
  /** Signed-in callers are refused with 403 (not among the allowed applications or principals). */
  forbidden: boolean;
  /** API requests with a session (not the dashboard's own files) reach the app without the principal header. */
  dropPrincipal: boolean;
}

export interface EasyAuthStandIn {
  url: string;
  behaviour: StandInBehaviour;
  /** The post_login_redirect_uri of each sign-in, in order. */
  signIns: string[];
  /** Every request that reached the stand-in: method and path with query. */
  requests: string[];
  /** Ends every session: the next request has to sign in again. */
  endSessions(): void;
  close(): Promise<void>;
}

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export async function startEasyAuthStandIn(appUrl: string): Promise<EasyAuthStandIn> {
  const app = new URL(appUrl);
  const sessions = new Set<string>();
  const signIns: string[] = [];
  const requests: string[] = [];
  const behaviour: StandInBehaviour = { scriptsWithoutSession: '401', forbidden: false, dropPrincipal: false };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/.auth/login/aad') {
      const back = url.searchParams.get('post_login_redirect_uri') ?? '/';
      // Easy Auth sends the browser back only within the app.
      if (!back.startsWith('/') || back.startsWith('//')) {
        res.writeHead(400).end('post_login_redirect_uri must be a path of this app');
        return;
      }
      signIns.push(back);
      const session = randomBytes(16).toString('hex');
      sessions.add(session);
      res
        .writeHead(302, {
          location: back,
          'set-cookie': `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
        })
        .end();
      return;
    }
    const session = cookie(req.headers, SESSION_COOKIE);
    if (session === undefined || !sessions.has(session)) {
      const script = req.headers['x-requested-with'] === 'XMLHttpRequest';
      if (script && behaviour.scriptsWithoutSession === '401') {
        res
          .writeHead(401, { 'content-type': 'text/plain' })
          .end('You do not have permission to view this directory or page.');
      } else {
        res
          .writeHead(302, {
            location: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(`${url.pathname}${url.search}`)}`,
          })
          .end();
      }
      return;
    }
    if (behaviour.forbidden) {
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end('You do not have permission to view this directory or page.');
      return;
    }
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!name.startsWith('x-ms-client-principal')) headers[name] = value;
    headers['host'] = app.host;
    if (!behaviour.dropPrincipal || url.pathname.startsWith('/api/dashboard')) {
      headers['x-ms-client-principal-id'] = SIGNED_IN_PRINCIPAL;
      headers['x-ms-client-principal-name'] = 'analyst@contoso.example';
      headers['x-ms-client-principal-idp'] = 'aad';
    }
    const upstream = httpRequest(
      { host: app.hostname, port: app.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    behaviour,
    signIns,
    requests,
    endSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
