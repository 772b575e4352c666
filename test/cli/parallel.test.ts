// The CLI gives the same output and messages whether a large file is read with worker threads or not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExport } from '../../src/generator/exportGenerator.js';
import { MAIN } from './run.fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], threads: number) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TEAMS_AUDIT_READ_THREADS: String(threads) },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a file over the parallel threshold (8 MiB) gives the same reports with 1, 2 and 3 reading threads', () => {
  const text = [...generateExport({ seed: 11, records: 9500, scenario: 'mixed', format: 'purview-v3', badRowShare: 0.01, duplicateShare: 0.02 })
    .chunks()].join('');
  assert.ok(Buffer.byteLength(text) > 8 * 1024 * 1024, 'the file must be large enough to be read in parallel');
  const big = join(dir, 'big.csv');
  writeFileSync(big, text);
  const small = join(dir, 'small.csv');
  writeFileSync(small, [...generateExport({ seed: 12, records: 300, scenario: 'mixed', format: 'purview-v2' }).chunks()].join(''));
  for (const args of [['-d', '--format', 'json', big, small], ['--report', 'summary', big], ['--compat', 'tala', '-d', big]]) {
    const sequential = run(args, 1);
    assert.equal(sequential.status, 0, sequential.stderr);
    assert.match(sequential.stderr, /rejected/);
    for (const threads of [2, 3]) {
      const parallel = run(args, threads);
      assert.equal(parallel.status, sequential.status);
      assert.equal(parallel.stdout, sequential.stdout, `${args.join(' ')} with ${threads} threads`);
      assert.equal(parallel.stderr, sequential.stderr, `${args.join(' ')} with ${threads} threads`);
    }
  }
});
