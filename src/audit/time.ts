// Parsing and formatting of the timestamps found in audit exports (all UTC), by hand for speed.

const DIGIT_0 = 48;
const MS_PER_DAY = 86_400_000;

/** Value of the decimal digit at `i`, or -1. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Value of exactly `n` digits starting at `i`, or -1. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = digit(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (month 1-12). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function validEpochMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Reads `.digits` at `i`; returns [milliseconds (first 3 digits, truncated), next index] or undefined. */
function fraction(s: string, i: number): [number, number] | undefined {
  let j = i + 1;
  let ms = 0;
  let n = 0;
  while (j < s.length) {
    const d = digit(s, j);
    if (d < 0) break;
    if (n < 3) ms = ms * 10 + d;
    n++;
    j++;
  }
  if (n === 0) return undefined;
  for (let k = n; k < 3; k++) ms *= 10;
  return [ms, j];
}

/** `YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm]`; no zone means UTC. */
function parseIso(s: string): number | undefined {
  if (
    s.length < 19 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  )
    return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    const f = fraction(s, i);
    if (f === undefined) return undefined;
    [ms, i] = f;
  }
  let offsetMinutes = 0;
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 90 && i + 1 === s.length) {
      // 'Z'
    } else if ((c === 43 || c === 45) && i + 6 === s.length && s.charCodeAt(i + 3) === 58) {
      const oh = digits(s, i + 1, 2);
      const om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
      offsetMinutes = (c === 45 ? -1 : 1) * (oh * 60 + om);
    } else {
      return undefined;
    }
  }
  const local = validEpochMs(y, mo, d, h, mi, sec, ms);
  return local === undefined ? undefined : local - offsetMinutes * 60_000;
}

/** Reads 1-2 digits at `i`; returns [value, next index] or undefined. */
function shortNumber(s: string, i: number): [number, number] | undefined {
  const a = digit(s, i);
  if (a < 0) return undefined;
  const b = digit(s, i + 1);
  return b < 0 ? [a, i + 1] : [a * 10 + b, i + 2];
}

/** `M/D/YYYY[,] h:mm:ss[.fff] AM|PM` (Purview v3 CreationDate, Sentinel `[UTC]` columns); always UTC. */
function parseUsDate(s: string): number | undefined {
  const mo = shortNumber(s, 0);
  if (mo === undefined || s.charCodeAt(mo[1]) !== 47) return undefined;
  const d = shortNumber(s, mo[1] + 1);
  if (d === undefined || s.charCodeAt(d[1]) !== 47) return undefined;
  let i = d[1] + 1;
  const y = digits(s, i, 4);
  if (y < 0) return undefined;
  i += 4;
  if (s.charCodeAt(i) === 44) i++; // ','
  if (s.charCodeAt(i) !== 32) return undefined;
  const h12 = shortNumber(s, i + 1);
  if (h12 === undefined || s.charCodeAt(h12[1]) !== 58) return undefined;
  i = h12[1] + 1;
  const mi = digits(s, i, 2);
  if (mi < 0 || s.charCodeAt(i + 2) !== 58) return undefined;
  const sec = digits(s, i + 3, 2);
  if (sec < 0) return undefined;
  i += 5;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    const f = fraction(s, i);
    if (f === undefined) return undefined;
    [ms, i] = f;
  }
  if (i + 3 !== s.length || s.charCodeAt(i) !== 32) return undefined;
  const ap = s.charCodeAt(i + 1) | 0x20; // lower-case
  if ((s.charCodeAt(i + 2) | 0x20) !== 109 || (ap !== 97 && ap !== 112)) return undefined; // 'm', 'a'/'p'
  const hour12 = h12[0];
  if (hour12 < 1 || hour12 > 12) return undefined;
  const h = (hour12 % 12) + (ap === 112 ? 12 : 0);
  return validEpochMs(y, mo[0], d[0], h, mi, sec, ms);
}

/**
 * Parses an audit timestamp to epoch milliseconds (UTC), or undefined when the text is not one of:
 * `YYYY-MM-DDThh:mm:ss` with optional fraction and optional `Z` / `±hh:mm` (no zone = UTC);
 * `M/D/YYYY h:mm:ss AM/PM` (Purview v3); `M/D/YYYY, h:mm:ss.fff AM/PM` (Sentinel).
 */
export function parseAuditTime(raw: string): number | undefined {
  if (typeof raw !== 'string') return undefined;
  return raw.charCodeAt(4) === 45 ? parseIso(raw) : parseUsDate(raw);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/** Proleptic Gregorian [year, month 1-12, day] of a day number (days from 1970-01-01). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Time of day `hh:mm:ss` of an instant (ms truncated to an integer, as Date does). */
function timeOfDay(t: number): string {
  const inDay = ((t % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  const seconds = Math.floor(inDay / 1000);
  return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
}

/** `YYYY-MM-DDThh:mm:ssZ` (milliseconds dropped). Throws RangeError for a non-finite value. */
export function formatIsoUtc(ms: number): string {
  const t = Math.trunc(ms);
  // Years 0000-9999 by arithmetic (this runs for every row of a report); Date for the rest (and the RangeError).
  if (t >= -62_167_219_200_000 && t < 253_402_300_800_000) {
    const [y, m, d] = civilFromDays(Math.floor(t / MS_PER_DAY));
    return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}T${timeOfDay(t)}Z`;
  }
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/**
 * `YYYY-MM-DD` (UTC) of an instant in 1970-9999; undefined for any other value (no day a table key or a
 * report can use). Callers choose what stands for "no day".
 */
export function utcDay(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms < 253_402_300_800_000 ? formatIsoUtc(ms).slice(0, 10) : undefined;
}

/** `hh:mm:ssZ`, or `hh:mm:ss.mmmZ` when the instant has milliseconds; String(ms) outside Date's range. */
export function formatClockUtc(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  const t = Math.trunc(ms);
  const millis = ((t % 1000) + 1000) % 1000;
  return millis === 0 ? `${timeOfDay(t)}Z` : `${timeOfDay(t)}.${pad3(millis)}Z`;
}
