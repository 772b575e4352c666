// Byte spans of the records of one uncompressed export, for rewriting it without some records: CSV records
// (quote-aware: a line end inside a quoted field is part of the record), NDJSON lines and the elements of a
// JSON array. Spans hold their own terminator (CSV, NDJSON); the bytes between JSON elements are separators.
// Nothing is decoded: every byte outside the spans a caller changes stays as it was.

/** [start, end) in the file's bytes. */
export interface Span {
  start: number;
  end: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

function isFieldSeparator(b: number): boolean {
  return b === 0x2c || b === 0x3b || b === 0x09;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === LF || b === CR || b === 0x09;
}

/**
 * CSV records from `from`: a `"` opens a quoted field only at the start of a field, `""` is a quote inside one.
 * Undefined when a quoted field is never closed (the file cannot be split safely).
 */
export function csvRecordSpans(buf: Buffer, from: number): Span[] | undefined {
  const spans: Span[] = [];
  let start = from;
  let inQuotes = false;
  let fieldStart = true;
  for (let i = from; i < buf.length; i++) {
    const b = buf[i]!;
    if (inQuotes) {
      if (b === QUOTE) {
        if (buf[i + 1] === QUOTE) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (b === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else if (b === LF || b === CR) {
      if (b === CR && buf[i + 1] === LF) i++;
      spans.push({ start, end: i + 1 });
      start = i + 1;
      fieldStart = true;
    } else fieldStart = isFieldSeparator(b);
  }
  if (inQuotes) return undefined;
  if (start < buf.length) spans.push({ start, end: buf.length });
  return spans;
}

/** NDJSON lines from `from`, each with its line feed. */
export function lineSpans(buf: Buffer, from: number): Span[] {
  const spans: Span[] = [];
  let start = from;
  for (let nl = buf.indexOf(LF, start); nl >= 0; nl = buf.indexOf(LF, start)) {
    spans.push({ start, end: nl + 1 });
    start = nl + 1;
  }
  if (start < buf.length) spans.push({ start, end: buf.length });
  return spans;
}

/** The end of the JSON value starting at `i` (an object, array, string or literal), or -1 when it does not end. */
function valueEnd(buf: Buffer, i: number): number {
  let depth = 0;
  let inString = false;
  for (let k = i; k < buf.length; k++) {
    const b = buf[k]!;
    if (inString) {
      if (b === 0x5c) k++;
      else if (b === QUOTE) {
        inString = false;
        if (depth === 0) return k + 1;
      }
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      depth--;
      if (depth === 0) return k + 1;
      if (depth < 0) return -1;
    } else if (depth === 0 && (b === 0x2c || isSpace(b))) return k;
  }
  return depth === 0 && !inString ? buf.length : -1;
}

/**
 * The elements of the JSON array whose `[` is at `open`, and where the array ends (after its `]`). Undefined when
 * the array is not well formed.
 */
export function jsonArrayElements(buf: Buffer, open: number): { elements: Span[]; close: number } | undefined {
  const elements: Span[] = [];
  let i = open + 1;
  const skipSpace = () => {
    while (i < buf.length && isSpace(buf[i]!)) i++;
  };
  skipSpace();
  if (buf[i] === 0x5d) return { elements, close: i + 1 };
  for (;;) {
    skipSpace();
    const end = valueEnd(buf, i);
    if (end <= i) return undefined;
    elements.push({ start: i, end });
    i = end;
    skipSpace();
    if (buf[i] === 0x2c) {
      i++;
      continue;
    }
    if (buf[i] === 0x5d) return { elements, close: i + 1 };
    return undefined;
  }
}
