// `teams-audit generate`: option parsing and output for the synthetic export generator.
import { writeFile } from 'node:fs/promises';
import { GENERATED_FORMATS, checkGeneratorOptions, generateExport, writeChunks, writeExport, type GeneratedFormat, type GeneratorOptions, type GroundTruth } from './exportGenerator.js';

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
  if (!/^(0|1)?(\.\d+)?$/.test(text) || text === '' || text === '.') throw new UsageError(`${name} must be a share between 0 and 0.5, e.g. 0.01 (got '${text}')`);
  const value = Number(text);
  if (value < 0 || value > 0.5) throw new UsageError(`${name} must be between 0 and 0.5 (got '${text}')`);
  return value;
}

export function parseGenerateArgs(argv: readonly string[]): ParsedGenerate {
  const options: GeneratorOptions = { seed: 1, records: 50_000, scenario: 'mixed', format: 'purview-v3' };
  const parsed: ParsedGenerate = { options, help: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help' || arg === '-?') {
      parsed.help = true;
      continue;
    }
    const match = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument '${arg}'`);
    const name = match[1] as string;
    let value = match[2];
    const needsValue = (): string => {
      if (value !== undefined) return value;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
      value = next;
      return next;
    };
    if (seen.has(name)) throw new UsageError(`${name} given twice`);
    seen.add(name);
    switch (name) {
      case '--records': {
        const n = integer(name, needsValue());
        if (n < 0 || n > 100_000_000) throw new UsageError(`--records must be between 0 and 100000000 (got ${n})`);
        options.records = n;
        break;
      }
      case '--seed':
        options.seed = integer(name, needsValue());
        break;
      case '--scenario': {
        const v = needsValue();
        if (v !== 'mixed' && v !== 'townhall') throw new UsageError(`--scenario must be mixed or townhall (got '${v}')`);
        options.scenario = v;
        break;
      }
      case '--format': {
        const v = needsValue();
        if (!(GENERATED_FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${GENERATED_FORMATS.join(', ')} (got '${v}')`);
        options.format = v as GeneratedFormat;
        break;
      }
      case '--start':
        options.start = needsValue();
        break;
      case '--meeting-id-prefix':
        options.meetingIdPrefix = needsValue();
        break;
      case '--other-operations':
        options.otherOperationsShare = shareValue(name, needsValue());
        break;
      case '--bad-rows':
        options.badRowShare = shareValue(name, needsValue());
        break;
      case '--duplicates':
        options.duplicateShare = shareValue(name, needsValue());
        break;
      case '--no-meeting-details':
        if (value !== undefined) throw new UsageError(`${name} takes no value`);
        options.meetingDetails = false;
        break;
      case '--out':
        parsed.out = needsValue();
        break;
      case '--truth':
        parsed.truth = needsValue();
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  return parsed;
}

function summary(truth: GroundTruth): string {
  return `${truth.rows} rows: ${truth.sessionRecords} participant records, ${truth.meetingDetailRecords} meeting records, ${truth.meetings} meetings, ${truth.drops.length} planted drops`;
}

/** Runs `teams-audit generate`; returns the exit status (0 ok, 1 write failure, 2 bad options). */
export async function runGenerate(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
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
    io.stderr.write(`teams-audit generate: cannot write ${parsed.out ?? 'standard output'}: ${(error as Error).message}\n`);
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
