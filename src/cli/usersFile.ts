// Loading and saving the -u users file for the CLI, with every problem reported as a message. The
// file holds e-mail addresses: it is created with mode 0600, checked for writing before any work,
// and rewritten atomically with its mode kept, through a symbolic link to its target.
import { readFileSync } from 'node:fs';
import { UsersDatabase } from '../analysis/userDirectory.js';
import type { Messages } from './messages.js';
import { isFileSystemError, plainFileError } from './fileErrors.js';
import { FileReplaceRefused, prepareReplace, replaceFile, type ReplaceTarget } from './fileReplace.js';

const targets = new WeakMap<UsersDatabase, ReplaceTarget>();

/**
 * The database, or null (a usage error, exit 1) when the file cannot be created, read or later
 * rewritten (read-only, not writable, not a regular file, a dangling link).
 */
export function loadUsers(path: string, caseInsensitive: boolean, msg: Messages): UsersDatabase | null {
  let prepared: ReturnType<typeof prepareReplace>;
  let text = '';
  try {
    prepared = prepareReplace(path);
    if (!prepared.created) text = readFileSync(prepared.target.path, 'utf8');
  } catch (e) {
    if (e instanceof FileReplaceRefused) msg.critical(`users file '${path}' ${e.message}`);
    else if (isFileSystemError(e)) msg.critical(`users file '${path}' cannot be read: ${plainFileError(e)}`);
    else throw e;
    return null;
  }
  if (prepared.created) msg.info(`${path}: users file created (mode 0600: it holds e-mail addresses)`);
  const db = UsersDatabase.parse(text, path, { caseInsensitive });
  targets.set(db, prepared.target);
  for (const err of db.errors) msg.rowWarning(err.file, err.line, 'users file', err.reason);
  return db;
}

const warnedKept = new WeakSet<UsersDatabase>();

/** Rewrites the file when entries were added since the last save. */
export function saveUsers(db: UsersDatabase, path: string, msg: Messages): void {
  const target = targets.get(db);
  if (target === undefined) throw new Error('saveUsers: the database was not loaded by loadUsers');
  try {
    const outcome = db.save((content) => replaceFile(target, content));
    if (outcome === 'written') msg.info(`${path}: users file rewritten (${db.size} entries, ${db.added} learned)`);
    if (outcome === 'kept-because-of-errors' && !warnedKept.has(db)) {
      warnedKept.add(db);
      msg.warning(
        `${path}: not rewritten because ${db.errors.length} line${db.errors.length === 1 ? ' is' : 's are'} unreadable; fix ${db.errors.length === 1 ? 'it' : 'them'} so that learned e-mails are saved`,
      );
    }
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    msg.error(`${path}: users file cannot be written: ${plainFileError(e)}`);
  }
}
