// File-system errors (EACCES, ENOENT…) in plain words, for the CLI's per-file messages.

const PLAIN_WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'not found',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error (a disk or network problem)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'the file cannot be read this way',
};

/** A Node.js system error from the file system (it has a `syscall`), not a bug in the program. */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  const err = e as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof err?.code === 'string' && typeof err.syscall === 'string';
}

/** `permission denied`, `not found`…; the error code itself when it has no plain wording. */
export function plainFileError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return e instanceof Error ? e.message : String(e);
  return PLAIN_WORDS[code] ?? `system error ${code}`;
}
