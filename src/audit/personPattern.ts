// Finds one person's identifiers (object ids, UPNs, e-mails, pseudonyms) in raw export text, for erasure. An
// identifier with `@` matches only as a whole address: `ann@contoso.com` is not found inside `joann@contoso.com`
// or `ann@contoso.com.au`, so other people's rows stay untouched. Other identifiers (GUIDs, pseudonyms) match
// anywhere, so an object id inside a URL-encoded join link is found too.

/** What replaces an identifier of an erased person (as in the tables). */
export const ERASED_TEXT = 'erased';

function escape(id: string): string {
  return id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class PersonPattern {
  readonly #ids: Set<string>;
  readonly #pattern: RegExp | undefined;

  constructor(identifiers: Iterable<string>) {
    this.#ids = new Set([...identifiers].map((i) => i.trim().toLowerCase()).filter((i) => i.length >= 3));
    const sorted = [...this.#ids].sort((a, b) => b.length - a.length);
    const parts = sorted.map((id) =>
      id.includes('@') ? `(?<![A-Za-z0-9._+'-])${escape(id)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])` : escape(id),
    );
    this.#pattern = parts.length === 0 ? undefined : new RegExp(parts.join('|'), 'gi');
  }

  get size(): number {
    return this.#ids.size;
  }

  /** True when `value` is one of the identifiers (any letter case). */
  is(value: string | undefined): boolean {
    return value !== undefined && this.#ids.has(value.trim().toLowerCase());
  }

  /** True when `text` contains an identifier. */
  mentions(text: string): boolean {
    if (this.#pattern === undefined) return false;
    this.#pattern.lastIndex = 0;
    return this.#pattern.test(text);
  }

  /** `text` with every identifier replaced by ERASED_TEXT. */
  redact(text: string): string {
    return this.#pattern === undefined ? text : text.replace(this.#pattern, ERASED_TEXT);
  }
}
