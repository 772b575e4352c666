// Bench section `package`: the deployment package azd uploads (scripts/package.mjs, run by the prepackage
// hook): the compiled app with production dependencies only, remote build off. Its sizes are the targets:
// zip ≤ 20 MB and unpacked ≤ 75 MB, about 20 % above the sizes measured when the remote build was turned
// off (16.4 MB and 61.3 MB). Any one of the large devDependencies moved into `dependencies` (Chromium
// 67 MB, TypeScript 24 MB, playwright-core 14 MB, esbuild 11 MB unpacked) breaks the unpacked target; the
// whole dependency tree a remote build installs is about 320 MB.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MB, formatMb, type BenchSection, type CaseResult, type Target } from '../harness.js';

export const ZIP_TARGET_MB = 20;
export const UNPACKED_TARGET_MB = 75;

interface PackageSummary {
  zipBytes: number;
  unpackedBytes: number;
  zipEntries: number;
}

function readSummary(out: string): PackageSummary | undefined {
  const file = join(out, 'summary.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageSummary) : undefined;
}

/** A size target read from the summary the package script writes next to the zip. */
export function sizeAtMost(what: 'zip' | 'unpacked', megabytes: number, out: string): Target {
  const description = `${what} ≤ ${megabytes} MB`;
  return {
    description,
    check: (_r: CaseResult) => {
      const summary = readSummary(out);
      if (summary === undefined) return { description, pass: undefined, detail: 'no summary.json' };
      const bytes = what === 'zip' ? summary.zipBytes : summary.unpackedBytes;
      const detail = `${formatMb(bytes)}${what === 'zip' ? ` (${summary.zipEntries} files)` : ''}`;
      return { description, pass: bytes <= megabytes * MB, detail };
    },
  };
}

export const section: BenchSection = {
  id: 'package',
  title: 'Deployment package (npm run package: the app and its production dependencies, as azd uploads it)',
  order: 50,
  async prepare(ctx) {
    const out = join(ctx.outDir, 'package');
    const script = join(ctx.root, 'scripts', 'package.mjs');
    const built = existsSync(join(ctx.root, 'dist', 'src', 'index.js'));
    return [
      {
        id: 'package',
        label: 'scripts/package.mjs (production install cached by lock-file hash)',
        input: 'dist/, package-lock.json',
        records: 0,
        runs: 1,
        command: { runtime: 'node', script, args: ['--out', out] },
        targets: [sizeAtMost('zip', ZIP_TARGET_MB, out), sizeAtMost('unpacked', UNPACKED_TARGET_MB, out)],
        ...(built ? {} : { unavailable: 'the app is not built (run npm run build)' }),
      },
    ];
  },
};
