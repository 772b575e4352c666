// An export of the wrong activities (rows, but no MeetingParticipantDetail/MeetingDetail record):
// a warning per file saying what it holds and what to export, in every mode; not for good files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRow, FIXTURES, runCli, V2_HEADER } from './run.fixture.js';

const other = (operation: string, n: number): string =>
  csvRow({
    CreationTime: '2024-03-05T11:00:00',
    Id: `${operation}-${n}`,
    Operation: operation,
    RecordType: 6,
    Workload: 'SharePoint',
    UserId: 'someone@contoso.example',
  });

function exportOfOtherActivities(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'no-meetings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sharepoint.csv');
  writeFileSync(
    path,
    V2_HEADER +
      other('FileAccessed', 1) +
      other('FileAccessed', 2) +
      other('FileAccessed', 3) +
      other('PageViewed', 1) +
      other('MemberAdded', 1),
  );
  return path;
}

const WARNING =
  /WARNING: .*sharepoint\.csv: no meeting records among its 5 rows, so nothing can be analysed; it holds FileAccessed \(3\), MemberAdded \(1\), PageViewed \(1\)\. Export the audit activities "Added information about meeting participants" \(MeetingParticipantDetail\) and "Added details about Teams meeting" \(MeetingDetail\)/;

test('a file of other activities gets the warning, next to a good file that does not', (t) => {
  const path = exportOfOtherActivities(t);
  for (const mode of [['-d'], ['--report', 'summary'], [], ['--compat', 'tala', '-d'], ['--compat', 'tala']]) {
    const r = runCli([...mode, path, join(FIXTURES, 'tala-basic.csv')]);
    assert.equal(r.status, 0, `${mode.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, WARNING, mode.join(' '));
    assert.equal(r.stderr.match(/no meeting records/g)?.length, 1, 'only the file without meeting records is named');
    assert.doesNotMatch(r.stderr, /contoso/);
  }
});

test('a second copy of a good file (all duplicates) is not warned about', () => {
  const basic = join(FIXTURES, 'tala-basic.csv');
  const r = runCli(['-d', basic, basic]);
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /no meeting records/);
});
