// CIDR site maps: CQD building-file import/export, longest-prefix lookup, overlap checks,
// the `ip=` CIDR filter and the address classes of detection.md §6.3.
import type { SiteInfo } from './model.js';
import { formatIpv4, formatIpv6, parseIp, type ParsedIp } from './ip.js';

/** One row of a site map. The optional fields carry the CQD columns that SiteInfo does not. */
export interface SiteMapEntry extends SiteInfo {
  prefixLength: number;
  version: 4 | 6;
  /** NetworkName as written (may be empty; `name` then falls back to the building). */
  networkName?: string;
  ownershipType?: string;
  buildingType?: string;
  buildingOfficeType?: string;
  zipCode?: string;
  state?: string;
  expressRoute?: boolean;
}

export interface SiteMapError {
  file: string;
  /** 1-based physical line in the file (a header row counts). */
  line: number;
  field: string;
  reason: string;
}

/** A parsed CIDR range with its canonical text. */
export type ParsedCidr =
  | { version: 4; network: number; prefixLength: number; cidr: string }
  | { version: 6; network: bigint; prefixLength: number; cidr: string };

const V4_MASKS: number[] = Array.from({ length: 33 }, (_, len) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0));
const ALL_128 = (1n << 128n) - 1n;
const V6_MASKS: bigint[] = Array.from({ length: 129 }, (_, len) => ALL_128 ^ ((1n << BigInt(128 - len)) - 1n));

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
      return { error: `host bits are set (${addr.ip}/${prefixLength}); the network is ${formatIpv4(network)}/${prefixLength}` };
    }
    return { version: 4, network, prefixLength, cidr: `${addr.ip}/${prefixLength}` };
  }
  if (prefixLength > 128) return { error: `prefix length ${prefixLength} is over 128 for IPv6` };
  const network = addr.value & (V6_MASKS[prefixLength] as bigint);
  if (network !== addr.value) {
    return { error: `host bits are set (${addr.ip}/${prefixLength}); the network is ${formatIpv6(network)}/${prefixLength}` };
  }
  return { version: 6, network, prefixLength, cidr: `${addr.ip}/${prefixLength}` };
}

function cidrContains(range: ParsedCidr, ip: ParsedIp): boolean {
  if (range.version === 4) {
    return ip.version === 4 && ((ip.value & (V4_MASKS[range.prefixLength] as number)) >>> 0) === range.network;
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

function parseCidrsOrThrow(list: string[]): ParsedCidr[] {
  return list.map((c) => {
    const r = parseCidr(c);
    if ('error' in r) throw new Error(`internal CIDR list: ${c}: ${r.error}`);
    return r;
  });
}

/**
 * CQD's "common subnets" (detection.md §6.3): home routers and phone hotspots use them, so an
 * unmapped address in them says nothing reliable about the location. 192.168.137.0/24 (the
 * Windows mobile-hotspot / Internet Connection Sharing default) is added to CQD's list.
 */
export const AMBIGUOUS_HOME_SUBNETS: string[] = [
  '10.0.0.0/24',
  '192.168.0.0/24',
  '192.168.1.0/24',
  '192.168.2.0/24',
  '172.20.10.0/24',
  '192.168.43.0/24',
  '192.168.137.0/24',
];

/** Non-public space: RFC 1918, shared CGNAT space (RFC 6598), link-local, loopback, IPv6 ULA. */
export const PRIVATE_RANGES: string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '127.0.0.0/8',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

const AMBIGUOUS_PARSED = parseCidrsOrThrow(AMBIGUOUS_HOME_SUBNETS);
const PRIVATE_PARSED = parseCidrsOrThrow(PRIVATE_RANGES);

export type AddressClass = 'site' | 'vpn' | 'private-unmapped' | 'ambiguous-home' | 'public-unmapped' | 'none';

/**
 * Address class of detection.md §6.3: a mapped range ('vpn' when the range is flagged VPN, else
 * 'site'); unmapped private space in a CQD common subnet ('ambiguous-home'); other unmapped
 * private space ('private-unmapped'); anything else ('public-unmapped'); no address ('none').
 */
export function classifyAddress(ip: string, map?: SiteMap): AddressClass {
  const parsed = parseIp(ip);
  if (parsed === undefined) return 'none';
  const site = map?.lookupParsed(parsed);
  if (site !== undefined) return site.vpn ? 'vpn' : 'site';
  if (AMBIGUOUS_PARSED.some((r) => cidrContains(r, parsed))) return 'ambiguous-home';
  if (PRIVATE_PARSED.some((r) => cidrContains(r, parsed))) return 'private-unmapped';
  return 'public-unmapped';
}

interface StoredEntry {
  entry: SiteMapEntry;
  info: SiteInfo;
  label: string;
}

/** CQD building-file columns, in file order. */
const CQD_COLUMNS = [
  'NetworkIP', 'NetworkName', 'NetworkRange', 'BuildingName', 'OwnershipType', 'BuildingType',
  'BuildingOfficeType', 'City', 'ZipCode', 'Country', 'State', 'Region', 'InsideCorp', 'ExpressRoute', 'VPN',
] as const;
type CqdColumn = (typeof CQD_COLUMNS)[number];

/** Header names accepted for each column (compared lower-case, without spaces, '_' or '-'). */
const HEADER_ALIASES: Record<string, CqdColumn> = (() => {
  const out: Record<string, CqdColumn> = {};
  for (const c of CQD_COLUMNS) out[c.toLowerCase()] = c;
  out['network'] = 'NetworkIP';
  out['subnet'] = 'NetworkIP';
  out['range'] = 'NetworkRange';
  out['prefixlength'] = 'NetworkRange';
  out['building'] = 'BuildingName';
  return out;
})();

export class SiteMap {
  private readonly entries: StoredEntry[] = [];
  private readonly v4Tables: Array<Map<number, StoredEntry> | undefined> = new Array(33);
  private readonly v6Tables: Array<Map<bigint, StoredEntry> | undefined> = new Array(129);
  /** Prefix lengths in use, longest first. */
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  private readonly duplicates: Array<{ a: string; b: string; kind: 'duplicate' }> = [];

  private constructor() {}

  get size(): number {
    return this.entries.length;
  }

  /**
   * Builds a map from entries (each `network` must be a CIDR agreeing with `version` and
   * `prefixLength`; throws otherwise). With identical ranges the first entry wins the lookup and
   * overlaps() reports the pair as 'duplicate'.
   */
  static fromEntries(entries: SiteMapEntry[]): SiteMap {
    const map = new SiteMap();
    entries.forEach((e, i) => {
      const r = parseCidr(e.network);
      if ('error' in r) throw new Error(`site map entry ${i + 1} (${e.name}): network '${e.network}': ${r.error}`);
      if (r.prefixLength !== e.prefixLength || r.version !== e.version) {
        throw new Error(
          `site map entry ${i + 1} (${e.name}): network '${e.network}' disagrees with prefixLength ${e.prefixLength} / version ${e.version}`,
        );
      }
      map.add({ ...e, network: r.cidr }, r);
    });
    map.finish();
    return map;
  }

  /**
   * Reads a CQD building file (detection.md §6.1): comma- or tab-separated, 15 columns in CQD
   * order (fewer are allowed; missing trailing columns are empty), no header row, or a header row
   * naming the columns in any order (detected when the first cell is not an address). NetworkIP
   * may be written as CIDR (`10.1.0.0/16`); NetworkRange may then be empty. Bad lines and
   * identical ranges are reported in `errors` and left out; the rest is loaded.
   */
  static fromCqdCsv(text: string, file: string): { map: SiteMap; errors: SiteMapError[] } {
    const map = new SiteMap();
    const errors: SiteMapError[] = [];
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
    const firstData = lines.findIndex((l) => l.trim().length > 0);
    if (firstData < 0) {
      map.finish();
      return { map, errors };
    }
    const delimiter = (lines[firstData] as string).includes('\t') ? '\t' : ',';
    let columns: Array<CqdColumn | undefined> = [...CQD_COLUMNS];
    let positional = true;
    const seen = new Map<string, number>(); // canonical CIDR → line

    for (let i = firstData; i < lines.length; i++) {
      const lineText = lines[i] as string;
      if (lineText.trim().length === 0) continue;
      const lineNo = i + 1;
      const cells = splitDelimitedLine(lineText, delimiter);
      if ('error' in cells) {
        errors.push({ file, line: lineNo, field: 'CSV', reason: cells.error });
        continue;
      }
      if (i === firstData && 'error' in parseCidr(cells.cells[0] ?? '')) {
        const mapped = cells.cells.map((h) => HEADER_ALIASES[h.toLowerCase().replace(/[\s_-]+/g, '')]);
        if (mapped.includes('NetworkIP')) {
          columns = mapped;
          positional = false;
          continue;
        }
        errors.push({
          file, line: lineNo, field: 'NetworkIP',
          reason: `'${cells.cells[0] ?? ''}' is not an IP address or CIDR range, and the row is not a header with a NetworkIP column`,
        });
        continue;
      }
      if (positional && cells.cells.length > CQD_COLUMNS.length) {
        errors.push({
          file, line: lineNo, field: 'CSV',
          reason: `${cells.cells.length} columns, at most ${CQD_COLUMNS.length} expected (quote values that contain '${delimiter === '\t' ? '\\t' : ','}')`,
        });
        continue;
      }
      const row = new Map<CqdColumn, string>();
      cells.cells.forEach((v, idx) => {
        const col = columns[idx];
        if (col !== undefined && !row.has(col)) row.set(col, v);
      });
      const result = rowToEntry(row);
      if ('field' in result) {
        errors.push({ file, line: lineNo, field: result.field, reason: result.reason });
        continue;
      }
      const key = `${result.parsed.version}|${result.parsed.cidr}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        errors.push({
          file, line: lineNo, field: 'NetworkIP',
          reason: `${result.parsed.cidr} is the same range as line ${earlier}; identical ranges are not allowed (line ${earlier} kept)`,
        });
        continue;
      }
      seen.set(key, lineNo);
      map.add(result.entry, result.parsed);
    }
    map.finish();
    return { map, errors };
  }

  /** Site of the longest prefix containing `ip` (raw or normalised); undefined when none does. */
  lookup(ip: string): SiteInfo | undefined {
    const parsed = parseIp(ip);
    return parsed === undefined ? undefined : this.lookupParsed(parsed);
  }

  /** lookup() for an already parsed address. */
  lookupParsed(parsed: ParsedIp): SiteInfo | undefined {
    if (parsed.version === 4) {
      const v = parsed.value;
      for (const len of this.v4Lengths) {
        const hit = (this.v4Tables[len] as Map<number, StoredEntry>).get((v & (V4_MASKS[len] as number)) >>> 0);
        if (hit !== undefined) return hit.info;
      }
      return undefined;
    }
    if (this.v6Lengths.length === 0) return undefined; // avoids computing the 128-bit value
    const v = parsed.value;
    for (const len of this.v6Lengths) {
      const hit = (this.v6Tables[len] as Map<bigint, StoredEntry>).get(v & (V6_MASKS[len] as bigint));
      if (hit !== undefined) return hit.info;
    }
    return undefined;
  }

  /**
   * Overlapping ranges, labelled `<cidr> (<name>)`: 'duplicate' for identical ranges (a = the
   * one kept), 'nested' for a range inside a shorter one (a = the containing range, b = the
   * nested one; lookup prefers b). Every containing range is listed, not only the nearest.
   */
  overlaps(): Array<{ a: string; b: string; kind: 'duplicate' | 'nested' }> {
    const out: Array<{ a: string; b: string; kind: 'duplicate' | 'nested' }> = [...this.duplicates];
    for (const stored of this.entries) {
      const r = parseCidr(stored.entry.network) as ParsedCidr;
      if (r.version === 4) {
        for (const len of this.v4Lengths) {
          if (len >= r.prefixLength) continue;
          const parent = this.v4Tables[len]?.get((r.network & (V4_MASKS[len] as number)) >>> 0);
          if (parent !== undefined) out.push({ a: parent.label, b: stored.label, kind: 'nested' });
        }
      } else {
        for (const len of this.v6Lengths) {
          if (len >= r.prefixLength) continue;
          const parent = this.v6Tables[len]?.get(r.network & (V6_MASKS[len] as bigint));
          if (parent !== undefined) out.push({ a: parent.label, b: stored.label, kind: 'nested' });
        }
      }
    }
    return out;
  }

  /** The map as a CQD building file: no header, 15 columns in CQD order, spreadsheet formulas neutralised. */
  toCqdCsv(): string {
    const rows = this.entries.map(({ entry: e }) => {
      const slash = e.network.indexOf('/');
      const values: string[] = [
        e.network.slice(0, slash),
        e.networkName ?? e.name,
        String(e.prefixLength),
        e.building,
        e.ownershipType ?? '',
        e.buildingType ?? '',
        e.buildingOfficeType ?? '',
        e.city ?? '',
        e.zipCode ?? '',
        e.country ?? '',
        e.state ?? '',
        e.region ?? '',
        e.insideCorp ? '1' : '0',
        e.expressRoute === true ? '1' : '0',
        e.vpn ? '1' : '0',
      ];
      return values.map(csvCell).join(',');
    });
    return rows.length === 0 ? '' : rows.join('\r\n') + '\r\n';
  }

  private add(entry: SiteMapEntry, parsed: ParsedCidr): void {
    const info: SiteInfo = Object.freeze({
      name: entry.name,
      building: entry.building,
      network: parsed.cidr,
      insideCorp: entry.insideCorp,
      vpn: entry.vpn,
      ...(entry.city !== undefined ? { city: entry.city } : {}),
      ...(entry.country !== undefined ? { country: entry.country } : {}),
      ...(entry.region !== undefined ? { region: entry.region } : {}),
    });
    const stored: StoredEntry = { entry, info, label: `${parsed.cidr} (${entry.name})` };
    this.entries.push(stored);
    if (parsed.version === 4) {
      const table = (this.v4Tables[parsed.prefixLength] ??= new Map());
      const first = table.get(parsed.network);
      if (first === undefined) table.set(parsed.network, stored);
      else this.duplicates.push({ a: first.label, b: stored.label, kind: 'duplicate' });
    } else {
      const table = (this.v6Tables[parsed.prefixLength] ??= new Map());
      const first = table.get(parsed.network);
      if (first === undefined) table.set(parsed.network, stored);
      else this.duplicates.push({ a: first.label, b: stored.label, kind: 'duplicate' });
    }
  }

  private finish(): void {
    this.v4Lengths = [];
    for (let len = 32; len >= 0; len--) if (this.v4Tables[len] !== undefined) this.v4Lengths.push(len);
    this.v6Lengths = [];
    for (let len = 128; len >= 0; len--) if (this.v6Tables[len] !== undefined) this.v6Lengths.push(len);
  }
}

/** Turns one CQD row into an entry, or names the field at fault. */
function rowToEntry(
  row: Map<CqdColumn, string>,
): { entry: SiteMapEntry; parsed: ParsedCidr } | { field: string; reason: string } {
  const get = (c: CqdColumn): string => row.get(c) ?? '';
  const ipText = get('NetworkIP');
  const rangeText = get('NetworkRange');
  if (ipText.length === 0) return { field: 'NetworkIP', reason: 'empty; an IP address or CIDR range is required' };
  if (rangeText.length > 0 && !/^\d{1,3}$/.test(rangeText)) {
    return { field: 'NetworkRange', reason: `'${rangeText}' is not a prefix length (a whole number such as 24)` };
  }
  let parsed: ParsedCidr | { error: string };
  if (ipText.includes('/')) {
    parsed = parseCidr(ipText);
    if ('error' in parsed) return { field: 'NetworkIP', reason: `'${ipText}': ${parsed.error}` };
    if (rangeText.length > 0 && Number(rangeText) !== parsed.prefixLength) {
      return {
        field: 'NetworkRange',
        reason: `${rangeText} disagrees with the prefix length written in NetworkIP '${ipText}'`,
      };
    }
  } else {
    if (parseIp(ipText) === undefined) return { field: 'NetworkIP', reason: `'${ipText}' is not an IPv4 or IPv6 address` };
    if (rangeText.length === 0) {
      return { field: 'NetworkRange', reason: 'empty; give the prefix length (e.g. 24) or write NetworkIP as CIDR (10.1.0.0/24)' };
    }
    parsed = parseCidr(`${ipText}/${rangeText}`);
    if ('error' in parsed) {
      const field = parsed.error.startsWith('prefix length') ? 'NetworkRange' : 'NetworkIP';
      return { field, reason: parsed.error };
    }
  }
  const flags: Partial<Record<'InsideCorp' | 'ExpressRoute' | 'VPN', boolean>> = {};
  for (const col of ['InsideCorp', 'ExpressRoute', 'VPN'] as const) {
    const b = parseBool(get(col));
    if (b === undefined) return { field: col, reason: `'${get(col)}' is not 0 or 1` };
    flags[col] = b;
  }
  const networkName = unneutralise(get('NetworkName'));
  const building = unneutralise(get('BuildingName'));
  const optional = (c: CqdColumn): string | undefined => {
    const v = unneutralise(get(c));
    return v.length > 0 ? v : undefined;
  };
  // CQD's documented convention: a NetworkName or BuildingName of "VPN" marks a VPN range.
  const vpn = flags.VPN === true || networkName.toLowerCase() === 'vpn' || building.toLowerCase() === 'vpn';
  const entry: SiteMapEntry = {
    name: networkName || building || parsed.cidr,
    building,
    network: parsed.cidr,
    insideCorp: flags.InsideCorp === true,
    vpn,
    prefixLength: parsed.prefixLength,
    version: parsed.version,
    networkName,
    expressRoute: flags.ExpressRoute === true,
  };
  const extra: Array<[keyof SiteMapEntry, CqdColumn]> = [
    ['city', 'City'], ['country', 'Country'], ['region', 'Region'], ['ownershipType', 'OwnershipType'],
    ['buildingType', 'BuildingType'], ['buildingOfficeType', 'BuildingOfficeType'], ['zipCode', 'ZipCode'], ['state', 'State'],
  ];
  for (const [key, col] of extra) {
    const v = optional(col);
    if (v !== undefined) (entry as unknown as Record<string, unknown>)[key] = v;
  }
  return { entry, parsed };
}

function parseBool(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (s === '' || s === '0' || s === 'false') return false;
  if (s === '1' || s === 'true') return true;
  return undefined;
}

/** Splits one line of CSV/TSV; fields may be quoted ("a, b" and "" for a quote). Cells are trimmed. */
function splitDelimitedLine(line: string, delimiter: string): { cells: string[] } | { error: string } {
  const cells: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || (line[i] === '\t' && delimiter !== '\t'))) i++;
    if (i < n && line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) return { error: 'unterminated quoted value (values spanning lines are not supported)' };
        const ch = line[i] as string;
        if (ch === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      while (i < n && (line[i] === ' ' || (line[i] === '\t' && delimiter !== '\t'))) i++;
      cells.push(value.trim());
      if (i >= n) return { cells };
      if (line[i] !== delimiter) return { error: `unexpected text after the closing quote of value ${cells.length}` };
      i++;
    } else {
      const end = line.indexOf(delimiter, i);
      if (end < 0) {
        cells.push(line.slice(i).trim());
        return { cells };
      }
      cells.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes a CSV value when needed and prefixes ' to values a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Undoes csvCell's formula guard on import. */
function unneutralise(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
