import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_RSS_PROBE,
  MB,
  evaluateTargets,
  measureCase,
  median,
  peakRssAtMost,
  renderTable,
  runOnce,
  wallAtMost,
  wallAtMostTimes,
  type BenchCase,
  type BenchContext,
  type CaseResult,
} from '../../bench/harness.js';
import { ensureInput } from '../../bench/inputs.js';
import { loadSections, parseBenchArgs } from '../../bench/run.js';
import { REPORT_CASES, STREAMED_RSS_MB, section as reportsSection } from '../../bench/sections/reports.js';
import { MIXED_50K } from '../../bench/sections/cli.js';
import { GENERATOR_VERSION } from '../../src/generator/exportGenerator.js';

function scratch(): { dir: string; script: (name: string, body: string) => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  return {
    dir,
    script: (name, body) => {
      const path = join(dir, name);
      writeFileSync(path, body);
      return path;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function nodeCase(script: string, patch: Partial<BenchCase> = {}): BenchCase {
  return {
    id: 'c',
    label: 'case',
    input: 'none',
    records: 1000,
    runs: 1,
    command: { runtime: 'node', script, args: [] },
    ...patch,
  };
}

test('a node child reports its own peak RSS, which reflects what it allocated', async () => {
  const s = scratch();
  try {
    const small = await runOnce({
      runtime: 'node',
      script: s.script('small.js', 'let x = 0; for (let i = 0; i < 1e5; i++) x += i;'),
      args: [],
    });
    const big = await runOnce({
      runtime: 'node',
      script: s.script('big.js', 'const b = Buffer.alloc(300e6, 1); if (b[5] !== 1) process.exit(9);'),
      args: [],
    });
    assert.equal(small.exitCode, 0);
    assert.equal(big.exitCode, 0);
    assert.ok(small.peakRssBytes !== undefined && big.peakRssBytes !== undefined);
    assert.ok(big.peakRssBytes >= 300e6, `big: ${big.peakRssBytes}`);
    assert.ok(small.peakRssBytes < 150e6, `small: ${small.peakRssBytes}`);
    assert.ok(big.wallMs > 0 && small.wallMs > 0);
  } finally {
    s.done();
  }
});

test("the RSS probe leaves the program's output and exit status alone", () => {
  const s = scratch();
  try {
    const rssFile = join(s.dir, 'rss');
    const result = spawnSync(
      process.execPath,
      ['--require', MAX_RSS_PROBE, '-e', 'console.log("hello"); process.exitCode = 7'],
      {
        env: { ...process.env, BENCH_RSS_FILE: rssFile },
        encoding: 'utf8',
      },
    );
    assert.equal(result.stdout, 'hello\n');
    assert.equal(result.status, 7);
    assert.ok(Number(readFileSync(rssFile, 'utf8')) > 1000, 'maxRSS in KiB written at exit');
    const without = spawnSync(process.execPath, ['--require', MAX_RSS_PROBE, '-e', 'console.log("ok")'], {
      env: { ...process.env, BENCH_RSS_FILE: '' },
      encoding: 'utf8',
    });
    assert.equal(without.stdout, 'ok\n');
  } finally {
    s.done();
  }
});

const hasPython = spawnSync('python3', ['--version']).status === 0;

test(
  'a python child reports its peak RSS through the runpy wrapper',
  { skip: hasPython ? false : 'python3 is not installed' },
  async () => {
    const s = scratch();
    try {
      const script = s.script(
        'alloc.py',
        'import sys\nblob = bytearray(200_000_000)\nassert sys.argv[1:] == ["-d", "x"]\n',
      );
      const outcome = await runOnce({ runtime: 'python', script, args: ['-d', 'x'] });
      assert.equal(outcome.exitCode, 0, outcome.stderrTail);
      assert.ok((outcome.peakRssBytes ?? 0) >= 200e6, `${outcome.peakRssBytes}`);
      const failing = await runOnce({
        runtime: 'python',
        script: s.script('fail.py', 'raise SystemExit(3)\n'),
        args: [],
      });
      assert.equal(failing.exitCode, 3);
    } finally {
      s.done();
    }
  },
);

test('measureCase: median of the timed runs; failures and unavailable cases carry their reason', async () => {
  const s = scratch();
  try {
    const ok = await measureCase(nodeCase(s.script('ok.js', ''), { runs: 3 }));
    assert.equal(ok.runsMs.length, 3);
    assert.equal(ok.wallMs, median(ok.runsMs));
    assert.equal(ok.error, undefined);
    assert.ok(ok.peakRssBytes !== undefined);

    const failing = await measureCase(
      nodeCase(s.script('fail.js', 'console.error("cannot read the input"); process.exit(3);')),
    );
    assert.match(failing.error ?? '', /exit 3: cannot read the input/);
    assert.equal(failing.wallMs, undefined);

    const missing = await measureCase(
      nodeCase(join(s.dir, 'nope.js'), { unavailable: 'CLI not built: nope.js does not exist' }),
    );
    assert.equal(missing.error, 'CLI not built: nope.js does not exist');
    assert.deepEqual(missing.runsMs, []);
    assert.equal(
      evaluateTargets({ ...missing, benchCase: { ...missing.benchCase, targets: [wallAtMost(1)] } }, new Map())[0]
        ?.pass,
      false,
    );
  } finally {
    s.done();
  }
});

test('median handles odd and even counts', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]));
});

function result(
  id: string,
  wallMs: number | undefined,
  rss: number | undefined,
  targets: BenchCase['targets'] = [],
): CaseResult {
  return {
    benchCase: {
      id,
      label: id,
      input: 'in',
      records: 50_000,
      runs: 1,
      command: { runtime: 'node', script: 'x', args: [] },
      targets,
    },
    ...(wallMs !== undefined ? { wallMs } : {}),
    runsMs: wallMs !== undefined ? [wallMs] : [],
    ...(rss !== undefined ? { peakRssBytes: rss } : {}),
    checks: [],
  };
}

test('targets compare with limits and with other cases of the run', () => {
  const reference = result('ref', 500, 80 * MB);
  reference.benchCase.note = 'reference';
  const fast = result('fast', 600, 150 * MB, [wallAtMost(0.8), wallAtMostTimes(1.3, 'ref', 'ref'), peakRssAtMost(150)]);
  const slow = result('slow', 900, 1000 * MB, [
    wallAtMost(0.8),
    wallAtMostTimes(1.3, 'ref', 'ref'),
    peakRssAtMost(1000, true),
  ]);
  const orphan = result('orphan', 100, undefined, [
    wallAtMostTimes(1.2, 'missing', 'missing case'),
    peakRssAtMost(150),
  ]);
  const all = new Map([reference, fast, slow, orphan].map((r) => [r.benchCase.id, r]));
  assert.deepEqual(
    evaluateTargets(fast, all).map((c) => c.pass),
    [true, true, true],
  );
  assert.deepEqual(
    evaluateTargets(slow, all).map((c) => c.pass),
    [false, false, false],
  );
  assert.equal(evaluateTargets(slow, all)[1]?.detail, '1.80×');
  assert.deepEqual(
    evaluateTargets(orphan, all).map((c) => c.pass),
    [undefined, undefined],
  );

  for (const r of all.values()) r.checks = evaluateTargets(r, all);
  const table = renderTable([...all.values()]);
  const rows = table.split('\n');
  assert.equal(rows.length, 6);
  assert.match(rows[2] ?? '', /^\| ref \| in \| 1 \| 0\.500 s \| 100,000 \| 80 MB \| reference \| – \|$/);
  assert.match(rows[3] ?? '', /PASS \|$/);
  assert.match(rows[4] ?? '', /✗.*\*\*FAIL\*\* \|$/);
  assert.match(rows[5] ?? '', /n\/a \|$/);
});

test('inputs are generated once and reused while the options match', async () => {
  const s = scratch();
  try {
    const logs: string[] = [];
    const ctx: BenchContext = {
      root: s.dir,
      outDir: join(s.dir, 'out'),
      cliScript: 'none',
      regenerate: false,
      log: (l) => logs.push(l),
    };
    const options = { seed: 3, records: 500, scenario: 'mixed', format: 'purview-v3' } as const;
    const first = await ensureInput(ctx, 'in.csv', { ...options });
    assert.equal(logs.length, 1);
    assert.equal(first.rows, 500);
    const stamp = statSync(first.path).mtimeMs;
    const again = await ensureInput(ctx, 'in.csv', { ...options });
    assert.equal(logs.length, 1, 'reused without generating');
    assert.equal(statSync(again.path).mtimeMs, stamp);
    assert.deepEqual(again, first);
    await ensureInput(ctx, 'in.csv', { ...options, seed: 4 });
    assert.equal(logs.length, 2, 'other options: regenerated');
    writeFileSync(first.path, 'truncated');
    await ensureInput(ctx, 'in.csv', { ...options, seed: 4 });
    assert.equal(logs.length, 3, 'a damaged file is regenerated');
    await ensureInput({ ...ctx, regenerate: true }, 'in.csv', { ...options, seed: 4 });
    assert.equal(logs.length, 4, '--regenerate');
  } finally {
    s.done();
  }
});

test('sections are discovered from bench/sections and the arguments are checked', () => {
  const ids = loadSections().map((s) => s.id);
  for (const id of ['cli', 'cli-1m', 'reports', 'tala']) assert.ok(ids.includes(id), id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(parseBenchArgs(['--only', 'cli,tala', '--only=cli-1m', '--runs', '2', '--regenerate']), {
    only: ['cli', 'tala', 'cli-1m'],
    runs: 2,
    regenerate: true,
    help: false,
  });
  assert.throws(() => parseBenchArgs(['--runs', '0']), /positive integer/);
  assert.throws(() => parseBenchArgs(['--only']), /needs a value/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown option --fast/);
});

test('the reports section runs every report once as a child on the 50,000-record export, with an RSS target each', async () => {
  const s = scratch();
  try {
    const ctx: BenchContext = {
      root: s.dir,
      outDir: s.dir,
      cliScript: join(s.dir, 'no-cli.js'),
      regenerate: false,
      log: () => {},
    };
    // A cached input that matches the options is reused: a small stand-in keeps the test fast.
    writeFileSync(join(s.dir, 'mixed-50k-v3.csv'), 'x');
    writeFileSync(
      join(s.dir, 'mixed-50k-v3.csv.json'),
      JSON.stringify({
        generatorVersion: GENERATOR_VERSION,
        options: MIXED_50K,
        bytes: 1,
        rows: 50_000,
        meetings: 3_500,
      }),
    );
    const cases = await reportsSection.prepare(ctx);
    assert.equal(cases.length, REPORT_CASES.length);
    const args = cases.map((c) => c.command.args.slice(0, -1).join(' '));
    for (const expected of [
      '-d',
      '-o',
      '-a',
      '--report summary',
      '--report users',
      '--report unknown-clients',
      '--report records --format csv',
      '--report records --format json',
      '',
      '--compat tala -a',
      '--compat tala',
    ]) {
      assert.ok(args.includes(expected), `case for "${expected}"`);
    }
    for (const c of cases) {
      assert.equal(c.command.args.at(-1), join(s.dir, 'mixed-50k-v3.csv'));
      assert.equal(c.targets?.length, 1);
      assert.match(c.unavailable ?? '', /CLI not built/);
    }
    const recordView = cases.find((c) => c.command.args.length === 1)!;
    assert.equal(recordView.targets![0]!.description, `RSS ≤ ${STREAMED_RSS_MB} MB`);
  } finally {
    s.done();
  }
});
