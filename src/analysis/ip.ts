// IP address parsing and normalisation: IPv4, IPv6 (RFC 5952 text), IPv4-mapped IPv6 → IPv4,
// with brackets, ports and zone ids stripped; plus the numeric forms used for CIDR matching.

/** A parsed address: canonical text plus its numeric value (uint32 for IPv4, 128-bit bigint for IPv6). */
export type ParsedIp = { version: 4; ip: string; value: number } | { version: 6; ip: string; value: bigint };

/** Longer inputs are not addresses (the longest textual IPv6 form with zone and port is far shorter). */
const MAX_INPUT_LENGTH = 128;

/**
 * Normalises an address as found in audit records or typed by a person.
 * Accepts `a.b.c.d`, `a.b.c.d:port`, IPv6 in any textual form, `[v6]`, `[v6]:port`, zone ids
 * (`fe80::1%eth0`) and IPv4-mapped IPv6 (`::ffff:a.b.c.d`, returned as IPv4).
 * IPv6 is returned in RFC 5952 form (lower case, no leading zeros, longest zero run as `::`).
 * Returns undefined for '' and anything that is not an address (including IPv4 parts with
 * leading zeros such as `010.1.1.1`, which are ambiguous between octal and decimal).
 */
export function normaliseIp(raw: string): { ip: string; version: 4 | 6 } | undefined {
  const parsed = parseIp(raw);
  return parsed === undefined ? undefined : { ip: parsed.ip, version: parsed.version };
}

/** Like normaliseIp, also returning the numeric value. */
export function parseIp(raw: string): ParsedIp | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_INPUT_LENGTH) return undefined;
  const s = raw.trim();
  if (s.length === 0) return undefined;

  if (s.charCodeAt(0) === 0x5b /* [ */) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    const rest = s.slice(close + 1);
    if (rest.length > 0 && !isPortSuffix(rest)) return undefined;
    const inner = stripZone(s.slice(1, close));
    return inner.includes(':') ? parseIpv6(inner) : parseIpv4Parsed(inner);
  }

  const firstColon = s.indexOf(':');
  if (firstColon < 0) {
    // Strict dotted decimal is already canonical: keep the string rather than rebuild it.
    const value = parseIpv4(s);
    return value === undefined ? undefined : { version: 4, ip: s, value };
  }
  // Exactly one colon after a dotted quad: IPv4 with a port (as in Exchange records).
  if (s.indexOf(':', firstColon + 1) < 0 && s.indexOf('.') >= 0 && s.indexOf('.') < firstColon) {
    if (!isPortSuffix(s.slice(firstColon))) return undefined;
    return parseIpv4Parsed(s.slice(0, firstColon));
  }
  return parseIpv6(stripZone(s));
}

/** IPv6 /48 mask (the first three groups). */
const IPV6_48_MASK = ((1n << 48n) - 1n) << 80n;

/**
 * The network an address belongs to, as CIDR text: the IPv4 /24 ("10.57.1.0/24") or the IPv6 /48
 * ("2001:db8:1::/48"). Undefined when the input is not an address (see parseIp).
 */
export function subnetOf(raw: string): string | undefined {
  const parsed = parseIp(raw);
  if (parsed === undefined) return undefined;
  if (parsed.version === 4) return `${formatIpv4((parsed.value & 0xffffff00) >>> 0)}/24`;
  return `${formatIpv6(parsed.value & IPV6_48_MASK)}/48`;
}

/** Parses strict dotted-decimal IPv4 (four parts, 0-255, no leading zeros) to a uint32. */
export function parseIpv4(s: string): number | undefined {
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let leadingZero = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0x2e; // a virtual '.' closes the last part
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) leadingZero = c === 0x30;
      else if (leadingZero) return undefined;
      part = part * 10 + (c - 0x30);
      digits++;
      if (part > 255) return undefined;
    } else if (c === 0x2e) {
      if (digits === 0) return undefined;
      value = value * 256 + part;
      parts++;
      if (parts > 4) return undefined;
      part = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? value : undefined;
}

/** Formats a uint32 as dotted decimal. */
export function formatIpv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Formats a 128-bit value in RFC 5952 form (never converts to IPv4). */
export function formatIpv6(value: bigint): string {
  const groups: number[] = new Array<number>(8);
  for (let i = 7; i >= 0; i--) {
    groups[i] = Number(value & 0xffffn);
    value >>= 16n;
  }
  return formatGroups(groups);
}

function parseIpv4Parsed(s: string): ParsedIp | undefined {
  const value = parseIpv4(s);
  return value === undefined ? undefined : { version: 4, ip: formatIpv4(value), value };
}

function isPortSuffix(rest: string): boolean {
  // ':' followed by 1-5 digits, at most 65535.
  if (rest.length < 2 || rest.length > 6 || rest.charCodeAt(0) !== 0x3a) return false;
  for (let i = 1; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return Number(rest.slice(1)) <= 65535;
}

function stripZone(s: string): string {
  const pct = s.indexOf('%');
  return pct < 0 ? s : s.slice(0, pct);
}

/** An IPv6 address; the 128-bit value is computed on first use (most callers only need the text). */
class Ipv6Address {
  readonly version = 6 as const;
  private cached: bigint | undefined;
  constructor(
    readonly ip: string,
    private readonly groups: number[],
  ) {}
  get value(): bigint {
    if (this.cached === undefined) {
      const g = this.groups;
      this.cached =
        (BigInt((((g[0] as number) << 16) | (g[1] as number)) >>> 0) << 96n) |
        (BigInt((((g[2] as number) << 16) | (g[3] as number)) >>> 0) << 64n) |
        (BigInt((((g[4] as number) << 16) | (g[5] as number)) >>> 0) << 32n) |
        BigInt((((g[6] as number) << 16) | (g[7] as number)) >>> 0);
    }
    return this.cached;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Single-pass IPv6 parser: 1-4 hex digits per group, at most one '::', an optional trailing dotted quad. */
function parseIpv6(s: string): ParsedIp | undefined {
  const len = s.length;
  if (len < 2 || len > 45) return undefined;
  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return undefined;
    gapAt = 0;
    i = 2;
  }
  while (i < len) {
    const start = i;
    let value = 0;
    let d: number;
    while (i < len && (d = hexDigit(s.charCodeAt(i))) >= 0) {
      value = value * 16 + d;
      i++;
    }
    if (i < len && s.charCodeAt(i) === 0x2e) {
      // Embedded dotted quad: only as the last 32 bits.
      if (groups.length > 6) return undefined;
      const v4 = parseIpv4(s.slice(start));
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4) return undefined;
    groups.push(value);
    if (groups.length > 8) return undefined;
    if (i === len) break;
    if (s.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (i < len && s.charCodeAt(i) === 0x3a) {
      if (gapAt >= 0) return undefined;
      gapAt = groups.length;
      i++;
    } else if (i === len) {
      return undefined; // a single trailing ':'
    }
  }
  if (gapAt < 0) {
    if (groups.length !== 8) return undefined;
  } else {
    if (groups.length > 7) return undefined; // '::' stands for at least one zero group
    groups.splice(gapAt, 0, ...new Array<number>(8 - groups.length).fill(0));
  }
  const g = groups as [number, number, number, number, number, number, number, number];
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const v4 = ((g[6] << 16) | g[7]) >>> 0;
    return { version: 4, ip: formatIpv4(v4), value: v4 };
  }
  return new Ipv6Address(formatGroups(groups), groups);
}

/** RFC 5952 §4: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as '::', first on ties. */
function formatGroups(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      const len = i - runStart;
      if (len > bestLen) {
        bestStart = runStart;
        bestLen = len;
      }
      runStart = -1;
    }
  }
  const hex = (from: number, to: number): string => {
    let out = '';
    for (let i = from; i < to; i++) out += (i > from ? ':' : '') + (groups[i] as number).toString(16);
    return out;
  };
  if (bestLen < 2) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
