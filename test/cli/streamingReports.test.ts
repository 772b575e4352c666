// The records and attendees reports are written while they are produced, and say the same as when
// built whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { generateExport } from '../../src/generator/exportGenerator.js';
import { AuditDataset } from '../../src/audit/dataset.js';
import { readExport } from '../../src/audit/readExport.js';
import { SessionClassifier } from '../../src/analysis/classify.js';
import { analyseMeeting } from '../../src/analysis/detect.js';
import { DEFAULT_DETECTION_PARAMS as DEFAULT_PARAMS } from '../../src/analysis/model.js';
import type { AnalysedMeeting } from '../../src/reports/meetings.js';
import { renderReport, writeReport, type RenderRequest } from '../../src/cli/render.js';
import { ReportOutput } from '../../src/cli/reportOutput.js';
import type { OutputFormat } from '../../src/cli/options.js';

function exportText(options: { records: number; duplicateShare?: number; meetingDetails?: boolean }): string {
  return [...generateExport({ seed: 11, scenario: 'mixed', format: 'purview-v3', ...options }).chunks()].join('');
}

/** Text in pieces of `size` characters (a row may span two pieces, as with any read). */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function collector(): { stream: Writable; text: () => string; chars: () => number } {
  const parts: string[] = [];
  let chars = 0;
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      const s = String(chunk);
      parts.push(s);
      chars += s.length;
      callback();
    },
  });
  return { stream, text: () => parts.join(''), chars: () => chars };
}

/**
 * Runs the CLI in this process on `input` given through standard input in pieces, noting how much
 * report text had reached stdout when each piece was asked for.
 */
async function runStreaming(
  args: string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string; seenAtPull: number[] }> {
  const out = collector();
  const err = collector();
  const seenAtPull: number[] = [];
  const chunks = pieces(input, 32 * 1024);
  async function* stdin(): AsyncGenerator<string> {
    for (const chunk of chunks) {
      seenAtPull.push(out.chars());
      yield chunk;
    }
  }
  const code = await main(args, { stdout: out.stream, stderr: err.stream, stdin: stdin() });
  return { code, stdout: out.text(), stderr: err.text(), seenAtPull };
}

const INPUT = exportText({ records: 3000, duplicateShare: 0.05 });

for (const format of ['text', 'csv', 'json'] as const) {
  test(`the records report (${format}) is written while the input is still being read`, async () => {
    const r = await runStreaming(['--report', 'records', '--format', format], INPUT);
    assert.equal(r.code, 0, r.stderr);
    const pulls = r.seenAtPull.length;
    assert.ok(pulls > 20);
    // Output had reached stdout well before the last piece of input was asked for.
    assert.ok(r.seenAtPull[Math.floor(pulls / 2)]! > 0, `nothing written by half-way: ${r.seenAtPull.join(',')}`);
    assert.ok(r.stdout.length > r.seenAtPull[pulls - 1]!);
  });
}

test('the record view of --compat tala is written while the input is still being read', async () => {
  const r = await runStreaming(['--compat', 'tala'], exportText({ records: 3000, meetingDetails: false }));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.seenAtPull[Math.floor(r.seenAtPull.length / 2)]! > 0);
  assert.match(r.stdout, /^Line #1\nCreationDate=/);
});

test('the records report lists each accepted record once, with the accounting of every other report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streaming-'));
  const file = join(dir, 'dups.csv');
  writeFileSync(file, INPUT);
  const accountingLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.includes('rows read'));

  const d = await runStreaming(['-d', file], '');
  const json = await runStreaming(['--report', 'records', '--format', 'json', file], '');
  assert.deepEqual(accountingLines(json.stderr), accountingLines(d.stderr));
  const accepted = /(\d+) accepted \+ (\d+) duplicates/.exec(accountingLines(d.stderr)[0]!)!;
  assert.ok(Number(accepted[2]) > 0, 'the input has duplicates');

  // Exactly the records the data set accepts, in file order.
  const dataset = new AuditDataset();
  await dataset.addExport(readExport(once(INPUT), { file }));
  const expected = dataset
    .meetings()
    .flatMap((m) => [...(m.detail ? [m.detail] : []), ...m.sessions])
    .map((r) => r.source.line)
    .sort((a, b) => a - b);
  const rows = JSON.parse(json.stdout) as Array<{ file: string; line: number }>;
  assert.equal(rows.length, Number(accepted[1]));
  assert.deepEqual(
    rows.map((r) => r.line),
    expected,
  );

  const csv = await runStreaming(['--report', 'records', '--format', 'csv', file], '');
  assert.equal(csv.stdout.split('\r\n').filter((l) => /^[^,]*dups\.csv,\d+,/.test(l)).length, rows.length);
  const text = await runStreaming(['--report', 'records', file], '');
  assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('Line #')).length, rows.length);
  assert.deepEqual(accountingLines(csv.stderr), accountingLines(d.stderr));
  assert.deepEqual(accountingLines(text.stderr), accountingLines(d.stderr));
});

test('the records report of an input without records is an empty list in each format', async () => {
  const header =
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n';
  assert.equal((await runStreaming(['--report', 'records', '--format', 'json'], header)).stdout, '[]\n');
  assert.equal(
    (await runStreaming(['--report', 'records', '--format', 'csv'], header)).stdout,
    'file,line,creationDate,userId,operation,auditData\r\n',
  );
  assert.equal((await runStreaming(['--report', 'records', '--format', 'text'], header)).stdout, '');
});

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function analysedMeetings(): Promise<{
  meetings: ReturnType<AuditDataset['meetings']>;
  classifier: SessionClassifier;
}> {
  const dataset = new AuditDataset();
  await dataset.addExport(readExport(once(INPUT), { file: 'in.csv' }));
  return { meetings: dataset.meetings(), classifier: new SessionClassifier({}) };
}

function attendeesRequest(
  meetings: ReturnType<AuditDataset['meetings']>,
  classifier: SessionClassifier,
  format: OutputFormat,
  onAnalyse: () => void = () => {},
): RenderRequest {
  // Analysed each time it is iterated, as the CLI does.
  const analysed: Iterable<AnalysedMeeting> = {
    *[Symbol.iterator]() {
      for (const meeting of meetings) {
        onAnalyse();
        yield { meeting, analysis: analyseMeeting(meeting, (s) => classifier.classify(s), DEFAULT_PARAMS) };
      }
    },
  };
  return {
    report: 'attendees',
    format,
    analysed,
    classifier,
    params: DEFAULT_PARAMS,
    filter: { includePossible: false },
  };
}

for (const format of ['csv', 'json'] as const) {
  test(`the attendees report (${format}) is written meeting by meeting, as renderReport builds it whole`, async () => {
    const { meetings, classifier } = await analysedMeetings();
    let analysedSoFar = 0;
    const atFirstWrite: number[] = [];
    const parts: string[] = [];
    const stdout = new Writable({
      write(chunk, _encoding, callback) {
        atFirstWrite.push(analysedSoFar);
        parts.push(String(chunk));
        callback();
      },
    });
    await writeReport(
      attendeesRequest(meetings, classifier, format, () => analysedSoFar++),
      new ReportOutput(stdout),
    );
    assert.ok(meetings.length > 100);
    assert.ok(atFirstWrite.length > 1);
    assert.ok(atFirstWrite[0]! < meetings.length, 'the first rows are written before the last meeting is analysed');
    assert.equal(parts.join(''), renderReport(attendeesRequest(meetings, new SessionClassifier({}), format)));
  });
}

test('the attendees text table is written in pieces, keeping no row: widths first, then the lines, from a second analysis', async () => {
  const { meetings, classifier } = await analysedMeetings();
  let analysedSoFar = 0;
  const atWrite: number[] = [];
  const parts: string[] = [];
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      atWrite.push(analysedSoFar);
      parts.push(String(chunk));
      callback();
    },
  });
  await writeReport(
    attendeesRequest(meetings, classifier, 'text', () => analysedSoFar++),
    new ReportOutput(stdout),
  );
  assert.equal(analysedSoFar, 2 * meetings.length);
  assert.ok(atWrite.length > 1);
  assert.ok(atWrite[0]! < 2 * meetings.length, 'the first lines are written before the second pass ends');
  assert.equal(parts.join(''), renderReport(attendeesRequest(meetings, new SessionClassifier({}), 'text')));
  assert.match(parts.join(''), /^meeting +participant +class/);
});
