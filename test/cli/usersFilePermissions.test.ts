// The -u users file holds e-mail addresses: created private (0600), its mode (and owner) kept when
// rewritten, a read-only or unwritable file refused before any work, a symbolic link written through
// to its target, and the replacement atomic (no temporary file left behind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, runCli } from './run.fixture.js';

const POSIX = process.platform === 'win32' ? 'POSIX permissions only' : false;
const AS_ROOT = process.getuid?.() === 0 ? false : 'needs root to give the file to another user';
const NOBODY = 65534;
const LEARNED = [
  'a1a1a1a1-0000-4000-8000-0000000000a1,alice@contoso.example',
  '11111111-0000-4000-8000-000000000001,u1@contoso.example',
  'b0b0b0b0-0000-4000-8000-0000000000b0,bob@contoso.example',
];
const INPUT = join(FIXTURES, 'tala-basic.csv');

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'users-permissions-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string): number => statSync(path).mode & 0o777;
const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');

test('a new users file is created with mode 0600', { skip: POSIX }, (t) => {
  const users = join(folder(t), 'users.csv');
  const r = runCli(['-a', '-u', users, INPUT]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(mode(users), 0o600);
  assert.deepEqual(lines(users), LEARNED);
});

test('a rewritten users file keeps its mode (0600, 0640): permissions are never widened', { skip: POSIX }, (t) => {
  const dir = folder(t);
  for (const kept of [0o600, 0o640]) {
    const users = join(dir, `users-${kept.toString(8)}.csv`);
    writeFileSync(users, 'ffffffff-0000-4000-8000-00000000000f,old@contoso.example\n');
    chmodSync(users, kept);
    const r = runCli(['-a', '-u', users, INPUT]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(users), kept);
    assert.deepEqual(lines(users), ['ffffffff-0000-4000-8000-00000000000f,old@contoso.example', ...LEARNED]);
  }
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file is left',
  );
});

test('a read-only users file is an error before any work, and is left untouched', { skip: POSIX }, (t) => {
  const users = join(folder(t), 'users.csv');
  writeFileSync(users, 'ffffffff-0000-4000-8000-00000000000f,old@contoso.example\n');
  chmodSync(users, 0o444);
  const r = runCli(['-a', '-u', users, INPUT]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /CRITICAL: users file '.*users\.csv' is read-only \(mode 0444\); it is rewritten when users are learned/,
  );
  assert.doesNotMatch(r.stderr, /rows read/, 'no input was read');
  assert.equal(readFileSync(users, 'utf8'), 'ffffffff-0000-4000-8000-00000000000f,old@contoso.example\n');
  assert.equal(mode(users), 0o444);
  // the same in --compat tala
  assert.equal(runCli(['--compat', 'tala', '-a', '-u', users, INPUT]).status, 1);
});

test(
  'a symbolic link is written through: the link stays, its target is updated with its mode',
  { skip: POSIX },
  (t) => {
    const dir = folder(t);
    const target = join(dir, 'shared-users.csv');
    writeFileSync(target, '');
    chmodSync(target, 0o660);
    const link = join(dir, 'users.csv');
    symlinkSync('shared-users.csv', link);
    const r = runCli(['-a', '-u', link, INPUT]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.deepEqual(lines(target), LEARNED);
    assert.equal(mode(target), 0o660);

    const dangling = join(dir, 'dangling.csv');
    symlinkSync('nowhere.csv', dangling);
    const refused = runCli(['-a', '-u', dangling, INPUT]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /users file '.*dangling\.csv' is a symbolic link to a file that does not exist/);
  },
);

test('run as root, the owner of a rewritten users file is kept', { skip: POSIX || AS_ROOT }, (t) => {
  const users = join(folder(t), 'users.csv');
  writeFileSync(users, '');
  chmodSync(users, 0o600);
  chownSync(users, NOBODY, NOBODY);
  assert.equal(runCli(['-a', '-u', users, INPUT]).status, 0);
  assert.equal(statSync(users).uid, NOBODY);
  assert.equal(mode(users), 0o600);
  assert.deepEqual(lines(users), LEARNED);
});

test(
  'a users file this user may not write, or in a folder it may not write, is refused before any work',
  { skip: POSIX || AS_ROOT },
  (t) => {
    const dir = folder(t);
    chmodSync(dir, 0o755); // root's folder: nobody may enter it but not create files in it
    const notMine = join(dir, 'not-mine.csv');
    writeFileSync(notMine, '');
    chmodSync(notMine, 0o644);
    const asNobody = { uid: NOBODY, gid: NOBODY, cwd: FIXTURES };
    const r = runCli(['-a', '-u', notMine, 'tala-basic.csv'], asNobody);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /users file '.*not-mine\.csv' cannot be written: permission denied/);
    const folderLocked = join(dir, 'shared.csv');
    writeFileSync(folderLocked, '');
    chmodSync(folderLocked, 0o666);
    const locked = runCli(['-a', '-u', folderLocked, 'tala-basic.csv'], asNobody);
    assert.equal(locked.status, 1);
    assert.match(
      locked.stderr,
      /users file '.*shared\.csv' cannot be replaced safely: its folder '.*' cannot be written \(permission denied\)/,
    );
    assert.equal(readFileSync(folderLocked, 'utf8'), '');
  },
);
