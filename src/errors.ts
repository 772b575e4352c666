// Errors in words, for logs, ledgers, health reports and messages to a person.

/** A short description of an error: the first line of its message, without the stack or a cause chain. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
