// Synthetic people, tenants, devices, user agents and IP addresses for generated exports.
// Every value is a pure function of (seed, index) or of a caller-supplied Rng: nothing is stored.
// Domains are Microsoft's fictitious company names; phone numbers are in ranges reserved for fiction.
import { Rng } from './prng.js';

export interface Person {
  objectId: string;
  upn: string;
  displayName: string;
  organizationId: string;
}

export interface Partner {
  domain: string;
  label: string;
  tenantId: string;
}

const FIRST_NAMES = [
  'Adele',
  'Alex',
  'Allan',
  'Amara',
  'Ana',
  'Andrés',
  'Anika',
  'Aoife',
  'Arjun',
  'Astrid',
  'Aylin',
  'Ben',
  'Bianca',
  'Bjørn',
  'Camille',
  'Carlos',
  'Chen',
  'Chloé',
  'Christie',
  'Daan',
  'Dalia',
  'Daniel',
  'Debra',
  'Diego',
  'Dmitri',
  'Elena',
  'Elif',
  'Emily',
  'Émile',
  'Enrico',
  'Erik',
  'Eva',
  'Fatima',
  'Felix',
  'Fiona',
  'François',
  'Frank',
  'Gabriel',
  'Grady',
  'Hana',
  'Hannah',
  'Henrietta',
  'Hiroshi',
  'Ines',
  'Irvin',
  'Isaac',
  'Isabel',
  'Ivana',
  'Jakub',
  'Javier',
  'Jessica',
  'Johanna',
  'Jonas',
  'José',
  'Julia',
  'Kai',
  'Karim',
  'Katja',
  'Lars',
  'Laura',
  'Lee',
  'Leila',
  'Lidia',
  'Liam',
  'Lina',
  'Lucas',
  'Łukasz',
  'Lynne',
  'Maja',
  'Malik',
  'Marco',
  'Maria',
  'Mateo',
  'Megan',
  'Mei',
  'Miguel',
  'Mila',
  'Miriam',
  'Nadia',
  'Naomi',
  'Nestor',
  'Nikolai',
  'Noah',
  'Nora',
  'Olga',
  'Omar',
  'Oscar',
  'Patti',
  'Paul',
  'Pedro',
  'Pradeep',
  'Priya',
  'Rafael',
  'Ravi',
  'Renée',
  'Rosa',
  'Sakura',
  'Samir',
  'Sara',
  'Sean',
  'Sofia',
  'Søren',
  'Stefan',
  'Tamar',
  'Theo',
  'Tomás',
  'Uma',
  'Valentina',
  'Viktor',
  'Wei',
  'Yara',
  'Yusuf',
  'Zanele',
  'Zoë',
] as const;

const LAST_NAMES = [
  'Abbott',
  'Adeyemi',
  'Alvarez',
  'Andersen',
  'Arslan',
  'Bauer',
  'Becker',
  'Bernard',
  'Bianchi',
  'Brennan',
  'Brown',
  'Castillo',
  'Chen',
  'Costa',
  'Dąbrowski',
  'Dubois',
  'Eriksson',
  'Fernández',
  'Fischer',
  'Fontaine',
  'García',
  'Gonzalez',
  'Gupta',
  'Haddad',
  'Hansen',
  'Hartmann',
  'Horvat',
  'Hughes',
  'Ivanova',
  'Jansen',
  'Johansson',
  'Jones',
  'Kaya',
  'Kelly',
  'Khan',
  'Kim',
  'Kowalski',
  'Kumar',
  'Larsen',
  'Laurent',
  'Lefèvre',
  'Lindqvist',
  'Lopez',
  'Mahlangu',
  'Martin',
  'Meyer',
  'Moreau',
  'Müller',
  'Murphy',
  'Nakamura',
  'Navarro',
  'Nguyen',
  'Nielsen',
  'Novak',
  'Nowak',
  "O'Brien",
  'Okafor',
  'Olsen',
  'Park',
  'Patel',
  'Pereira',
  'Petrov',
  'Popescu',
  'Quinn',
  'Rahman',
  'Ramos',
  'Reyes',
  'Richter',
  'Rossi',
  'Russo',
  'Sánchez',
  'Santos',
  'Sato',
  'Schmidt',
  'Schneider',
  'Silva',
  'Singh',
  'Smith',
  'Sousa',
  'Suzuki',
  'Svensson',
  'Tanaka',
  'Taylor',
  'Thomas',
  'Torres',
  'Van Dijk',
  'Vargas',
  'Wagner',
  'Walsh',
  'Wang',
  'Weber',
  'Wilson',
  'Wójcik',
  'Yamamoto',
  'Yilmaz',
  'Young',
  'Zhang',
  'Zimmermann',
] as const;

const PARTNER_DOMAINS: readonly (readonly [string, string])[] = [
  ['fabrikam.com', 'Fabrikam'],
  ['northwindtraders.com', 'Northwind'],
  ['adatum.com', 'Adatum'],
  ['tailspintoys.com', 'Tailspin'],
  ['wingtiptoys.com', 'Wingtip'],
  ['woodgrovebank.com', 'Woodgrove'],
  ['litwareinc.com', 'Litware'],
];

const SITES = ['Lisbon', 'Paris', 'Lyon', 'Madrid', 'Dublin', 'Munich', 'Warsaw', 'Oslo'] as const;

export const HOME_DOMAIN = 'contoso.com';
export const RECORDING_BOT_ID = 'b1902c3e-b9f7-4650-9b23-5772bd429747';

/** ASCII e-mail local part from a display-name fragment ("Łukasz" → "lukasz", "O'Brien" → "obrien"). */
export function mailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[łŁ]/g, 'l')
    .replace(/[øØ]/g, 'o')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** People, rooms and partner tenants of one synthetic organisation. */
export class Directory {
  readonly tenantId: string;
  readonly partners: readonly Partner[];
  private readonly seed: number;
  private readonly cache = new Map<number, Person>();

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const rng = Rng.stream(seed, 'directory');
    this.tenantId = rng.guid();
    this.partners = PARTNER_DOMAINS.map(([domain, label]) => ({ domain, label, tenantId: rng.guid() }));
  }

  /** Internal user number `index` (0-based). UPNs are unique for every index. */
  user(index: number): Person {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const first = FIRST_NAMES[index % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length] as string;
    const round = Math.floor(index / (FIRST_NAMES.length * LAST_NAMES.length));
    const rng = Rng.stream(this.seed, 'user', index);
    const person: Person = {
      objectId: rng.guid(),
      upn: `${mailPart(first)}.${mailPart(last)}${round > 0 ? round + 1 : ''}@${HOME_DOMAIN}`,
      // Some organisations write "Last, First": the comma must survive CSV quoting.
      displayName: rng.chance(0.15) ? `${last}, ${first}` : `${first} ${last}`,
      organizationId: this.tenantId,
    };
    if (this.cache.size < 100_000) this.cache.set(index, person);
    return person;
  }

  /** External (federated guest) person number `index`. */
  guest(index: number): Person {
    const partner = this.partners[index % this.partners.length] as Partner;
    const k = Math.floor(index / this.partners.length) * 7919 + 13;
    const first = FIRST_NAMES[k % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(k / FIRST_NAMES.length) % LAST_NAMES.length] as string;
    const rng = Rng.stream(this.seed, 'guest', index);
    const style = rng.int(0, 2);
    const displayName =
      style === 0
        ? `${first} ${last} (${partner.label})`
        : style === 1
          ? `${last}, ${first} (External)`
          : `${first}, External`;
    return {
      objectId: rng.guid(),
      upn: `${mailPart(first)}.${mailPart(last)}${index >= this.partners.length * 1000 ? index : ''}@${partner.domain}`,
      displayName,
      organizationId: partner.tenantId,
    };
  }

  /** Meeting room (resource account) number `index`. */
  room(index: number): Person {
    const site = SITES[index % SITES.length] as string;
    const floor = 1 + (Math.floor(index / SITES.length) % 9);
    const number = 100 + index;
    const rng = Rng.stream(this.seed, 'room', index);
    return {
      objectId: rng.guid(),
      upn: `room-${mailPart(site)}-${number}@${HOME_DOMAIN}`,
      displayName: `${site} ${floor}.${String(number % 100).padStart(2, '0')} (Room)`,
      organizationId: this.tenantId,
    };
  }
}

/** Dial-in caller number in ranges reserved for drama/fiction (NANP 555-01xx, Ofcom 020 7946 0xxx, ARCEP 01 99 00). */
export function phoneNumber(rng: Rng): string {
  const style = rng.int(0, 2);
  if (style === 0) return `+1425555${String(rng.int(100, 199)).padStart(4, '0')}`;
  if (style === 1) return `+4420794600${String(rng.int(0, 99)).padStart(2, '0')}`;
  return `+33199${String(rng.int(0, 999999)).padStart(6, '0')}`;
}

export function anonymousName(rng: Rng): string {
  return `teamsvisitor:${rng.hex(32)}`;
}

export type DevicePlatform = 'windows' | 'macOS' | 'iOS' | 'android' | 'web' | 'room';

export interface Device {
  platform: DevicePlatform;
  /** DeviceInformation ('' = field absent). */
  info: string;
  userAgent: string;
  /** DeviceId, only for some managed devices. */
  deviceId?: string;
}

const DEVICE_INFO: Record<DevicePlatform, readonly string[]> = {
  windows: [
    'Windows 10 (10.0.19045); Teams',
    'Windows 11 (10.0.22631); Teams',
    'Windows 11 Pro, Teams (work or school)',
    'Windows 11 (10.0.26100); Teams',
  ],
  macOS: ['macOS 14.5; Teams', 'Mac OS X 13.6, Teams (work or school)', 'macOS 15.1; Teams'],
  iOS: ['iPhone; iOS 17.5; Teams', 'iPhone; iOS 18.1; Teams', 'iPad; iPadOS 17.4; Teams'],
  android: ['Android 14; Samsung SM-S911B; Teams', 'Android 13; Pixel 7; Teams', 'Android 14; Pixel 8, Teams'],
  web: [
    'Web; Chrome 124 on Windows',
    'Web; Edge 125 on Windows',
    'Web; Safari 17 on macOS',
    'Web; Firefox 126 on Linux',
  ],
  room: [
    'Microsoft Teams Rooms on Windows; Logitech Rally Bar',
    'Surface Hub 2S; Windows 10 Team',
    'Teams Display; Lenovo ThinkSmart View',
  ],
};

const CLIENT_VERSIONS = ['24295.605.3225.8804', '25044.2208.3471.2155', '24335.208.3315.1951', '25093.1906.3551.6453'];
const MOBILE_VERSIONS = ['1416/6.5.1', '1416/6.11.0', '1415/1.0.0.2024062702', '1416/1.0.0.2025011602'];
const PLATFORM_IDS: Record<DevicePlatform, number> = { windows: 49, macOS: 50, iOS: 48, android: 46, web: 0, room: 27 };
const BROWSERS: Record<string, readonly [string, string, string, string]> = {
  Chrome: ['Windows', '10', 'x64', '124.0.0.0'],
  Edge: ['Windows', '10', 'x64', '125.0.0.0'],
  Safari: ['Mac', '10.15', 'x64', '17.4'],
  Firefox: ['Linux', '0', 'x64', '126.0'],
};

/** A client of the given platform; `managed` devices carry a DeviceId. */
export function makeDevice(rng: Rng, platform: DevicePlatform, managed: boolean): Device {
  const info = rng.pick(DEVICE_INFO[platform]);
  let userAgent: string;
  if (platform === 'web') {
    const browser = /Chrome|Edge|Safari|Firefox/.exec(info)?.[0] ?? 'Chrome';
    const [os, osVer, proc, browserVer] = BROWSERS[browser] as readonly [string, string, string, string];
    userAgent = `Web CallSignalingAgent(PluginLess/2024.20.01.3/os=${os}; osVer=${osVer}; proc=${proc}; deviceType=Desktop; browser=${browser}; browserVer=${browserVer})`;
  } else if (platform === 'iOS' || platform === 'android') {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS[platform]}/${rng.pick(MOBILE_VERSIONS)}//)`;
  } else if (platform === 'room') {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS.room}/1.0.96.2024${rng.int(10, 99)}01//;release_mtr)`;
  } else {
    userAgent = `CallSignalingAgent (${PLATFORM_IDS[platform]}/${rng.pick(CLIENT_VERSIONS)}//${rng.chance(0.2) ? ';release_desktop' : ''})`;
  }
  const device: Device = { platform, info, userAgent };
  if (managed) device.deviceId = rng.guid();
  return device;
}

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
