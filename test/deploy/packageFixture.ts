// The deployment package as the tests see it: built by scripts/package.mjs (what azd's prepackage hook
// runs), unpacked with yauzl into an empty folder outside the repository, and a Node 22 to run it with.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import yauzl from 'yauzl';
import { findPackageRoot } from '../../src/local/captureRegistrations.js';

export const REPO_ROOT = findPackageRoot(__dirname);

export interface PackageSummary {
  app: string;
  zip: string;
  appFiles: number;
  zipEntries: number;
  zipBytes: number;
  unpackedBytes: number;
  dependencies: 'npm ci' | 'cache';
  lockHash: string;
}

/** Runs scripts/package.mjs into `out`, the production install cached in the repo's .tmp/ (git-ignored). */
export function buildPackage(out: string): PackageSummary {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', out, '--json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`scripts/package.mjs exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PackageSummary;
}

export interface ZipEntryInfo {
  name: string;
  /** Unix mode from the external attributes. */
  mode: number;
}

/** Unpacks a zip into `dir` (which must be empty) and lists its entries. */
export function unzip(zipPath: string, dir: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, strictFileNames: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries: ZipEntryInfo[] = [];
      const made = new Set<string>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
        entries.push({ name: entry.fileName, mode });
        const target = join(dir, ...entry.fileName.split('/'));
        if (!target.startsWith(dir + sep)) return reject(new Error(`entry outside the folder: ${entry.fileName}`));
        const folder = dirname(target);
        if (!made.has(folder)) {
          mkdirSync(folder, { recursive: true });
          made.add(folder);
        }
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            try {
              const data = Buffer.concat(chunks);
              if ((mode & 0o170000) === 0o120000) symlinkSync(data.toString('utf8'), target);
              else writeFileSync(target, data, { mode: mode & 0o777 || 0o644 });
              zip.readEntry();
            } catch (writeErr) {
              reject(writeErr instanceof Error ? writeErr : new Error(String(writeErr)));
            }
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** A Node 22 binary: this one when the suite runs on 22, else the npm registry's `node@22` through npx. */
export function findNode22(): { path: string } | { reason: string } {
  if (process.versions.node.split('.')[0] === '22') return { path: process.execPath };
  const r = spawnSync('npx', ['--yes', '--package', 'node@22', 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const path = r.stdout?.trim() ?? '';
  if (r.status === 0 && path !== '') return { path };
  return {
    reason: `node@22 could not be fetched from the npm registry (npx exit ${r.status ?? r.error?.message}): ${(r.stderr ?? '').trim().slice(-300)}`,
  };
}

export interface LockPackage {
  /** The folder, e.g. node_modules/@azure/functions. */
  path: string;
  dev: boolean;
  optional: boolean;
  hasInstallScript: boolean;
}

/** The installed packages of package-lock.json (lockfile v2/v3). */
export function lockPackages(): LockPackage[] {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<
      string,
      { dev?: boolean; optional?: boolean; devOptional?: boolean; hasInstallScript?: boolean; link?: boolean }
    >;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && !p.link)
    .map(([path, p]) => ({
      path,
      dev: p.dev === true,
      optional: p.optional === true || p.devOptional === true,
      hasInstallScript: p.hasInstallScript === true,
    }));
}

/** The ignore-file reader the package script uses (scripts/package-files.mjs), for azd's node_modules check. */
export async function loadIgnoreRules(): Promise<{
  parseIgnoreFile: (text: string) => unknown[];
  isIgnored: (rules: unknown[], relPath: string, isDir: boolean) => boolean;
}> {
  return (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'package-files.mjs')).href)) as never;
}
