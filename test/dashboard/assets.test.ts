// Serving the built dashboard: the page with its asset URLs and sign-in mode filled in, hashed assets with
// their types, year-long private caching and gzip when accepted, the CSP on every answer, and refusals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  acceptsGzip,
  CONTENT_SECURITY_POLICY,
  DashboardAssets,
  dashboardPath,
  defaultDashboardDir,
} from '../../src/dashboard/assets.js';

/** The temporary folders made here, removed after the file's tests. */
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function builtDir(): string {
  const dir = tempDir('dashboard-assets-');
  const js = 'console.log("dashboard");'.repeat(50);
  writeFileSync(join(dir, 'app-ABCDEFGH.js'), js);
  writeFileSync(join(dir, 'app-IJKLMNOP.css'), 'body{color:#111}');
  writeFileSync(join(dir, 'icon-0123ABCD.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'secret.txt'), 'not listed in the manifest');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ 'app.js': 'app-ABCDEFGH.js', 'app.css': 'app-IJKLMNOP.css', 'icon.svg': 'icon-0123ABCD.svg' }),
  );
  writeFileSync(
    join(dir, 'index.html'),
    '<meta name="dashboard-api" content="{{apiBase}}"><meta name="dashboard-sign-in" content="{{signIn}}"><link href="{{app.css}}"><script type="module" src="{{app.js}}"></script>{{unknown}}',
  );
  return dir;
}

test('the page gets absolute asset URLs under the dashboard route, the API base and the sign-in mode, and no query', () => {
  const assets = new DashboardAssets(builtDir());
  const res = assets.respond({ asset: '', pathname: '/api/dashboard', signIn: 'entra' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'no-store', 'the page is never cached');
  const html = res.body.toString('utf8');
  assert.match(html, /name="dashboard-api" content="\/api"/);
  assert.match(html, /name="dashboard-sign-in" content="entra"/);
  assert.ok(html.includes('src="/api/dashboard/app-ABCDEFGH.js"'), html);
  assert.ok(html.includes('href="/api/dashboard/app-IJKLMNOP.css"'), html);
  assert.ok(html.includes('{{unknown}}'), 'unknown placeholders are left alone');

  const bare = assets.respond({ asset: '', pathname: '/api/dashboard/' }).body.toString('utf8');
  assert.ok(bare.includes('src="/api/dashboard/app-ABCDEFGH.js"'));
  assert.match(bare, /name="dashboard-sign-in" content="functionKey"/, 'function keys unless told otherwise');
  const prefixed = assets
    .respond({ asset: 'index.html', pathname: '/reports/dashboard/index.html' })
    .body.toString('utf8');
  assert.ok(
    prefixed.includes('content="/reports"') && prefixed.includes('src="/reports/dashboard/app-ABCDEFGH.js"'),
    'another route prefix',
  );
});

test('assets: content types, year-long private caching, gzip only when accepted, security headers everywhere', () => {
  const assets = new DashboardAssets(builtDir());
  const plain = assets.respond({ asset: 'app-ABCDEFGH.js', pathname: '/api/dashboard/app-ABCDEFGH.js' });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(plain.headers['cache-control'], 'private, max-age=31536000, immutable');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['vary'], 'Accept-Encoding');
  const zipped = assets.respond({
    asset: 'app-ABCDEFGH.js',
    pathname: '/api/dashboard/app-ABCDEFGH.js',
    acceptEncoding: 'br, gzip;q=0.8',
  });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(zipped.body.length < plain.body.length);
  assert.deepEqual(gunzipSync(zipped.body), plain.body);
  assert.equal(
    assets.respond({ asset: 'app-IJKLMNOP.css', pathname: '/x' }).headers['content-type'],
    'text/css; charset=utf-8',
  );
  assert.equal(assets.respond({ asset: 'icon-0123ABCD.svg', pathname: '/x' }).headers['content-type'], 'image/svg+xml');

  for (const res of [
    plain,
    zipped,
    assets.respond({ asset: '', pathname: '/api/dashboard' }),
    assets.respond({ asset: 'nope.js', pathname: '/x' }),
  ]) {
    assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  }
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|\*|https?:|data:/);
  assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
});

test('only files named by the manifest are served: other names, paths and methods are refused', () => {
  const assets = new DashboardAssets(builtDir());
  for (const asset of [
    'secret.txt',
    'manifest.json',
    '../package.json',
    '..%2Fpackage.json',
    'sub/app-ABCDEFGH.js',
    '.env',
    'app-ABCDEFGH.js/x',
  ]) {
    assert.equal(assets.respond({ asset, pathname: `/api/dashboard/${asset}` }).status, 404, asset);
  }
  const post = assets.respond({ asset: '', pathname: '/api/dashboard', method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
  assert.equal(assets.respond({ asset: '', pathname: '/api/dashboard', method: 'HEAD' }).status, 200);
});

test('before a build, the route says how to build instead of failing', () => {
  const empty = tempDir('dashboard-unbuilt-');
  mkdirSync(join(empty, 'dashboard'));
  const res = new DashboardAssets(join(empty, 'dashboard')).respond({ asset: '', pathname: '/api/dashboard' });
  assert.equal(res.status, 503);
  assert.match(res.body.toString('utf8'), /npm run build/);
});

test('the real build is where the deployed function reads it: dist/dashboard beside dist/src', () => {
  const res = new DashboardAssets(defaultDashboardDir()).respond({ asset: '', pathname: '/api/dashboard' });
  assert.equal(res.status, 200, 'npm run build bundles the dashboard into dist/dashboard');
  const html = res.body.toString('utf8');
  const names = [...html.matchAll(/(?:src|href)="\/api\/dashboard\/([^"?]+)"/g)].map((m) => m[1]);
  assert.equal(names.length, 3, html);
  for (const name of names)
    assert.equal(
      new DashboardAssets(defaultDashboardDir()).respond({ asset: name!, pathname: `/api/dashboard/${name}` }).status,
      200,
      name,
    );
});

test('dashboardPath and acceptsGzip', () => {
  assert.equal(dashboardPath('/api/dashboard', ''), '/api/dashboard');
  assert.equal(dashboardPath('/api/dashboard///', ''), '/api/dashboard');
  assert.equal(dashboardPath('/api/dashboard/app-X.js', 'app-X.js'), '/api/dashboard');
  assert.equal(dashboardPath('/API/Dashboard/App-X.js', 'app-x.js'), '/API/Dashboard');
  assert.equal(dashboardPath('/dashboard', ''), '/dashboard');
  assert.equal(acceptsGzip('gzip, deflate, br'), true);
  assert.equal(acceptsGzip('br;q=1, gzip;q=0'), false);
  assert.equal(acceptsGzip('*'), true);
  assert.equal(acceptsGzip('identity'), false);
  assert.equal(acceptsGzip(undefined), false);
});
