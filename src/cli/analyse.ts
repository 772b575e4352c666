// The normal mode: every input merged into one data set, classified and analysed, then one
// report rendered in the chosen format.
import { readFileSync } from 'node:fs';
import { youngGenerationCap } from './youngGeneration.js';
import { ExportReadError } from '../audit/readExport.js';
import { AuditDataset } from '../audit/dataset.js';
import { SessionClassifier, parseRules, mergeRules, type ClassificationRules } from '../analysis/classify.js';
import type { SiteMap } from '../analysis/siteMap.js';
import { analyseMeeting } from '../analysis/detect.js';
import { parseDetectionParams } from '../analysis/params.js';
import type { DetectionParams } from '../analysis/model.js';
import type { IpTest } from '../reports/tala/layouts.js';
import type { AnalysedMeeting } from '../reports/meetings.js';
import { learnUsers, UsersDatabase } from '../analysis/userDirectory.js';
import { defaultFormat, type CliOptions } from './options.js';
import { inputSources, openExport, readingProgress, type CliIo } from './io.js';
import { emptyAccounting } from '../audit/accounting.js';
import { reportFileInfo, reportNoMeetingRecords, type Messages } from './messages.js';
import type { ReadAccounting } from '../audit/records.js';
import { loadUsers, saveUsers } from './usersFile.js';
import { isFileSystemError, plainFileError } from './fileErrors.js';
import { IP_OPTION_RULE } from './ipOption.js';
import { renderReport, writeReport } from './render.js';
import { ReportOutput } from './reportOutput.js';
import { RecordListing } from './recordListing.js';

interface Config {
  params: DetectionParams;
  rules?: ClassificationRules;
  siteMap?: SiteMap;
  networks?: string[];
}

/** Loaded only when a site map or --ip networks are used. */
function siteMapModule(): typeof import('../analysis/siteMap.js') {
  return require('../analysis/siteMap.js') as typeof import('../analysis/siteMap.js');
}

function networkTest(networks: string[]): (ip: string) => boolean {
  const { matchesCidrs } = siteMapModule();
  return (ip) => matchesCidrs(ip, networks);
}

function readText(path: string, what: string, msg: Messages): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    msg.critical(`${what} '${path}' cannot be read: ${plainFileError(e)}`);
    return undefined;
  }
}

/** Site map, rules, detection parameters and networks; undefined after a CRITICAL message (exit 1). */
function loadConfig(o: CliOptions, msg: Messages): Config | undefined {
  const raw: Record<string, unknown> = {};
  let source = 'detection parameters';
  if (o.paramsFile !== undefined) {
    const text = readText(o.paramsFile, 'parameter file', msg);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      msg.configCritical(`${o.paramsFile}: not valid JSON: ${(e as Error).message}`);
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      msg.configCritical(`${o.paramsFile}: expected a JSON object of parameter names and values`);
      return undefined;
    }
    Object.assign(raw, value);
    source = o.paramsFile;
  }
  for (const [name, value] of o.params) raw[name] = value;
  if (o.params.length > 0) source = o.paramsFile === undefined ? '--param' : `${o.paramsFile} and --param`;
  let params: DetectionParams;
  try {
    params = parseDetectionParams(raw, source);
  } catch (e) {
    msg.configCritical((e as Error).message);
    return undefined;
  }
  const config: Config = { params };
  if (o.rulesFile !== undefined) {
    const text = readText(o.rulesFile, 'rules file', msg);
    if (text === undefined) return undefined;
    try {
      config.rules = mergeRules(parseRules(text, o.rulesFile));
    } catch (e) {
      msg.configCritical((e as Error).message);
      return undefined;
    }
  }
  if (o.siteMapFile !== undefined) {
    const text = readText(o.siteMapFile, 'site map', msg);
    if (text === undefined) return undefined;
    const { map, errors } = siteMapModule().SiteMap.fromCqdCsv(text, o.siteMapFile);
    for (const e of errors) msg.configRowWarning(e.file, e.line, e.field, e.reason);
    config.siteMap = map;
  }
  if (o.ipNetworks !== undefined) {
    try {
      config.networks = siteMapModule().parseCidrList(o.ipNetworks);
    } catch (e) {
      msg.configCritical(`--ip: ${(e as Error).message} (${IP_OPTION_RULE})`);
      return undefined;
    }
  }
  return config;
}

function accountingDifference(after: ReadAccounting, before: ReadAccounting): ReadAccounting {
  const skippedByOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.skippedByOperation)) {
    const d = n - (before.skippedByOperation[op] ?? 0);
    if (d > 0) skippedByOperation[op] = d;
  }
  return {
    rowsRead: after.rowsRead - before.rowsRead,
    accepted: after.accepted - before.accepted,
    duplicates: after.duplicates - before.duplicates,
    skipped: after.skipped - before.skipped,
    rejected: after.rejected - before.rejected,
    skippedByOperation,
  };
}

export async function runAnalysis(
  o: CliOptions,
  io: CliIo,
  msg: Messages,
  ipRegex: IpTest | undefined,
): Promise<number> {
  const config = loadConfig(o, msg);
  if (config === undefined) return 1;
  if ((ipRegex !== undefined || config.networks !== undefined) && o.report !== 'disconnections') {
    msg.warning(`-i/--ip select disconnections; the ${o.report} report is not filtered`);
  }
  if (o.groupBy !== undefined && o.report !== 'summary') {
    msg.warning(
      `--group-by ranks the summary report only; the ${o.report} report is not grouped (--report summary --group-by ${o.groupBy})`,
    );
  }
  let users: UsersDatabase | undefined;
  if (o.usersFile !== undefined) {
    const loaded = loadUsers(o.usersFile, true, msg);
    if (loaded === null) return 1;
    users = loaded;
  }

  const sources = inputSources(o.files, io);
  const capYoungGeneration = youngGenerationCap();
  let missing = 0;
  let readable = 0;
  const dataset = new AuditDataset();
  const output = new ReportOutput(io.stdout, () => msg.clearProgress());
  // The records report lists each accepted record as it is read, and keeps none.
  const listing =
    o.report === 'records'
      ? new RecordListing(output, o.format ?? defaultFormat(o.report), sources.length > 1, users)
      : undefined;
  const target = listing ?? dataset;
  for (const source of sources) {
    if (source.missing) {
      msg.error(`${source.name}: ${source.reason}`);
      missing++;
      continue;
    }
    let opened: ReturnType<typeof openExport> | undefined;
    const before = target.accounting;
    const firstRejection = target.rejections.length;
    try {
      opened = openExport(source, {
        file: source.name,
        onProgress: readingProgress(msg, source.name, capYoungGeneration),
      });
      const { stream } = opened;
      const accounting = await target.addExport(stream);
      msg.clearProgress();
      for (let i = firstRejection; i < target.rejections.length; i++) msg.rejection(target.rejections[i]!);
      reportFileInfo(stream.info(), msg);
      msg.accounting(source.name, accounting);
      reportNoMeetingRecords(source.name, accounting, msg);
      readable++;
    } catch (e) {
      // A file that became unreadable after the check (or a disk error) is a per-file error too.
      if (!(e instanceof ExportReadError) && !isFileSystemError(e)) throw e;
      const problem = e instanceof ExportReadError ? e.message : `${source.name}: ${plainFileError(e)}`;
      msg.clearProgress();
      if (e instanceof ExportReadError && opened?.empty() === true) {
        msg.warning(`${source.name}: the input is empty`);
        msg.accounting(source.name, emptyAccounting());
        readable++;
      } else {
        for (let i = firstRejection; i < target.rejections.length; i++) msg.rejection(target.rejections[i]!);
        const partial = accountingDifference(target.accounting, before);
        msg.error(
          partial.rowsRead > 0 ? `${problem} (the ${partial.rowsRead} rows read before this point are kept)` : problem,
        );
        msg.accounting(source.name, partial);
        missing++;
      }
    }
  }
  dataset.finishReading();
  msg.finishRowMessages();
  const total = target.accounting;
  msg.accounting('total', total);

  if (readable === 0 && missing > 0) {
    if (listing?.started === true) await listing.finish(); // what was listed ends as a whole CSV or JSON text
    return 2;
  }

  const format = o.format ?? defaultFormat(o.report);
  if (listing !== undefined) {
    if (users !== undefined) saveUsers(users, o.usersFile!, msg); // -u with the record view still updates the file, as in tala
    await listing.finish();
  } else {
    const meetings = dataset.meetings();
    if (users !== undefined || o.report === 'users') {
      users ??= new UsersDatabase({ caseInsensitive: true });
      for (const m of meetings) learnUsers(users, m.detail ? [m.detail, ...m.sessions] : m.sessions);
      if (o.usersFile !== undefined) saveUsers(users, o.usersFile, msg);
    }
    if (o.report === 'users') {
      io.stdout.write(renderReport({ report: 'users', format, users: users! }));
    } else {
      const classifier = new SessionClassifier({
        ...(config.rules ? { rules: config.rules } : {}),
        ...(config.siteMap ? { siteMap: config.siteMap } : {}),
      });
      // The disconnections report reads only the findings of each meeting (and, for -i, the sessions):
      // the classified sessions and per-participant results are not kept, which saves memory on large inputs.
      const findingsOnly = o.report === 'disconnections' && ipRegex === undefined;
      // Analysed as the report reads them: the attendees report lets each analysis go once written.
      const analysed: Iterable<AnalysedMeeting> = {
        *[Symbol.iterator]() {
          for (const meeting of meetings) {
            yield {
              meeting,
              analysis: analyseMeeting(
                meeting,
                (s) => classifier.classify(s),
                config.params,
                findingsOnly ? { findingsOnly, participantKeyOf: (s) => classifier.participantKey(s) } : {},
              ),
            };
          }
        },
      };
      const networks = config.networks;
      await writeReport(
        {
          report: o.report as Exclude<typeof o.report, 'records' | 'users'>,
          format,
          analysed,
          classifier,
          params: config.params,
          ...(o.groupBy ? { groupBy: o.groupBy } : {}),
          ...(users ? { users } : {}),
          filter: {
            includePossible: o.includePossible,
            ...(ipRegex ? { ipRegex } : {}),
            ...(networks ? { ipNetwork: networkTest(networks) } : {}),
          },
        },
        output,
      );
    }
  }

  if (missing > 0) return 3;
  if (o.strict && total.rejected > 0) return 4;
  return 0;
}
