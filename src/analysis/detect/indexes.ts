// Indexes over one participant's sessions (sorted by join) for multi-device participants: which
// session on another device covers a leave, and which sessions are still free to explain a re-join.
import type { ClassifiedSession } from '../model.js';
import { at, lowerBound } from '../order.js';

/**
 * "Does a session on another device cover this leave?": prefix maxima over sessions sorted by join,
 * keeping the furthest leave and the furthest leave of a different device, so each query is a binary search.
 */
export class CoverIndex {
  private readonly joins: number[];
  private readonly best: Int32Array;
  private readonly second: Int32Array;

  constructor(
    private readonly sessions: ClassifiedSession[],
    private readonly deviceOf: number[],
  ) {
    const n = sessions.length;
    this.joins = sessions.map((s) => s.session.joinTime);
    this.best = new Int32Array(n);
    this.second = new Int32Array(n);
    let best = -1;
    let second = -1;
    for (let i = 0; i < n; i++) {
      const leave = this.leave(i);
      if (best < 0) best = i;
      else if (at(deviceOf, i) === at(deviceOf, best)) {
        if (leave > this.leave(best)) best = i;
      } else if (leave > this.leave(best)) {
        second = best;
        best = i;
      } else if (second < 0 || leave > this.leave(second)) {
        second = i;
      }
      this.best[i] = best;
      this.second[i] = second;
    }
  }

  /** A session on a device other than `device` with join ≤ leave − tolerance and leave ≥ leave + tolerance. */
  coverOf(leaveTime: number, device: number, toleranceMs: number): number | undefined {
    const k = lowerBound(this.joins, leaveTime - toleranceMs, true) - 1;
    if (k < 0) return undefined;
    const best = this.best[k] ?? -1;
    const candidate = best >= 0 && at(this.deviceOf, best) !== device ? best : (this.second[k] ?? -1);
    if (candidate < 0) return undefined;
    return this.leave(candidate) >= leaveTime + toleranceMs ? candidate : undefined;
  }

  private leave(i: number): number {
    return at(this.sessions, i).session.leaveTime;
  }
}

const NONE = -1;
const MIXED = -2;

/**
 * Segment tree over sessions sorted by join: which sessions are still free to explain a re-join, and
 * whether a range holds free sessions of one device only. Finds the first free session at or after an
 * index on a device other than a given one in O(log n).
 */
export class AvailableDeviceIndex {
  private readonly size: number;
  private readonly tree: Int32Array;

  constructor(deviceOf: number[]) {
    let size = 1;
    while (size < deviceOf.length) size *= 2;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(NONE);
    deviceOf.forEach((device, i) => {
      this.tree[size + i] = device;
    });
    for (let node = size - 1; node >= 1; node--)
      this.tree[node] = combine(this.value(2 * node), this.value(2 * node + 1));
  }

  remove(index: number): void {
    let node = this.size + index;
    this.tree[node] = NONE;
    for (node >>= 1; node >= 1; node >>= 1) this.tree[node] = combine(this.value(2 * node), this.value(2 * node + 1));
  }

  /** Smallest free index ≥ from whose device is not `excluded`, or −1. */
  firstFrom(from: number, excluded: number): number {
    return this.descend(1, 0, this.size - 1, from, excluded);
  }

  private descend(node: number, low: number, high: number, from: number, excluded: number): number {
    const value = this.value(node);
    if (high < from || value === NONE || value === excluded) return -1;
    if (low === high) return low;
    const mid = (low + high) >> 1;
    const left = this.descend(2 * node, low, mid, from, excluded);
    return left >= 0 ? left : this.descend(2 * node + 1, mid + 1, high, from, excluded);
  }

  private value(node: number): number {
    return this.tree[node] ?? NONE;
  }
}

function combine(a: number, b: number): number {
  if (a === NONE) return b;
  if (b === NONE) return a;
  return a === b ? a : MIXED;
}
