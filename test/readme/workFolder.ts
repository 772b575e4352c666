// A folder that looks like a fresh clone to the README's commands: `dist` (the build under test, linked),
// a copy of `docs/examples`, and `teams-audit` on the PATH as `node dist/src/cli/main.js` (what
// `npm link` installs). Commands run through bash, as a reader would type them.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { findPackageRoot } from '../../src/local/captureRegistrations.js';

export const PACKAGE_ROOT = findPackageRoot(__dirname);

export interface Document {
  /** Path from the package root, e.g. `docs/cli.md`. */
  path: string;
  text: string;
}

/** The README and every Markdown page under docs/: the documents whose commands a reader may type. */
export function readDocuments(): Document[] {
  const pages = readdirSync(join(PACKAGE_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(PACKAGE_ROOT, 'docs', name))
    .sort();
  return [join(PACKAGE_ROOT, 'README.md'), ...pages].map((file) => ({
    path: relative(PACKAGE_ROOT, file),
    text: readFileSync(file, 'utf8'),
  }));
}

export interface WorkFolder {
  dir: string;
  env: NodeJS.ProcessEnv;
}

export function makeWorkFolder(prefix: string): WorkFolder {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(PACKAGE_ROOT, 'dist'), join(dir, 'dist'), 'dir');
  cpSync(join(PACKAGE_ROOT, 'docs', 'examples'), join(dir, 'docs', 'examples'), { recursive: true });
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const shim = join(bin, 'teams-audit');
  writeFileSync(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" "${join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js')}" "$@"\n`,
  );
  chmodSync(shim, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [bin, dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
  };
  delete env['NODE_OPTIONS'];
  return { dir, env };
}

export interface CommandResult {
  /** What was run (the README's command after the substitutions below). */
  ran: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The README's command as run here: `npx teams-audit` is the `teams-audit` on the PATH (inside the clone
 * npx finds the package's own bin, which is the same file), and the local host's port 7071 is the free
 * port the test's host listens on.
 */
export function asRun(command: string, httpPort?: number): string {
  let text = command.replace(/(^|\s)npx teams-audit\b/g, '$1teams-audit');
  if (httpPort !== undefined) text = text.replace(/\blocalhost:7071\b/g, `localhost:${httpPort}`);
  return text;
}

export function runCommand(
  work: WorkFolder,
  command: string,
  options: { httpPort?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  const ran = asRun(command, options.httpPort);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', ran], {
      cwd: work.dir,
      env: { ...work.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        ran,
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** Whether a program answers `--version` (curl, bash). */
export function hasProgram(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}
