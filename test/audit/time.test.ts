import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatClockUtc, formatIsoUtc, parseAuditTime, utcDay } from '../../src/audit/time.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

test('ISO forms: no zone is UTC; fraction and Z or offset are accepted', () => {
  assert.equal(parseAuditTime('2024-03-01T09:05:07'), utc(2024, 3, 1, 9, 5, 7));
  assert.equal(parseAuditTime('2021-12-08T17:27:31.0000000Z'), utc(2021, 12, 8, 17, 27, 31));
  assert.equal(parseAuditTime('2021-12-08T17:27:31Z'), utc(2021, 12, 8, 17, 27, 31));
  assert.equal(parseAuditTime('2021-12-08T17:27:31.5'), utc(2021, 12, 8, 17, 27, 31, 500));
  assert.equal(parseAuditTime('2021-12-08T17:27:31.123456789Z'), utc(2021, 12, 8, 17, 27, 31, 123));
  assert.equal(parseAuditTime('2021-12-08T17:27:31+02:00'), utc(2021, 12, 8, 15, 27, 31));
  assert.equal(parseAuditTime('2021-12-08T00:27:31-05:30'), utc(2021, 12, 8, 5, 57, 31));
  assert.equal(parseAuditTime('2021-12-08T17:27:31.25+00:00'), utc(2021, 12, 8, 17, 27, 31, 250));
});

test('Purview v3 CreationDate form (M/D/YYYY h:mm:ss AM/PM) is UTC, with 12 AM = 00 and 12 PM = 12', () => {
  assert.equal(parseAuditTime('9/20/2023 4:05:03 AM'), utc(2023, 9, 20, 4, 5, 3));
  assert.equal(parseAuditTime('9/20/2023 4:05:03 PM'), utc(2023, 9, 20, 16, 5, 3));
  assert.equal(parseAuditTime('12/31/2023 12:00:00 AM'), utc(2023, 12, 31, 0, 0, 0));
  assert.equal(parseAuditTime('12/31/2023 12:59:59 PM'), utc(2023, 12, 31, 12, 59, 59));
  assert.equal(parseAuditTime('01/02/2023 11:00:00 PM'), utc(2023, 1, 2, 23, 0, 0));
});

test('Sentinel form (M/D/YYYY, h:mm:ss.fff AM/PM) is UTC', () => {
  assert.equal(parseAuditTime('4/28/2021, 2:30:58.000 PM'), utc(2021, 4, 28, 14, 30, 58));
  assert.equal(parseAuditTime('4/28/2021, 2:30:58.125 AM'), utc(2021, 4, 28, 2, 30, 58, 125));
});

test('out-of-range fields and anything else give undefined', () => {
  const bad = [
    '',
    'x',
    '2024-13-01T00:00:00',
    '2024-00-10T00:00:00',
    '2023-02-29T00:00:00',
    '2024-04-31T00:00:00',
    '2024-01-00T00:00:00',
    '2024-01-01T24:00:00',
    '2024-01-01T23:60:00',
    '2024-01-01T23:59:60',
    '2024-01-01 10:00:00',
    '2024-01-01T10:00',
    '2024-01-01T10:00:00.',
    '2024-01-01T10:00:00ZZ',
    '2024-01-01T10:00:00 ',
    ' 2024-01-01T10:00:00',
    '2024-01-01T10:00:00+0200',
    '2024-01-01T10:00:00+24:00',
    '2024-1-01T10:00:00',
    '13/1/2024 1:00:00 AM',
    '2/30/2024 1:00:00 AM',
    '1/1/2024 13:00:00 PM',
    '1/1/2024 0:00:00 AM',
    '1/1/2024 1:00:00',
    '1/1/2024 1:00 AM',
    '1/1/2024 1:00:00 XM',
    '1/1/24 1:00:00 AM',
    '1/1/2024  1:00:00 AM',
    '1/1/2024 1:00:00 AM x',
    'Mon, 01 Jan 2024 10:00:00 GMT',
    '1704103200000',
  ];
  for (const s of bad) assert.equal(parseAuditTime(s), undefined, s);
});

test('leap days are accepted exactly when the year is a leap year', () => {
  assert.equal(parseAuditTime('2024-02-29T00:00:00'), utc(2024, 2, 29));
  assert.equal(parseAuditTime('2000-02-29T00:00:00'), utc(2000, 2, 29));
  assert.equal(parseAuditTime('1900-02-29T00:00:00'), undefined);
  assert.equal(parseAuditTime('2/29/2023 1:00:00 AM'), undefined);
});

test('a non-string gives undefined rather than throwing', () => {
  assert.equal(parseAuditTime(42 as unknown as string), undefined);
  assert.equal(parseAuditTime(undefined as unknown as string), undefined);
});

test('formatIsoUtc writes YYYY-MM-DDThh:mm:ssZ and drops milliseconds', () => {
  assert.equal(formatIsoUtc(utc(2024, 3, 1, 9, 5, 7, 999)), '2024-03-01T09:05:07Z');
  assert.equal(formatIsoUtc(0), '1970-01-01T00:00:00Z');
});

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateParts = fc.record({
  y: fc.integer({ min: 1, max: 9999 }),
  mo: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 31 }),
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.integer({ min: 0, max: 59 }),
  ms: fc.integer({ min: 0, max: 999 }),
});

/** Date.UTC, but without its mapping of years 0-99 to 1900-1999. */
function dateUtc(p: { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number }): number {
  const date = new Date(Date.UTC(2000, 0, 1, p.h, p.mi, p.s, p.ms));
  date.setUTCFullYear(p.y, p.mo - 1, p.d);
  return date.getTime();
}

test('property: ISO text agrees with Date.UTC, and invalid days are rejected', () => {
  fc.assert(
    fc.property(dateParts, (p) => {
      const text = `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}`;
      const expected = dateUtc(p);
      const valid = new Date(expected).getUTCDate() === p.d;
      assert.equal(parseAuditTime(text), valid ? expected : undefined, text);
    }),
    { numRuns: 2000 },
  );
});

test('property: the US form agrees with the ISO form of the same instant', () => {
  fc.assert(
    fc.property(dateParts, fc.boolean(), (p, sentinel) => {
      const h12 = p.h % 12 === 0 ? 12 : p.h % 12;
      const us =
        `${p.mo}/${p.d}/${pad(p.y, 4)}${sentinel ? ',' : ''} ${h12}:${pad(p.mi)}:${pad(p.s)}` +
        `${sentinel ? `.${pad(p.ms, 3)}` : ''} ${p.h < 12 ? 'AM' : 'PM'}`;
      const iso = `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${sentinel ? `.${pad(p.ms, 3)}` : ''}`;
      assert.equal(parseAuditTime(us), parseAuditTime(iso), us);
    }),
    { numRuns: 2000 },
  );
});

test('property: parseAuditTime(formatIsoUtc(t)) is t truncated to the second', () => {
  const min = Date.UTC(1970, 0, 1);
  const max = Date.UTC(9999, 11, 31, 23, 59, 59);
  fc.assert(
    fc.property(fc.integer({ min, max }), (t) => {
      assert.equal(parseAuditTime(formatIsoUtc(t)), Math.floor(t / 1000) * 1000);
    }),
    { numRuns: 2000 },
  );
});

test('property: an offset shifts the instant by exactly that offset', () => {
  fc.assert(
    fc.property(dateParts, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (p, offset) => {
      const base = `${pad(p.y, 4)}-${pad(p.mo)}-${pad(Math.min(p.d, 28))}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      const withOffset = parseAuditTime(`${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`);
      assert.equal(withOffset, parseAuditTime(base)! - offset * 60_000);
    }),
    { numRuns: 1000 },
  );
});

// formatIsoUtc / formatClockUtc compute by arithmetic (they run per report row and per detector
// reason); Date is the reference.
const anyInstant = fc.oneof(
  fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  fc.constantFrom(
    0,
    -1,
    -0.5,
    0.5,
    951_782_400_000,
    951_868_800_000,
    4_107_542_400_000,
    -62_167_219_200_001,
    253_402_300_800_000,
  ),
);

test('property: formatIsoUtc equals Date#toISOString without milliseconds', () => {
  fc.assert(
    fc.property(anyInstant, (ms) => {
      assert.equal(formatIsoUtc(ms), `${new Date(ms).toISOString().slice(0, 19)}Z`);
    }),
    { numRuns: 2000 },
  );
  assert.throws(() => formatIsoUtc(Number.NaN), RangeError);
});

test('property: formatClockUtc is the UTC time of day, with milliseconds only when there are some', () => {
  fc.assert(
    fc.property(anyInstant, (ms) => {
      const iso = new Date(ms).toISOString();
      const time = iso.slice(iso.indexOf('T') + 1, iso.indexOf('T') + 9);
      const millis = iso.slice(iso.indexOf('T') + 10, iso.indexOf('T') + 13);
      assert.equal(formatClockUtc(ms), millis === '000' ? `${time}Z` : `${time}.${millis}Z`);
    }),
    { numRuns: 2000 },
  );
  assert.equal(formatClockUtc(Number.POSITIVE_INFINITY), 'Infinity');
});

test('utcDay: the UTC date of an instant in 1970-9999, undefined for anything else', () => {
  assert.equal(utcDay(Date.UTC(2024, 4, 1, 23, 59, 59, 999)), '2024-05-01');
  assert.equal(utcDay(0), '1970-01-01');
  assert.equal(utcDay(Date.UTC(9999, 11, 31, 23, 59, 59)), '9999-12-31');
  for (const bad of [-1, Date.UTC(10000, 0, 1), Number.NaN, Number.POSITIVE_INFINITY, 8.64e15])
    assert.equal(utcDay(bad), undefined, String(bad));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      (t) => utcDay(t) === new Date(t).toISOString().slice(0, 10),
    ),
  );
});
