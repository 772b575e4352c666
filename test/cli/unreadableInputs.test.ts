// Inputs that cannot be read (no read permission, a folder, a named pipe, a missing file, a read
// error after opening): one per-file error in plain words, the report on the other files, exit 3
// (2 when nothing could be read; with --compat tala, k). Never "internal error", never exit 70.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, nodeRunnableBy, runCli, type RunOptions } from './run.fixture.js';

const NOBODY = 65534;

/** A folder every user can enter, holding a copy of tala-basic.csv (good.csv); removed after the test. */
function workFolder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'unreadable-inputs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  copyFileSync(join(FIXTURES, 'tala-basic.csv'), join(dir, 'good.csv'));
  chmodSync(join(dir, 'good.csv'), 0o644);
  return dir;
}

/**
 * Run options under which a mode-000 file really cannot be opened: root reads any file, so as root
 * the CLI runs as `nobody`. The test checks the file is unreadable to that user before relying on it.
 */
function unprivileged(): RunOptions {
  return process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
}

function assertUnreadableFor(path: string, run: RunOptions): void {
  const r = spawnSync(nodeRunnableBy(run.uid), ['-e', 'require("fs").readFileSync(process.argv[1])', path], {
    ...(run.uid !== undefined ? { uid: run.uid, gid: run.gid } : {}),
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0, `the test set-up is wrong: ${path} is readable by the test's user`);
  assert.match(r.stderr, /EACCES/);
}

test(
  'a file without read permission: "<file>: permission denied", exit 3, the other file is reported',
  { skip: process.platform === 'win32' ? 'POSIX permissions only' : false },
  (t) => {
    const dir = workFolder(t);
    const secret = join(dir, 'secret.csv');
    copyFileSync(join(FIXTURES, 'tala-basic.csv'), secret);
    chmodSync(secret, 0o000);
    const as = unprivileged();
    assertUnreadableFor(secret, as);

    const alone = runCli(['-d', 'good.csv'], { cwd: dir, ...as });
    assert.equal(alone.status, 0, alone.stderr);
    for (const files of [
      ['good.csv', 'secret.csv'],
      ['secret.csv', 'good.csv'],
    ]) {
      const r = runCli(['-d', ...files], { cwd: dir, ...as });
      assert.equal(r.status, 3, r.stderr);
      assert.equal(r.stdout, alone.stdout, 'the report on the readable file is complete');
      assert.match(r.stderr, /^teams-audit: ERROR: secret\.csv: permission denied$/m);
      assert.doesNotMatch(r.stderr, /internal error|EACCES/);
    }
    const none = runCli(['-d', 'secret.csv'], { cwd: dir, ...as });
    assert.equal(none.status, 2);
    assert.equal(none.stdout, '');

    // --compat tala: counted like a missing file (exit k), the other file reported byte for byte
    const talaAlone = runCli(['--compat', 'tala', '-d', 'good.csv'], { cwd: dir, ...as });
    const tala = runCli(['--compat', 'tala', '-d', 'good.csv', 'secret.csv', 'absent.csv'], { cwd: dir, ...as });
    assert.equal(tala.status, 2, tala.stderr);
    assert.equal(tala.stdout, talaAlone.stdout);
    assert.match(tala.stderr, /^teams-audit: ERROR: secret\.csv: permission denied$/m);
    assert.match(tala.stderr, /^teams-audit: ERROR: 'absent\.csv' is not a file name$/m);
  },
);

test(
  'a folder, a named pipe and a missing file: each named with its reason; the pipe is never opened',
  { skip: process.platform === 'win32' ? 'no named pipes' : false },
  (t) => {
    const dir = workFolder(t);
    mkdirSync(join(dir, 'folder'));
    const mkfifo = spawnSync('mkfifo', [join(dir, 'pipe')]);
    assert.equal(mkfifo.status, 0, 'mkfifo is needed for this test');
    const alone = runCli(['-d', 'good.csv'], { cwd: dir });
    // A pipe without a writer would block an open() forever: this run ending at all shows it is not opened.
    const r = runCli(['-d', 'folder', 'good.csv', 'pipe', 'absent.csv'], { cwd: dir });
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, alone.stdout);
    assert.match(r.stderr, /^teams-audit: ERROR: folder: is a folder, not a file$/m);
    assert.match(
      r.stderr,
      /^teams-audit: ERROR: pipe: is a named pipe, not a regular file \(send it to standard input instead/m,
    );
    assert.match(r.stderr, /^teams-audit: ERROR: absent\.csv: not found$/m);

    const tala = runCli(['--compat', 'tala', '-d', 'folder', 'good.csv', 'pipe', 'absent.csv'], { cwd: dir });
    assert.equal(tala.status, 3);
    for (const name of ['folder', 'pipe', 'absent.csv']) {
      assert.match(
        tala.stderr,
        new RegExp(`^teams-audit: ERROR: '${name.replace('.', '\\.')}' is not a file name$`, 'm'),
      );
    }
  },
);

test(
  'a read error after the file was opened is a per-file error too (not an internal error)',
  { skip: existsSync('/proc/self/mem') ? false : 'needs Linux /proc/self/mem' },
  (t) => {
    // /proc/self/mem is a regular file that opens, but reading at offset 0 fails with EIO.
    const dir = workFolder(t);
    const alone = runCli(['-d', 'good.csv'], { cwd: dir });
    const r = runCli(['-d', '/proc/self/mem', 'good.csv'], { cwd: dir });
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, alone.stdout);
    assert.match(r.stderr, /^teams-audit: ERROR: \/proc\/self\/mem: input\/output error/m);
    const tala = runCli(['--compat', 'tala', '-d', '/proc/self/mem', 'good.csv'], { cwd: dir });
    assert.equal(tala.status, 1);
    assert.match(tala.stderr, /^teams-audit: ERROR: \/proc\/self\/mem: input\/output error/m);
  },
);
