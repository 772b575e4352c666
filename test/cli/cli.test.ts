// The normal mode end to end: exit statuses, stdout/stderr separation, option parsing, merged
// multi-file analysis, filters, users file, lazy loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, MAIN, runCli } from './run.fixture.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'cli-test-'));

test('--help prints the usage on stderr and exits 0; --version prints on stdout', () => {
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, '');
  assert.match(help.stderr, /^usage: teams-audit /);
  const q = runCli(['-?']);
  assert.equal(q.status, 0);
  assert.equal(q.stderr, help.stderr);
  const v = runCli(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^teams-audit \d+\.\d+\.\d+ /);
});

test('exit 1 for bad usage: unknown option, ambiguous prefix, bad value, invalid regex, bad parameters', () => {
  const unknown = runCli(['-x', 'tala-basic.csv']);
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^teams-audit: CRITICAL: Syntax error: option -x not recognized\nusage:/);
  assert.equal(runCli(['--d', 'tala-basic.csv']).status, 1); // --debug or --disconnect
  assert.equal(runCli(['--format', 'xml', 'tala-basic.csv']).status, 1);
  const regex = runCli(['-d', '-i', '(', 'tala-basic.csv']);
  assert.equal(regex.status, 1);
  assert.match(regex.stderr, /CRITICAL: '\(' is not a valid regular expression/);
  assert.equal(regex.stdout, '');
  const param = runCli(['-d', '--param', 'rejoinWindowSecond=10', 'tala-basic.csv']);
  assert.equal(param.status, 1);
  assert.match(param.stderr, /unknown detection parameter "rejoinWindowSecond"/);
  const dir = tmp();
  writeFileSync(join(dir, 'p.json'), '{ not json');
  assert.equal(runCli(['-d', '--params', join(dir, 'p.json'), 'tala-basic.csv']).status, 1);
  assert.equal(runCli(['-d', '--params', join(dir, 'absent.json'), 'tala-basic.csv']).status, 1);
  assert.equal(runCli(['-d', '--ip', '10.0.0.0/33', 'tala-basic.csv']).status, 1);
});

test('exit 2 when no input could be read, 3 when some inputs are missing (the rest is reported)', () => {
  const none = runCli(['-d', 'missing-a.csv', 'missing-b.csv']);
  assert.equal(none.status, 2);
  assert.equal(none.stdout, '');
  const some = runCli(['-d', 'tala-basic.csv', 'missing-a.csv']);
  assert.equal(some.status, 3);
  assert.match(some.stdout, /disconnections? listed/);
  assert.match(some.stderr, /ERROR: missing-a\.csv: not found/);
  const dir = tmp();
  writeFileSync(join(dir, 'notes.txt'), 'just some text\nwithout any audit column\n');
  const unreadable = runCli(['-d', join(dir, 'notes.txt')]);
  assert.equal(unreadable.status, 2);
  assert.match(unreadable.stderr, /ERROR: .*notes\.txt/);
  assert.doesNotMatch(unreadable.stderr, /rows read before this point/, 'no row was read, so none is "kept"');
});

test('rejected rows: exit 0 by default, 4 with --strict; all counted, --max-rejections caps the messages', () => {
  const plain = runCli(['-d', 'tala-problems.csv']);
  assert.equal(plain.status, 0);
  assert.equal(runCli(['-d', '--strict', 'tala-problems.csv']).status, 4);
  assert.equal(runCli(['-d', '--strict', 'tala-basic.csv']).status, 0);
  const capped = runCli(['-d', '--max-rejections', '1', 'tala-problems.csv']);
  const rowLines = capped.stderr.split('\n').filter((l) => /WARNING: tala-problems\.csv:\d+:/.test(l));
  assert.equal(rowLines.length, 1);
  assert.match(capped.stderr, /WARNING: 2 more row messages not shown/);
  // unlike tala mode, the normal mode keeps the UPN-only attendee and the MeetingDetail record
  assert.match(
    capped.stderr,
    /tala-problems\.csv: 8 rows read = 4 accepted \+ 0 duplicates \+ 1 skipped \+ 3 rejected \(skipped: TeamsSessionStarted 1\)/,
  );
  assert.doesNotMatch(plain.stderr, /@|10\.57\./);
});

test('stdout holds only the report; messages and accounting go to stderr', () => {
  const r = runCli(['-d', '--format', 'json', 'tala-basic.csv']);
  assert.equal(r.status, 0);
  const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.ok(Array.isArray(rows));
  assert.match(
    r.stderr,
    /^teams-audit: tala-basic\.csv: 22 rows read = 20 accepted \+ 2 duplicates \+ 0 skipped \+ 0 rejected$/m,
  );
  assert.match(r.stderr, /^teams-audit: total: 22 rows read/m);
  assert.doesNotMatch(r.stderr, /rows\/s|\r/); // no progress line when stderr is not a terminal
});

test('several files are merged into one analysis (tala mode reports each file on its own)', () => {
  // tala-basic.csv and tala-second.csv share meetings c2… and c3…
  const merged = runCli(['-o', 'tala-basic.csv', 'tala-second.csv']);
  assert.equal(merged.status, 0, merged.stderr);
  const lines = merged.stdout.trimEnd().split('\r\n');
  assert.equal(lines.length, 4); // header + 3 distinct meetings
  const m2 = lines.find((l) => l.startsWith('c2000000'))!;
  // bob's meeting: 2 sessions from each file, one participant; its first join is from the first file
  assert.match(m2, /,2024-03-05T14:00:00Z,2024-03-06T09:40:00Z,1,4,/);
  const perFile = runCli(['--compat', 'tala', '-o', 'tala-basic.csv', 'tala-second.csv']);
  assert.equal(perFile.stdout.split('\n').filter((l) => l.startsWith('#meeting_id')).length, 2);
  assert.equal(perFile.stdout.split('\n').filter((l) => l.startsWith('c2000000')).length, 2);

  const json = runCli(['-d', '--format', 'json', 'tala-basic.csv', 'tala-second.csv']);
  const rows = JSON.parse(json.stdout) as Array<{
    meetingId: string;
    leaveTime: string;
    gapSeconds: number;
    band: string;
  }>;
  // u1 left 09:10 and came back 09:11 on 2024-03-06 (second file), on the same device: a strong drop
  assert.ok(
    rows.some(
      (d) =>
        d.meetingId.startsWith('c2000000') &&
        d.leaveTime === '2024-03-06T09:10:00Z' &&
        d.gapSeconds === 60 &&
        d.band === 'strong',
    ),
  );
});

test('option parsing: bundling, prefixes, "--", stdin, stop at the first non-option', () => {
  const a = runCli(['-d', '--format=json', 'tala-basic.csv']).stdout;
  assert.equal(runCli(['--disc', '--form', 'json', 'tala-basic.csv']).stdout, a);
  assert.equal(runCli(['-d', '--format', 'json'], { input: readFileSync(join(FIXTURES, 'tala-basic.csv')) }).stdout, a);
  // -d after a file name: tala would read it as a file name; here the run stops first (see optionsAfterFiles.test)
  const late = runCli(['tala-basic.csv', '-d']);
  assert.equal(late.status, 1);
  assert.match(late.stderr, /options go before file names/);
  // after --, "-d" is a file name too
  assert.equal(runCli(['--', '-d']).status, 2);
  // bundled: -d with -i taking the rest of the word
  const bundled = runCli(['--format', 'json', '-di^192', 'tala-basic.csv']);
  assert.equal(bundled.status, 0);
  assert.deepEqual(JSON.parse(bundled.stdout), []); // no drop was lost on a 192.* address
});

test('-i regex and --ip networks select disconnections by the lost session’s address', () => {
  const keys = (args: string[]) =>
    (
      JSON.parse(runCli(['-d', '--format', 'json', ...args, 'tala-basic.csv']).stdout) as Array<{ ipBefore: string }>
    ).map((d) => d.ipBefore);
  const all = keys([]);
  assert.ok(all.length > 0);
  assert.deepEqual(
    keys(['-i', '^10\\.57\\.1\\.20$']),
    all.filter((ip) => ip === '10.57.1.20'),
  );
  assert.deepEqual(
    keys(['--ip', '10.57.9.0/24']),
    all.filter((ip) => ip.startsWith('10.57.9.')),
  );
  assert.deepEqual(
    keys(['--ip', '203.0.113.0/24,10.57.9.9/32']),
    all.filter((ip) => ip === '203.0.113.5' || ip === '10.57.9.9'),
  );
});

test('CSV output is RFC 4180 with CRLF and quoted commas; JSON and text are available for every report', () => {
  const csv = runCli(['-o', 'tala-basic.csv']).stdout;
  assert.match(csv, /^meetingId,organizerEmail,/);
  assert.match(csv, /,"ScheduledMeeting,RecurringMeeting",/);
  assert.ok(csv.endsWith('\r\n'));
  for (const report of ['meetings', 'attendees', 'disconnections', 'summary', 'users', 'records', 'unknown-clients']) {
    for (const format of ['text', 'csv', 'json']) {
      const r = runCli(['--report', report, '--format', format, 'tala-basic.csv']);
      assert.equal(r.status, 0, `${report} ${format}: ${r.stderr}`);
      if (format === 'json') JSON.parse(r.stdout);
    }
  }
  const grouped = runCli(['--report', 'summary', '--format', 'csv', '--group-by', 'platform', 'tala-basic.csv']).stdout;
  assert.match(
    grouped,
    /^dimension,key,eligibleSessions,drops,dropRatePct,lostSeconds,participants,enoughData\r\nplatform,/,
  );
  // Subnets partition the same eligible human sessions and drops as sites, so the two rankings have equal sums.
  const rankingRows = (dimension: string): string[][] => {
    const r = runCli(['--report', 'summary', '--format', 'csv', '--group-by', dimension, 'tala-basic.csv']);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
  };
  const subnets = rankingRows('subnet');
  const sites = rankingRows('site');
  const sum = (rows: string[][], column: number): number => rows.reduce((total, row) => total + Number(row[column]), 0);
  assert.ok(subnets.length > 1);
  for (const row of subnets) {
    assert.equal(row[0], 'subnet');
    assert.match(row[1] ?? '', /^(\d+\.\d+\.\d+\.0\/24|[0-9a-f:]+\/48|no IP)$/);
  }
  assert.ok(subnets.some((row) => row[1] === '2001:db8:85a3::/48'));
  assert.equal(sum(subnets, 2), sum(sites, 2));
  assert.equal(sum(subnets, 3), sum(sites, 3));
});

test('-u in the normal mode learns organisers and attendee UPNs and rewrites the file', () => {
  const dir = tmp();
  const users = join(dir, 'users.csv');
  const r = runCli(['-a', '-u', users, 'tala-basic.csv']);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(users, 'utf8').trimEnd().split('\n');
  // meeting order: alice (organiser of c1), u1's UPN, bob's UPN, then bob as organiser of c2 is already known
  assert.deepEqual(lines, [
    'a1a1a1a1-0000-4000-8000-0000000000a1,alice@contoso.example',
    '11111111-0000-4000-8000-000000000001,u1@contoso.example',
    'b0b0b0b0-0000-4000-8000-0000000000b0,bob@contoso.example',
  ]);
  const report = runCli(['--report', 'users', '--format', 'csv', '-u', users, 'tala-basic.csv']);
  assert.equal(report.stdout.split('\r\n')[1], 'a1a1a1a1-0000-4000-8000-0000000000a1,alice@contoso.example,file,false');
  // with no mode option (the record view) -u still learns, as in tala
  const viewUsers = join(dir, 'view-users.csv');
  assert.equal(runCli(['-u', viewUsers, 'tala-second.csv']).status, 0);
  assert.equal(
    readFileSync(viewUsers, 'utf8').split('\n')[0],
    'b0b0b0b0-0000-4000-8000-0000000000b0,bob@contoso.example',
  );
  writeFileSync(users, 'ok,ok@x.example\nno comma here\n');
  const bad = runCli(['-o', '-u', users, 'tala-basic.csv']);
  assert.equal(bad.status, 0);
  assert.match(
    bad.stderr,
    new RegExp(`WARNING: ${users.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: users file: no comma`),
  );
  assert.match(bad.stderr, /not rewritten because 1 line is unreadable/);
  assert.equal(readFileSync(users, 'utf8'), 'ok,ok@x.example\nno comma here\n');
});

test('an analysis run never loads the Azure SDK', () => {
  const script = `
    const { main } = require(${JSON.stringify(MAIN)});
    const { PassThrough } = require('node:stream');
    const sink = () => new PassThrough().resume();
    main(['-d', ${JSON.stringify(join(FIXTURES, 'tala-basic.csv'))}], { stdout: sink(), stderr: sink(), stdin: [] }).then((code) => {
      const azure = Object.keys(require.cache).filter((k) => k.includes('@azure'));
      process.stdout.write(JSON.stringify({ code, azure: azure.length }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(r.stdout), { code: 0, azure: 0 });
});

test('subcommands dispatch: generate writes an export the analysis reads', () => {
  const dir = tmp();
  const out = join(dir, 'gen.csv');
  const g = runCli(['generate', '--records', '300', '--seed', '7', '--format', 'purview-v2', '--out', out]);
  assert.equal(g.status, 0, g.stderr);
  const d = runCli(['-d', out]);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stderr, /gen\.csv: 300 rows read = /);
});
