#!/usr/bin/env node
// `teams-audit` entry point: subcommand dispatch (generate, upload, erase: loaded only when used),
// option parsing, and the tala-compatible or normal analysis run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeOption, OPTIONS_FIRST_HINT, parseArgs, USAGE } from './options.js';
import { Messages, PROGRAM } from './messages.js';
import { regexAddressWarning } from './ipOption.js';
import type { CliIo } from './io.js';
import type { IpTest } from '../reports/tala/layouts.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with `argv` (without node and the script); returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const sub = argv[0];
  if (sub === 'generate') {
    const { runGenerate } = require('../generator/command.js') as typeof import('../generator/command.js');
    return runGenerate(argv.slice(1), io);
  }
  if (sub === 'erase') {
    const { runErase } = require('./erase.js') as typeof import('./erase.js');
    return runErase(argv.slice(1), { stdout: io.stdout, stderr: io.stderr });
  }
  if (sub === 'upload') {
    // Azure SDKs are loaded only here, never by the analysis commands.
    const { runUpload } = require('./upload.js') as typeof import('./upload.js');
    return runUpload(argv.slice(1), { stdout: io.stdout, stderr: io.stderr });
  }

  const outcome = parseArgs(argv);
  if (outcome.kind === 'help') {
    io.stderr.write(USAGE);
    return 0;
  }
  if (outcome.kind === 'version') {
    io.stdout.write(`${PROGRAM} ${version()} (tala v3.0.0 compatible with --compat tala)\n`);
    return 0;
  }
  if (outcome.kind === 'usage-error') {
    io.stderr.write(`${PROGRAM}: CRITICAL: ${outcome.message}\n`);
    if (outcome.showUsage) io.stderr.write(USAGE);
    return 1;
  }
  const o = outcome.options;
  const msg = new Messages(io.stderr, o.maxMessages, o.debug);
  // tala's parsing stops at the first file name, so `file.csv -d` would read `-d` as a file: outside
  // --compat tala, an option-like name that is no file stops the run before anything is read.
  const misplaced =
    o.compat === 'tala' || o.filesAfterDoubleDash ? [] : o.files.filter((f) => looksLikeOption(f) && !existsSync(f));
  if (misplaced.length > 0) {
    const names = misplaced.map((f) => `'${f}'`).join(', ');
    msg.critical(
      `${names} ${misplaced.length === 1 ? 'is an option' : 'are options'} but ${misplaced.length === 1 ? 'comes' : 'come'} after the file name '${o.files[0]}': ` +
        `${OPTIONS_FIRST_HINT} (teams-audit ${misplaced.join(' ')} ${o.files[0]} …); write -- first to read such names as files`,
    );
    return 1;
  }
  if (o.files.length === 0 && io.stdin.isTTY === true)
    msg.notice(
      'reading standard input… (no file name was given; end the input with Ctrl-D, on Windows Ctrl-Z then Enter)',
    );

  let ipRegex: IpTest | undefined;
  if (o.ipRegex !== undefined) {
    const { IpRegexFilter, RegexSyntaxError } =
      require('../analysis/safeRegex.js') as typeof import('../analysis/safeRegex.js');
    try {
      ipRegex = IpRegexFilter.compile(o.ipRegex);
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      msg.configCritical(e.message);
      return 1;
    }
    const warning = regexAddressWarning(o.ipRegex, o.compat !== 'tala');
    if (warning !== undefined) msg.configWarning(warning);
  }

  if (o.compat === 'tala') {
    const { runCompat } = require('./compat.js') as typeof import('./compat.js');
    return runCompat(o, io, msg, ipRegex);
  }
  const { runAnalysis } = require('./analyse.js') as typeof import('./analyse.js');
  return runAnalysis(o, io, msg, ipRegex);
}

/** The process streams; a closed stdout (e.g. `| head`) ends the run quietly. */
function processIo(): CliIo {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

if (require.main === module) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // An internal error, not an input problem: no input data in the message.
      process.stderr.write(
        `${PROGRAM}: CRITICAL: internal error: ${e instanceof Error ? e.name + ': ' + e.message.split('\n')[0] : String(e)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
