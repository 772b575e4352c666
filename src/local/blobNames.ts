// Which blob names the local host can hand to a blob trigger: the names Azure Storage itself accepts
// and that address the same blob when put into a URL. The admin API and the container scan share
// these rules, so an admin input cannot reach a blob the trigger would never see.

/** Azure Storage's limit on a blob name. */
export const MAX_BLOB_NAME_CHARS = 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why the name cannot be used as a blob name of the trigger's container, or undefined when it can. */
export function blobNameProblem(name: string): string | undefined {
  if (name === '') return 'the blob name is empty';
  if (name.length > MAX_BLOB_NAME_CHARS) return `the blob name is longer than ${MAX_BLOB_NAME_CHARS} characters (${name.length})`;
  if (LONE_SURROGATE.test(name)) return 'the blob name is not well-formed Unicode (a lone surrogate), so it has no URL encoding';
  // A "." or ".." segment is resolved away in the blob's URL, which then names another blob or container.
  if (name.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) {
    return 'the blob name has a "." or ".." segment, which would address another blob or container';
  }
  return undefined;
}
