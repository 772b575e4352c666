// Which blob names the local host can hand to a blob trigger: the names Azure Storage itself accepts
// and that address the same blob when put into a URL. The admin API and the container scan share
// these rules, so an admin input cannot reach a blob the trigger would never see.

/** Azure Storage's limit on a blob name. */
export const MAX_BLOB_NAME_CHARS = 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why the name cannot be used as a blob name of the trigger's container, or undefined when it can. */
export function blobNameProblem(name: string): string | undefined {
  if (name === '') return 'the blob name is empty';
  if (name.length > MAX_BLOB_NAME_CHARS)
    return `the blob name is longer than ${MAX_BLOB_NAME_CHARS} characters (${name.length})`;
  if (LONE_SURROGATE.test(name))
    return 'the blob name is not well-formed Unicode (a lone surrogate), so it has no URL encoding';
  // A "." or ".." segment is resolved away in the blob's URL, which then names another blob or container.
  if (name.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) {
    return 'the blob name has a "." or ".." segment, which would address another blob or container';
  }
  return undefined;
}

/** Replaces XML character references (&#xD; &#13;) with their characters; other text is kept. */
export function decodeCharacterReferences(text: string): string {
  return text.replace(
    /&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g,
    (ref, hex: string | undefined, dec: string | undefined) => {
      const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
      return code <= 0x10ffff ? String.fromCodePoint(code) : ref;
    },
  );
}

/**
 * A storage failure in words, with its HTTP status. Azurite answers 500 with no message when it
 * cannot list a container holding a blob whose name it cannot write into XML; that case is named.
 */
export function describeStorageError(err: unknown): string {
  const e = err as { message?: string; statusCode?: number; code?: string };
  const text = (err instanceof Error && e.message) || e.code || String(err);
  if (e.statusCode === undefined) return text;
  const hint =
    e.statusCode === 500
      ? '; the storage emulator (Azurite) fails so when a blob name holds a control character other than tab,' +
        ' newline and carriage return (U+0001-U+001F) or U+FFFE/U+FFFF: rename or delete that blob (Azure Storage lists it)'
      : '';
  return `${text} (HTTP ${e.statusCode}${e.code && e.code !== text ? `, ${e.code}` : ''})${hint}`;
}
