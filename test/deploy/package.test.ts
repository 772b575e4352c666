// The package azd deploys, built as azd builds it (azure.yaml: the prepackage hook runs `npm run package`,
// azd zips its output folder with the remote build off), then unpacked into an empty folder outside the
// repository and run there: the local host from the package's own dist/ and node_modules, on Node 22 (the
// deployed runtime), over an in-memory Azurite of the test's own. The CLI from the package generates and
// uploads an export, the blob trigger ingests it, the analysis runs and a report is read over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { spawnHost, type HostProcess } from '../local/hostProcess.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse as parsePath, relative, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { freePort, startAzurite, type RunningAzurite } from '../../src/local/azuriteProcess.js';
import {
  buildPackage,
  findNode22,
  loadIgnoreRules,
  lockPackages,
  REPO_ROOT,
  unzip,
  type PackageSummary,
  type ZipEntryInfo,
} from './packageFixture.js';

const work = mkdtempSync(join(tmpdir(), 'deploy-package-'));
const app = join(work, 'app');
let summary: PackageSummary;
let entries: ZipEntryInfo[] = [];
let node22: ReturnType<typeof findNode22>;

before(async () => {
  summary = buildPackage(join(work, 'out'));
  mkdirSync(app);
  entries = await unzip(summary.zip, app);
  node22 = findNode22();
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

function azureYamlService(): string {
  const text = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');
  const service = /^services:\n {2}api:\n((?: {4}.*\n)+)/m.exec(text);
  assert.ok(service, 'azure.yaml has the api service');
  return service[1]!;
}

test('azure.yaml: remote build off, azd zips the folder the prepackage hook builds with npm run package', async () => {
  const service = azureYamlService();
  assert.match(service, /^ {4}remoteBuild: false$/m);
  assert.match(service, /^ {4}dist: \.tmp\/package\/app$/m);
  assert.match(
    service,
    /^ {4}hooks:\n {6}prepackage:\n {8}posix:\n {10}shell: sh\n {10}run: npm run package\n {8}windows:\n {10}shell: pwsh\n {10}run: npm run package$/m,
  );
  const scripts = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  assert.equal(
    scripts['package'],
    'npm run build && node scripts/package.mjs',
    'the hook builds, then packages into .tmp/package',
  );
  // azd refuses `remoteBuild: false` when .funcignore excludes node_modules (it reads it as gitignore).
  const { parseIgnoreFile, isIgnored } = await loadIgnoreRules();
  const rules = parseIgnoreFile(readFileSync(join(REPO_ROOT, '.funcignore'), 'utf8'));
  assert.equal(isIgnored(rules, 'node_modules', true), false, '.funcignore must not exclude node_modules');
});

test('the zip holds exactly the folder azd zips (azure.yaml dist:), byte for byte once unpacked', () => {
  const staged = readdirSync(summary.app, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => relative(summary.app, join(d.parentPath, d.name)).split(sep).join('/'))
    .sort();
  assert.deepEqual(entries.map((e) => e.name).sort(), staged);
  const differing = staged.filter(
    (name) => !readFileSync(join(app, name)).equals(readFileSync(join(summary.app, name))),
  );
  assert.deepEqual(differing, []);
});

test('.funcignore: the package holds the compiled app, host.json and package files, and no sources, tests or tooling', () => {
  const appFiles = entries.map((e) => e.name).filter((name) => !name.startsWith('node_modules/'));
  for (const needed of [
    'host.json',
    'package.json',
    'package-lock.json',
    'dist/src/index.js',
    'dist/src/functions/ingestExport.js',
    'dist/src/names.json',
    'dist/src/cli/main.js',
    'dist/src/local/start.js',
  ]) {
    assert.ok(appFiles.includes(needed), `${needed} is in the package`);
  }
  assert.ok(
    appFiles.some((name) => /^dist\/dashboard\/app-[\w-]+\.js$/.test(name)),
    'the built dashboard is in the package',
  );
  const unwanted = appFiles.filter(
    (name) =>
      /^(src|test|bench|infra|docs|scripts|\.tmp|\.git|\.azurite|\.tools)\//.test(name) ||
      /^dist\/(test|bench)\//.test(name) ||
      /\.(ts|map)$/.test(name) ||
      /(^|\/)(local\.settings\.json|\.funcignore|azure\.yaml|tsconfig\.json)$/.test(name),
  );
  assert.deepEqual(unwanted, []);
});

test('node_modules: every production dependency of the lock file, and no devDependency, in the app and in the zip', () => {
  const lock = lockPackages();
  const devDependencies = Object.keys(
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
      .devDependencies,
  );
  assert.ok(devDependencies.includes('azurite') && devDependencies.includes('playwright-core'));
  const dev = lock.filter((p) => p.dev);
  const production = lock.filter((p) => !p.dev);
  assert.ok(dev.length > 0 && production.length > 0);
  for (const p of production) assert.ok(existsSync(join(app, p.path, 'package.json')), `${p.path} is installed`);
  assert.deepEqual(
    dev.filter((p) => existsSync(join(app, p.path))).map((p) => p.path),
    [],
    'no devDependency (direct or transitive) is installed',
  );
  // The zip itself: no file of a devDependency anywhere, at any depth.
  const nameOf = (p: { path: string }): string =>
    p.path.slice(p.path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const productionNames = new Set(production.map(nameOf));
  const devNames = new Set(
    dev
      .map(nameOf)
      .concat(devDependencies)
      .filter((name) => !productionNames.has(name)),
  );
  const devFiles = entries.filter((e) => {
    const parts = e.name.split('/');
    return parts.some(
      (part, i) => parts[i - 1] === 'node_modules' && (devNames.has(part) || devNames.has(`${part}/${parts[i + 1]}`)),
    );
  });
  assert.deepEqual(
    devFiles.slice(0, 5).map((e) => e.name),
    [],
  );
  // Nothing installed that the lock file does not list as a production package.
  const known = new Set(production.map((p) => p.path));
  const installed = readdirSync(join(app, 'node_modules'))
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) =>
      n.startsWith('@')
        ? readdirSync(join(app, 'node_modules', n)).map((m) => `node_modules/${n}/${m}`)
        : [`node_modules/${n}`],
    );
  assert.deepEqual(
    installed.filter((p) => !known.has(p)),
    [],
  );
});

test('the production dependencies need no build on the host: no install script, no native addon (so the remote build can stay off)', () => {
  assert.deepEqual(
    lockPackages()
      .filter((p) => !p.dev && p.hasInstallScript)
      .map((p) => p.path),
    [],
  );
  assert.deepEqual(
    entries.filter((e) => e.name.endsWith('.node')).map((e) => e.name),
    [],
  );
});

// ---------- the unpacked package, run ----------

let azurite: RunningAzurite | undefined;
let host: HostProcess | undefined;
let port = 0;

after(async () => {
  await host?.kill();
  await azurite?.stop();
});

/** An environment that names nothing of the repository: no NODE_PATH, no NODE_OPTIONS, HOME in the work folder. */
function packageEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', HOME: work, TZ: 'UTC', ...extra };
  return env;
}

function runPackageCli(
  nodePath: string,
  args: string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(nodePath, [join(app, 'dist', 'src', 'cli', 'main.js'), ...args], {
    cwd: work,
    env: packageEnv(env),
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the unpacked app resolves modules only from itself: no node_modules above it, outside the repository', () => {
  assert.ok(relative(REPO_ROOT, app).startsWith('..'), `${app} is outside ${REPO_ROOT}`);
  for (let dir = dirname(app); ; dir = dirname(dir)) {
    assert.equal(existsSync(join(dir, 'node_modules')), false, `${dir} has a node_modules that Node would search`);
    if (dir === parsePath(dir).root) break;
  }
});

let hostNodeVersion = '';

test('the host starts from the package with the real registrations, ingests an export from the CLI and serves the report (on Node 22 where it can be had)', async () => {
  const nodePath = 'path' in node22 ? node22.path : process.execPath;
  hostNodeVersion = spawnSync(nodePath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  azurite = await startAzurite(); // the test's storage (a test tool), not part of the app
  port = await freePort();
  const h = spawnHost(nodePath, join(app, 'dist', 'src', 'local', 'start.js'), {
    cwd: app,
    env: packageEnv({ PORT: String(port), LOCAL_STORAGE_CONNECTION: azurite.connectionString }),
  });
  host = h;

  // The registrations package.json `main` names, captured from the package's own @azure/functions.
  await h.waitForLog(/Press Ctrl-C to stop the host\./, 'the banner');
  const count = Number((await h.waitForLog(/Functions \((\d+)\):/, 'the function list')).match[1]);
  const listed = [...h.log().matchAll(/^ {2}(\w+): /gm)].map((m) => m[1]!);
  assert.equal(listed.length, count, h.log());
  for (const name of [
    'ingestExport',
    'analyzeDisconnections',
    'collectAuditRecords',
    'reportDisconnections',
    'dashboard',
  ]) {
    assert.ok(listed.includes(name), `${name} is registered: ${listed.join(', ')}`);
  }
  assert.match(h.log(), /Using the storage in LOCAL_STORAGE_CONNECTION; Azurite not started/);

  const sample = join(work, 'sample.csv');
  const generated = runPackageCli(nodePath, ['generate', '--records', '3000', '--out', sample], {});
  assert.equal(generated.status, 0, generated.stderr);
  // Each wait below reads the log from where it stood before its cause: a run the timers started earlier (on an
  // empty store) must not be taken for it.
  const beforeUpload = h.log().length;
  const uploaded = runPackageCli(nodePath, ['upload', sample], { AzureWebJobsStorage: azurite.connectionString });
  assert.equal(uploaded.status, 0, uploaded.stderr);
  assert.match(uploaded.stdout, /^Uploaded .*sample\.csv to audit-exports\/sample\.csv /m);
  await h.waitForLog(/Executed 'ingestExport' \(Succeeded, /, 'the ingestion of sample.csv', { from: beforeUpload });

  // The admin key of this start, from the file the host writes where it runs (mode 0600).
  const adminKey = readFileSync(join(app, '.tmp', 'local-host', 'admin-key'), 'utf8');
  const beforeAnalysis = h.log().length;
  const analysis = await fetch(`http://127.0.0.1:${port}/admin/functions/analyzeDisconnections`, {
    method: 'POST',
    headers: { 'x-functions-key': adminKey },
  });
  assert.ok(analysis.status < 300, `admin call: ${analysis.status}`);
  await h.waitForLog(/Executed 'analyzeDisconnections' \(Succeeded, /, 'the analysis', { from: beforeAnalysis });

  const response = await fetch(`http://127.0.0.1:${port}/api/disconnections?format=csv`);
  assert.equal(response.status, 200);
  const rows = parse<Record<string, string>>(await response.text(), { columns: true, bom: true });
  assert.ok(rows.length > 0, 'the report lists disconnections of the ingested export');
  assert.ok(rows.every((row) => row['meetingId'] && row['participantKey']));

  h.child.kill('SIGINT');
  assert.equal(await h.exited, 0, h.log().slice(-2000));
  assert.match(h.log(), /Stopped\./);
});

test('the package ran on Node 22, the runtime the templates deploy', (t) => {
  if ('reason' in node22) {
    t.skip(`the package ran on ${process.version} only: ${node22.reason}`);
    return;
  }
  assert.match(hostNodeVersion, /^v22\./, 'the host and the CLI above ran on Node 22');
});
