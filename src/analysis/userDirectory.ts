// The user directory (uuid → e-mail, and what Microsoft Graph said about an id): tala's `-u` file format, and the
// one rule by which records teach users, shared by the CLI and the pipeline.
import type { AuditRecord } from '../audit/records.js';

export type UserOrigin = 'file' | 'organizer' | 'attendee';

export interface UserEntry {
  uuid: string;
  email: string;
  origin: UserOrigin;
}

/** A users-file line that could not be read (the line content is not repeated: it may hold an e-mail). */
export interface UsersFileError {
  file: string;
  line: number;
  reason: string;
}

// Python str.strip() whitespace (str.isspace), which differs from String#trim (no U+FEFF, adds U+001C-U+001F, U+0085).
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Characters that would break the `uuid,email` line format if written. */
const UNSAFE = /[\r\n,]/;

export interface UsersDatabaseOptions {
  /** Match ids regardless of letter case (GUIDs appear in both cases). tala matches exactly. */
  caseInsensitive?: boolean;
}

/** What the reports need from the database. */
export interface UsersLookup {
  get(uuid: string): string | undefined;
  /** The display name a directory (Microsoft Graph) gave for the id, when known. */
  name?(uuid: string): string | undefined;
}

/** What Microsoft Graph said about an object id, and when. */
export interface DirectoryName {
  /** `found`: a member or guest of this tenant; `notInTenant`: Graph does not know the id here (external users). */
  status: 'found' | 'notInTenant';
  displayName: string;
  userPrincipalName: string;
  mail: string;
  /** `Member` or `Guest` ('' when not found). */
  userType: string;
  /** ISO time of the lookup. */
  checkedAt: string;
}

/** The address to show for a directory entry: a guest's mail (its UPN is the #EXT# form), else the UPN. */
export function directoryEmail(d: DirectoryName | undefined): string {
  if (d === undefined || d.status !== 'found') return '';
  return d.userType.toLowerCase() === 'guest' ? d.mail || d.userPrincipalName : d.userPrincipalName || d.mail;
}

/** uuid → e-mail, in insertion order. Existing entries are never changed by learning. */
export class UsersDatabase implements UsersLookup {
  private readonly entries = new Map<string, UserEntry>();
  private readonly folded: Map<string, string> | undefined;
  private readonly loadedCount: number;
  private addedCount = 0;
  private savedAt = 0;
  /** Lines of the file that could not be read. */
  readonly errors: UsersFileError[];

  constructor(options: UsersDatabaseOptions = {}, initial: readonly UserEntry[] = [], errors: UsersFileError[] = []) {
    this.folded = options.caseInsensitive ? new Map() : undefined;
    for (const e of initial) this.set(e);
    this.loadedCount = this.entries.size;
    this.errors = errors;
  }

  /**
   * Parses tala's users file: headerless `uuid,email` lines; each line is stripped, field 1 is the
   * key and field 2 the value (further fields ignored); a later duplicate key overwrites the value
   * but keeps the first position. A blank or comma-less line is an error (tala crashes on it). A
   * leading BOM is ignored.
   */
  static parse(text: string, file: string, options: UsersDatabaseOptions = {}): UsersDatabase {
    const initial: UserEntry[] = [];
    const errors: UsersFileError[] = [];
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const lines = body.split(/\r\n|\r|\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // text ending with a newline
    lines.forEach((raw, i) => {
      const line = raw.replace(PY_STRIP, '');
      if (line === '') {
        errors.push({ file, line: i + 1, reason: 'blank line (expected uuid,email)' });
        return;
      }
      const fields = line.split(',');
      if (fields.length < 2) {
        errors.push({ file, line: i + 1, reason: 'no comma (expected uuid,email)' });
        return;
      }
      initial.push({ uuid: fields[0]!, email: fields[1]!, origin: 'file' });
    });
    return new UsersDatabase(options, initial, errors);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries added by learning since construction. */
  get added(): number {
    return this.addedCount;
  }

  get(uuid: string): string | undefined {
    return this.entry(uuid)?.email;
  }

  has(uuid: string): boolean {
    return this.entry(uuid) !== undefined;
  }

  /**
   * Adds uuid → email unless the uuid is already known. Ids or e-mails holding a comma or a line
   * break are refused (they would corrupt the file). Returns true when added.
   */
  learn(uuid: string, email: string, origin: Exclude<UserOrigin, 'file'>): boolean {
    if (this.has(uuid) || UNSAFE.test(uuid) || UNSAFE.test(email)) return false;
    this.set({ uuid, email, origin });
    this.addedCount++;
    return true;
  }

  /** Every entry in insertion order, with whether it was learned after construction (not in the users file). */
  *entriesInOrder(): IterableIterator<UserEntry & { added: boolean }> {
    let i = 0;
    for (const e of this.entries.values()) yield { ...e, added: i++ >= this.loadedCount };
  }

  /** The file content: `uuid,email\n` lines in insertion order. */
  serialise(): string {
    let out = '';
    for (const e of this.entries.values()) out += `${e.uuid},${e.email}\n`;
    return out;
  }

  /**
   * Writes the content with `write` (the caller's file I/O) when something was added. A file that had
   * unreadable lines is left as it is, so hand edits are never lost; returns why it was not written.
   */
  save(write: (content: string) => void): 'written' | 'unchanged' | 'kept-because-of-errors' {
    if (this.unsaved === 0) return 'unchanged';
    if (this.errors.length > 0) return 'kept-because-of-errors';
    write(this.serialise());
    this.savedAt = this.addedCount;
    return 'written';
  }

  /** Added since the last successful save (tala rewrites after each file that added something). */
  get unsaved(): number {
    return this.addedCount - this.savedAt;
  }

  private entry(uuid: string): UserEntry | undefined {
    const exact = this.entries.get(uuid);
    if (exact !== undefined || this.folded === undefined) return exact;
    const k = this.folded.get(uuid.toLowerCase());
    return k === undefined ? undefined : this.entries.get(k);
  }

  private set(e: UserEntry): void {
    const existing = this.entries.get(e.uuid);
    if (existing !== undefined)
      existing.email = e.email; // file duplicate: later value wins, first position kept
    else this.entries.set(e.uuid, e);
    if (this.folded !== undefined && !this.folded.has(e.uuid.toLowerCase()))
      this.folded.set(e.uuid.toLowerCase(), e.uuid);
  }
}

/**
 * What one record teaches: its organiser (UserKey → UserId) and, for a session, its attendee (UserObjectId → UPN), each
 * with the e-mail it came with ('' when none). Ids or e-mails that would break the `uuid,email` line format are left
 * out. The one rule the CLI and the pipeline both learn by.
 */
export function usersOf(
  record: AuditRecord,
): Array<{ uuid: string; email: string; origin: Exclude<UserOrigin, 'file'> }> {
  const out: Array<{ uuid: string; email: string; origin: Exclude<UserOrigin, 'file'> }> = [];
  const add = (uuid: string | undefined, email: string | undefined, origin: Exclude<UserOrigin, 'file'>): void => {
    if (uuid === undefined || uuid === '' || UNSAFE.test(uuid)) return;
    out.push({ uuid, email: email === undefined || UNSAFE.test(email) ? '' : email, origin });
  };
  add(record.organizerId, record.organizerUpn, 'organizer');
  if (record.kind === 'session') add(record.attendee.userObjectId, record.attendee.upn, 'attendee');
  return out;
}

/** Learns from records in order (pairs with an e-mail only; the first e-mail of an id wins). Returns how many were added. */
export function learnUsers(db: UsersDatabase, records: Iterable<AuditRecord>): number {
  let added = 0;
  for (const r of records) {
    for (const u of usersOf(r)) if (u.email !== '' && db.learn(u.uuid, u.email, u.origin)) added++;
  }
  return added;
}

/**
 * tala's rule (docs/design/tala-compatibility.md): for every meeting in first-appearance order, the organiser of its
 * first record (UserKey → UserId) is added when the key is unknown, even if empty.
 */
export function learnTalaOrganizers(
  db: UsersDatabase,
  meetings: Iterable<{ organizerId: string; organizerEmail: string }>,
): number {
  let added = 0;
  for (const m of meetings) if (db.learn(m.organizerId, m.organizerEmail, 'organizer')) added++;
  return added;
}
