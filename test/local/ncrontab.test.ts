import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNcrontab, NcrontabError } from '../../src/local/ncrontab.js';

const at = (iso: string): Date => new Date(iso);

test('every ten minutes: the next multiple of ten minutes, strictly after the base time', () => {
  const s = parseNcrontab('0 */10 * * * *');
  assert.equal(s.next(at('2024-01-01T00:03:07Z'))?.toISOString(), '2024-01-01T00:10:00.000Z');
  // A base time that is itself an occurrence is not returned again.
  assert.equal(s.next(at('2024-01-01T00:10:00Z'))?.toISOString(), '2024-01-01T00:20:00.000Z');
  // Rolls over the hour, the day and the year.
  assert.equal(s.next(at('2024-12-31T23:55:00Z'))?.toISOString(), '2025-01-01T00:00:00.000Z');
});

test('weekday ranges: 09:30 on Monday-Friday skips the weekend', () => {
  const s = parseNcrontab('0 30 9 * * 1-5');
  // 2024-03-08 is a Friday; after 10:00 the next weekday is Monday 2024-03-11.
  assert.equal(s.next(at('2024-03-08T10:00:00Z'))?.toISOString(), '2024-03-11T09:30:00.000Z');
  assert.equal(s.next(at('2024-03-08T09:29:59Z'))?.toISOString(), '2024-03-08T09:30:00.000Z');
});

test('day of month and day of week must both match (NCrontab), e.g. Friday the 13th', () => {
  const s = parseNcrontab('0 0 12 13 * 5');
  // 2024: Jan 13 is a Saturday ... Sep 13 is the first Friday the 13th.
  assert.equal(s.next(at('2024-01-01T00:00:00Z'))?.toISOString(), '2024-09-13T12:00:00.000Z');
});

test('days that a month lacks are skipped; Feb 29 waits for a leap year', () => {
  assert.equal(
    parseNcrontab('0 0 0 31 * *').next(at('2024-04-01T00:00:00Z'))?.toISOString(),
    '2024-05-31T00:00:00.000Z',
  );
  assert.equal(
    parseNcrontab('0 0 0 29 2 *').next(at('2023-03-01T00:00:00Z'))?.toISOString(),
    '2024-02-29T00:00:00.000Z',
  );
});

test('a schedule that can never occur gives undefined instead of looping', () => {
  assert.equal(parseNcrontab('0 0 0 30 2 *').next(at('2024-01-01T00:00:00Z')), undefined);
});

test('lists, steps from a start value and month / weekday names', () => {
  const s = parseNcrontab('15,45 5/20 8 * jan,Mar sun');
  // 2024-01-07 is the first Sunday of January 2024; minutes 5, 25, 45 from "5/20".
  assert.equal(s.next(at('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-07T08:05:15.000Z');
  assert.equal(s.next(at('2024-01-07T08:05:15Z'))?.toISOString(), '2024-01-07T08:05:45.000Z');
  assert.equal(s.next(at('2024-01-07T08:05:45Z'))?.toISOString(), '2024-01-07T08:25:15.000Z');
  // After the last January Sunday (the 28th), February is skipped entirely.
  assert.equal(s.next(at('2024-01-28T09:00:00Z'))?.toISOString(), '2024-03-03T08:05:15.000Z');
});

test('malformed schedules are rejected with a message naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['0 */10 * * *', /has 5 field\(s\); a timer schedule needs 6/],
    ['61 * * * * *', /second 61 is out of range 0-59/],
    ['0 0 24 * * *', /hour 24 is out of range 0-23/],
    ['0 0 0 0 * *', /day of month 0 is out of range 1-31/],
    ['*/0 * * * * *', /step "0" in the second field must be a positive integer/],
    ['0 10-5 * * * *', /range "10-5" in the minute field runs backwards/],
    ['0 0 0 * foo *', /"foo" is not a valid month/],
    ['0 0 0 * * 7', /day of week 7 is out of range 0-6/],
    ['0 0,,1 * * * *', /empty list item in the minute field/],
    ['0 0 0 * * 1/2/3', /more than one "\/"/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(
      () => parseNcrontab(expression),
      (err: unknown) => {
        assert.ok(err instanceof NcrontabError, `${expression}: wrong error type`);
        assert.match(err.message, message, expression);
        return true;
      },
    );
  }
});

// Property: for schedules built from random value sets, next() is the first matching second after
// the base time. The oracle checks candidate seconds one by one against the generated sets.
test('next() is exactly the first matching second after the base time (brute-force oracle)', () => {
  const subset = (min: number, max: number) =>
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((a) => a.sort((x, y) => x - y));
  const field = (min: number, max: number) =>
    fc.oneof(
      fc.constant({ text: '*', values: null as number[] | null }),
      subset(min, max).map((v) => ({ text: v.join(','), values: v })),
      fc.integer({ min: 2, max: 30 }).map((step) => {
        const values: number[] = [];
        for (let v = min; v <= max; v += step) values.push(v);
        return { text: `*/${step}`, values: values };
      }),
    );
  fc.assert(
    fc.property(
      field(0, 59),
      field(0, 59),
      field(0, 23),
      fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
      (sec, min, hour, baseMs) => {
        const expression = `${sec.text} ${min.text} ${hour.text} * * *`;
        const matches = (d: Date): boolean =>
          (sec.values === null || sec.values.includes(d.getUTCSeconds())) &&
          (min.values === null || min.values.includes(d.getUTCMinutes())) &&
          (hour.values === null || hour.values.includes(d.getUTCHours()));
        const base = new Date(baseMs);
        const next = parseNcrontab(expression).next(base);
        assert.ok(next, expression);
        assert.ok(next.getTime() > base.getTime(), `${expression}: not after the base`);
        assert.equal(next.getUTCMilliseconds(), 0);
        assert.ok(matches(next), `${expression}: ${next.toISOString()} does not match`);
        // No earlier matching second between the base and the result (the gap is at most a day).
        for (let t = Math.floor(baseMs / 1000) * 1000 + 1000; t < next.getTime(); t += 1000) {
          if (matches(new Date(t)))
            assert.fail(`${expression}: missed ${new Date(t).toISOString()} before ${next.toISOString()}`);
        }
      },
    ),
    { numRuns: 60 },
  );
});
