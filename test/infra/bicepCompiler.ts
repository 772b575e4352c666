// Finds a Bicep compiler: the standalone `bicep` on PATH, `az bicep` with an installed Bicep CLI, or the pinned
// Bicep CLI restored from NuGet with `dotnet` (dotnetTools.ts).
import { spawnSync } from 'node:child_process';
import { restoreBicep } from './dotnetTools.js';

export interface BicepResult {
  status: number | null;
  output: string;
}

export interface BicepCli {
  readonly label: string;
  build(file: string): BicepResult;
  /** `bicep lint`: the linter rules of the nearest bicepconfig.json; rules at level error make it fail. */
  lint(file: string): BicepResult;
  /**
   * `bicep snapshot` of a .bicepparam file (the deployment evaluated with its parameters: predicted resources with
   * their properties) written beside it as <name>.snapshot.json; only the standalone compiler has it.
   */
  snapshot?(paramsFile: string, args: string[]): BicepResult;
}

function run(command: string, args: string[]): BicepResult & { missing: boolean } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  const error: NodeJS.ErrnoException | undefined = result.error;
  const missing = error?.code === 'ENOENT';
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, missing };
}

function standalone(command: string, version: string): BicepCli {
  return {
    label: `${command} (${version.trim()})`,
    build: (file) => run(command, ['build', file, '--stdout']),
    lint: (file) => run(command, ['lint', file]),
    snapshot: (paramsFile, args) => run(command, ['snapshot', paramsFile, '--mode', 'overwrite', ...args]),
  };
}

export interface FindBicepOptions {
  /** Restore the pinned compiler with dotnet when none is installed (default true). */
  restore?: boolean;
}

/** The first Bicep compiler found, or the reasons none was usable. */
export function findBicepCli(options: FindBicepOptions = {}): BicepCli | { reasons: string[] } {
  const reasons: string[] = [];
  const onPath = run('bicep', ['--version']);
  if (onPath.status === 0) return standalone('bicep', onPath.output);
  reasons.push(onPath.missing ? '`bicep` is not on PATH' : `\`bicep --version\` failed: ${onPath.output.trim()}`);
  const az = run('az', ['bicep', 'version', '--only-show-errors']);
  if (az.status === 0 && /Bicep CLI version/i.test(az.output)) {
    return {
      label: `az bicep (${az.output.trim()})`,
      build: (file) => run('az', ['bicep', 'build', '--file', file, '--stdout', '--only-show-errors']),
      lint: (file) => run('az', ['bicep', 'lint', '--file', file, '--only-show-errors']),
    };
  }
  reasons.push(
    az.missing
      ? '`az` is not on PATH'
      : `\`az bicep version\` did not report an installed Bicep CLI: ${az.output.trim().split('\n')[0] ?? ''}`,
  );
  if (options.restore === false) return { reasons };
  const restored = restoreBicep();
  if ('reason' in restored) {
    reasons.push(restored.reason);
    return { reasons };
  }
  const version = run(restored.path, ['--version']);
  if (version.status === 0) return standalone(restored.path, version.output);
  reasons.push(`the restored ${restored.path} does not run: ${version.output.trim()}`);
  return { reasons };
}

/** Linter rules whose findings are reported but do not fail (infra/bicepconfig.json says why). */
export const REPORTED_ONLY: readonly string[] = ['use-recent-api-versions'];

/** Diagnostics of a build or lint output that fail the test: errors, and warnings not in REPORTED_ONLY. */
export function failingDiagnostics(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => / : (Error|Warning) /.test(line) && !REPORTED_ONLY.some((rule) => line.includes(` ${rule}:`)));
}
