// Table Storage keys: validation, reversible encoding of ids that Table keys forbid, composite
// keys and prefix ranges. Plain ids (GUIDs and similar) stay readable; anything else is base64url.
import { createHash } from 'node:crypto';

/**
 * Largest key we write, in characters. The service allows 1 KiB per key; we stay at 512 characters
 * (1 KiB of UTF-16) so that the limit holds whichever way the service counts.
 */
export const MAX_KEY_CHARS = 512;
/** Longest raw id (meeting id, record id) accepted; its encoded form must also fit in MAX_KEY_CHARS. */
export const MAX_ID_KEY_CHARS = 400;

/** Keys that need no encoding: ASCII letters, digits and a few punctuation marks, not starting with `~`. */
const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]*$/;
const ENCODED_PREFIX = '~b.';
const HASHED_PREFIX = '~h.';
/** `/`, `\`, `#`, `?`, U+0000–U+001F and U+007F–U+009F (the characters the Table service refuses in keys). */
// eslint-disable-next-line no-control-regex -- the Table service refuses control characters in keys
const FORBIDDEN_KEY_CHAR = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/** A value that cannot be used as (or encoded into) a Table key. */
export class KeyError extends Error {
  override name = 'KeyError';
  /** The property whose value cannot be a key (e.g. a record's `meetingId`), when the caller named it. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** Why `key` cannot be written as a PartitionKey/RowKey as it is, or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key.length > MAX_KEY_CHARS) return `is ${key.length} characters long; keys are limited to ${MAX_KEY_CHARS}`;
  const match = FORBIDDEN_KEY_CHAR.exec(key);
  if (match) {
    const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the character U+${code} at position ${match.index + 1}, which Table keys do not allow`;
  }
  return undefined;
}

/**
 * The key for an id: the id itself when it is plain (letters, digits, `. _ : @ + = -`), otherwise
 * `~b.` + base64url of its UTF-8 bytes. Throws KeyError (naming `what` in its message, carrying
 * `field`) for an empty id or one too long to fit.
 */
export function encodeKey(id: string, what = 'id', field?: string): string {
  if (id.length === 0) throw new KeyError(`${what} is empty`, field);
  const key = PLAIN_KEY.test(id) ? id : ENCODED_PREFIX + Buffer.from(id, 'utf8').toString('base64url');
  if (key.length > MAX_ID_KEY_CHARS) {
    throw new KeyError(
      `${what} is too long to be stored (${id.length} characters; at most about ${Math.floor((MAX_ID_KEY_CHARS * 3) / 4) - 3} bytes)`,
      field,
    );
  }
  return key;
}

/** The id a key made by encodeKey stands for. Throws KeyError for a hashed component (not reversible). */
export function decodeKey(key: string): string {
  if (key.startsWith(ENCODED_PREFIX))
    return Buffer.from(key.slice(ENCODED_PREFIX.length), 'base64url').toString('utf8');
  if (key.startsWith(HASHED_PREFIX)) throw new KeyError('a hashed key component cannot be decoded');
  return key;
}

/**
 * A component of a composite key (joined with `|`): encodeKey's form when it is at most `maxChars`,
 * otherwise `~h.` + a SHA-256 digest (then not reversible; store the value in a property too).
 * Never contains `|`, so joined components stay unambiguous.
 */
export function keyComponent(value: string, maxChars = 96): string {
  const encoded =
    value.length === 0
      ? '~e'
      : PLAIN_KEY.test(value)
        ? value
        : ENCODED_PREFIX + Buffer.from(value, 'utf8').toString('base64url');
  if (encoded.length <= maxChars) return encoded;
  return HASHED_PREFIX + createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** The smallest string greater than every string starting with `prefix` (for `ge prefix and lt bound`). */
export function prefixUpperBound(prefix: string): string {
  if (prefix.length === 0) throw new KeyError('empty prefix has no upper bound');
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** A non-negative integer as a fixed-width decimal string, so that keys sort numerically. */
export function sortableNumber(value: number, width = 13): string {
  if (!Number.isFinite(value) || value < 0) return '0'.repeat(width);
  const text = String(Math.floor(value));
  return text.length >= width ? text : '0'.repeat(width - text.length) + text;
}

/** An ETag as a key: without the weak marker and quotes (`W/"0x8D…"` → `0x8D…`), encoded when needed. */
export function etagKey(etag: string): string {
  const bare = etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return encodeKey(bare.length > 0 ? bare : '-', 'ETag');
}

/** One of 16 shards (`0`–`f`) for a key, so single-purpose tables spread over partitions written in parallel. */
export function shardOf(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return (h & 15).toString(16);
}
