// Which Chromium-family browser the dashboard tests drive, decided without starting anything: the one
// CHROMIUM_PATH names; else, on Linux x64, the headless Chromium that the @sparticuz/chromium
// devDependency brings from the npm registry; else an installed Chromium, Chrome or Edge at the usual
// places of the OS. Without any, the reason says in one line what to install or set.
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { tmpdir } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { BUNDLED_PACKAGE, bundledChromiumInstalled, unpackBundledChromium } from './bundledChromium.js';

/** The environment variable naming a browser executable to use. */
export const BROWSER_ENV = 'CHROMIUM_PATH';
export { BUNDLED_PACKAGE };

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

/** A browser ready to launch: its executable and the environment variables it needs beyond ours. */
export interface PreparedBrowser {
  executablePath: string;
  env?: Record<string, string>;
}

export type BrowserChoice =
  | {
      found: true;
      /** Where it comes from and where it is, for messages. */
      description: string;
      /** Gets it ready (unpacking the bundled browser on first use). */
      prepare(): Promise<PreparedBrowser>;
    }
  | { found: false; reason: string };

/** Installed browsers in the order they are tried. */
export function installedCandidates(search: Pick<BrowserSearch, 'env' | 'platform'>): string[] {
  const { env, platform } = search;
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
    const roots = ['/Applications', ...(env['HOME'] ? [posix.join(env['HOME'], 'Applications')] : [])];
    return roots.flatMap((root) => apps.map((app) => posix.join(root, app)));
  }
  if (platform === 'win32') {
    const roots = [
      env['PROGRAMFILES'] ?? env['ProgramFiles'] ?? 'C:\\Program Files',
      env['PROGRAMFILES(X86)'] ?? env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)',
      env['LOCALAPPDATA'],
    ].filter((r): r is string => r !== undefined && r !== '');
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
  if (search.platform === 'linux' && search.arch === 'x64')
    return `no browser for the dashboard tests: run npm install (it brings ${BUNDLED_PACKAGE}), install chromium (e.g. apt-get install chromium), ${set}`;
  if (search.platform === 'darwin')
    return `no browser for the dashboard tests: install Google Chrome or Chromium in /Applications, ${set}`;
  if (search.platform === 'win32')
    return `no browser for the dashboard tests: install Google Chrome or Microsoft Edge, ${set}`;
  return `no browser for the dashboard tests: install chromium or google-chrome on the PATH, ${set}`;
}

export function findBrowser(search: BrowserSearch = realSearch()): BrowserChoice {
  const named = search.env[BROWSER_ENV];
  if (named !== undefined && named !== '') {
    if (!search.isExecutable(named))
      return {
        found: false,
        reason: `${BROWSER_ENV} is set to "${named}", which is not an executable file: correct it or unset it`,
      };
    return {
      found: true,
      description: `${named} (from ${BROWSER_ENV})`,
      prepare: async () => ({ executablePath: named }),
    };
  }
  if (search.platform === 'linux' && search.arch === 'x64' && search.hasBundledChromium()) {
    return { found: true, description: `the headless Chromium of ${BUNDLED_PACKAGE}`, prepare: unpackBundledChromium };
  }
  const installed = installedCandidates(search).find((path) => search.isExecutable(path));
  if (installed !== undefined)
    return { found: true, description: installed, prepare: async () => ({ executablePath: installed }) };
  return { found: false, reason: noBrowserReason(search) };
}

/** The found browser through playwright-core, with a fresh profile that is removed on close or on a failed launch. */
export async function launchBrowser(
  browser: BrowserChoice & { found: true },
  profileParent = tmpdir(),
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(profileParent, 'dashboard-chromium-'));
  let context: BrowserContext;
  try {
    const prepared = await browser.prepare();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: prepared.executablePath,
      env: { ...process.env, ...prepared.env },
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1360, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${browser.description}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
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
    hasBundledChromium: bundledChromiumInstalled,
  };
}
