// CQD building files (the site-map file format): reading them with csv-parse, row by row with the
// field at fault for every bad row, and writing them back.
import { parse } from 'csv-parse/sync';
import { parseCidr, type ParsedCidr } from './cidr.js';
import { parseIp } from './ip.js';
import type { SiteInfo } from './model.js';

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

/** CQD building-file columns, in file order. */
const CQD_COLUMNS = [
  'NetworkIP',
  'NetworkName',
  'NetworkRange',
  'BuildingName',
  'OwnershipType',
  'BuildingType',
  'BuildingOfficeType',
  'City',
  'ZipCode',
  'Country',
  'State',
  'Region',
  'InsideCorp',
  'ExpressRoute',
  'VPN',
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

/** The rows of a CQD building file that make site-map entries, and the rows that do not, with why. */
export interface CqdFileContent {
  rows: Array<{ entry: SiteMapEntry; parsed: ParsedCidr }>;
  errors: SiteMapError[];
}

/**
 * Reads a CQD building file: comma- or tab-separated, 15 columns in CQD order (fewer are allowed;
 * missing trailing columns are empty), no header row, or a header row naming the columns in any order
 * (detected when the first cell is not an address). NetworkIP may be written as CIDR (`10.1.0.0/16`);
 * NetworkRange may then be empty. Each physical line is one row (a quoted value cannot span lines).
 * Bad rows and identical ranges are reported in `errors` and left out.
 */
export function readCqdFile(text: string, file: string): CqdFileContent {
  const rows: CqdFileContent['rows'] = [];
  const errors: SiteMapError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstData = lines.findIndex((l) => l.trim().length > 0);
  if (firstData < 0) return { rows, errors };
  const delimiter = (lines[firstData] as string).includes('\t') ? '\t' : ',';
  let columns: Array<CqdColumn | undefined> = [...CQD_COLUMNS];
  let positional = true;
  const seen = new Map<string, number>(); // canonical CIDR → line

  for (let i = firstData; i < lines.length; i++) {
    const lineText = lines[i] as string;
    if (lineText.trim().length === 0) continue;
    const lineNo = i + 1;
    const cells = cellsOf(lineText, delimiter);
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
        file,
        line: lineNo,
        field: 'NetworkIP',
        reason: `'${cells.cells[0] ?? ''}' is not an IP address or CIDR range, and the row is not a header with a NetworkIP column`,
      });
      continue;
    }
    if (positional && cells.cells.length > CQD_COLUMNS.length) {
      errors.push({
        file,
        line: lineNo,
        field: 'CSV',
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
        file,
        line: lineNo,
        field: 'NetworkIP',
        reason: `${result.parsed.cidr} is the same range as line ${earlier}; identical ranges are not allowed (line ${earlier} kept)`,
      });
      continue;
    }
    seen.set(key, lineNo);
    rows.push(result);
  }
  return { rows, errors };
}

/**
 * The cells of one line, read by csv-parse: values may be quoted ("a, b" and "" for a quote); blank
 * space around a value, quoted or not, is dropped.
 */
function cellsOf(line: string, delimiter: string): { cells: string[] } | { error: string } {
  let records: string[][];
  try {
    records = parse(line, { delimiter, quote: '"', escape: '"', trim: true, relax_quotes: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED')
      return { error: 'unterminated quoted value (values spanning lines are not supported)' };
    if (code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' || code === 'CSV_INVALID_CLOSING_QUOTE') {
      const column = (e as { column?: unknown }).column;
      return {
        error: `unexpected text after the closing quote of value ${typeof column === 'number' ? column + 1 : '?'}`,
      };
    }
    throw e;
  }
  return { cells: (records[0] ?? ['']).map((cell) => cell.trim()) };
}

/** The entries as a CQD building file: no header, 15 columns in CQD order, spreadsheet formulas neutralised. */
export function writeCqdFile(entries: readonly SiteMapEntry[]): string {
  const rows = entries.map((e) => {
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
    return values.map(siteMapCell).join(',');
  });
  return rows.length === 0 ? '' : rows.join('\r\n') + '\r\n';
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
    if (parseIp(ipText) === undefined)
      return { field: 'NetworkIP', reason: `'${ipText}' is not an IPv4 or IPv6 address` };
    if (rangeText.length === 0) {
      return {
        field: 'NetworkRange',
        reason: 'empty; give the prefix length (e.g. 24) or write NetworkIP as CIDR (10.1.0.0/24)',
      };
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
    ['city', 'City'],
    ['country', 'Country'],
    ['region', 'Region'],
    ['ownershipType', 'OwnershipType'],
    ['buildingType', 'BuildingType'],
    ['buildingOfficeType', 'BuildingOfficeType'],
    ['zipCode', 'ZipCode'],
    ['state', 'State'],
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

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A site-map value as written to a CQD file, so that readCqdFile gives it back: quoted when it holds a
 * quote, comma or line break, or starts or ends with blank space (the reader trims); prefixed with '
 * when a spreadsheet would run it as a formula (`-5` included: the reader removes the ' again). The
 * report CSVs (reports/render/csv.ts) follow a different rule: their numbers stay numbers.
 */
function siteMapCell(value: string): string {
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Undoes siteMapCell's formula guard on import. */
function unneutralise(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
