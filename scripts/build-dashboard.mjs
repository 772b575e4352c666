// Dashboard build (part of `npm run build`): type-checks the browser sources (src/dashboard/web, DOM lib),
// bundles them with esbuild (uPlot included, no CDN) into dist/dashboard with content-hashed names, and
// writes the page template and manifest.json that src/dashboard/assets.ts serves.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'src', 'dashboard', 'web');
const out = join(root, 'dist', 'dashboard');
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`build-dashboard: ${message}`);
  process.exit(1);
}

// 1. Type-check (esbuild only strips types).
const tsc = require.resolve('typescript/bin/tsc');
const check = spawnSync(process.execPath, [tsc, '-p', join(web, 'tsconfig.json')], { stdio: 'inherit' });
if (check.status !== 0) fail('type errors in src/dashboard/web (see above)');

// 2. Bundle script and styles.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: join(web, 'main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});
if (result.errors.length > 0) fail('esbuild failed');

const manifest = {};
for (const file of Object.keys(result.metafile.outputs)) {
  const name = basename(file);
  const logical = name.replace(/-[A-Z0-9]{8}\./, '.');
  manifest[logical] = name;
}
if (!manifest['app.js'] || !manifest['app.css']) fail(`expected app.js and app.css, got ${JSON.stringify(manifest)}`);

// 3. Static files with a content hash in the name.
for (const file of ['icon.svg']) {
  const content = readFileSync(join(web, file));
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8).toUpperCase();
  const dot = file.lastIndexOf('.');
  const name = `${file.slice(0, dot)}-${hash}${file.slice(dot)}`;
  writeFileSync(join(out, name), content);
  manifest[file] = name;
}

// 4. The page template (placeholders are filled per request) and the manifest.
writeFileSync(join(out, 'index.html'), readFileSync(join(web, 'index.html')));
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const sizes = Object.values(manifest)
  .map((name) => `${name} ${(readFileSync(join(out, name)).length / 1024).toFixed(1)} KiB`)
  .join(', ');
console.log(`build-dashboard: ${relative(root, out)}: ${sizes}`);
