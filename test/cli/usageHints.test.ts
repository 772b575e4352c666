// Command lines that would silently do something else than meant: options after the file names, a
// --group-by a report does not use, no file with a terminal on standard input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { looksLikeOption } from '../../src/cli/options.js';
import { runCli } from './run.fixture.js';

test('looksLikeOption: known short and long options (prefixes, bundles, values), "--"; not plain names or unknown options', () => {
  for (const option of ['-d', '-di^10', '-u', '--disc', '--format=csv', '--ip', '--', '-?'])
    assert.equal(looksLikeOption(option), true, option);
  for (const name of ['-', 'file.csv', '-x', '--nope', '--=x', '-:']) assert.equal(looksLikeOption(name), false, name);
});

test('an option after a file name stops the run before anything is read, with the hint (exit 1)', () => {
  const r = runCli(['tala-basic.csv', '-d', '--format', 'json']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '', 'nothing is read or printed: not the record view');
  assert.equal(
    r.stderr,
    "teams-audit: CRITICAL: '-d', '--format' are options but come after the file name 'tala-basic.csv': options go before file names " +
      '(teams-audit -d --format tala-basic.csv …); write -- first to read such names as files\n',
  );
  // after --, such names are file names, as in tala
  const explicit = runCli(['-d', '--', 'tala-basic.csv', '-d']);
  assert.equal(explicit.status, 3);
  assert.match(explicit.stderr, /ERROR: -d: not found/);
});

test('an option-like name that is an existing file is read as a file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-named-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'first.csv'), '');
  writeFileSync(join(dir, '-d'), '');
  const r = runCli(['--report', 'summary', 'first.csv', '-d'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /options go before/);
  assert.match(r.stderr, /WARNING: -d: the input is empty/);
});

test('--compat tala keeps tala: the names are files (stdout byte for byte), the error line gets the hint', () => {
  const alone = runCli(['--compat', 'tala', 'tala-basic.csv']);
  const late = runCli(['--compat', 'tala', 'tala-basic.csv', '-d']);
  assert.equal(late.status, 1);
  assert.equal(late.stdout, alone.stdout);
  assert.match(late.stderr, /^teams-audit: ERROR: '-d' is not a file name \(options go before file names\)$/m);
  assert.match(
    runCli(['--compat', 'tala', 'missing.csv']).stderr,
    /^teams-audit: ERROR: 'missing\.csv' is not a file name$/m,
  );
});

test('--group-by with a report other than the summary is warned about', () => {
  const r = runCli(['-d', '--group-by', 'site', 'tala-basic.csv']);
  assert.equal(r.status, 0);
  assert.match(
    r.stderr,
    /WARNING: --group-by ranks the summary report only; the disconnections report is not grouped \(--report summary --group-by site\)/,
  );
  assert.doesNotMatch(
    runCli(['--report', 'summary', '--group-by', 'site', 'tala-basic.csv']).stderr,
    /--group-by ranks/,
  );
});

async function runWithStdin(isTTY: boolean): Promise<string> {
  let err = '';
  const stdin = Object.assign((async function* () {})(), { isTTY });
  await main(['-d'], {
    stdout: { write: () => true } as unknown as NodeJS.WritableStream,
    stderr: { write: (t: string) => ((err += t), true) } as unknown as NodeJS.WritableStream,
    stdin,
  });
  return err;
}

test('no file and a terminal on standard input: a one-line hint first; none when stdin is a pipe', async () => {
  const tty = await runWithStdin(true);
  assert.match(
    tty,
    /^teams-audit: reading standard input… \(no file name was given; end the input with Ctrl-D, on Windows Ctrl-Z then Enter\)\n/,
  );
  assert.doesNotMatch(await runWithStdin(false), /reading standard input/);
});
