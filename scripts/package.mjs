// `npm run package`: builds the deployment package azd uploads to the Flex Consumption app, with the
// remote build off (azure.yaml explains why):
//   <out>/app      the files .funcignore lets through (the compiled dist/, host.json, package.json,
//                  package-lock.json) plus node_modules from `npm ci --omit=dev` on that lock file;
//   <out>/app.zip  that folder zipped, which is what azd's zip of <out>/app contains.
// Run it after `npm run build` (the npm script does both). The production install is cached in
// <cache>/<hash of package-lock.json>, so a second run does not reinstall.
import {
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectPackageFiles } from './package-files.mjs';
import { zipFolder } from './package-zip.mjs';

const USAGE = `usage: node scripts/package.mjs [--out DIR] [--cache DIR | --no-cache] [--json]

  --out DIR     where app/ and app.zip are written (default .tmp/package)
  --cache DIR   production installs kept by lock-file hash (default .tmp/package-cache)
  --no-cache    always run npm ci
  --json        print the summary as JSON
`;

function parseArgs(argv, root) {
  const args = { out: join(root, '.tmp', 'package'), cache: join(root, '.tmp', 'package-cache'), json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new Error(`${arg} needs a value`);
      return resolve(v);
    };
    if (arg === '--out') args.out = value();
    else if (arg === '--cache') args.cache = value();
    else if (arg === '--no-cache') args.cache = undefined;
    else if (arg === '--json') args.json = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
}

function npm(args, cwd) {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    shell: process.platform === 'win32',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (result.error) throw new Error(`could not run npm: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr.slice(-3000)}`);
}

/**
 * A copy of the tree `from` at `to` made of hard links (a second per 10,000 files instead of a quarter of a
 * minute); a plain copy where links cannot be made (another volume). The cache is never written in place:
 * npm ci and this script only ever remove and recreate files.
 */
function linkTree(from, to) {
  try {
    const walk = (src, dst) => {
      mkdirSync(dst, { recursive: true });
      for (const name of readdirSync(src)) {
        const s = join(src, name);
        const d = join(dst, name);
        const stat = lstatSync(s);
        if (stat.isDirectory()) walk(s, d);
        else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
        else linkSync(s, d);
      }
    };
    walk(from, to);
  } catch (err) {
    if (!['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP'].includes(err.code)) throw err;
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
}

/** node_modules of the production dependencies in `app`, from the cache when the lock file is the same. */
function installProductionDependencies(app, cache) {
  const lock = readFileSync(join(app, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const cached = cache === undefined ? undefined : join(cache, key, 'node_modules');
  if (cached !== undefined && existsSync(cached)) {
    linkTree(cached, join(app, 'node_modules'));
    return { installed: 'cache', key };
  }
  // No install scripts: the production dependencies are plain JavaScript (test/deploy checks it), and a
  // script would run with the packaging machine's platform, not the Linux host's.
  npm(['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
  if (cached !== undefined) {
    // Other lock files' installs are stale; a temporary name, then a rename, so a half copy is never used.
    if (existsSync(cache)) {
      for (const old of readdirSync(cache)) {
        if (old !== key && !old.includes('.partial-')) rmSync(join(cache, old), { recursive: true, force: true });
      }
    }
    const partial = join(cache, `${key}.partial-${process.pid}`);
    linkTree(join(app, 'node_modules'), join(partial, 'node_modules'));
    mkdirSync(join(cache, key), { recursive: true });
    try {
      renameSync(join(partial, 'node_modules'), cached);
    } catch (err) {
      if (!existsSync(cached)) throw err; // another run stored the same install first
    }
    rmSync(partial, { recursive: true, force: true });
  }
  return { installed: 'npm ci', key };
}

export function buildPackage(root, { out, cache }) {
  for (const required of ['dist/src/index.js', 'host.json', 'package.json', 'package-lock.json']) {
    if (!existsSync(join(root, required))) {
      throw new Error(`${required} is missing: run \`npm run build\` first (\`npm run package\` does both)`);
    }
  }
  const app = join(out, 'app');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  const files = selectPackageFiles(root);
  for (const file of ['dist/src/index.js', 'host.json', 'package.json', 'package-lock.json']) {
    if (!files.includes(file)) throw new Error(`.funcignore leaves out ${file}, which the deployed app needs`);
  }
  for (const file of files) cpSync(join(root, file), join(app, file));
  const install = installProductionDependencies(app, cache);
  const zip = zipFolder(app, join(out, 'app.zip'));
  const summary = {
    app,
    zip: join(out, 'app.zip'),
    appFiles: files.length,
    zipEntries: zip.entries,
    zipBytes: zip.bytes,
    unpackedBytes: zip.unpackedBytes,
    dependencies: install.installed,
    lockHash: install.key,
  };
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const args = parseArgs(process.argv.slice(2), root);
    if (args.help) {
      process.stdout.write(USAGE);
    } else {
      const s = buildPackage(root, args);
      if (args.json) process.stdout.write(`${JSON.stringify(s)}\n`);
      else {
        const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
        process.stdout.write(
          `Package: ${s.zip} (${mb(s.zipBytes)}, ${s.zipEntries} files; ${mb(s.unpackedBytes)} unpacked)\n` +
            `  ${s.appFiles} files of the app chosen by .funcignore, node_modules from ${s.dependencies} (production dependencies only)\n` +
            `  azd deploys ${s.app} (azure.yaml dist:), with the remote build off\n`,
        );
      }
    }
  } catch (err) {
    process.stderr.write(`package: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
