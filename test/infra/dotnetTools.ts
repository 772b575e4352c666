// Command-line tools the infrastructure tests need, restored from NuGet with the .NET SDK when they are not on
// PATH: the Bicep compiler (NuGet package Azure.Bicep.CommandLine.<rid>) and PowerShell (the `PowerShell` dotnet
// tool). They are kept in the git-ignored `.tools/` folder of the repository, one folder per version, so the
// restore runs once per clone. The versions are pinned here, and only here.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bicepParser.js';

export const BICEP_VERSION = '0.49.2';
export const PWSH_VERSION = '7.6.10';

export type Restored = { path: string } | { reason: string };

const TOOLS_DIR = join(REPO_ROOT, '.tools');
const DOTNET_ENV = {
  ...process.env,
  DOTNET_CLI_TELEMETRY_OPTOUT: '1',
  DOTNET_NOLOGO: '1',
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
};

function dotnet(args: string[], cwd: string): { ok: boolean; output: string; missing: boolean } {
  const result = spawnSync('dotnet', args, { cwd, encoding: 'utf8', env: DOTNET_ENV, timeout: 300_000 });
  const error: NodeJS.ErrnoException | undefined = result.error;
  const missing = error?.code === 'ENOENT';
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), missing };
}

/** The NuGet runtime identifier of this machine for the Bicep package, or undefined where none is published. */
export function bicepRuntimeId(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  const os = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'osx' : platform === 'win32' ? 'win' : undefined;
  const cpu = arch === 'x64' ? 'x64' : arch === 'arm64' ? 'arm64' : undefined;
  return os === undefined || cpu === undefined ? undefined : `${os}-${cpu}`;
}

/**
 * Runs `fill(dir)` in a fresh folder beside `target` and renames it into place, so concurrent test processes never
 * see a half-restored tool; the process that loses the rename discards its copy.
 */
function restoreOnce(target: string, executable: string, fill: (dir: string) => string | undefined): Restored {
  const path = join(target, executable);
  if (existsSync(path)) return { path };
  mkdirSync(TOOLS_DIR, { recursive: true });
  const work = mkdtempSync(join(TOOLS_DIR, 'restore-'));
  try {
    const failure = fill(work);
    if (failure !== undefined) return { reason: failure };
    try {
      renameSync(join(work, 'out'), target);
    } catch (error) {
      if (!existsSync(path)) throw error;
    }
    return { path };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function noDotnet(what: string, output: string, missing: boolean): string {
  return missing
    ? `neither ${what} nor \`dotnet\` (to restore it from NuGet) is on PATH`
    : `restoring ${what} with dotnet failed: ${output.split('\n').slice(-3).join(' ')}`;
}

/** The Bicep CLI of BICEP_VERSION, restored from NuGet into `.tools/` if needed. */
export function restoreBicep(): Restored {
  const rid = bicepRuntimeId();
  if (rid === undefined) return { reason: `no Bicep CLI package is published for ${process.platform}-${process.arch}` };
  const executable = process.platform === 'win32' ? 'bicep.exe' : 'bicep';
  return restoreOnce(join(TOOLS_DIR, `bicep-${BICEP_VERSION}`), executable, (work) => {
    const packageId = `Azure.Bicep.CommandLine.${rid}`;
    // PackageDownload fetches a package without referencing it: the project only drives the restore.
    writeFileSync(
      join(work, 'restore.csproj'),
      [
        '<Project Sdk="Microsoft.NET.Sdk">',
        '  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>',
        `  <ItemGroup><PackageDownload Include="${packageId}" Version="[${BICEP_VERSION}]" /></ItemGroup>`,
        '</Project>',
        '',
      ].join('\n'),
    );
    const result = dotnet(['restore', '--packages', join(work, 'packages')], work);
    if (!result.ok) return noDotnet('`bicep`', result.output, result.missing);
    const tools = join(work, 'packages', packageId.toLowerCase(), BICEP_VERSION, 'tools');
    if (!existsSync(join(tools, executable)))
      return `the NuGet package ${packageId} ${BICEP_VERSION} has no tools/${executable}`;
    chmodSync(join(tools, executable), 0o755);
    renameSync(tools, join(work, 'out'));
    return undefined;
  });
}

/** PowerShell (`pwsh`) of PWSH_VERSION, installed as a dotnet tool into `.tools/` if needed. */
export function restorePwsh(): Restored {
  const executable = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  return restoreOnce(join(TOOLS_DIR, `pwsh-${PWSH_VERSION}`), executable, (work) => {
    const result = dotnet(
      ['tool', 'install', 'PowerShell', '--version', PWSH_VERSION, '--tool-path', join(work, 'out')],
      work,
    );
    return result.ok ? undefined : noDotnet('`pwsh`', result.output, result.missing);
  });
}
