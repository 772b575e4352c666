// The real Bicep compiler on every template: `bicep build` and `bicep lint` with infra/bicepconfig.json. The compiler
// is found on PATH or restored from NuGet with dotnet (bicepCompiler.ts); where neither can be had, one line says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, listBicepFiles } from './bicepParser.js';
import { REPORTED_ONLY, failingDiagnostics, findBicepCli, type BicepCli } from './bicepCompiler.js';
import { bicepRuntimeId } from './dotnetTools.js';

let found: BicepCli | { reasons: string[] } | undefined;
function compiler(): BicepCli | { reasons: string[] } {
  found ??= findBicepCli();
  return found;
}

for (const step of ['build', 'lint'] as const) {
  test(`bicep ${step} reports no error or warning on any template`, (t) => {
    const cli = compiler();
    if ('reasons' in cli) {
      t.skip(`no Bicep compiler: ${cli.reasons.join('; ')}`);
      return;
    }
    t.diagnostic(`using ${cli.label}`);
    const files = listBicepFiles(join(REPO_ROOT, 'infra'));
    assert.ok(files.length >= 9, `found ${files.length} templates`);
    const failures: string[] = [];
    for (const file of files) {
      const result = cli[step](file);
      const bad = failingDiagnostics(result.output);
      if (result.status !== 0 || bad.length > 0)
        failures.push(`${file} (exit ${result.status}):\n${bad.join('\n') || result.output}`);
      for (const line of result.output.split('\n'))
        if (REPORTED_ONLY.some((rule) => line.includes(` ${rule}:`))) t.diagnostic(line);
    }
    assert.deepEqual(failures, []);
  });
}

test('failingDiagnostics keeps errors and warnings, except the rules that are only reported', () => {
  const output = [
    '/x/a.bicep(1,1) : Error no-unused-params: Parameter "p" is declared but never used.',
    '/x/a.bicep(2,1) : Warning BCP081: Resource type "A/b@1" does not have types available.',
    "/x/a.bicep(3,1) : Warning use-recent-api-versions: Use more recent API version for 'A/b'.",
    'Bicep CLI version 0.49.2',
  ].join('\n');
  assert.deepEqual(
    failingDiagnostics(output).map((l) => l.split(' : ')[1]!.split(':')[0]),
    ['Error no-unused-params', 'Warning BCP081'],
  );
});

test('the Bicep package runtime id follows the platform and the CPU', () => {
  assert.equal(bicepRuntimeId('linux', 'x64'), 'linux-x64');
  assert.equal(bicepRuntimeId('darwin', 'arm64'), 'osx-arm64');
  assert.equal(bicepRuntimeId('win32', 'x64'), 'win-x64');
  assert.equal(bicepRuntimeId('aix', 'ppc64'), undefined);
});

test(
  'findBicepCli picks a bicep on PATH and its build reports a failing file',
  { skip: process.platform === 'win32' ? 'the fake compiler is a POSIX shell script' : false },
  () => {
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
      const cli = findBicepCli({ restore: false });
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
  },
);
