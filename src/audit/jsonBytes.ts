// Byte-level pieces shared by the streaming JSON readers: structural bytes, and the collection of one
// value's bytes across input chunks.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const NEWLINE = 0x0a;

export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The bytes of one JSON value collected across chunks (copies: the input may reuse its chunks). */
export class Capture {
  private parts: Buffer[] = [];
  bytes = 0;
  active = false;
  private start = 0;

  begin(i: number): void {
    this.parts = [];
    this.bytes = 0;
    this.active = true;
    this.start = i;
  }

  /** Stops collecting at `end` (exclusive); resume() continues later. */
  pause(buf: Buffer, end: number): void {
    this.keep(buf.subarray(this.start, end));
    this.active = false;
  }

  resume(i: number): void {
    this.active = true;
    this.start = i;
  }

  /** At the end of a chunk: keeps its collected bytes. */
  carry(buf: Buffer): void {
    if (!this.active) return;
    this.keep(buf.subarray(this.start));
    this.start = 0;
  }

  /** Every collected byte up to `end` of the current chunk; the capture is then empty. */
  take(buf: Buffer, end: number): Buffer {
    const last = this.active ? buf.subarray(this.start, end) : buf.subarray(0, 0);
    const all = this.parts.length === 0 ? last : Buffer.concat([...this.parts, last]);
    this.parts = [];
    this.bytes = 0;
    this.active = false;
    return all;
  }

  private keep(segment: Buffer): void {
    if (segment.length === 0) return;
    this.parts.push(Buffer.from(segment));
    this.bytes += segment.length;
  }
}
