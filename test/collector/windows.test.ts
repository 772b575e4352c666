import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HOUR_MS, MAX_WINDOW_MS, RETENTION_MS, formatApiTime, planWindows } from '../../src/collector/windows.js';

const NOW = new Date('2026-03-09T10:30:45.678Z');
const MARGIN = 15 * 60_000;

test('formatApiTime writes UTC YYYY-MM-DDTHH:MM:SS (no fraction, no zone), as the API accepts', () => {
  assert.equal(formatApiTime(new Date('2026-03-02T08:05:09.999Z')), '2026-03-02T08:05:09');
});

test('the first run covers the last 7 days less the margin, in 24-hour windows ending now', () => {
  const { windows, gap } = planWindows({ now: NOW });
  assert.equal(gap, undefined);
  const nowSecond = Math.floor(NOW.getTime() / 1000) * 1000;
  assert.equal(windows[0]!.start.getTime(), nowSecond - RETENTION_MS + MARGIN);
  assert.equal(windows.at(-1)!.end.getTime(), nowSecond);
  // 7 days less 15 minutes: six full days and one of 23 h 45 min.
  assert.equal(windows.length, 7);
  assert.equal(windows.at(-1)!.end.getTime() - windows.at(-1)!.start.getTime(), MAX_WINDOW_MS - MARGIN);
});

test('a shorter initial look-back is honoured', () => {
  const { windows } = planWindows({ now: NOW, initialLookbackMs: 2 * HOUR_MS });
  assert.equal(windows.length, 1);
  assert.equal(windows[0]!.end.getTime() - windows[0]!.start.getTime(), 2 * HOUR_MS);
});

test('a resumed run starts one overlap before the saved position', () => {
  // Saved positions are window ends, so whole seconds.
  const last = new Date(Math.floor(NOW.getTime() / 1000) * 1000 - 3 * HOUR_MS);
  const { windows } = planWindows({ now: NOW, lastWindowEnd: last });
  assert.equal(windows.length, 1);
  assert.equal(windows[0]!.start.getTime(), last.getTime() - HOUR_MS);
  // A position with a fraction of a second is rounded down: earlier, never later.
  const fractional = planWindows({ now: NOW, lastWindowEnd: new Date(last.getTime() + 999), overlapMs: 0 });
  assert.equal(fractional.windows[0]!.start.getTime(), last.getTime());
});

test('a position older than the API lists reports the gap and starts at the oldest listable time', () => {
  const last = new Date(NOW.getTime() - 10 * 24 * HOUR_MS);
  const { windows, gap } = planWindows({ now: NOW, lastWindowEnd: last });
  assert.ok(gap);
  assert.equal(gap.from.getTime(), last.getTime());
  assert.equal(gap.to.getTime(), windows[0]!.start.getTime());
  assert.ok(windows[0]!.start.getTime() >= NOW.getTime() - RETENTION_MS);
});

test('property: windows are contiguous, each at most 24 h, none starting more than 7 days back, ending now', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -20 * 24 * 3600, max: 2 * 3600 }),
      fc.integer({ min: 0, max: 6 * 3600 }),
      fc.boolean(),
      (offsetSeconds, overlapSeconds, firstRun) => {
        const options: Parameters<typeof planWindows>[0] = { now: NOW, overlapMs: overlapSeconds * 1000 };
        if (!firstRun) options.lastWindowEnd = new Date(NOW.getTime() + offsetSeconds * 1000);
        const { windows } = planWindows(options);
        const nowSecond = Math.floor(NOW.getTime() / 1000) * 1000;
        if (windows.length === 0) {
          // Nothing to list only when the saved position is already at (or after) now and there is no overlap.
          assert.ok(!firstRun && overlapSeconds === 0 && options.lastWindowEnd!.getTime() >= nowSecond);
          return;
        }
        assert.equal(windows.at(-1)!.end.getTime(), nowSecond);
        for (const [i, w] of windows.entries()) {
          assert.ok(w.end.getTime() > w.start.getTime());
          assert.ok(w.end.getTime() - w.start.getTime() <= MAX_WINDOW_MS);
          assert.ok(w.start.getTime() >= NOW.getTime() - RETENTION_MS + MARGIN - 1000);
          assert.equal(w.start.getTime() % 1000, 0);
          if (i > 0) assert.equal(w.start.getTime(), windows[i - 1]!.end.getTime());
        }
        if (!firstRun) {
          // The saved position (clamped to now) is always inside the re-listed range: nothing after it is skipped.
          const last = Math.min(options.lastWindowEnd!.getTime(), nowSecond);
          assert.ok(windows[0]!.start.getTime() <= Math.max(last, NOW.getTime() - RETENTION_MS + MARGIN));
        }
      },
    ),
  );
});
