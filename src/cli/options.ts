// Command-line options of `teams-audit`: tala's options with tala's semantics plus
// this project's own, parsed left to right as Python getopt does.
import { getopt, GetoptError } from './getopt.js';
import { readIpOption } from './ipOption.js';
import { RANKING_DIMENSIONS, type RankingDimension } from '../analysis/model.js';

export type ReportKind =
  'meetings' | 'attendees' | 'disconnections' | 'summary' | 'users' | 'records' | 'unknown-clients';
export type OutputFormat = 'text' | 'csv' | 'json';
export type GroupByOption = RankingDimension;

export const REPORT_KINDS: readonly ReportKind[] = [
  'meetings',
  'attendees',
  'disconnections',
  'summary',
  'users',
  'records',
  'unknown-clients',
];
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'csv', 'json'];
export const GROUP_BY_OPTIONS: readonly GroupByOption[] = RANKING_DIMENSIONS;

export interface CliOptions {
  /** The report; tala's default (no mode option) is the record view. */
  report: ReportKind;
  /** --format; undefined means the report's default (csv for meetings/attendees, text otherwise). */
  format?: OutputFormat;
  compat?: 'tala';
  /** -i / --ip=REGEX: tala's regex on the IP (Python re.search semantics). */
  ipRegex?: string;
  /** --ip CIDR[,CIDR…]: networks of the lost session. */
  ipNetworks?: string;
  usersFile?: string;
  debug: boolean;
  groupBy?: GroupByOption;
  siteMapFile?: string;
  rulesFile?: string;
  /** --param name=value, in order (later wins). */
  params: Array<[string, string]>;
  paramsFile?: string;
  includePossible: boolean;
  /** How many warning/rejection messages to print (all are counted). */
  maxMessages: number;
  strict: boolean;
  files: string[];
  /** The files came after `--`: names that look like options are meant as file names. */
  filesAfterDoubleDash: boolean;
}

export type ParseOutcome =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  /** Bad command line: message, and whether to print the usage after it (getopt syntax errors). */
  | { kind: 'usage-error'; message: string; showUsage: boolean };

export const SHORT_OPTIONS = 'adi:ou:?h';
export const LONG_OPTIONS: readonly string[] = [
  // tala's
  'attendees',
  'debug',
  'disconnect',
  'help',
  'ip=',
  'organizers',
  'users=',
  'version',
  // this project's
  'compat=',
  'format=',
  'report=',
  'group-by=',
  'site-map=',
  'rules=',
  'param=',
  'params=',
  'include=',
  'max-rejections=',
  'strict',
];

export const DEFAULT_MAX_MESSAGES = 20;

/**
 * A file name that looks like one of the options (`-d`, `--disc`, `-di^10`, `--format=csv`, `--`):
 * given after a file name, where tala's parsing had already stopped.
 */
export function looksLikeOption(arg: string): boolean {
  if (arg === '--') return true;
  if (!arg.startsWith('-') || arg === '-') return false;
  if (arg.startsWith('--')) {
    const typed = arg.slice(2).split('=')[0]!;
    return typed !== '' && LONG_OPTIONS.some((option) => option.startsWith(typed));
  }
  const letter = arg[1]!;
  return letter !== ':' && SHORT_OPTIONS.includes(letter);
}

/** The hint added to messages about an option given after the file names. */
export const OPTIONS_FIRST_HINT = 'options go before file names';

/** The format used when --format is not given. */
export function defaultFormat(report: ReportKind): OutputFormat {
  return report === 'meetings' || report === 'attendees' ? 'csv' : 'text';
}

/**
 * Parses the arguments after the program name. Like tala: a syntax error anywhere is reported
 * before anything else; then options apply left to right, `--help`/`-?`/`--version` end
 * parsing as soon as they are reached, and among -o/-a/-d/--report the last wins. Values of
 * this project's options are checked here; regexes, networks and files are checked by the caller.
 */
export function parseArgs(argv: readonly string[]): ParseOutcome {
  let parsed;
  try {
    parsed = getopt(argv, SHORT_OPTIONS, LONG_OPTIONS);
  } catch (e) {
    if (e instanceof GetoptError)
      return { kind: 'usage-error', message: `Syntax error: ${e.message}`, showUsage: true };
    throw e;
  }
  const o: CliOptions = {
    report: 'records',
    debug: false,
    params: [],
    includePossible: false,
    maxMessages: DEFAULT_MAX_MESSAGES,
    strict: false,
    files: parsed.operands,
    filesAfterDoubleDash: parsed.endedByDoubleDash,
  };
  const bad = (message: string): ParseOutcome => ({ kind: 'usage-error', message, showUsage: false });
  const ipArgs: Array<{ name: string; value: string }> = [];
  for (const { name, value } of parsed.options) {
    switch (name) {
      case '-o':
      case '--organizers':
        o.report = 'meetings';
        break;
      case '-a':
      case '--attendees':
        o.report = 'attendees';
        break;
      case '-d':
      case '--disconnect':
        o.report = 'disconnections';
        break;
      case '-i':
      case '--ip':
        ipArgs.push({ name, value });
        break;
      case '-u':
      case '--users':
        o.usersFile = value;
        break;
      case '--debug':
        o.debug = true;
        break;
      case '--help':
      case '-?':
      case '-h':
        return { kind: 'help' };
      case '--version':
        return { kind: 'version' };
      case '--compat':
        if (value !== 'tala') return bad(`--compat: unknown value '${value}' (the only value is 'tala')`);
        o.compat = 'tala';
        break;
      case '--format':
        if (!(OUTPUT_FORMATS as readonly string[]).includes(value))
          return bad(`--format: unknown format '${value}' (text, csv or json)`);
        o.format = value as OutputFormat;
        break;
      case '--report':
        if (!(REPORT_KINDS as readonly string[]).includes(value))
          return bad(`--report: unknown report '${value}' (${REPORT_KINDS.join(', ')})`);
        o.report = value as ReportKind;
        break;
      case '--group-by':
        if (!(GROUP_BY_OPTIONS as readonly string[]).includes(value))
          return bad(`--group-by: unknown dimension '${value}' (${GROUP_BY_OPTIONS.join(', ')})`);
        o.groupBy = value as GroupByOption;
        break;
      case '--site-map':
        o.siteMapFile = value;
        break;
      case '--rules':
        o.rulesFile = value;
        break;
      case '--param': {
        const eq = value.indexOf('=');
        if (eq <= 0) return bad(`--param: expected name=value, got '${value}'`);
        o.params.push([value.slice(0, eq).trim(), value.slice(eq + 1).trim()]);
        break;
      }
      case '--params':
        o.paramsFile = value;
        break;
      case '--include':
        for (const item of value.split(',')) {
          if (item.trim() !== 'possible')
            return bad(`--include: unknown value '${item.trim()}' (the only value is 'possible')`);
        }
        o.includePossible = true;
        break;
      case '--max-rejections': {
        if (!/^\d+$/.test(value)) return bad(`--max-rejections: expected a whole number ≥ 0, got '${value}'`);
        o.maxMessages = Number(value);
        break;
      }
      case '--strict':
        o.strict = true;
        break;
      default:
        return bad(`internal error: option ${name} is not handled`);
    }
  }
  // tala: -i and --ip are one regex option, the last wins. Here --ip selects networks instead when
  // its value is networks (see readIpOption), except in compat mode.
  for (const { name, value } of ipArgs) {
    if (name === '--ip' && o.compat !== 'tala') {
      const reading = readIpOption(value);
      if (reading.kind === 'error') return bad(reading.message);
      if (reading.kind === 'networks') {
        o.ipNetworks = value;
        continue;
      }
    }
    o.ipRegex = value;
  }
  if (o.compat === 'tala') {
    const conflict = compatConflict(o);
    if (conflict !== undefined) return bad(conflict);
  }
  return { kind: 'run', options: o };
}

/** Options that have no meaning in tala's layouts. */
function compatConflict(o: CliOptions): string | undefined {
  if (!['meetings', 'attendees', 'disconnections', 'records'].includes(o.report)) {
    return `--compat tala: the ${o.report} report has no tala layout (use -o, -a, -d or no mode option)`;
  }
  if (o.format !== undefined) return '--compat tala: --format cannot be used (tala layouts are fixed)';
  const unsupported: Array<[string, boolean]> = [
    ['--group-by', o.groupBy !== undefined],
    ['--site-map', o.siteMapFile !== undefined],
    ['--rules', o.rulesFile !== undefined],
    ['--param', o.params.length > 0],
    ['--params', o.paramsFile !== undefined],
    ['--include', o.includePossible],
  ];
  for (const [name, used] of unsupported)
    if (used) return `--compat tala: ${name} cannot be used (tala has no such analysis)`;
  return undefined;
}

export const USAGE = `usage: teams-audit [-o|-a|-d] [-i REGEX] [-u FILE] [options] [--] [file ...]
       teams-audit generate [options]     (synthetic exports; see teams-audit generate --help)
       teams-audit upload [options]       (send exports to the pipeline; see teams-audit upload --help)
       teams-audit erase ID-OR-UPN        (erase one person from the pipeline's storage; see teams-audit erase --help)

Reads Purview / PowerShell / Sentinel / Management API exports (CSV, JSON, NDJSON; plain, .gz or .zip) from the files,
or from standard input when no file is given. Several files are merged into one analysis
(records de-duplicated on their Id), except with --compat tala.

tala options (same meaning as tala v3.0.0):
  -o, --organizers      meetings report (CSV by default)
  -a, --attendees       attendees report: one row per connection (CSV by default)
  -d, --disconnect      disconnections report (text by default)
                        (no mode option: the record view, as tala)
  -i, --ip REGEX        keep disconnections whose lost session's IP matches REGEX
                        (Python re.search: unanchored; write ^ yourself)
  -u, --users FILE      users database (uuid,email lines): created if missing (mode 0600), learns
                        organisers and attendee UPNs, fills e-mails in the reports; must be
                        writable: rewritten in place of the old one, its mode kept
      --debug           also print INFO messages on stderr
      --version         print the version and exit
  -?, -h, --help        print this help on stderr and exit
      --                end of options

Options of this tool:
      --compat tala     reproduce tala's output byte for byte, one report per file
      --report NAME     meetings | attendees | disconnections | summary | users | records |
                        unknown-clients (-o, -a, -d are shortcuts)
      --format FMT      text | csv | json
      --group-by DIM    summary rankings by site | subnet | platform | user | day (all five when
                        absent; with --format csv, the ranking rows of DIM)
      --ip CIDR[,CIDR]  keep disconnections whose lost session's IP is in these networks (a bare
                        address is one host); a value with regex syntax (^ \\ $ * + ? ( ) [ ] { } |)
                        and no '/' is a REGEX, as -i; anything else is an error
      --site-map FILE   CQD building file (CSV) mapping networks to sites
      --rules FILE      classification rules (JSON), merged over the built-in rules
      --param N=V       detection parameter (repeatable); --params FILE.json for several
      --include possible  also list possible-band disconnections (hidden by default)
      --max-rejections N  print at most N warning/rejection messages (default ${DEFAULT_MAX_MESSAGES}; all are counted)
      --strict          exit 4 when any row was rejected

Options go before file names (parsing stops at the first file name, as in tala).

Exit status: 0 ok; 1 bad usage (also an option after the file names), option value, regex,
configuration or users file; 2 no input could be read; 3 some input files missing or unreadable;
4 rows rejected with --strict.
With --compat tala: 0 ok, k when k files were missing or unreadable, 1 bad usage (as tala).
`;
