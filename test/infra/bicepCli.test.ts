// `bicep build` on every template when a Bicep compiler is on PATH (`bicep`, or `az bicep`); otherwise the test is
// reported as skipped with the reason (these machines cannot install one: azure-notes.md §8.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, listBicepFiles } from './bicepParser.js';
import { findBicepCli } from './bicepCompiler.js';

test('bicep build succeeds on every template', (t) => {
  const cli = findBicepCli();
  if ('reasons' in cli) {
    t.skip(`no Bicep compiler: ${cli.reasons.join('; ')}. Only the tree-sitter syntax check and the lint tests ran.`);
    return;
  }
  t.diagnostic(`using ${cli.label}`);
  const failures: string[] = [];
  const files = listBicepFiles(join(REPO_ROOT, 'infra'));
  assert.ok(files.length > 0);
  for (const file of files) {
    const result = cli.build(file);
    if (result.status !== 0) failures.push(`${file}:\n${result.output}`);
  }
  assert.deepEqual(failures, []);
});

test('findBicepCli picks a bicep on PATH and its build reports a failing file', { skip: process.platform === 'win32' ? 'the fake compiler is a POSIX shell script' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-bicep-'));
  const savedPath = process.env['PATH'];
  try {
    // A stand-in compiler: prints a version, and fails to build any file whose name contains "broken".
    writeFileSync(
      join(dir, 'bicep'),
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Bicep CLI version 0.0.0 (fake)"; exit 0; fi\n' +
        'case "$2" in *broken*) echo "$2(1,1) : Error BCP007: fake" >&2; exit 1;; esac\necho "{}"\n',
    );
    chmodSync(join(dir, 'bicep'), 0o755);
    process.env['PATH'] = `${dir}:${savedPath ?? ''}`;
    const cli = findBicepCli();
    assert.ok(!('reasons' in cli), 'the fake bicep is found');
    assert.match(cli.label, /fake/);
    assert.equal(cli.build('/x/main.bicep').status, 0);
    const failed = cli.build('/x/broken.bicep');
    assert.equal(failed.status, 1);
    assert.match(failed.output, /BCP007/);
  } finally {
    process.env['PATH'] = savedPath;
    rmSync(dir, { recursive: true, force: true });
  }
});
