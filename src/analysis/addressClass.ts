// Address classes of a session's IP: a mapped site or VPN range, or unmapped private, home-router or public space.
import { cidrContains, parseCidrsOrThrow } from './cidr.js';
import { parseIp, type ParsedIp } from './ip.js';
import type { SiteInfo } from './model.js';

/**
 * CQD's "common subnets": home routers and phone hotspots use them, so an
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
 * Address class: a mapped range ('vpn' when the range is flagged VPN, else
 * 'site'); unmapped private space in a CQD common subnet ('ambiguous-home'); other unmapped
 * private space ('private-unmapped'); anything else ('public-unmapped'); no address ('none').
 */
export function classifyAddress(
  ip: string,
  map?: { lookupParsed(parsed: ParsedIp): SiteInfo | undefined },
): AddressClass {
  const parsed = parseIp(ip);
  if (parsed === undefined) return 'none';
  const site = map?.lookupParsed(parsed);
  if (site !== undefined) return site.vpn ? 'vpn' : 'site';
  if (AMBIGUOUS_PARSED.some((r) => cidrContains(r, parsed))) return 'ambiguous-home';
  if (PRIVATE_PARSED.some((r) => cidrContains(r, parsed))) return 'private-unmapped';
  return 'public-unmapped';
}
