// The logger the pipeline jobs write to (an InvocationContext fits it). Messages carry counts, blob
// names and meeting ids only: never e-mail addresses or IP addresses.
export interface PipelineLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const SILENT_LOG: PipelineLog = { info() {}, warn() {}, error() {} };

/** A short description of an error for logs and ledgers: its message, without the stack or a cause chain. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
