// `teams-audit generate`: option parsing and output for the synthetic export generator.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  GENERATED_FORMATS,
  checkGeneratorOptions,
  generateExport,
  writeChunks,
  writeExport,
  type GeneratedFormat,
  type GeneratorOptions,
  type GroundTruth,
} from './exportGenerator.js';

export const GENERATE_USAGE = `usage: teams-audit generate [options]

Writes a synthetic, seeded Teams meeting audit export (same options → byte-identical file).

  --records N             data rows to write, exactly (default 50000)
  --seed S                integer seed (default 1)
  --scenario NAME         mixed (default): ~3,500 meetings per 50,000 rows;
                          townhall: every record in one meeting
  --format FMT            purview-v3 (default) | purview-v2 | purview-v1 | json-array | ndjson
  --start ISO             start of the first meeting (default 2026-03-02T08:00:00Z)
  --meeting-id-prefix HEX 1-8 hex digits put at the start of every meeting id (disjoint files)
  --other-operations SHARE  share of other Teams operations, 0-0.5 (default 0.01)
  --bad-rows SHARE        share of deliberately broken rows, 0-0.5 (default 0)
  --duplicates SHARE      share of duplicate rows, 0-0.5 (default 0.005)
  --no-meeting-details    no MeetingDetail records (tala v3.0.0 cannot read them)
  --out FILE              write the export to FILE (default: standard output)
  --truth FILE            write the ground truth (counts and planted drops) as JSON to FILE
  -h, --help              print this help and exit
`;

class UsageError extends Error {}

interface ParsedGenerate {
  options: GeneratorOptions;
  out?: string;
  truth?: string;
  help: boolean;
}

function integer(name: string, text: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${name} must be an integer (got '${text}')`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${name} is too large (got '${text}')`);
  return value;
}

function shareValue(name: string, text: string): number {
  if (!/^(0|1)?(\.\d+)?$/.test(text) || text === '' || text === '.')
    throw new UsageError(`${name} must be a share between 0 and 0.5, e.g. 0.01 (got '${text}')`);
  const value = Number(text);
  if (value < 0 || value > 0.5) throw new UsageError(`${name} must be between 0 and 0.5 (got '${text}')`);
  return value;
}

/** What each option does with its value (undefined: a flag). */
const OPTIONS: Record<string, { flag?: true; apply: (parsed: ParsedGenerate, value: string, name: string) => void }> = {
  records: {
    apply: ({ options }, value, name) => {
      const n = integer(name, value);
      if (n < 0 || n > 100_000_000) throw new UsageError(`--records must be between 0 and 100000000 (got ${n})`);
      options.records = n;
    },
  },
  seed: { apply: ({ options }, value, name) => void (options.seed = integer(name, value)) },
  scenario: {
    apply: ({ options }, value) => {
      if (value !== 'mixed' && value !== 'townhall')
        throw new UsageError(`--scenario must be mixed or townhall (got '${value}')`);
      options.scenario = value;
    },
  },
  format: {
    apply: ({ options }, value) => {
      if (!(GENERATED_FORMATS as readonly string[]).includes(value))
        throw new UsageError(`--format must be one of ${GENERATED_FORMATS.join(', ')} (got '${value}')`);
      options.format = value as GeneratedFormat;
    },
  },
  start: { apply: ({ options }, value) => void (options.start = value) },
  'meeting-id-prefix': { apply: ({ options }, value) => void (options.meetingIdPrefix = value) },
  'other-operations': {
    apply: ({ options }, value, name) => void (options.otherOperationsShare = shareValue(name, value)),
  },
  'bad-rows': { apply: ({ options }, value, name) => void (options.badRowShare = shareValue(name, value)) },
  duplicates: { apply: ({ options }, value, name) => void (options.duplicateShare = shareValue(name, value)) },
  'no-meeting-details': { flag: true, apply: ({ options }) => void (options.meetingDetails = false) },
  out: { apply: (parsed, value) => void (parsed.out = value) },
  truth: { apply: (parsed, value) => void (parsed.truth = value) },
};

/** The options of `teams-audit generate`, read with node:util parseArgs (as `teams-audit upload` is). */
export function parseGenerateArgs(argv: readonly string[]): ParsedGenerate {
  const options: GeneratorOptions = { seed: 1, records: 50_000, scenario: 'mixed', format: 'purview-v3' };
  const parsed: ParsedGenerate = { options, help: false };
  const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(OPTIONS))
    parseOptions[name] = { type: option.flag === true ? 'boolean' : 'string' };
  const { tokens } = parseArgs({
    args: [...argv],
    options: parseOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument '${token.value}'`);
    if (token.kind !== 'option') throw new UsageError("unexpected argument '--'");
    if (token.name === 'help' || token.rawName === '-?') {
      parsed.help = true;
      continue;
    }
    const option = OPTIONS[token.name];
    const name = `--${token.name}`;
    if (option === undefined || !token.rawName.startsWith('--'))
      throw new UsageError(`unknown option ${token.rawName}`);
    if (seen.has(name)) throw new UsageError(`${name} given twice`);
    seen.add(name);
    if (option.flag === true) {
      if (token.value !== undefined) throw new UsageError(`${name} takes no value`);
      option.apply(parsed, '', name);
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
      throw new UsageError(`${name} needs a value`);
    option.apply(parsed, token.value, name);
  }
  return parsed;
}

function summary(truth: GroundTruth): string {
  return `${truth.rows} rows: ${truth.sessionRecords} participant records, ${truth.meetingDetailRecords} meeting records, ${truth.meetings} meetings, ${truth.drops.length} planted drops`;
}

/** Runs `teams-audit generate`; returns the exit status (0 ok, 1 write failure, 2 bad options). */
export async function runGenerate(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let parsed: ParsedGenerate;
  try {
    parsed = parseGenerateArgs(argv);
    // Values only the generator can judge (start date, prefix, share totals).
    if (!parsed.help) checkGeneratorOptions(parsed.options);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof RangeError)) throw error;
    io.stderr.write(`teams-audit generate: ${error.message}\nRun 'teams-audit generate --help' for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(GENERATE_USAGE);
    return 0;
  }
  let truth: GroundTruth;
  try {
    if (parsed.out !== undefined) {
      truth = await writeExport(parsed.out, parsed.options);
    } else {
      const generated = generateExport(parsed.options);
      truth = generated.truth;
      await writeChunks(io.stdout, generated.chunks());
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return 0;
    io.stderr.write(
      `teams-audit generate: cannot write ${parsed.out ?? 'standard output'}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  if (parsed.truth !== undefined) {
    try {
      await writeFile(parsed.truth, `${JSON.stringify(truth, null, 2)}\n`);
    } catch (error) {
      io.stderr.write(`teams-audit generate: cannot write ${parsed.truth}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  if (parsed.out !== undefined) io.stderr.write(`teams-audit generate: wrote ${summary(truth)} to ${parsed.out}\n`);
  return 0;
}
