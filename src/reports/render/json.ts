// JSON renderer for report rows: pretty-printed, one value per output, newline-terminated.

/** `value` as indented JSON (2 spaces) followed by a newline. `undefined` fields are left out. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * The text of a JSON array written one element at a time: the pieces for elements 0, 1, … then
 * jsonArrayEnd(count), joined, are exactly renderJson(array).
 */
export function jsonArrayElement(value: unknown, index: number): string {
  // JSON text never holds a raw line feed inside a string, so every line break is indentation.
  return (index === 0 ? '[\n  ' : ',\n  ') + (JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, '\n  ');
}

/** The end of an array of `count` elements written with jsonArrayElement. */
export function jsonArrayEnd(count: number): string {
  return count === 0 ? '[]\n' : '\n]\n';
}
