// Bounded concurrency: a fixed number of workers taking items in order, so at most that many calls
// are in flight. The one pool of the project (table reads and deletes, meetings analysed, downloads).

export interface BoundedOptions {
  /** Calls in flight at most (at least one worker runs). */
  concurrency: number;
  /** Asked before each item starts; true stops starting items (those in flight finish). */
  stop?: () => boolean;
}

/** Runs `work` on the items in order, bounded; returns how many were started. A rejection rejects at once. */
export async function forEachBounded<T>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<void>,
  options: BoundedOptions,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && options.stop?.() !== true) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker));
  return next;
}

/** `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  concurrency = 16,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachBounded(
    items,
    async (item, i) => {
      out[i] = await fn(item, i);
    },
    { concurrency },
  );
  return out;
}
