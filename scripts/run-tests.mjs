// Test command: starts an in-memory Azurite on free ports, runs every compiled test file with
// node:test (one process per file), then stops Azurite. Extra arguments filter test paths. The tests'
// output is followed by a summary of the failed and skipped tests (test-summary-reporter.mjs).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startAzurite } = require('../dist/src/local/azuriteProcess.js');

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findTests('dist/test')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ')}`);
  process.exit(1);
}

const summaryDir = mkdtempSync(join(tmpdir(), 'test-summary-'));
const summaryFile = join(summaryDir, 'summary.txt');
const reporters = [
  // node:test's own default: spec on a terminal, TAP otherwise.
  `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
  '--test-reporter-destination=stdout',
  `--test-reporter=${new URL('./test-summary-reporter.mjs', import.meta.url).href}`,
  `--test-reporter-destination=${summaryFile}`,
];

const azurite = await startAzurite();
console.error(
  `Azurite (in memory) on blob ${azurite.ports.blob}, queue ${azurite.ports.queue}, table ${azurite.ports.table}`,
);
let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...reporters, ...files], {
      stdio: 'inherit',
      env: { ...process.env, TEST_STORAGE_CONNECTION: azurite.connectionString },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} finally {
  await azurite.stop();
  try {
    process.stdout.write(readFileSync(summaryFile, 'utf8'));
  } catch {
    console.error('(no summary of failed and skipped tests: the test runner ended before writing it)');
  }
  rmSync(summaryDir, { recursive: true, force: true });
}
console.error(`${files.length} test files; exit ${code}`);
process.exit(code);
