// Pseudonymised mode (PSEUDONYMIZE_USERS=true): the identities of a record (organiser and attendee object
// ids, UPNs, e-mails and display names) replaced by keyed HMAC-SHA-256 pseudonyms before anything is stored.
// The same identity always gives the same pseudonym under one key, so meetings, participants and
// disconnections are counted exactly as in normal mode; without the key a pseudonym cannot be computed.
import { createHmac } from 'node:crypto';
import type { AuditRecord, MeetingDetailRecord, SessionRecord } from './records.js';

/** Every pseudonym starts with this (never a valid UPN, e-mail or object id). */
export const PSEUDONYM_PREFIX = 'ps_';
/** Hex characters kept of the HMAC (128 bits: collisions are out of reach for any tenant). */
const PSEUDONYM_HEX = 32;
/** Shortest key accepted (bytes of UTF-8 text): 32, as long as the HMAC-SHA-256 output. */
export const MIN_PSEUDONYM_KEY_BYTES = 32;

export function isPseudonym(value: string): boolean {
  return value.startsWith(PSEUDONYM_PREFIX) && value.length === PSEUDONYM_PREFIX.length + PSEUDONYM_HEX;
}

export class Pseudonymizer {
  readonly #key: Buffer;

  constructor(key: string | Buffer) {
    this.#key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (this.#key.length < MIN_PSEUDONYM_KEY_BYTES) {
      throw new Error(
        `the pseudonym key must be at least ${MIN_PSEUDONYM_KEY_BYTES} bytes long (got ${this.#key.length})`,
      );
    }
  }

  /**
   * The pseudonym of an identity ('' stays ''; a pseudonym stays itself). Object ids, UPNs and e-mails are
   * case-insensitive in Entra ID, so they are lower-cased first: `Ann@X.com` and `ann@x.com` are one person.
   */
  of(value: string): string {
    if (value === '' || isPseudonym(value)) return value;
    const hmac = createHmac('sha256', this.#key).update(value.trim().toLowerCase(), 'utf8').digest('hex');
    return PSEUDONYM_PREFIX + hmac.slice(0, PSEUDONYM_HEX);
  }

  /** A record with its identities pseudonymised (a new object; the input is not changed). */
  record<R extends AuditRecord>(record: R): R {
    return (record.kind === 'session' ? this.session(record) : this.detail(record)) as R;
  }

  private session(record: SessionRecord): SessionRecord {
    const attendee = { ...record.attendee };
    if (attendee.userObjectId !== undefined) attendee.userObjectId = this.of(attendee.userObjectId);
    if (attendee.upn !== undefined) attendee.upn = this.of(attendee.upn);
    if (attendee.displayName !== undefined) attendee.displayName = this.of(attendee.displayName);
    return {
      ...record,
      organizerUpn: this.of(record.organizerUpn),
      organizerId: this.of(record.organizerId),
      attendee,
    };
  }

  private detail(record: MeetingDetailRecord): MeetingDetailRecord {
    const out: MeetingDetailRecord = {
      ...record,
      organizerUpn: this.of(record.organizerUpn),
      organizerId: this.of(record.organizerId),
    };
    // A Teams join link carries the organiser's object id in its `context` parameter: only the path is kept.
    if (out.meetingUrl !== undefined) out.meetingUrl = withoutQuery(out.meetingUrl);
    return out;
  }
}

function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}
