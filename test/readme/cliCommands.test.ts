// Runs the README's CLI commands as written, in order, in a work folder that looks like a fresh clone,
// and checks each one's exit status and what it wrote.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CLI_COMMANDS, type CliCommand } from './commandLists.js';
import { makeWorkFolder, runCommand, type CommandResult } from './workFolder.js';

const work = makeWorkFolder('readme-cli-');
after(() => rmSync(work.dir, { recursive: true, force: true }));

/** What earlier commands established, for the later ones to compare with. */
const seen: { meetings?: number; listed?: number; counted?: number; textReport?: string } = {};

function ok(r: CommandResult): void {
  assert.equal(r.status, 0, `${r.ran} exited ${r.status}: ${r.stderr.slice(-2000)}`);
}

function csvRows(file: string): Record<string, string>[] {
  const text = readFileSync(join(work.dir, file), 'utf8');
  assert.match(text, /\r\n/, `${file} has CRLF line ends`);
  return parse<Record<string, string>>(text, { columns: true });
}

/** The one command with a placeholder (`…`), and what is run for it. */
const HEAP_TEMPLATE = 'NODE_OPTIONS=--max-old-space-size=8192 teams-audit …';
const HEAP_RUN = 'NODE_OPTIONS=--max-old-space-size=8192 teams-audit -d meetings.csv';

const CHECKS: Record<Exclude<CliCommand, typeof HEAP_TEMPLATE>, (r: CommandResult) => void> = {
  'node dist/src/cli/main.js generate --records 5000 --seed 42 --out meetings.csv': (r) => {
    ok(r);
    const m = /wrote 5000 rows: .*?, (\d+) meetings, \d+ planted drops to meetings\.csv/.exec(r.stderr);
    assert.ok(m, r.stderr);
    seen.meetings = Number(m[1]);
    assert.match(
      readFileSync(join(work.dir, 'meetings.csv'), 'utf8').slice(0, 200),
      /^RecordId,CreationDate,RecordType,Operation,UserId,AuditData/,
    );
  },
  'node dist/src/cli/main.js -d meetings.csv': (r) => {
    ok(r);
    assert.match(
      r.stderr,
      /meetings\.csv: 5000 rows read = \d+ accepted \+ \d+ duplicates \+ \d+ skipped \+ 0 rejected/,
    );
    const m = /^(\d+) disconnections listed \((\d+) counted\) in \d+ meetings/m.exec(r.stdout);
    assert.ok(m, r.stdout.slice(-500));
    seen.listed = Number(m[1]);
    seen.counted = Number(m[2]);
    assert.ok(seen.listed > 0);
    assert.match(r.stdout, /^Meeting [0-9a-f-]{36} \(organizer .*\): \d+ disconnections?$/m);
    seen.textReport = r.stdout;
  },
  'teams-audit -d meetings.csv': (r) => {
    ok(r);
    assert.equal(r.stdout, seen.textReport, 'teams-audit is the same program as node dist/src/cli/main.js');
  },
  'npx teams-audit -d meetings.csv': (r) => {
    ok(r);
    assert.equal(r.stdout, seen.textReport);
  },
  'teams-audit -d --format csv meetings.csv > drops.csv': (r) => {
    ok(r);
    assert.equal(r.stdout, '');
    const rows = csvRows('drops.csv');
    assert.equal(rows.length, seen.listed, 'one CSV row per disconnection of the text report');
    assert.deepEqual(Object.keys(rows[0]!).slice(0, 3), ['meetingId', 'organizerEmail', 'participantKey']);
  },
  'teams-audit --report summary meetings.csv': (r) => {
    ok(r);
    assert.match(r.stdout, new RegExp(`^Meetings: +${seen.meetings} \\(`, 'm'));
    assert.match(r.stdout, new RegExp(`^Counted drops: +${seen.counted} \\(drop rate [0-9.]+% `, 'm'));
    for (const ranking of ['site', 'subnet', 'platform', 'user', 'day'])
      assert.match(r.stdout, new RegExp(`^By ${ranking} `, 'm'));
  },
  'teams-audit --report summary --group-by site --site-map docs/examples/sitemap.csv meetings.csv': (r) => {
    ok(r);
    assert.doesNotMatch(r.stderr, /WARNING|ERROR/, 'the sample site map loads without a complaint');
    const ranking = r.stdout.slice(r.stdout.indexOf('By site'));
    for (const site of ['Zurich HQ', 'Zurich HQ Wi-Fi', 'Basel lab', 'unmapped']) {
      assert.match(ranking, new RegExp(`^  ${site} +\\d+ +\\d+ `, 'm'), `site ${site} is ranked`);
    }
  },
  'teams-audit -o meetings.csv > meetings-list.csv': (r) => {
    ok(r);
    const rows = csvRows('meetings-list.csv');
    assert.equal(rows.length, seen.meetings);
    assert.equal(Object.keys(rows[0]!)[0], 'meetingId');
  },
  'teams-audit --compat tala -d meetings.csv': (r) => {
    ok(r);
    assert.match(r.stdout, new RegExp(`^\\d+ meetings affected out of ${seen.meetings} \\(\\d+\\.\\d%\\)$`, 'm'));
  },
  'teams-audit meetings.csv -d': (r) => {
    // The same with an existing file: nothing is read, no record view is printed.
    assert.equal(r.status, 1, r.stderr.slice(-2000));
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /'-d' is an option but comes after the file name 'meetings\.csv': options go before file names/,
    );
  },
  'node -p "v8.getHeapStatistics().heap_size_limit / 2**20"': (r) => {
    ok(r);
    assert.ok(Number(r.stdout.trim()) > 0, r.stdout);
  },
};

for (const command of CLI_COMMANDS) {
  if (command === HEAP_TEMPLATE) {
    test(`${HEAP_TEMPLATE} (run as: ${HEAP_RUN}) raises the heap limit and the CLI runs under it`, async () => {
      const limit = await runCommand(
        work,
        'NODE_OPTIONS=--max-old-space-size=8192 node -p "v8.getHeapStatistics().heap_size_limit / 2**20"',
      );
      ok(limit);
      assert.ok(Number(limit.stdout.trim()) >= 8192, limit.stdout);
      const r = await runCommand(work, HEAP_RUN);
      ok(r);
      assert.equal(r.stdout, seen.textReport);
    });
  } else {
    test(command, async () => CHECKS[command](await runCommand(work, command)));
  }
}
