// `--compat tala`: each input file read and reported on its own with tala v3.0.0's layouts;
// the -u database carried from file to file; tala's exit status (k missing files).
import { ExportReadError } from '../audit/readExport.js';
import { youngGenerationCap } from './youngGeneration.js';
import { readRecords } from '../audit/dataset.js';
import type { Rejection } from '../audit/records.js';
import { TalaAggregator } from '../reports/tala/engine.js';
import {
  formulaLikeCells,
  talaAttendeeLineStream,
  talaDisconnectLines,
  talaMeetingsLines,
  type IpTest,
} from '../reports/tala/layouts.js';
import { learnTalaOrganizers } from '../analysis/userDirectory.js';
import { recordRow } from '../reports/records.js';
import { recordText } from '../reports/render/text.js';
import { ReportOutput } from './reportOutput.js';
import { looksLikeOption, OPTIONS_FIRST_HINT, type CliOptions } from './options.js';
import { inputSources, openExport, readingProgress, type CliIo } from './io.js';
import { addAccounting, emptyAccounting } from '../audit/accounting.js';
import { reportFileInfo, reportNoMeetingRecords, type Messages } from './messages.js';
import { loadUsers, saveUsers } from './usersFile.js';
import { isFileSystemError, plainFileError } from './fileErrors.js';

export async function runCompat(
  o: CliOptions,
  io: CliIo,
  msg: Messages,
  ipFilter: IpTest | undefined,
): Promise<number> {
  const users = o.usersFile === undefined ? undefined : loadUsers(o.usersFile, false, msg);
  if (users === null) return 1;
  const noUsers = { get: (): string | undefined => undefined };
  let status = 0;
  let rejected = 0;
  let formulaCells = 0;
  const total = emptyAccounting();
  const sources = inputSources(o.files, io);
  const capYoungGeneration = youngGenerationCap();
  const output = new ReportOutput(io.stdout, () => msg.clearProgress());
  // The record view is written as the file is read (tala prints each record as it reads it, and
  // what it printed stays when a later row stops it); the other layouts need the whole file's meetings.
  const recordView = o.report !== 'meetings' && o.report !== 'attendees' && o.report !== 'disconnections';
  for (const source of sources) {
    if (source.missing) {
      // tala's wording for what is not a regular file; tala crashes on a file it may not open.
      const hint = !o.filesAfterDoubleDash && looksLikeOption(source.name) ? ` (${OPTIONS_FIRST_HINT})` : '';
      msg.error(
        source.notRegularFile ? `'${source.name}' is not a file name${hint}` : `${source.name}: ${source.reason}`,
      );
      status++;
      continue;
    }
    let opened: ReturnType<typeof openExport> | undefined;
    const result = { accounting: emptyAccounting(), rejections: [] as Rejection[] };
    const agg = new TalaAggregator();
    try {
      opened = openExport(source, {
        file: source.name,
        onProgress: readingProgress(msg, source.name, capYoungGeneration),
      });
      const { stream } = opened;
      await readRecords(
        stream,
        result,
        (record) => {
          agg.add(record);
          if (recordView) output.write(recordText(recordRow(record), false));
          return 'accepted';
        },
        () => output.drained(),
      );
      reportFileInfo(stream.info(), msg);
    } catch (e) {
      if (!(e instanceof ExportReadError) && !isFileSystemError(e)) throw e;
      msg.clearProgress();
      if (!(e instanceof ExportReadError) || opened?.empty() !== true) {
        msg.error(e instanceof ExportReadError ? e.message : `${source.name}: ${plainFileError(e)}`);
        status++;
        continue;
      }
      // An empty input is an export without rows (tala prints its headers / an empty summary).
      msg.warning(`${source.name}: the input is empty`);
    }
    msg.clearProgress();
    const talaResult = agg.result();

    // Row messages in line order: the reader's rejections and tala's own rejections and notices.
    const rowMessages = [...result.rejections, ...talaResult.rejections, ...talaResult.notices];
    rowMessages.sort((a, b) => a.line - b.line);
    for (const m of rowMessages) msg.rowWarning(m.file, m.line, m.field, m.reason);

    const accounting = { ...result.accounting, skippedByOperation: { ...result.accounting.skippedByOperation } };
    accounting.accepted -= talaResult.skippedMeetingDetails + talaResult.rejections.length + talaResult.duplicates;
    accounting.skipped += talaResult.skippedMeetingDetails;
    if (talaResult.skippedMeetingDetails > 0) {
      accounting.skippedByOperation.MeetingDetail =
        (accounting.skippedByOperation.MeetingDetail ?? 0) + talaResult.skippedMeetingDetails;
    }
    accounting.rejected += talaResult.rejections.length;
    accounting.duplicates += talaResult.duplicates;
    rejected += accounting.rejected;
    addAccounting(total, accounting);
    msg.accounting(source.name, accounting);
    reportNoMeetingRecords(source.name, result.accounting, msg);

    if (users !== undefined) {
      learnTalaOrganizers(users, talaResult.meetings.values());
      saveUsers(users, o.usersFile!, msg);
    }

    let lines: Iterable<string>;
    switch (o.report) {
      case 'meetings':
        lines = talaMeetingsLines(talaResult);
        break;
      case 'attendees':
        lines = talaAttendeeLineStream(talaResult, users ?? noUsers);
        break;
      case 'disconnections':
        lines = talaDisconnectLines(talaResult, users ?? noUsers, ipFilter).lines;
        break;
      default:
        continue; // the record view is written already
    }
    let header = true;
    for (const line of lines) {
      if (o.report !== 'disconnections' && !header) formulaCells += formulaLikeCells(line);
      header = false;
      output.write(line + '\n');
      await output.drained();
    }
  }
  await output.end();
  msg.finishRowMessages();
  msg.accounting('total', total);
  if (formulaCells > 0) {
    msg.warning(
      `${formulaCells} output cell${formulaCells === 1 ? '' : 's'} start with =, +, -, @, TAB or CR; tala's layout is kept as is, so do not open this output in a spreadsheet (use --format csv without --compat for a safe CSV)`,
    );
  }
  if (status === 0 && o.strict && rejected > 0) return 1;
  return status % 256;
}
