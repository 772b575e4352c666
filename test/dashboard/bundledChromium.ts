// The headless Chromium of the @sparticuz/chromium devDependency (Linux x64): unpacked once per package
// version and user into the OS temporary folder, with a font configuration that adds the fonts the
// package ships to the system's, so that text has a size even on a machine with no fonts installed.
import { existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { PreparedBrowser } from './browser.js';

/** The npm package that ships a headless Chromium for Linux x64. */
export const BUNDLED_PACKAGE = '@sparticuz/chromium';
/** The font configuration written beside the unpacked browser. */
const FONT_CONFIG = 'fonts.conf';

/** The installed package's folder, if any. */
function packageRoot(): string | undefined {
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

export function bundledChromiumInstalled(): boolean {
  return packageRoot() !== undefined;
}

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A fontconfig file: the system's configuration if there is one, plus the fonts unpacked in `folder`. */
export function fontConfig(folder: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${xml(join(folder, 'fonts', 'fonts'))}</dir>`,
    `  <cachedir>${xml(join(folder, 'fonts-cache'))}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

/** Runs the package's own unpacking with TMPDIR set to `folder`, so that it unpacks there. */
function unpackInto(folder: string): Promise<void> {
  const script = `require(${JSON.stringify(require.resolve(BUNDLED_PACKAGE))}).executablePath().then((p) => process.stdout.write(p))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, TMPDIR: folder },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`unpacking ${BUNDLED_PACKAGE} failed (exit ${code}): ${err.trim()}`));
      else if (out !== join(folder, 'chromium'))
        reject(new Error(`${BUNDLED_PACKAGE} unpacked to ${out}, not into ${folder}`));
      else resolve();
    });
  });
}

/**
 * The unpacked browser and its font configuration. The package itself unpacks to a fixed path in the
 * temporary folder, where two test files starting together would write the same file at once; here each
 * unpacks into a folder of its own, renamed into place: the first rename wins, the others use its result.
 */
export async function unpackBundledChromium(): Promise<PreparedBrowser> {
  const root = packageRoot();
  if (root === undefined) throw new Error(`${BUNDLED_PACKAGE} is no longer installed`);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const uid = process.getuid?.() ?? 0;
  const target = join(tmpdir(), `teams-audit-chromium-${version}-${uid}`);
  const prepared: PreparedBrowser = {
    executablePath: join(target, 'chromium'),
    env: { FONTCONFIG_FILE: join(target, FONT_CONFIG) },
  };
  const complete = (): boolean => existsSync(prepared.executablePath) && existsSync(join(target, FONT_CONFIG));
  if (existsSync(target)) {
    const folder = lstatSync(target);
    if (!folder.isDirectory() || folder.uid !== uid)
      throw new Error(`${target} is not a folder of this user's: remove it, or set CHROMIUM_PATH`);
    if (complete()) return prepared;
  }
  const staging = mkdtempSync(`${target}.partial-`);
  try {
    await unpackInto(staging);
    writeFileSync(join(staging, FONT_CONFIG), fontConfig(target));
    try {
      renameSync(staging, target);
    } catch (e) {
      // Another test file got there first: use its copy.
      if (!complete())
        throw new Error(
          `could not move the unpacked browser to ${target} (remove that folder if an older run left it): ${String(e)}`,
          { cause: e },
        );
    }
    return prepared;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
