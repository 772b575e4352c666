// The logger the pipeline jobs write to (an InvocationContext fits it). Messages carry counts, blob
// names and meeting ids only: never e-mail addresses or IP addresses. Blob names are chosen by whoever
// uploads: singleLineLog escapes their control characters (and those of any message), so that no name
// can start a line of its own or pass for another log line.
export interface PipelineLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const SILENT_LOG: PipelineLog = { info() {}, warn() {}, error() {} };

/**
 * Characters that break a log line or change how it reads: C0 and C1 controls, DEL, the Unicode line
 * and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const UNSAFE_IN_LOG = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text with every character of UNSAFE_IN_LOG written as an escape (`\n`, `\u001b`, ...). */
export function escapeForLog(text: string): string {
  return text.replace(UNSAFE_IN_LOG, escapeChar);
}

/** A log that escapes, in every message, the characters that could break or disguise its lines. */
export function singleLineLog(log: PipelineLog): PipelineLog {
  return {
    info: (message) => log.info(escapeForLog(message)),
    warn: (message) => log.warn(escapeForLog(message)),
    error: (message) => log.error(escapeForLog(message)),
  };
}
