// Loading and saving the -u users file for the CLI, with every problem reported as a message.
import { UsersDatabase } from '../reports/users.js';
import type { Messages } from './messages.js';

/** The database, or null when the file cannot be read or created at all (a usage error). */
export function loadUsers(path: string, caseInsensitive: boolean, msg: Messages): UsersDatabase | null {
  let db: UsersDatabase;
  try {
    db = UsersDatabase.load(path, { caseInsensitive });
  } catch (e) {
    msg.critical(`users file '${path}' cannot be read or created: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return null;
  }
  for (const err of db.errors) msg.rowWarning(err.file, err.line, 'users file', err.reason);
  return db;
}

const warnedKept = new WeakSet<UsersDatabase>();

/** Rewrites the file when entries were added since the last save. */
export function saveUsers(db: UsersDatabase, path: string, msg: Messages): void {
  try {
    const outcome = db.save(path);
    if (outcome === 'written') msg.info(`${path}: users file rewritten (${db.size} entries, ${db.added} learned)`);
    if (outcome === 'kept-because-of-errors' && !warnedKept.has(db)) {
      warnedKept.add(db);
      msg.warning(
        `${path}: not rewritten because ${db.errors.length} line${db.errors.length === 1 ? ' is' : 's are'} unreadable; fix ${db.errors.length === 1 ? 'it' : 'them'} so that learned e-mails are saved`,
      );
    }
  } catch (e) {
    msg.error(`${path}: users file cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
