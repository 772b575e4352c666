// The users report: one row per entry of the user directory (src/analysis/userDirectory.ts), in insertion order.
import type { UserOrigin, UsersDatabase } from '../analysis/userDirectory.js';

/** One row of the `users` report. */
export interface UserRow {
  uuid: string;
  email: string;
  /** `file`: read from the users file; `organizer`: learned from UserKey → UserId;
   *  `attendee`: learned from Attendees UserObjectId → UPN. */
  origin: UserOrigin;
  /** Learned during this run (not in the users file before). */
  added: boolean;
}

/** The users report rows, in insertion order. */
export function userRows(db: UsersDatabase): UserRow[] {
  return [...db.entriesInOrder()].map((e) => ({ uuid: e.uuid, email: e.email, origin: e.origin, added: e.added }));
}
