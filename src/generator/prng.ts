// Seeded pseudo-random numbers for the generator (sfc32), so output never depends on Math.random or the clock.

/** 32-bit string hash (FNV-1a followed by a murmur3 finaliser). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3 finaliser: spreads every input bit over the output. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HEX = '0123456789abcdef';

/** sfc32 (Chris Doty-Humphrey's small fast counting generator): 128-bit state, period ≥ 2^32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * The four words are the starting state, and the sfc32 step is a bijection, so streams seeded
   * with different indices start from (and stay in) different states.
   */
  constructor(w0: number, w1: number, w2: number, w3: number) {
    this.a = w0 >>> 0;
    this.b = w1 >>> 0;
    this.c = w2 >>> 0;
    this.d = w3 >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A stream named by a base seed, a label and an index (e.g. seed, 'meeting', 17). */
  static stream(seed: number, label: string, index = 0): Rng {
    return new Rng(fmix32(seed >>> 0), hashString(label), index >>> 0, 0x9e3779b9 ^ Math.floor(index / 0x100000000));
  }

  u32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks a value with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [value, w] of items) {
      r -= w;
      if (r < 0) return value;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** Standard normal (Box-Muller; one value per call so the stream stays simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** n lowercase hex digits. */
  hex(n: number): string {
    let out = '';
    let word = 0;
    for (let i = 0; i < n; i++) {
      if (i % 8 === 0) word = this.u32();
      out += HEX[word & 15];
      word >>>= 4;
    }
    return out;
  }

  /** A version-4 style GUID (lowercase, 8-4-4-4-12). */
  guid(): string {
    const variant = HEX[8 + (this.u32() & 3)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
