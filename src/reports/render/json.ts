// JSON renderer for report rows: pretty-printed, one value per output, newline-terminated.

/** `value` as indented JSON (2 spaces) followed by a newline. `undefined` fields are left out. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
