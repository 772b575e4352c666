// Text from outside (blob names, admin inputs, error messages) goes into host log lines escaped, so
// that a name holding a newline or a terminal control sequence cannot forge or hide a line.

/** Characters escaped: backslash, C0 and C1 controls, DEL, line/paragraph separators, bidi overrides. */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern escapes
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text on one line, with unsafe characters as \n, \r, \t, \\ or \uXXXX. */
export function escapeForLog(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
