// The admin key of one `npm start`, in a file only its user can read, so that commands (the README's
// curl lines) can send it without copying it from the banner. The folder is git-ignored (.tmp/).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the key file goes, relative to the folder npm start runs in (the clone's root). */
export const ADMIN_KEY_FILE = join('.tmp', 'local-host', 'admin-key');

/** Writes the key (mode 0600, folder 0700) and returns the file's path. */
export function writeAdminKeyFile(baseDir: string, key: string): string {
  const path = join(baseDir, ADMIN_KEY_FILE);
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A new file (created 0600) renamed over the old one: the key is never readable by others, even briefly.
  const fresh = `${path}.${process.pid}.new`;
  rmSync(fresh, { force: true });
  writeFileSync(fresh, key, { mode: 0o600, flag: 'wx' });
  renameSync(fresh, path);
  return path;
}

/** Removes the key file at shutdown (the key dies with the host). */
export function removeAdminKeyFile(path: string): void {
  rmSync(path, { force: true });
}
