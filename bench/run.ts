// `npm run bench`: runs every section found in bench/sections/ (or those named by --only) and prints
// one Markdown table per section, with the machine it ran on. Exit 1 when a target fails.
import { cpus, loadavg, release, totalmem } from 'node:os';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  caseFailed,
  evaluateTargets,
  measureCase,
  renderTable,
  type BenchContext,
  type BenchSection,
  type CaseResult,
} from './harness.js';

export const BENCH_USAGE = `usage: npm run bench -- [--only SECTION[,SECTION]] [--runs N] [--cli FILE] [--regenerate]

  --only SECTION   run only these sections (repeatable or comma-separated)
  --runs N         timed runs per case instead of each case's default (5 for 50k cases, 1 for 1M)
  --cli FILE       CLI script to measure (default dist/src/cli/main.js)
  --regenerate     regenerate the inputs in bench/out/ even when cached copies match
`;

interface BenchArgs {
  only: string[];
  runs?: number;
  cli?: string;
  regenerate: boolean;
  help: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { only: [], regenerate: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === '--only')
      args.only.push(
        ...value()
          .split(',')
          .filter((s) => s !== ''),
      );
    else if (name === '--runs') {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`--runs must be a positive integer (got '${v}')`);
      args.runs = Number(v);
    } else if (name === '--cli') args.cli = value();
    else if (name === '--regenerate') args.regenerate = true;
    else if (name === '--help' || name === '-h') args.help = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
}

/** Every module in bench/sections/ that exports `section`, in run order. */
export function loadSections(dir = join(__dirname, 'sections')): BenchSection[] {
  const sections: BenchSection[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const loaded = require(join(dir, file)) as { section?: BenchSection };
    if (loaded.section) sections.push(loaded.section);
  }
  const ids = new Set<string>();
  for (const s of sections) {
    if (ids.has(s.id)) throw new Error(`two bench sections are called '${s.id}'`);
    ids.add(s.id);
  }
  return sections.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

export function machineLine(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  return `${list.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}; load average at start ${load}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${BENCH_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const root = resolve(__dirname, '..', '..');
  const ctx: BenchContext = {
    root,
    outDir: join(root, 'bench', 'out'),
    cliScript: resolve(args.cli ?? join(root, 'dist', 'src', 'cli', 'main.js')),
    regenerate: args.regenerate,
    ...(args.runs !== undefined ? { runs: args.runs } : {}),
    log: (line) => process.stderr.write(`bench: ${line}\n`),
  };
  const all = loadSections();
  const unknown = args.only.filter((id) => !all.some((s) => s.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no section ${unknown.join(', ')} (sections: ${all.map((s) => s.id).join(', ')})\n`);
    return 2;
  }
  const chosen = args.only.length > 0 ? all.filter((s) => args.only.includes(s.id)) : all;

  const out: string[] = [
    '# teams-audit benchmark',
    '',
    `${new Date().toISOString().slice(0, 10)}; ${machineLine()}.`,
    "Wall time: median of the timed runs (one untimed warm-up first when there are several); peak RSS: the child's own maxRSS; 1 MB = 10^6 bytes.",
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  let failures = 0;
  const results = new Map<string, CaseResult>();
  for (const section of chosen) {
    process.stdout.write(`\n## ${section.title} (\`--only ${section.id}\`)\n\n`);
    const skip = section.skipReason?.(ctx);
    if (skip !== undefined) {
      process.stdout.write(`Skipped: ${skip}.\n`);
      continue;
    }
    const cases = await section.prepare(ctx);
    const sectionResults: CaseResult[] = [];
    for (const benchCase of cases) {
      ctx.log(
        `${section.id}: ${benchCase.label} (${ctx.runs ?? benchCase.runs} run${(ctx.runs ?? benchCase.runs) === 1 ? '' : 's'})`,
      );
      const result = await measureCase(benchCase, ctx.runs);
      results.set(benchCase.id, result);
      sectionResults.push(result);
    }
    for (const result of sectionResults) {
      result.checks = evaluateTargets(result, results);
      if (caseFailed(result)) failures++;
    }
    process.stdout.write(`${renderTable(sectionResults)}\n`);
  }
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  process.stdout.write(
    `\nLoad average at end ${load}. ${failures === 0 ? 'All targets met.' : `${failures} case(s) failed or missed a target.`}\n`,
  );
  return failures === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
