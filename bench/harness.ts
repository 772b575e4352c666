// Benchmark harness: case and section types, child-process measurement (wall time, and peak RSS
// reported by the child itself), targets, and the Markdown table.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A program run as a child process; stdout goes to /dev/null. */
export interface ChildCommand {
  /** node: run with `node --require <maxRss probe>`; python: run through a runpy wrapper that reports ru_maxrss. */
  runtime: 'node' | 'python';
  script: string;
  args: string[];
  env?: Record<string, string>;
}

export interface TargetCheck {
  description: string;
  /** undefined: could not be evaluated (e.g. the reference case failed). */
  pass: boolean | undefined;
  detail: string;
}

export interface Target {
  description: string;
  check(result: CaseResult, results: ReadonlyMap<string, CaseResult>): TargetCheck;
}

export interface BenchCase {
  /** Unique in the run; other cases' targets refer to it. */
  id: string;
  label: string;
  /** What the case reads, for the table. */
  input: string;
  /** Input rows (for records/s). */
  records: number;
  /** Timed runs; the wall time is their median. Runs > 1 get one untimed warm-up first. */
  runs: number;
  command: ChildCommand;
  /** Set when the case cannot run (e.g. the CLI is not built): reported as a failure with this reason. */
  unavailable?: string;
  targets?: Target[];
  /** Shown in the Targets column when there is no target (e.g. "reference"). */
  note?: string;
}

export interface CaseResult {
  benchCase: BenchCase;
  /** Median wall time of the timed runs (ms). */
  wallMs?: number;
  runsMs: number[];
  /** Largest peak RSS over the runs (bytes). */
  peakRssBytes?: number;
  error?: string;
  checks: TargetCheck[];
}

export interface BenchContext {
  /** Project root (package.json). */
  root: string;
  /** Where generated inputs are kept between runs (bench/out, git-ignored). */
  outDir: string;
  /** The CLI script to measure (default dist/src/cli/main.js). */
  cliScript: string;
  /** Regenerate inputs even when the cached ones match. */
  regenerate: boolean;
  /** Overrides every case's run count when set. */
  runs?: number;
  log: (line: string) => void;
}

/** A group of cases; bench/sections/*.js modules export one as `section`. */
export interface BenchSection {
  id: string;
  title: string;
  /** Sections run in increasing order. */
  order: number;
  /** A reason to skip the section on this machine (e.g. an optional tool not configured). */
  skipReason?(ctx: BenchContext): string | undefined;
  /** Generates or reuses inputs and returns the cases, in the order they must run. */
  prepare(ctx: BenchContext): Promise<BenchCase[]>;
}

export const MAX_RSS_PROBE = join(__dirname, 'probes', 'maxRss.js');
export const CSV_PARSE_PROBE = join(__dirname, 'probes', 'csvParseAlone.js');

/** Why the CLI cannot be measured, or undefined when its script exists. */
export function cliUnavailable(ctx: BenchContext): string | undefined {
  if (existsSync(ctx.cliScript)) return undefined;
  return `CLI not built: ${ctx.cliScript} does not exist (src/cli/main.ts missing or not compiled; run npm run build)`;
}

// Runs a Python script as __main__ and writes its peak RSS (KiB on Linux) to $BENCH_RSS_FILE at exit.
const PYTHON_WRAPPER = [
  'import atexit, os, resource, runpy, sys',
  'def _bench_report():',
  "    with open(os.environ['BENCH_RSS_FILE'], 'w') as f:",
  '        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))',
  'atexit.register(_bench_report)',
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join('\n');

export interface RunOutcome {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Bytes; undefined when the child did not report (killed, crashed before exit). */
  peakRssBytes?: number;
  stderrTail: string;
}

/** Runs a command once, stdout to /dev/null; wall time from spawn to exit. */
export function runOnce(command: ChildCommand): Promise<RunOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const rssFile = join(dir, 'maxrss');
  const devNull = openSync('/dev/null', 'w');
  const [exe, argv] =
    command.runtime === 'node'
      ? [process.execPath, ['--require', MAX_RSS_PROBE, command.script, ...command.args]]
      : ['python3', ['-c', PYTHON_WRAPPER, command.script, ...command.args]];
  return new Promise<RunOutcome>((resolve, reject) => {
    let stderr = '';
    const started = process.hrtime.bigint();
    let wallMs = 0;
    const child = spawn(exe, argv, {
      stdio: ['ignore', devNull, 'pipe'],
      env: { ...process.env, ...command.env, BENCH_RSS_FILE: rssFile },
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    child.on('exit', () => {
      wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on('error', (error) => {
      closeSync(devNull);
      rmSync(dir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      closeSync(devNull);
      let peakRssBytes: number | undefined;
      if (existsSync(rssFile)) {
        const kib = Number(readFileSync(rssFile, 'utf8').trim());
        if (Number.isFinite(kib) && kib > 0) peakRssBytes = kib * 1024;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ wallMs, exitCode, signal, peakRssBytes, stderrTail: stderr.slice(-600) });
    });
  });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Measures one case: optional warm-up, then `runs` timed runs; any failing run fails the case. */
export async function measureCase(benchCase: BenchCase, runsOverride?: number): Promise<CaseResult> {
  const result: CaseResult = { benchCase, runsMs: [], checks: [] };
  if (benchCase.unavailable !== undefined) {
    result.error = benchCase.unavailable;
    return result;
  }
  const runs = runsOverride ?? benchCase.runs;
  const failure = (outcome: RunOutcome): string | undefined => {
    if (outcome.exitCode === 0) return undefined;
    const how = outcome.signal ? `killed by ${outcome.signal}` : `exit ${String(outcome.exitCode)}`;
    const tail = outcome.stderrTail.trim().split('\n').slice(-3).join(' / ');
    return `${how}${tail ? `: ${tail}` : ''}`;
  };
  if (runs > 1) {
    const warm = await runOnce(benchCase.command);
    const problem = failure(warm);
    if (problem) {
      result.error = problem;
      return result;
    }
  }
  let peak = 0;
  let peakKnown = true;
  for (let i = 0; i < runs; i++) {
    const outcome = await runOnce(benchCase.command);
    const problem = failure(outcome);
    if (problem) {
      result.error = problem;
      return result;
    }
    result.runsMs.push(outcome.wallMs);
    if (outcome.peakRssBytes === undefined) peakKnown = false;
    else peak = Math.max(peak, outcome.peakRssBytes);
  }
  result.wallMs = median(result.runsMs);
  if (peakKnown && runs > 0) result.peakRssBytes = peak;
  return result;
}

export function evaluateTargets(result: CaseResult, results: ReadonlyMap<string, CaseResult>): TargetCheck[] {
  return (result.benchCase.targets ?? []).map((target) => {
    if (result.error !== undefined) return { description: target.description, pass: false, detail: 'case failed' };
    return target.check(result, results);
  });
}

// ---- target helpers ----

export const MB = 1_000_000;

export function wallAtMost(seconds: number): Target {
  const description = `≤ ${seconds} s`;
  return {
    description,
    check: (r) =>
      r.wallMs === undefined
        ? { description, pass: undefined, detail: 'no time' }
        : { description, pass: r.wallMs <= seconds * 1000, detail: formatSeconds(r.wallMs) },
  };
}

export function peakRssAtMost(megabytes: number, strict = false): Target {
  const description = `RSS ${strict ? '<' : '≤'} ${megabytes >= 1000 ? `${megabytes / 1000} GB` : `${megabytes} MB`}`;
  return {
    description,
    check: (r) => {
      if (r.peakRssBytes === undefined) return { description, pass: undefined, detail: 'RSS not reported' };
      const limit = megabytes * MB;
      return {
        description,
        pass: strict ? r.peakRssBytes < limit : r.peakRssBytes <= limit,
        detail: formatMb(r.peakRssBytes),
      };
    },
  };
}

/** Wall time at most `factor` × the wall time of another case of the run. */
export function wallAtMostTimes(factor: number, referenceId: string, referenceLabel: string): Target {
  const description = `≤ ${factor}× ${referenceLabel}`;
  return {
    description,
    check: (r, all) => {
      const ref = all.get(referenceId);
      if (ref?.wallMs === undefined || r.wallMs === undefined)
        return { description, pass: undefined, detail: `${referenceLabel} not measured` };
      const ratio = r.wallMs / ref.wallMs;
      return { description, pass: ratio <= factor, detail: `${ratio.toFixed(2)}×` };
    },
  };
}

// ---- formatting ----

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(3)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatMb(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}

function formatRate(records: number, ms: number): string {
  return Math.round((records * 1000) / ms).toLocaleString('en-US');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function verdict(r: CaseResult): string {
  if (r.error !== undefined) return '**FAIL**';
  if (r.checks.length === 0) return '–';
  if (r.checks.some((c) => c.pass === false)) return '**FAIL**';
  if (r.checks.some((c) => c.pass === undefined)) return 'n/a';
  return 'PASS';
}

export function caseFailed(r: CaseResult): boolean {
  return r.error !== undefined || r.checks.some((c) => c.pass === false);
}

/** Markdown table of a section's results. */
export function renderTable(results: readonly CaseResult[]): string {
  const lines = [
    '| Case | Input | Runs | Wall (median) | Records/s | Peak RSS | Targets | Result |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const c = r.benchCase;
    const wall = r.wallMs === undefined ? '–' : formatSeconds(r.wallMs);
    const rate = r.wallMs === undefined ? '–' : formatRate(c.records, r.wallMs);
    const rss = r.peakRssBytes === undefined ? '–' : formatMb(r.peakRssBytes);
    let targets =
      r.checks.length === 0
        ? (c.note ?? '–')
        : r.checks
            .map((t) => `${t.description}: ${t.detail} ${t.pass === true ? '✓' : t.pass === false ? '✗' : '?'}`)
            .join('; ');
    if (r.error !== undefined)
      targets = `${r.checks.length > 0 ? `${r.checks.map((t) => t.description).join('; ')}; ` : ''}not measured: ${r.error}`;
    lines.push(
      `| ${escapeCell(c.label)} | ${escapeCell(c.input)} | ${r.runsMs.length || '–'} | ${wall} | ${rate} | ${rss} | ${escapeCell(targets)} | ${verdict(r)} |`,
    );
  }
  return lines.join('\n');
}
