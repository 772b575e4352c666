// Which Chromium-family browser the dashboard tests drive, decided without starting anything: the one
// CHROMIUM_PATH names; else, on Linux x64, the headless Chromium that the @sparticuz/chromium
// devDependency brings from the npm registry; else an installed Chromium, Chrome or Edge at the usual
// places of the OS. Without any, the reason says in one line what to install or set.
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, posix, win32 } from 'node:path';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { BrowserContext } from 'playwright-core';

/** The environment variable naming a browser executable to use. */
export const BROWSER_ENV = 'CHROMIUM_PATH';
/** The npm package that ships a headless Chromium for Linux x64. */
export const BUNDLED_PACKAGE = '@sparticuz/chromium';

/** Flags for every browser: headless, no sandbox (containers often run as root), nothing phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the finder may look at; the tests pass their own. */
export interface BrowserSearch {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  arch: string;
  /** Whether a path is an executable file. */
  isExecutable(path: string): boolean;
  /** Whether the @sparticuz/chromium package is installed. */
  hasBundledChromium(): boolean;
}

export type BrowserChoice =
  | {
      found: true;
      /** Where it comes from and where it is, for messages. */
      description: string;
      /** The executable's path (unpacking the bundled browser on first use). */
      executablePath(): Promise<string>;
    }
  | { found: false; reason: string };

/** Installed browsers in the order they are tried. */
export function installedCandidates(search: Pick<BrowserSearch, 'env' | 'platform'>): string[] {
  const { env, platform } = search;
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    const roots = ['/Applications', ...(env['HOME'] ? [posix.join(env['HOME'], 'Applications')] : [])];
    return roots.flatMap((root) => apps.map((app) => posix.join(root, app)));
  }
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'] ?? env['ProgramFiles'] ?? 'C:\\Program Files', env['PROGRAMFILES(X86)'] ?? env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', env['LOCALAPPDATA']]
      .filter((r): r is string => r !== undefined && r !== '');
    const apps = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
    return apps.flatMap((app) => roots.map((root) => win32.join(root, app)));
  }
  // Linux and other Unixes: the usual names on the PATH, then the snap.
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const dirs = (env['PATH'] ?? '').split(':').filter((d) => d !== '');
  return [...names.flatMap((name) => dirs.map((dir) => posix.join(dir, name))), '/snap/bin/chromium'];
}

/** What to do when no browser is found, in one line. */
export function noBrowserReason(search: Pick<BrowserSearch, 'platform' | 'arch'>): string {
  const set = `or set ${BROWSER_ENV} to a Chromium, Chrome or Edge executable`;
  if (search.platform === 'linux' && search.arch === 'x64') return `no browser for the dashboard tests: run npm install (it brings ${BUNDLED_PACKAGE}), install chromium (e.g. apt-get install chromium), ${set}`;
  if (search.platform === 'darwin') return `no browser for the dashboard tests: install Google Chrome or Chromium in /Applications, ${set}`;
  if (search.platform === 'win32') return `no browser for the dashboard tests: install Google Chrome or Microsoft Edge, ${set}`;
  return `no browser for the dashboard tests: install chromium or google-chrome on the PATH, ${set}`;
}

export function findBrowser(search: BrowserSearch = realSearch()): BrowserChoice {
  const named = search.env[BROWSER_ENV];
  if (named !== undefined && named !== '') {
    if (!search.isExecutable(named)) return { found: false, reason: `${BROWSER_ENV} is set to "${named}", which is not an executable file: correct it or unset it` };
    return { found: true, description: `${named} (from ${BROWSER_ENV})`, executablePath: async () => named };
  }
  if (search.platform === 'linux' && search.arch === 'x64' && search.hasBundledChromium()) {
    return { found: true, description: `the headless Chromium of ${BUNDLED_PACKAGE}`, executablePath: unpackBundledChromium };
  }
  const installed = installedCandidates(search).find((path) => search.isExecutable(path));
  if (installed !== undefined) return { found: true, description: installed, executablePath: async () => installed };
  return { found: false, reason: noBrowserReason(search) };
}

/** The found browser through playwright-core, with a fresh profile that is removed on close or on a failed launch. */
export async function launchBrowser(browser: BrowserChoice & { found: true }, profileParent = tmpdir()): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(profileParent, 'dashboard-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: await browser.executablePath(),
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1360, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${browser.description}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

function realSearch(): BrowserSearch {
  return {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    isExecutable(path) {
      try {
        if (!statSync(path).isFile()) return false;
        if (process.platform !== 'win32') accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    hasBundledChromium: () => bundledPackageRoot() !== undefined,
  };
}

/** The installed @sparticuz/chromium package folder, if any. */
function bundledPackageRoot(): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(BUNDLED_PACKAGE);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin'))) return dir;
  }
  return undefined;
}

/**
 * Unpacks the bundled Chromium once per package version and user, into the OS temporary folder, and
 * returns its path. The package itself unpacks to a fixed path there, where two test files starting
 * together would write the same file at once; here each unpacks into a folder of its own (the package's
 * TMPDIR), which is renamed into place: the first rename wins and the others use its result.
 */
async function unpackBundledChromium(): Promise<string> {
  const root = bundledPackageRoot();
  if (root === undefined) throw new Error(`${BUNDLED_PACKAGE} is no longer installed`);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const uid = process.getuid?.() ?? 0;
  const target = join(tmpdir(), `teams-audit-chromium-${version}-${uid}`);
  const binary = join(target, 'chromium');
  if (existsSync(target)) {
    const folder = lstatSync(target);
    if (!folder.isDirectory() || folder.uid !== uid) throw new Error(`${target} is not a folder of this user's; remove it, or set ${BROWSER_ENV}`);
    if (existsSync(binary)) return binary;
  }
  const staging = mkdtempSync(`${target}.partial-`);
  try {
    const script = `require(${JSON.stringify(require.resolve(BUNDLED_PACKAGE))}).executablePath().then((p) => process.stdout.write(p))`;
    const unpacked = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, TMPDIR: staging }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`unpacking ${BUNDLED_PACKAGE} failed (exit ${code}): ${err.trim()}`))));
    });
    if (unpacked !== join(staging, 'chromium')) throw new Error(`${BUNDLED_PACKAGE} unpacked to ${unpacked}, not into ${staging}`);
    try {
      renameSync(staging, target);
    } catch (e) {
      // Another test file got there first: use its copy.
      if (!existsSync(binary)) throw new Error(`could not move the unpacked browser to ${target} (remove that folder if it is left from an older run): ${String(e)}`);
    }
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
