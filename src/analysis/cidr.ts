// CIDR ranges: parsing (`addr/len`, a bare address is one host), containment, and the `ip=` CIDR filter.
import { formatIpv4, formatIpv6, parseIp, type ParsedIp } from './ip.js';

/** A parsed CIDR range with its canonical text. */
export type ParsedCidr =
  | { version: 4; network: number; prefixLength: number; cidr: string }
  | { version: 6; network: bigint; prefixLength: number; cidr: string };

export const V4_MASKS: number[] = Array.from({ length: 33 }, (_, len) =>
  len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0,
);
const ALL_128 = (1n << 128n) - 1n;
export const V6_MASKS: bigint[] = Array.from({ length: 129 }, (_, len) => ALL_128 ^ ((1n << BigInt(128 - len)) - 1n));

/**
 * Parses `addr/len` (or a bare address, taken as a single host /32 or /128).
 * Returns a reason string instead of throwing. Host bits must be zero.
 */
export function parseCidr(text: string): ParsedCidr | { error: string } {
  const s = text.trim();
  if (s.length === 0) return { error: 'empty' };
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const addr = parseIp(addrText);
  if (addr === undefined) return { error: `'${addrText}' is not an IPv4 or IPv6 address` };
  let prefixLength: number;
  if (slash < 0) {
    prefixLength = addr.version === 4 ? 32 : 128;
  } else {
    const lenText = s.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(lenText)) return { error: `prefix length '${lenText}' is not a number` };
    prefixLength = Number(lenText);
    // An IPv4-mapped IPv6 range (::ffff:a.b.c.d/104) becomes the IPv4 range /8.
    if (addr.version === 4 && addrText.includes(':')) {
      if (prefixLength < 96 || prefixLength > 128) {
        return { error: `prefix length ${prefixLength} on an IPv4-mapped IPv6 address must be 96-128` };
      }
      prefixLength -= 96;
    }
  }
  return makeCidr(addr, prefixLength);
}

function makeCidr(addr: ParsedIp, prefixLength: number): ParsedCidr | { error: string } {
  if (addr.version === 4) {
    if (prefixLength > 32) return { error: `prefix length ${prefixLength} is over 32 for IPv4` };
    const network = (addr.value & (V4_MASKS[prefixLength] as number)) >>> 0;
    if (network !== addr.value) {
      return {
        error: `host bits are set (${addr.ip}/${prefixLength}); the network is ${formatIpv4(network)}/${prefixLength}`,
      };
    }
    return { version: 4, network, prefixLength, cidr: `${addr.ip}/${prefixLength}` };
  }
  if (prefixLength > 128) return { error: `prefix length ${prefixLength} is over 128 for IPv6` };
  const network = addr.value & (V6_MASKS[prefixLength] as bigint);
  if (network !== addr.value) {
    return {
      error: `host bits are set (${addr.ip}/${prefixLength}); the network is ${formatIpv6(network)}/${prefixLength}`,
    };
  }
  return { version: 6, network, prefixLength, cidr: `${addr.ip}/${prefixLength}` };
}

export function cidrContains(range: ParsedCidr, ip: ParsedIp): boolean {
  if (range.version === 4) {
    return ip.version === 4 && (ip.value & (V4_MASKS[range.prefixLength] as number)) >>> 0 === range.network;
  }
  return ip.version === 6 && (ip.value & (V6_MASKS[range.prefixLength] as bigint)) === range.network;
}

/** Parsed CIDRs of matchesCidrs, by text; bounded so arbitrary inputs cannot grow it without limit. */
const cidrCache = new Map<string, ParsedCidr>();
const CIDR_CACHE_LIMIT = 10_000;

/** True when `ip` (raw or normalised) lies in one of the CIDR ranges. '' and non-addresses never match. */
export function matchesCidrs(ip: string, cidrs: string[]): boolean {
  const parsed = parseIp(ip);
  if (parsed === undefined) return false;
  for (const text of cidrs) {
    let range = cidrCache.get(text);
    if (range === undefined) {
      const r = parseCidr(text);
      if ('error' in r) throw new Error(`'${text}' is not a valid CIDR range: ${r.error}`);
      if (cidrCache.size >= CIDR_CACHE_LIMIT) cidrCache.clear();
      cidrCache.set(text, r);
      range = r;
    }
    if (cidrContains(range, parsed)) return true;
  }
  return false;
}

/**
 * Parses a list of CIDR ranges separated by commas, semicolons or white space
 * (`10.57.0.0/16, 2001:db8::/48`). A bare address means that single host.
 * Returns canonical CIDR text; throws an Error naming the first bad item.
 */
export function parseCidrList(text: string): string[] {
  const out: string[] = [];
  for (const item of text.split(/[\s,;]+/)) {
    if (item.length === 0) continue;
    const r = parseCidr(item);
    if ('error' in r) throw new Error(`'${item}' is not a valid CIDR range: ${r.error}`);
    out.push(r.cidr);
  }
  return out;
}

export function parseCidrsOrThrow(list: string[]): ParsedCidr[] {
  return list.map((c) => {
    const r = parseCidr(c);
    if ('error' in r) throw new Error(`internal CIDR list: ${c}: ${r.error}`);
    return r;
  });
}
