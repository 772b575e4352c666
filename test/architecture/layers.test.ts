// The layer rules of .dependency-cruiser.cjs hold on src/, and they catch an upward import when there is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPackageRoot } from '../../src/local/captureRegistrations.js';

const ROOT = findPackageRoot(__dirname);
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser with the project's rules on `src` of `cwd`; returns the violations. */
function cruise(cwd: string): Violation[] {
  const result = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  assert.ok(result.stdout.trim().startsWith('{'), `dependency-cruiser gave no report: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  assert.ok(report.summary.totalCruised > 0, 'dependency-cruiser found no modules');
  return report.summary.violations;
}

test('src/ keeps its layers: nothing imports upward or sideways, and there is no cycle', () => {
  const violations = cruise(ROOT).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  assert.deepEqual(violations, []);
});

test('the rules catch an upward import, a sideways import and a cycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    for (const folder of ['audit', 'analysis', 'storage', 'reports'])
      mkdirSync(join(dir, 'src', folder), { recursive: true });
    writeFileSync(join(dir, 'src', 'analysis', 'model.ts'), 'export const a = 1;\n');
    writeFileSync(
      join(dir, 'src', 'audit', 'reader.ts'),
      "import { a } from '../analysis/model.js';\nexport const r = a;\n",
    );
    writeFileSync(join(dir, 'src', 'reports', 'users.ts'), 'export type User = { id: string };\n');
    writeFileSync(
      join(dir, 'src', 'storage', 'usersTable.ts'),
      "import type { User } from '../reports/users.js';\nexport const u: User[] = [];\n",
    );
    writeFileSync(
      join(dir, 'src', 'audit', 'one.ts'),
      "import { two } from './two.js';\nexport const one = () => two;\n",
    );
    writeFileSync(
      join(dir, 'src', 'audit', 'two.ts'),
      "import { one } from './one.js';\nexport const two = () => one;\n",
    );
    const found = cruise(dir).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    assert.ok(found.includes('layers-audit: src/audit/reader.ts → src/analysis/model.ts'), found.join('\n'));
    assert.ok(
      found.includes('layers-storage: src/storage/usersTable.ts → src/reports/users.ts'),
      'a type-only import counts',
    );
    assert.ok(
      found.some((v) => v.startsWith('no-circular: src/audit/')),
      found.join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
