// Serves the built dashboard (dist/dashboard, written by scripts/build-dashboard.mjs): the page with its
// asset URLs filled in, and the content-hashed assets, with content types, caching and a strict CSP.
// No Azure types here: src/functions/reports.ts adapts the request and response.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface DashboardRequest {
  /** The `{*asset}` part of the route: '' for the page, else a file name such as `app-3F2K7QZX.js`. */
  asset: string;
  /** The request URL's path, e.g. `/api/dashboard` or `/api/dashboard/app-3F2K7QZX.js`. */
  pathname: string;
  /**
   * How the app authenticates callers (HTTP_AUTH): with `entra` the page sends a browser whose session has
   * ended to the Entra sign-in; with `functionKey` (the default) it explains that the API wants a key.
   * The page never takes a key from its URL and never puts one in a URL.
   */
  signIn?: 'entra' | 'functionKey';
  method?: string;
  /** The Accept-Encoding header: script and styles go gzip-compressed when it allows. */
  acceptEncoding?: string;
}

export interface DashboardResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Only our own script, styles and images; API calls to this origin; no inline script or style,
 * no framing, no plugins, no <base> or form posts elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json']);

/** True when an Accept-Encoding header accepts gzip (a q=0 refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part
      .trim()
      .split(';')
      .map((p) => p.trim());
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Assets carry a content hash in their name, so they may be kept for a year; the page never is (it names the API). */
const ASSET_CACHE = 'private, max-age=31536000, immutable';
const PAGE_CACHE = 'no-store';
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)+$/;

const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/** dist/dashboard, beside the compiled dist/src (this file runs from dist/src/dashboard). */
export function defaultDashboardDir(): string {
  return join(__dirname, '..', '..', 'dashboard');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function textResponse(status: number, message: string, extra: Record<string, string> = {}): DashboardResponse {
  return {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...extra,
    },
    body: Buffer.from(`${message}\n`, 'utf8'),
  };
}

interface Built {
  template: string;
  /** Logical name (app.js) → hashed file name (app-XXXXXXXX.js). */
  manifest: Record<string, string>;
  /** Hashed file name → content, and its gzip form for text files. */
  files: Map<string, { raw: Buffer; gzip?: Buffer }>;
}

export class DashboardAssets {
  private built: Built | undefined;

  constructor(private readonly dir: string = defaultDashboardDir()) {}

  private load(): Built | undefined {
    if (this.built !== undefined) return this.built;
    const manifestPath = join(this.dir, 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
    const files = new Map<string, { raw: Buffer; gzip?: Buffer }>();
    for (const name of Object.values(manifest)) {
      if (!ASSET_NAME.test(name)) throw new Error(`dashboard manifest names an unexpected file: ${name}`);
      const raw = readFileSync(join(this.dir, name));
      files.set(name, COMPRESSIBLE.has(extension(name)) ? { raw, gzip: gzipSync(raw, { level: 9 }) } : { raw });
    }
    this.built = { template: readFileSync(join(this.dir, 'index.html'), 'utf8'), manifest, files };
    return this.built;
  }

  respond(request: DashboardRequest): DashboardResponse {
    const method = (request.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return textResponse(405, 'Use GET', { allow: 'GET, HEAD' });
    const built = this.load();
    if (built === undefined) {
      return textResponse(
        503,
        'The dashboard has not been built: run `npm run build`, which bundles it into dist/dashboard.',
      );
    }
    const asset = request.asset.replace(/^\/+|\/+$/g, '');
    if (asset === '' || asset === 'index.html') return this.page(built, request);
    const file = ASSET_NAME.test(asset) ? built.files.get(asset) : undefined;
    if (file === undefined) return textResponse(404, 'No such dashboard file');
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extension(asset)] ?? 'application/octet-stream',
      'cache-control': ASSET_CACHE,
    };
    if (file.gzip === undefined) return { status: 200, headers, body: file.raw };
    headers['vary'] = 'Accept-Encoding';
    if (!acceptsGzip(request.acceptEncoding)) return { status: 200, headers, body: file.raw };
    return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: file.gzip };
  }

  private page(built: Built, request: DashboardRequest): DashboardResponse {
    const pagePath = dashboardPath(request.pathname, request.asset);
    const apiBase = pagePath.replace(/\/[^/]*$/, '');
    const html = built.template.replace(/\{\{([A-Za-z0-9.]+)\}\}/g, (whole, name: string) => {
      if (name === 'apiBase') return escapeAttribute(apiBase);
      if (name === 'signIn') return request.signIn === 'entra' ? 'entra' : 'functionKey';
      const file = built.manifest[name];
      return file === undefined ? whole : escapeAttribute(`${pagePath}/${file}`);
    });
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES['.html']!, 'cache-control': PAGE_CACHE },
      body: Buffer.from(html, 'utf8'),
    };
  }
}

/** The path of the dashboard page (`/api/dashboard`) from the request path and its `{*asset}` part. */
export function dashboardPath(pathname: string, asset: string): string {
  let path = pathname.replace(/\/+$/, '');
  const tail = asset.replace(/^\/+|\/+$/g, '');
  if (tail !== '') {
    const encoded = tail.split('/').map(encodeURIComponent).join('/');
    for (const suffix of [`/${tail}`, `/${encoded}`]) {
      if (path.toLowerCase().endsWith(suffix.toLowerCase())) {
        path = path.slice(0, path.length - suffix.length);
        break;
      }
    }
  }
  return path === '' ? '/dashboard' : path;
}
