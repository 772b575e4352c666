// What the local host checks before any function runs. It has no sign-in, so it must answer only
// its own user: requests must name a loopback host (a page on another name that resolves to
// 127.0.0.1 - DNS rebinding - is refused), the admin API needs the per-start key and refuses
// cross-origin callers, and bodies are refused where none belongs and limited elsewhere.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

/** A refusal with its status and a message a person can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The names the local host answers to (with any port). */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The header that carries the admin key, as in Azure (where it carries the master key). */
export const ADMIN_KEY_HEADER = 'x-functions-key';

const HOST_HEADER = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** Refuses a request whose Host header is not a loopback name. */
export function checkHost(host: string | undefined): void {
  const shown = host === undefined ? 'none' : JSON.stringify(host);
  const m = host === undefined ? null : HOST_HEADER.exec(host);
  if (!m || !LOOPBACK_HOSTS.includes(m[1]!.toLowerCase())) {
    throw new HttpError(
      403,
      `Refused: the Host header is ${shown}; the local host answers only requests addressed to ${LOOPBACK_HOSTS.join(', ')} ` +
        '(with any port). Another name that leads here is how a web page reaches a local server (DNS rebinding). ' +
        'Use http://localhost:<port>/.',
    );
  }
}

/** The path of the request target, checked: origin-form, and every %XX sequence decodes as UTF-8. */
export function requestPath(target: string | undefined): string {
  const raw = target ?? '/';
  if (!raw.startsWith('/'))
    throw new HttpError(
      400,
      `The request target must be a path starting with "/", not ${JSON.stringify(raw.slice(0, 100))}`,
    );
  const query = raw.indexOf('?');
  const path = query < 0 ? raw : raw.slice(0, query);
  try {
    decodeURIComponent(path);
  } catch {
    throw new HttpError(
      400,
      'The path has a malformed percent-encoding: each % must start a %XX sequence that decodes as UTF-8',
    );
  }
  return path;
}

/**
 * Refuses a browser request made by another site: an Origin that is not this host's own origin, or a
 * Sec-Fetch-Site other than same-origin or none (typed by the user).
 */
export function checkSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(
      403,
      `Refused: a cross-site request (Sec-Fetch-Site: ${site}); the admin API takes requests from this machine's own tools, not from web pages`,
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let same: boolean;
  try {
    const url = new URL(origin);
    same = url.protocol === 'http:' && url.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    same = false;
  }
  if (!same) {
    throw new HttpError(
      403,
      `Refused: a cross-origin request (Origin: ${JSON.stringify(origin)}); the admin API takes requests from this machine's own tools, not from web pages`,
    );
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Refuses an admin request without the key of this start (compared in constant time). */
export function checkAdminKey(req: IncomingMessage, key: string): void {
  const given = req.headers[ADMIN_KEY_HEADER];
  if (typeof given !== 'string' || given === '') {
    throw new HttpError(
      401,
      `The admin API needs the key printed at start (also in the admin key file) in the ${ADMIN_KEY_HEADER} header`,
    );
  }
  if (!timingSafeEqual(digest(given), digest(key))) {
    throw new HttpError(
      401,
      `The ${ADMIN_KEY_HEADER} header does not hold this start's admin key; the host makes a new one at each start (see its banner or the admin key file)`,
    );
  }
}

function declaredLength(req: IncomingMessage): number | undefined {
  const text = req.headers['content-length'];
  return text === undefined ? undefined : Number(text);
}

/** Whether the request says it carries a body (a length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = declaredLength(req);
  return (length !== undefined && length > 0) || req.headers['transfer-encoding'] !== undefined;
}

/** GET and HEAD carry no body: refused from the headers, before anything is read. */
export function refuseBodyOnGet(req: IncomingMessage): void {
  const method = (req.method ?? 'GET').toUpperCase();
  if ((method === 'GET' || method === 'HEAD') && hasBody(req)) {
    throw new HttpError(400, `A ${method} request carries no body; send it without one`);
  }
}

const CONTINUED = new WeakSet<ServerResponse>();

function waitsForContinue(req: IncomingMessage): boolean {
  return /^100-continue$/i.test(req.headers.expect ?? '');
}

/** Whether the client still waits for "100 Continue" before sending its body (then it sends none). */
export function bodyHeldBack(req: IncomingMessage, res: ServerResponse): boolean {
  return waitsForContinue(req) && !CONTINUED.has(res);
}

/**
 * Before a refusal is sent while the client is still sending its body: the rest is read and dropped
 * (nothing kept), so the answer is not lost to a reset connection. GET and HEAD bodies are not read
 * (refused at once), nor a body the client holds back until "100 Continue".
 */
export function dropRestOfBody(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (
    req.complete ||
    req.destroyed ||
    method === 'GET' ||
    method === 'HEAD' ||
    !hasBody(req) ||
    bodyHeldBack(req, res)
  ) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.once('error', () => resolve());
    req.resume();
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The request body is larger than ${limit} bytes, the limit here`);
}

/**
 * Reads the body, keeping at most `limit` bytes: refused with 413 from Content-Length before reading,
 * or as soon as the bytes read pass the limit (the rest is then dropped: dropRestOfBody).
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  const length = declaredLength(req);
  if (length !== undefined && length > limit) return Promise.reject(tooLarge(limit));
  // The client waits for "100 Continue" before sending (curl does for large bodies): send it only now.
  if (waitsForContinue(req)) {
    res.writeContinue();
    CONTINUED.add(res);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
