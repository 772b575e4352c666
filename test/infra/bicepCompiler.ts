// Finds a Bicep compiler on PATH: the standalone `bicep`, or `az bicep` with an installed Bicep CLI.
import { spawnSync } from 'node:child_process';

export interface BicepCli {
  readonly label: string;
  build(file: string): { status: number | null; output: string };
}

function run(command: string, args: string[]): { status: number | null; output: string; missing: boolean } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, missing };
}

/** The first Bicep compiler found, or the reasons none was usable. */
export function findBicepCli(): BicepCli | { reasons: string[] } {
  const reasons: string[] = [];
  const standalone = run('bicep', ['--version']);
  if (standalone.status === 0) {
    return {
      label: `bicep (${standalone.output.trim()})`,
      build: (file) => run('bicep', ['build', file, '--stdout']),
    };
  }
  reasons.push(standalone.missing ? '`bicep` is not on PATH' : `\`bicep --version\` failed: ${standalone.output.trim()}`);
  const az = run('az', ['bicep', 'version', '--only-show-errors']);
  if (az.status === 0 && /Bicep CLI version/i.test(az.output)) {
    return {
      label: `az bicep (${az.output.trim()})`,
      build: (file) => run('az', ['bicep', 'build', '--file', file, '--stdout', '--only-show-errors']),
    };
  }
  reasons.push(az.missing ? '`az` is not on PATH' : `\`az bicep version\` did not report an installed Bicep CLI: ${az.output.trim().split('\n')[0] ?? ''}`);
  return { reasons };
}
