// `--compat tala` end to end. The files in test/fixtures/tala/expected/ were produced by running
// the real tala v3.0.0 (HubTou/tala, tala.py at bc4ce30) on the fixture exports with the same
// options; each also follows from tala's output rules (docs/design/tala-compatibility.md; the unit tests in
// test/reports/tala/ check them one by one). No Python is needed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPECTED, FIXTURES, csvRow, participant, runCli, V2_HEADER } from './run.fixture.js';

const expected = (name: string): string => readFileSync(join(EXPECTED, name), 'utf8');

const VERIFIED_AGAINST_TALA: Array<[string[], string]> = [
  [['-o', 'tala-basic.csv'], 'basic-o.txt'],
  [['-a', 'tala-basic.csv'], 'basic-a.txt'],
  [['-d', 'tala-basic.csv'], 'basic-d.txt'],
  [['-o', 'tala-tie16.csv'], 'tie16-o.txt'],
  [['-d', 'tala-tie16.csv'], 'tie16-d.txt'],
  [['-d', '-i', '^10\\.5[78]\\.', 'tala-basic.csv'], 'basic-d-i-10.txt'],
  [['-d', '-i', '^$|^192', 'tala-basic.csv'], 'basic-d-i-empty.txt'],
  [['-di^192', 'tala-basic.csv'], 'basic-d-i-192.txt'],
];

for (const [args, file] of VERIFIED_AGAINST_TALA) {
  test(`--compat tala ${args.join(' ')} is byte-identical to tala v3.0.0 (${file})`, () => {
    const r = runCli(['--compat', 'tala', ...args]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected(file));
  });
}

test('unique-prefix long options behave as their full names (--disc --ip=…)', () => {
  const r = runCli(['--compat=tala', '--disc', '--ip=^10\\.5[78]\\.', 'tala-basic.csv']);
  assert.equal(r.stdout, expected('basic-d-i-10.txt'));
});

test('-u: e-mails learned from organisers are used in the same file; the file is rewritten like tala', () => {
  for (const [mode, out] of [
    ['-a', 'two-a-u.txt'],
    ['-d', 'two-d-u.txt'],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'compat-u-'));
    const users = join(dir, 'users.csv');
    writeFileSync(users, '11111111-0000-4000-8000-000000000001,u1@contoso.example\n');
    const r = runCli(['--compat', 'tala', mode, '-u', users, 'tala-basic.csv', 'tala-second.csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected(out)); // two reports, one per file
    assert.equal(readFileSync(users, 'utf8'), expected('two-a-u.users'));
  }
});

test('missing files: reported, skipped, exit status = their number (as tala)', () => {
  const r = runCli(['--compat', 'tala', '-d', 'tala-basic.csv', 'missing.csv', 'tala-tie16.csv', 'other-missing']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, expected('missing-d.txt'));
  assert.match(r.stderr, /teams-audit: ERROR: 'missing\.csv' is not a file name/);
  assert.match(r.stderr, /teams-audit: ERROR: 'other-missing' is not a file name/);
});

test('a file that is not an audit export counts like a missing one; a users file that cannot be created is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compat-bad-'));
  writeFileSync(join(dir, 'notes.txt'), 'hello\nworld\n');
  const r = runCli(['--compat', 'tala', '-o', join(dir, 'notes.txt'), 'tala-tie16.csv']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, expected('tie16-o.txt'));
  const u = runCli(['--compat', 'tala', '-o', '-u', join(dir, 'no', 'such', 'dir', 'users.csv'), 'tala-tie16.csv']);
  assert.equal(u.status, 1);
  assert.equal(u.stdout, '');
  assert.match(u.stderr, /CRITICAL: users file .* cannot be created: its folder '.*dir' does not exist/);
});

test('stdin is read when no file is given', () => {
  const r = runCli(['--compat', 'tala', '-o'], { input: readFileSync(join(FIXTURES, 'tala-basic.csv')) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, expected('basic-o.txt'));
});

test('difference: a variant-1 header and a BOM with LF line ends are read (tala rejects variant 1)', () => {
  for (const file of ['tala-variant1.csv', 'tala-bom-lf.csv']) {
    const r = runCli(['--compat', 'tala', '-d', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected('tie16-d.txt'), file);
  }
});

test('difference: an empty input prints the empty report instead of crashing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compat-empty-'));
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  const d = runCli(['--compat', 'tala', '-d', empty]);
  assert.equal(d.status, 0);
  assert.equal(d.stdout, '=====\n0 meetings affected out of 0 (0.0%)\n0 attendees affected out of 0 (0.0%)\n');
  const o = runCli(['--compat', 'tala', '-o', empty]);
  assert.equal(
    o.stdout,
    '#meeting_id,organizer_email,organizer_id,organizer_organization,meeting_type,first_join,last_leave,number_attendees\n',
  );
  const header = runCli(['--compat', 'tala', '-d'], { input: V2_HEADER });
  assert.equal(header.stdout, d.stdout);
});

test('difference: bad rows are reported per line and skipped; only valid participant rows count', () => {
  // tala-problems.csv: rows 1 and 7 are one attendee's two sessions on one device; row 2 has only a
  // UPN (tala key ""), 3 is a MeetingDetail, 4 another operation, 5 broken JSON, 6 leaves before it
  // joins, 8 has an unreadable LeaveTime. tala itself crashes on row 5.
  const r = runCli(['--compat', 'tala', '-d', 'tala-problems.csv']);
  assert.equal(r.status, 0);
  assert.equal(
    r.stdout,
    [
      'Meeting ID: c4000000-0000-4000-8000-000000000004 / Type: ScheduledMeeting / Date: 2024-03-05 / Time: 12:00:00 - 12:30:00 / #Attendees: 1',
      '  Attendee: 11111111-0000-4000-8000-000000000001 / Key type: User / Organization ID: d3b1c2a4-0000-4000-8000-000000000001',
      '    Time: 12:00:00 - 12:10:00 / IP address: 10.57.1.20      / Device: Windows 10 / Property: ',
      '    Time: 12:11:00 - 12:30:00 / IP address: 10.57.1.20      / Device: Windows 10 / Property: ',
      '',
      '=====',
      '1 meetings affected out of 1 (100.0%)',
      '1 attendees affected out of 1 (100.0%)',
      '',
    ].join('\n'),
  );
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('teams-audit: WARNING: tala-problems.csv:'));
  assert.deepEqual(
    warnings.map((l) => /tala-problems\.csv:(\d+): ([^:]+):/.exec(l)?.slice(1)),
    [
      ['2', 'AuditData.Attendees'],
      ['5', 'AuditData'],
      ['6', 'AuditData.LeaveTime'],
      ['8', 'AuditData.LeaveTime'],
    ],
  );
  assert.match(r.stderr, /tala-problems\.csv: 8 rows read = 2 accepted \+ 0 duplicates \+ 2 skipped \+ 4 rejected/);
  // no e-mail address or IP from the data reaches stderr
  assert.doesNotMatch(r.stderr, /@/);
  assert.doesNotMatch(r.stderr, /10\.57\./);
  // --strict turns rejected rows into tala's failure status
  assert.equal(runCli(['--compat', 'tala', '--strict', '-d', 'tala-problems.csv']).status, 1);
});

test('compat CSV keeps tala’s unquoted cells but warns about formula-like ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compat-formula-'));
  const file = join(dir, 'f.csv');
  writeFileSync(
    file,
    V2_HEADER +
      csvRow(
        participant({
          JoinTime: '2024-03-05T10:00:00',
          LeaveTime: '2024-03-05T10:10:00',
          Attendees: [{ DisplayName: '=HYPERLINK("x")' }],
        }),
      ),
  );
  const r = runCli(['--compat', 'tala', '-a', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[1], 'meeting-1,=HYPERLINK("x"),,?,,2024-03-05T10:00:00,2024-03-05T10:10:00,,,');
  assert.match(r.stderr, /WARNING: 1 output cell starts? with =/);
});

test('no mode option prints the record view; -u alone also updates the users file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compat-display-'));
  const users = join(dir, 'users.csv');
  copyFileSync(join(FIXTURES, 'tala-second.csv'), join(dir, 'second.csv'));
  const r = runCli(['--compat', 'tala', '-u', users, 'second.csv'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Line #1\nCreationDate=2024-03-06T09:10:00Z\nUserId=bob@contoso\.example\nOperation=MeetingParticipantDetail\nAuditData:\n\{\n/,
  );
  assert.equal((r.stdout.match(/^Line #/gm) ?? []).length, 3);
  assert.equal(
    readFileSync(users, 'utf8'),
    'b0b0b0b0-0000-4000-8000-0000000000b0,bob@contoso.example\n44444444-0000-4000-8000-000000000004,44444444-0000-4000-8000-000000000004@fabrikam.example\n',
  );
});
