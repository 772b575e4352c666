// Synthetic client IP addresses for generated exports, by network context (site, home, public, IPv6, mobile).
import { Rng } from './prng.js';

/** Where a participant connects from; decides the ClientIP family. */
export type NetworkContext = 'siteA' | 'siteB' | 'homePrivate' | 'publicV4' | 'ipv6' | 'mappedV4' | 'mobile';

const PUBLIC_V4_FIRST_OCTETS = [37, 78, 81, 86, 88, 90, 92, 109, 176, 185] as const;

function ipv6Group(rng: Rng): string {
  return rng.int(0, 0xffff).toString(16);
}

/** A fresh address in the given context. */
export function ipAddress(rng: Rng, context: NetworkContext): string {
  switch (context) {
    case 'siteA':
      return `10.57.${rng.int(0, 63)}.${rng.int(2, 254)}`;
    case 'siteB':
      return `10.58.${rng.int(0, 31)}.${rng.int(2, 254)}`;
    case 'homePrivate':
      return `192.168.1.${rng.int(2, 254)}`;
    case 'mappedV4':
      return `::ffff:10.57.${rng.int(0, 63)}.${rng.int(2, 254)}`;
    case 'ipv6':
      if (rng.chance(0.3)) return `2a02:8428:${ipv6Group(rng)}:${ipv6Group(rng)}::${ipv6Group(rng)}`;
      return `2a01:cb${rng.int(0, 255).toString(16).padStart(2, '0')}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}`;
    case 'mobile':
      if (rng.chance(0.3))
        return `2a01:e0a:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}:${ipv6Group(rng)}`;
      return `${rng.pick([92, 176, 37] as const)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    case 'publicV4':
    default:
      return `${rng.pick(PUBLIC_V4_FIRST_OCTETS)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }
}

/** Network context of a desktop/laptop participant (about 10 % IPv6 overall, some IPv4-mapped). */
export function desktopContext(rng: Rng): NetworkContext {
  return rng.weighted<NetworkContext>([
    ['siteA', 34],
    ['siteB', 17],
    ['homePrivate', 9],
    ['publicV4', 29],
    ['ipv6', 7],
    ['mappedV4', 4],
  ]);
}

/** Microsoft service address (52.112.0.0/14) as seen on some service participants. */
export function serviceAddress(rng: Rng): string {
  return `52.${rng.int(112, 115)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}
