// Synthetic people, rooms and partner tenants for generated exports (devices.ts and networkAddresses.ts
// make their clients and addresses).
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
