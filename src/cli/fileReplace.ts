// Rewriting a file of the admin's (the -u users file): checked before any work, written through a
// symbolic link to its target, never with wider permissions, and replaced atomically (a temporary
// file in the same folder, flushed to disk, then renamed over the old one).
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { isFileSystemError, plainFileError } from './fileErrors.js';

/** Mode of a file this tool creates: owner read/write only, as it may hold e-mail addresses. */
export const NEW_FILE_MODE = 0o600;

/** The file that is replaced (the target of a symbolic link) and the owner and mode it keeps. */
export interface ReplaceTarget {
  path: string;
  mode: number;
  uid?: number;
  gid?: number;
}

/** Why a file cannot be rewritten; the message completes "'<path>' …". */
export class FileReplaceRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileReplaceRefused';
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Checks that `path` can be rewritten later, before any work is done; creates it empty (mode 0600)
 * when it does not exist. `created` tells which. Throws FileReplaceRefused with the reason when the
 * file is read-only, not writable by this user, not a regular file, a dangling link, or in a folder
 * where no new copy can be written.
 */
export function prepareReplace(path: string): { target: ReplaceTarget; created: boolean } {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    if (e.code !== 'ENOENT') throw new FileReplaceRefused(`cannot be opened: ${plainFileError(e)}`);
    if (isSymbolicLink(path))
      throw new FileReplaceRefused(
        'is a symbolic link to a file that does not exist; create the target or remove the link',
      );
    try {
      closeSync(openSync(path, 'wx', NEW_FILE_MODE));
    } catch (created) {
      if (!isFileSystemError(created)) throw created;
      const why = created.code === 'ENOENT' ? `its folder '${dirname(path)}' does not exist` : plainFileError(created);
      throw new FileReplaceRefused(`cannot be created: ${why}`);
    }
    return { target: { path, mode: NEW_FILE_MODE }, created: true };
  }
  const stat = statSync(real);
  const via = real === path ? '' : ` (through the symbolic link, '${real}')`;
  if (!stat.isFile()) throw new FileReplaceRefused(`is not a regular file${via}`);
  if ((stat.mode & 0o222) === 0) {
    throw new FileReplaceRefused(
      `is read-only${via} (mode ${octal(stat.mode)}); it is rewritten when users are learned: make it writable (chmod u+w) or leave out -u`,
    );
  }
  try {
    accessSync(real, constants.W_OK);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    throw new FileReplaceRefused(`cannot be written${via}: ${plainFileError(e)}`);
  }
  try {
    accessSync(dirname(real), constants.W_OK);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    throw new FileReplaceRefused(
      `cannot be replaced safely: its folder '${dirname(real)}' cannot be written (${plainFileError(e)}); the new version is written next to the file, then renamed over it`,
    );
  }
  return { target: { path: real, mode: stat.mode & 0o777, uid: stat.uid, gid: stat.gid }, created: false };
}

/** Replaces the target's content atomically, keeping its mode (and, when run as root, its owner). */
export function replaceFile(target: ReplaceTarget, text: string): void {
  const folder = dirname(target.path);
  const temporary = join(folder, `.${basename(target.path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', NEW_FILE_MODE);
  let renamed = false;
  try {
    writeFileSync(fd, text);
    fchmodSync(fd, target.mode);
    if (process.getuid?.() === 0 && target.uid !== undefined && target.gid !== undefined)
      fchownSync(fd, target.uid, target.gid);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, target.path);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(temporary);
      } catch {
        // nothing left to clean up
      }
    }
  }
  try {
    const dir = openSync(folder, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Folders cannot be flushed on every platform; the rename itself is atomic.
  }
}
