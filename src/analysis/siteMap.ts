// CIDR site maps: longest-prefix lookup of a session's site and overlap checks. The file format is
// cqdFile.ts; CIDR parsing is cidr.ts; address classes are addressClass.ts (re-exported here).
import { V4_MASKS, V6_MASKS, parseCidr, type ParsedCidr } from './cidr.js';
import { readCqdFile, writeCqdFile, type SiteMapEntry, type SiteMapError } from './cqdFile.js';
import { parseIp, type ParsedIp } from './ip.js';
import type { SiteInfo } from './model.js';

export { AMBIGUOUS_HOME_SUBNETS, PRIVATE_RANGES, classifyAddress, type AddressClass } from './addressClass.js';
export { matchesCidrs, parseCidr, parseCidrList, type ParsedCidr } from './cidr.js';
export type { SiteMapEntry, SiteMapError } from './cqdFile.js';

interface StoredEntry {
  entry: SiteMapEntry;
  info: SiteInfo;
  label: string;
}

export class SiteMap {
  private readonly entries: StoredEntry[] = [];
  private readonly v4Tables: Array<Map<number, StoredEntry> | undefined> = new Array<
    Map<number, StoredEntry> | undefined
  >(33);
  private readonly v6Tables: Array<Map<bigint, StoredEntry> | undefined> = new Array<
    Map<bigint, StoredEntry> | undefined
  >(129);
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
   * Reads a CQD building file (readCqdFile): bad rows and identical ranges are reported in `errors`
   * and left out; the rest is loaded.
   */
  static fromCqdCsv(text: string, file: string): { map: SiteMap; errors: SiteMapError[] } {
    const { rows, errors } = readCqdFile(text, file);
    const map = new SiteMap();
    for (const { entry, parsed } of rows) map.add(entry, parsed);
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

  /** The map as a CQD building file (writeCqdFile). */
  toCqdCsv(): string {
    return writeCqdFile(this.entries.map((stored) => stored.entry));
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
      const table = (this.v4Tables[parsed.prefixLength] ??= new Map<number, StoredEntry>());
      const first = table.get(parsed.network);
      if (first === undefined) table.set(parsed.network, stored);
      else this.duplicates.push({ a: first.label, b: stored.label, kind: 'duplicate' });
    } else {
      const table = (this.v6Tables[parsed.prefixLength] ??= new Map<bigint, StoredEntry>());
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
