// Runs the README's local-pipeline quick start for real: `npm start` (its start script, pointed at the test
// Azurite through LOCAL_STORAGE_CONNECTION and at a free port through PORT), then generate, upload, the admin
// call that runs the analysis and the report request, each as the README writes it. The host uses the names
// in src/names.json (audit-exports, sessions, …), which no other test uses in the test Azurite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnHost, type HostProcess } from '../local/hostProcess.js';
import { createServer, type Server } from 'node:net';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { freePort } from '../../src/local/azuriteProcess.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import type { PipelineCommand } from './commandLists.js';
import { asRun, hasProgram, makeWorkFolder, PACKAGE_ROOT, runCommand, type CommandResult } from './workFolder.js';

const connection = process.env['TEST_STORAGE_CONNECTION']!;
const work = makeWorkFolder('readme-pipeline-');
let port = 0;
let host: HostProcess | undefined;

/** The START commands all run the start script; they differ in the settings they show. */
const START: readonly PipelineCommand[] = [
  'npm start',
  'PORT=7072 npm start',
  'LOCAL_STORAGE_CONNECTION=<connection string> npm start',
  'LOCAL_STORAGE_CONNECTION=UseDevelopmentStorage=true npm start',
];

/** Waits for `pattern` in the host's log after offset `from`; returns the offset where the match ends. */
async function waitForLog(pattern: RegExp, what: string, from = 0): Promise<number> {
  assert.ok(host, 'the host was started');
  return (await host.waitForLog(pattern, what, { from })).end;
}

/** What the host logged so far. */
const hostLog = (): string => host?.log() ?? '';

/** The README's `curl [-X METHOD] [-H "name: value"] URL` through fetch, for machines without curl; `$(cat FILE)` reads FILE in the work folder. */
async function fetchLikeCurl(command: string): Promise<CommandResult> {
  const text = asRun(command, port).replace(/\$\(cat ([^)\s]+)\)/g, (_m, file: string) =>
    readFileSync(join(work.dir, file), 'utf8'),
  );
  const words = [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const method = words.includes('-X') ? words[words.indexOf('-X') + 1]! : 'GET';
  const headers: Record<string, string> = {};
  words.forEach((word, i) => {
    if (word !== '-H') return;
    const header = words[i + 1]!;
    headers[header.slice(0, header.indexOf(':')).trim()] = header.slice(header.indexOf(':') + 1).trim();
  });
  const url = words[words.length - 1]!;
  const response = await fetch(url, { method, headers });
  return { ran: `fetch ${method} ${url}`, status: 0, stdout: await response.text(), stderr: '' };
}

/** The command as written, in the work folder; curl through fetch only where curl is missing. */
async function run(command: string): Promise<CommandResult> {
  if (command.startsWith('curl ') && !hasProgram('curl')) return fetchLikeCurl(command);
  return runCommand(work, command, { httpPort: port, env: { AzureWebJobsStorage: connection } });
}

function ok(r: CommandResult): void {
  assert.equal(r.status, 0, `${r.ran} exited ${r.status}: ${r.stdout.slice(-1000)} ${r.stderr.slice(-2000)}`);
}

before(async () => {
  assert.ok(connection, 'TEST_STORAGE_CONNECTION must be set by scripts/run-tests.mjs');
  port = await freePort();
});

after(async () => {
  await host?.kill();
  rmSync(work.dir, { recursive: true, force: true });
});

test(`${START.join(' / ')}: the start script runs the local host on PORT against the storage in LOCAL_STORAGE_CONNECTION`, async () => {
  const scripts = (
    JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  // `npm run build` has run before any test; what `npm start` runs after it is this:
  assert.equal(scripts['start'], 'npm run build && node dist/src/local/start.js');
  const env: NodeJS.ProcessEnv = { ...work.env, PORT: String(port), LOCAL_STORAGE_CONNECTION: connection };
  delete env['AzureWebJobsStorage'];
  host = spawnHost(process.execPath, 'dist/src/local/start.js', { cwd: work.dir, env });

  await waitForLog(/Press Ctrl-C to stop the host\./, 'the banner');
  assert.match(hostLog(), /Using the storage in LOCAL_STORAGE_CONNECTION; Azurite not started/);
  assert.match(hostLog(), /Containers ready: audit-exports, audit-rejects, audit-config; tables ready: sessions, /);
  const keyHeader = '-H "x-functions-key: \\$\\(cat \\.tmp/local-host/admin-key\\)"';
  assert.match(
    hostLog(),
    new RegExp(`run now: curl -X POST ${keyHeader} http://localhost:${port}/admin/functions/analyzeDisconnections`),
  );
  // The key of this start, printed and in the git-ignored file the README's command reads (only its user may read it).
  const key = /Admin key of this start \(x-functions-key header of \/admin\/functions\/\*\): (\S+)/.exec(
    hostLog(),
  )?.[1];
  assert.ok(key && key.length >= 40, hostLog());
  const keyFile = join(work.dir, '.tmp', 'local-host', 'admin-key');
  assert.equal(readFileSync(keyFile, 'utf8'), key);
  if (process.platform !== 'win32') assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(hostLog(), new RegExp(`reportDisconnections: \\[GET\\] http://localhost:${port}/api/disconnections`));
  const blob = new URL(storageClientsFromConnectionString(connection).blobService.url);
  assert.match(
    hostLog(),
    new RegExp(
      `Storage: http://${blob.host}/devstoreaccount1 \\(from LOCAL_STORAGE_CONNECTION; Azurite not started\\)`,
    ),
  );
});

test('npx teams-audit generate --records 5000 --out sample.csv', async () => {
  const r = await run('npx teams-audit generate --records 5000 --out sample.csv');
  ok(r);
  assert.match(r.stderr, /wrote 5000 rows: .* to sample\.csv/);
});

test('npx teams-audit upload --container audit-config docs/examples/sitemap.csv docs/examples/users.csv', async () => {
  const r = await run(
    'npx teams-audit upload --container audit-config docs/examples/sitemap.csv docs/examples/users.csv',
  );
  ok(r);
  assert.match(r.stdout, /^Uploaded docs\/examples\/sitemap\.csv to audit-config\/sitemap\.csv /m);
  assert.match(r.stdout, /^Uploaded docs\/examples\/users\.csv to audit-config\/users\.csv /m);
});

let afterIngest = 0;
test('npx teams-audit upload sample.csv: the host runs ingestExport on it', async () => {
  const r = await run('npx teams-audit upload sample.csv');
  ok(r);
  assert.match(r.stdout, /^Uploaded sample\.csv to audit-exports\/sample\.csv /m);
  await waitForLog(
    /ingestExport: sample\.csv: 5000 rows read, \d+ accepted, \d+ duplicates, \d+ skipped, 0 rejected/,
    'the ingestion',
  );
  afterIngest = await waitForLog(/Executed 'ingestExport' \(Succeeded, /, "Executed 'ingestExport' (Succeeded, ...)");
});

test('curl -X POST -H "x-functions-key: $(cat .tmp/local-host/admin-key)" http://localhost:7071/admin/functions/analyzeDisconnections: the analysis runs', async () => {
  const r = await run(
    'curl -X POST -H "x-functions-key: $(cat .tmp/local-host/admin-key)" http://localhost:7071/admin/functions/analyzeDisconnections',
  );
  ok(r);
  assert.equal(r.stdout, '', `202 Accepted has no body; a refusal would say why: ${r.stdout}`);
  const invoked = await waitForLog(
    /Executing 'analyzeDisconnections' \(Reason='Invoked via the admin API'\)/,
    'the admin invocation',
    afterIngest,
  );
  await waitForLog(
    /Executed 'analyzeDisconnections' \(Succeeded, /,
    "Executed 'analyzeDisconnections' (Succeeded, ...)",
    invoked,
  );
});

test('curl "http://localhost:7071/api/disconnections?format=csv": the first page of the report the CLI gives for the same files', async () => {
  const r = await run('curl "http://localhost:7071/api/disconnections?format=csv"');
  ok(r);
  assert.equal(
    (await fetchLikeCurl('curl "http://localhost:7071/api/disconnections?format=csv"')).stdout,
    r.stdout,
    'the fetch stand-in for curl gets the same answer',
  );
  const api = parse<Record<string, string>>(r.stdout, { columns: true, bom: true });
  assert.equal(api.length, 100, 'one page: the default limit');

  // The CLI on the same export, site map and users file (a copy: -u adds what it learns).
  copyFileSync(join(work.dir, 'docs/examples/users.csv'), join(work.dir, 'users-copy.csv'));
  const cli = await runCommand(
    work,
    'teams-audit -d --format csv --site-map docs/examples/sitemap.csv -u users-copy.csv sample.csv',
  );
  ok(cli);
  const rows = parse<Record<string, string>>(cli.stdout, { columns: true, bom: true });
  assert.deepEqual(Object.keys(api[0]!), Object.keys(rows[0]!), 'same columns as the CLI');
  const key = (row: Record<string, string>): string =>
    [row['meetingId'], row['participantKey'], row['leaveTime'], row['rejoinTime']].join('|');
  const byKey = new Map(rows.map((row) => [key(row), row]));
  for (const row of api) assert.deepEqual(row, byKey.get(key(row)), `the CLI has the same row for ${key(row)}`);

  // The sample site map and users file took effect.
  const sites = new Set(api.flatMap((row) => [row['siteBefore'], row['siteAfter']]));
  assert.ok(sites.has('Zurich HQ') || sites.has('Zurich HQ Wi-Fi') || sites.has('Basel lab'), [...sites].join(', '));
  const users = new Map(
    readFileSync(join(work.dir, 'docs/examples/users.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',') as [string, string]),
  );
  const fromFile = api.filter((row) => users.has(row['participantKey']!));
  assert.ok(fromFile.length > 0, 'the page holds participants of the sample users file');
  for (const row of fromFile) assert.equal(row['email'], users.get(row['participantKey']!));
});

test('Ctrl-C stops the host, and leaves the storage it did not start running', async () => {
  host!.child.kill('SIGINT');
  assert.equal(await host!.exited, 0);
  assert.match(hostLog(), /SIGINT: stopping/);
  assert.match(hostLog(), /Stopped\.\n/);
  assert.equal(existsSync(join(work.dir, '.tmp', 'local-host', 'admin-key')), false, 'the key file goes with the host');
  assert.ok(
    await storageClientsFromConnectionString(connection).blobService.getContainerClient('audit-exports').exists(),
  );
});

/** Holds a loopback port for the duration of `body` (or finds it already held by someone else). */
async function withPortTaken<T>(portNumber: number, body: () => Promise<T>): Promise<T> {
  const server: Server = createServer();
  const listening = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen(portNumber, '127.0.0.1', () => resolve(true));
  });
  try {
    return await body();
  } finally {
    if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function runStart(env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  const start = spawnHost(process.execPath, 'dist/src/local/start.js', { cwd: work.dir, env: { ...work.env, ...env } });
  // It should stop at once; should it run instead, stop it rather than wait forever.
  const timer = setTimeout(() => start.child.kill('SIGINT'), 60_000);
  const status = await start.exited;
  clearTimeout(timer);
  return { status, output: start.log() };
}

test("npm start with Azurite's port taken stops, names the port and points to LOCAL_STORAGE_CONNECTION", async () => {
  const r = await withPortTaken(10000, async () =>
    runStart({ PORT: String(await freePort()), LOCAL_STORAGE_CONNECTION: '' }),
  );
  assert.equal(r.status, 1, r.output);
  assert.match(
    r.output,
    /npm start failed: Could not start Azurite on ports 10000-10002: Port 1000[012] is already in use; .*set LOCAL_STORAGE_CONNECTION to its connection string/,
  );
});

test('npm start with the HTTP port taken stops and says to set PORT', async () => {
  const taken = await freePort();
  const r = await withPortTaken(taken, async () =>
    runStart({ PORT: String(taken), LOCAL_STORAGE_CONNECTION: connection }),
  );
  assert.equal(r.status, 1, r.output);
  assert.match(
    r.output,
    new RegExp(
      `npm start failed: HTTP port ${taken} is already in use; stop what listens there or set PORT to another port`,
    ),
  );
});
