import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  AMBIGUOUS_HOME_SUBNETS,
  SiteMap,
  classifyAddress,
  matchesCidrs,
  parseCidrList,
  type SiteMapEntry,
} from '../../src/analysis/siteMap.js';

// The sample row of the CQD building-file documentation (CQD column order).
const CQD_SAMPLE_ROW =
  '192.168.1.0,USA/Seattle/SEATTLE-SEA-1,26,SEATTLE-SEA-1,Contoso,IT Termination,Engineering,Seattle,98001,US,WA,MSUS,1,0,0';

function entry(network: string, name: string, extra: Partial<SiteMapEntry> = {}): SiteMapEntry {
  const [addr, len] = network.split('/') as [string, string];
  return {
    name,
    building: `${name} building`,
    network,
    insideCorp: true,
    vpn: false,
    prefixLength: Number(len),
    version: addr.includes(':') ? 6 : 4,
    ...extra,
  };
}

test('a CQD building file without header: every column lands in its field', () => {
  const { map, errors } = SiteMap.fromCqdCsv(`${CQD_SAMPLE_ROW}\n`, 'buildings.csv');
  assert.deepEqual(errors, []);
  assert.equal(map.size, 1);
  // A /26 from .0 covers .0-.63.
  assert.deepEqual(map.lookup('192.168.1.63'), {
    name: 'USA/Seattle/SEATTLE-SEA-1',
    building: 'SEATTLE-SEA-1',
    network: '192.168.1.0/26',
    insideCorp: true,
    vpn: false,
    city: 'Seattle',
    country: 'US',
    region: 'MSUS',
  });
  assert.equal(map.lookup('192.168.1.64'), undefined);
  assert.equal(map.lookup('192.168.0.255'), undefined);
});

test('tab-separated files, 14 columns (no VPN), CRLF line ends and a BOM are read', () => {
  const row = CQD_SAMPLE_ROW.split(',').slice(0, 14).join('\t');
  const { map, errors } = SiteMap.fromCqdCsv(
    `\uFEFF${row}\r\n\r\n10.0.0.0\tLab\t8\tLab\t\t\t\t\t\t\t\t\t0\t0\r\n`,
    'b.tsv',
  );
  assert.deepEqual(errors, []);
  assert.equal(map.size, 2);
  assert.equal(map.lookup('192.168.1.1')?.building, 'SEATTLE-SEA-1');
  assert.deepEqual(map.lookup('10.200.1.1'), {
    name: 'Lab',
    building: 'Lab',
    network: '10.0.0.0/8',
    insideCorp: false,
    vpn: false,
  });
});

test('a header row is recognised and may reorder columns; CIDR in NetworkIP; IPv6 ranges', () => {
  const text = [
    'BuildingName,Network IP,InsideCorp,NetworkRange,City,VPN',
    'HQ,10.57.0.0/16,1,,Zurich,0',
    'HQ-5,10.57.5.0,1,24,Zurich,0',
    'V6,2001:db8:e8:25::/120,1,,Basel,0',
    'RA,172.16.18.0/24,0,24,,1',
  ].join('\n');
  const { map, errors } = SiteMap.fromCqdCsv(text, 'h.csv');
  assert.deepEqual(errors, []);
  assert.equal(map.size, 4);
  assert.equal(map.lookup('10.57.9.9')?.network, '10.57.0.0/16');
  assert.equal(map.lookup('10.57.5.9')?.network, '10.57.5.0/24');
  assert.equal(map.lookup('10.57.5.9')?.name, 'HQ-5', 'NetworkName empty: the building names the site');
  assert.equal(map.lookup('2001:db8:e8:25::ff')?.city, 'Basel');
  assert.equal(map.lookup('2001:db8:e8:25::100'), undefined, '/120 holds 256 addresses');
  assert.equal(map.lookup('172.16.18.7')?.vpn, true);
});

test('header aliases (Subnet, PrefixLength, Building) and true/false flags', () => {
  const { map, errors } = SiteMap.fromCqdCsv(
    'Subnet,PrefixLength,Building,InsideCorp,VPN,Notes\n10.8.0.0,16,Lab,true,FALSE,ignored\n',
    'alias.csv',
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(map.lookup('10.8.1.1'), {
    name: 'Lab',
    building: 'Lab',
    network: '10.8.0.0/16',
    insideCorp: true,
    vpn: false,
  });
});

test('the example building file of docs/design/classification.md loads without errors', () => {
  const page = readFileSync(join(__dirname, '../../../docs/design/classification.md'), 'utf8');
  const csv = /```csv\n([\s\S]*?)```/.exec(page)?.[1];
  assert.ok(csv, 'the page has a csv example');
  const { map, errors } = SiteMap.fromCqdCsv(csv, 'classification.md');
  assert.deepEqual(errors, []);
  assert.equal(map.lookup('10.57.5.20')?.name, 'Zurich/ZRH-1 floor 5');
  assert.equal(map.lookup('10.57.6.20')?.name, 'Zurich/ZRH-1');
  assert.equal(classifyAddress('172.16.18.9', map), 'vpn');
  assert.equal(map.lookup('2001:db8:e8:25::1')?.building, 'BSL-2');
  assert.deepEqual(map.overlaps(), [
    { a: '10.57.0.0/16 (Zurich/ZRH-1)', b: '10.57.5.0/24 (Zurich/ZRH-1 floor 5)', kind: 'nested' },
  ]);
});

test('bad lines are reported with file, line, field and reason; good lines still load', () => {
  const lines = [
    '10.0.0.0,Ok,8,B,,,,,,,,,1,0,0', //                    1 ok
    '10.1.2.3,HostBits,16,B,,,,,,,,,1,0,0', //              2 host bits set
    '10.2.0.0,NoRange,,B,,,,,,,,,1,0,0', //                 3 missing range
    '10.3.0.0,BadRange,abc,B,,,,,,,,,1,0,0', //             4 not a number
    '10.4.0.0,TooLong,33,B,,,,,,,,,1,0,0', //               5 over 32
    '10.5.0.0/16,Disagree,24,B,,,,,,,,,1,0,0', //           6 CIDR and range disagree
    '10.6.0.0,BadBool,16,B,,,,,,,,,yes,0,0', //             7 InsideCorp not 0/1
    '10.7.0.0,BadBool2,16,B,,,,,,,,,1,0,2', //              8 VPN not 0/1
    '300.1.1.0,BadIp,24,B,,,,,,,,,1,0,0', //                9 not an address
    '10.0.0.0,Dup,8,B,,,,,,,,,1,0,0', //                   10 identical to line 1
    '10.8.0.0,Many,16,B,,,,,,,,,1,0,0,extra', //           11 16 columns
    '"10.9.0.0,Unterminated,16', //                        12 quote never closed
    '"10.10.0.0" x,Junk,16', //                            13 text after closing quote
    ',NoIp,16,B', //                                       14 empty NetworkIP
    '"10.11.0.0",Quoted,16,"Bldg, east wing",,,,,,,,,1,0,0', // 15 ok: quoted comma
  ];
  const { map, errors } = SiteMap.fromCqdCsv(lines.join('\n'), 'sites.csv');
  const got = errors.map((e) => [e.line, e.field]);
  assert.deepEqual(got, [
    [2, 'NetworkIP'],
    [3, 'NetworkRange'],
    [4, 'NetworkRange'],
    [5, 'NetworkRange'],
    [6, 'NetworkRange'],
    [7, 'InsideCorp'],
    [8, 'VPN'],
    [9, 'NetworkIP'],
    [10, 'NetworkIP'],
    [11, 'CSV'],
    [12, 'CSV'],
    [13, 'CSV'],
    [14, 'NetworkIP'],
  ]);
  for (const e of errors) {
    assert.equal(e.file, 'sites.csv');
    assert.ok(e.reason.length > 10, e.reason);
  }
  assert.match(errors[0]!.reason, /10\.1\.0\.0\/16/, 'host-bit error suggests the network');
  assert.match(errors[8]!.reason, /line 1/, 'duplicate names the line kept');
  assert.equal(map.size, 2);
  assert.equal(map.lookup('10.11.1.1')?.building, 'Bldg, east wing');
  assert.equal(map.lookup('10.1.2.3')?.name, 'Ok', 'the bad /16 was left out, so the /8 answers');
});

test('quoted values: commas, doubled quotes and blank space around them; a bad quote spoils only its own line', () => {
  const text = [
    ' "10.20.0.0" , "North, ""old"" wing" ,16, " Hall 1 " ,,,,,,,,,1,0,0',
    '"10.21.0.0,Open,16',
    '10.22.0.0,"Closed" late,16',
    '10.23.0.0,After,16,B,,,,,,,,,0,0,0',
  ].join('\r\n');
  const { map, errors } = SiteMap.fromCqdCsv(text, 'q.csv');
  assert.deepEqual(errors, [
    {
      file: 'q.csv',
      line: 2,
      field: 'CSV',
      reason: 'unterminated quoted value (values spanning lines are not supported)',
    },
    { file: 'q.csv', line: 3, field: 'CSV', reason: 'unexpected text after the closing quote of value 2' },
  ]);
  assert.equal(map.lookup('10.20.1.1')?.name, 'North, "old" wing');
  assert.equal(map.lookup('10.20.1.1')?.building, 'Hall 1');
  assert.equal(map.lookup('10.23.1.1')?.name, 'After', 'the line after an unclosed quote is read on its own');
});

test('a first row that is neither data nor a header is reported and the rest is read positionally', () => {
  const { map, errors } = SiteMap.fromCqdCsv('10.0.0.O,Typo,8\n10.1.0.0,Good,16\n', 'typo.csv');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 1);
  assert.equal(errors[0]!.field, 'NetworkIP');
  assert.match(errors[0]!.reason, /10\.0\.0\.O/);
  assert.equal(map.lookup('10.1.2.3')?.name, 'Good');
});

test('VPN ranges: the VPN column or CQD\'s NetworkName/BuildingName "VPN" convention', () => {
  const { map } = SiteMap.fromCqdCsv(
    [
      '10.1.0.0,Office,16,HQ,,,,,,,,,1,0,0',
      '10.2.0.0,VPN,16,HQ,,,,,,,,,1,0,0',
      '10.3.0.0,Pool,16,vpn,,,,,,,,,1,0,0',
      '10.4.0.0,Pool,16,HQ,,,,,,,,,1,0,1',
    ].join('\n'),
    'v.csv',
  );
  assert.deepEqual(
    ['10.1.0.1', '10.2.0.1', '10.3.0.1', '10.4.0.1'].map((ip) => map.lookup(ip)?.vpn),
    [false, true, true, true],
  );
});

test('longest prefix wins; nested ranges are allowed and listed by overlaps()', () => {
  const map = SiteMap.fromEntries([
    entry('10.0.0.0/8', 'Corp'),
    entry('10.57.0.0/16', 'Zurich'),
    entry('10.57.5.0/24', 'Zurich-5'),
    entry('10.57.5.7/32', 'Printer'),
    entry('0.0.0.0/0', 'Internet'),
  ]);
  assert.equal(map.lookup('10.57.5.7')?.name, 'Printer');
  assert.equal(map.lookup('10.57.5.8')?.name, 'Zurich-5');
  assert.equal(map.lookup('10.57.6.1')?.name, 'Zurich');
  assert.equal(map.lookup('10.58.0.1')?.name, 'Corp');
  assert.equal(map.lookup('8.8.8.8')?.name, 'Internet');
  assert.equal(map.lookup('2001:db8::1'), undefined, 'IPv4 ranges never match IPv6');
  assert.equal(map.lookup('::ffff:10.57.5.8')?.name, 'Zurich-5', 'mapped IPv6 is looked up as IPv4');
  assert.equal(map.lookup(''), undefined);
  const nested = map.overlaps();
  assert.ok(nested.every((o) => o.kind === 'nested'));
  // Each range is listed under every range that contains it: 1 + 2 + 3 + 4 pairs.
  assert.equal(nested.length, 10);
  assert.ok(nested.some((o) => o.a === '10.57.0.0/16 (Zurich)' && o.b === '10.57.5.0/24 (Zurich-5)'));
  assert.ok(nested.some((o) => o.a === '0.0.0.0/0 (Internet)' && o.b === '10.0.0.0/8 (Corp)'));
});

test('identical ranges: the first entry wins and overlaps() reports a duplicate', () => {
  const map = SiteMap.fromEntries([
    entry('10.1.0.0/16', 'First'),
    entry('10.1.0.0/16', 'Second'),
    entry('10.2.0.0/16', 'Other'),
  ]);
  assert.equal(map.lookup('10.1.1.1')?.name, 'First');
  assert.deepEqual(map.overlaps(), [{ a: '10.1.0.0/16 (First)', b: '10.1.0.0/16 (Second)', kind: 'duplicate' }]);
  assert.deepEqual(SiteMap.fromEntries([entry('10.1.0.0/16', 'A'), entry('10.2.0.0/16', 'B')]).overlaps(), []);
});

test('fromEntries rejects an entry whose network is not a CIDR matching its fields', () => {
  assert.throws(() => SiteMap.fromEntries([entry('10.1.0.1/16', 'X')]), /host bits/);
  assert.throws(() => SiteMap.fromEntries([{ ...entry('10.1.0.0/16', 'X'), prefixLength: 24 }]), /disagrees/);
});

test('toCqdCsv writes CQD column order, and reading it back gives the same map', () => {
  const entries: SiteMapEntry[] = [
    entry('10.57.0.0/16', 'Zurich', {
      networkName: 'Zurich',
      building: 'ZRH-1',
      city: 'Zürich',
      zipCode: '8000',
      country: 'CH',
      state: 'ZH',
      region: 'EMEA',
      ownershipType: 'Contoso',
      buildingType: 'Office',
      buildingOfficeType: 'Sales',
      expressRoute: true,
    }),
    entry('10.58.0.0/24', 'Annex, north', { networkName: 'Annex, north', building: 'He said "hi"', insideCorp: false }),
    entry('2001:db8::/48', 'V6', { networkName: 'V6', vpn: true }),
    entry('10.59.0.0/24', '=HYPERLINK("http://x")', {
      networkName: '=HYPERLINK("http://x")',
      building: '+1',
      ownershipType: '-2',
      region: '@x',
    }),
  ];
  const map = SiteMap.fromEntries(entries);
  const csv = map.toCqdCsv();
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], '10.57.0.0,Zurich,16,ZRH-1,Contoso,Office,Sales,Zürich,8000,CH,ZH,EMEA,1,1,0');
  assert.equal(lines[1], '10.58.0.0,"Annex, north",24,"He said ""hi""",,,,,,,,,0,0,0');
  assert.equal(lines[2], '2001:db8::,V6,48,V6 building,,,,,,,,,1,0,1');
  // Formula-looking values are prefixed with ' so a spreadsheet shows them as text.
  assert.ok(lines[3]!.startsWith(`10.59.0.0,"'=HYPERLINK(""http://x"")",24,'+1,'-2,`), lines[3]);
  const back = SiteMap.fromCqdCsv(csv, 'export.csv');
  assert.deepEqual(back.errors, []);
  assert.equal(back.map.toCqdCsv(), csv);
  for (const ip of ['10.57.1.1', '10.58.0.9', '2001:db8:0:1::5', '10.59.0.1']) {
    assert.deepEqual(back.map.lookup(ip), map.lookup(ip), ip);
  }
  assert.equal(back.map.lookup('10.59.0.1')?.name, '=HYPERLINK("http://x")');
});

test('parseCidrList returns canonical CIDRs and names the first bad item', () => {
  assert.deepEqual(parseCidrList('10.57.0.0/16, 10.58.0.0/16;2001:DB8:0::/32\n192.168.1.5'), [
    '10.57.0.0/16',
    '10.58.0.0/16',
    '2001:db8::/32',
    '192.168.1.5/32',
  ]);
  assert.deepEqual(parseCidrList('  '), []);
  assert.throws(
    () => parseCidrList('10.0.0.0/8, 10.0.0.0/33'),
    /'10\.0\.0\.0\/33' is not a valid CIDR range: prefix length 33/,
  );
  assert.throws(
    () => parseCidrList('10.0.0.1/8'),
    /'10\.0\.0\.1\/8' is not a valid CIDR range: host bits are set.*10\.0\.0\.0\/8/,
  );
  assert.throws(() => parseCidrList('10.57.*'), /'10\.57\.\*' is not a valid CIDR range/);
  assert.throws(() => parseCidrList('10.0.0.0/x'), /prefix length 'x' is not a number/);
});

test('matchesCidrs: raw or normalised addresses, both families, no address never matches', () => {
  const cidrs = parseCidrList('10.57.0.0/16,2001:db8::/32');
  assert.equal(matchesCidrs('10.57.200.1', cidrs), true);
  assert.equal(matchesCidrs('10.57.200.1:443', cidrs), true);
  assert.equal(matchesCidrs('::ffff:10.57.0.1', cidrs), true);
  assert.equal(matchesCidrs('10.58.0.1', cidrs), false);
  assert.equal(matchesCidrs('[2001:DB8::5]:80', cidrs), true);
  assert.equal(matchesCidrs('2001:db9::5', cidrs), false);
  assert.equal(matchesCidrs('', cidrs), false);
  assert.equal(matchesCidrs('garbage', cidrs), false);
  assert.throws(() => matchesCidrs('10.0.0.1', ['not-a-cidr']), /not a valid CIDR/);
});

test('AMBIGUOUS_HOME_SUBNETS holds the CQD common subnets', () => {
  for (const s of [
    '10.0.0.0/24',
    '192.168.0.0/24',
    '192.168.1.0/24',
    '192.168.2.0/24',
    '172.20.10.0/24',
    '192.168.43.0/24',
  ]) {
    assert.ok(AMBIGUOUS_HOME_SUBNETS.includes(s), s);
  }
});

test('classifyAddress: site, vpn, ambiguous-home, private-unmapped, public-unmapped, none', () => {
  const map = SiteMap.fromEntries([
    entry('10.57.0.0/16', 'Zurich'),
    entry('10.99.0.0/16', 'RA', { vpn: true }),
    entry('192.168.1.0/24', 'Branch'),
  ]);
  assert.equal(classifyAddress('10.57.1.1', map), 'site');
  assert.equal(classifyAddress('10.99.1.1', map), 'vpn');
  assert.equal(classifyAddress('192.168.1.20', map), 'site', 'a mapped common subnet is a site');
  assert.equal(classifyAddress('192.168.1.20'), 'ambiguous-home');
  assert.equal(classifyAddress('172.20.10.3', map), 'ambiguous-home');
  assert.equal(classifyAddress('10.0.0.12', map), 'ambiguous-home');
  assert.equal(classifyAddress('10.0.1.12', map), 'private-unmapped');
  assert.equal(classifyAddress('172.31.255.1', map), 'private-unmapped');
  assert.equal(classifyAddress('172.32.0.1', map), 'public-unmapped');
  assert.equal(classifyAddress('fd12:3456::1', map), 'private-unmapped');
  assert.equal(classifyAddress('100.64.7.1', map), 'private-unmapped', 'CGNAT');
  assert.equal(classifyAddress('169.254.10.1', map), 'private-unmapped', 'link-local');
  assert.equal(classifyAddress('fe80::1%eth0', map), 'private-unmapped', 'IPv6 link-local');
  assert.equal(classifyAddress('8.8.8.8', map), 'public-unmapped');
  assert.equal(classifyAddress('2001:4860:4860::8888', map), 'public-unmapped');
  assert.equal(classifyAddress('', map), 'none');
  assert.equal(classifyAddress('n/a', map), 'none');
});

// ---- properties: longest-prefix lookup against a brute-force scan (ipaddr.js as the oracle) ----

const V4_MAX = 0xffffffff;
const v4Text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const v4Mask = (len: number): number => (len === 0 ? 0 : (V4_MAX << (32 - len)) >>> 0);
const ALL = (1n << 128n) - 1n;
const v6Mask = (len: number): bigint => ALL ^ ((1n << BigInt(128 - len)) - 1n);
/** Full, zero-padded IPv6 text (independent of the formatter under test). */
const v6Text = (v: bigint): string => v.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
const isMappedV6 = (v: bigint): boolean => v >> 32n === 0xffffn;

function bruteForce(entries: SiteMapEntry[], ip: string): string | undefined {
  const addr = ipaddr.parse(ip);
  let best: SiteMapEntry | undefined;
  for (const e of entries) {
    const [net, len] = ipaddr.parseCIDR(e.network);
    if (net.kind() !== addr.kind() || !addr.match(net, len)) continue;
    if (best === undefined || e.prefixLength > best.prefixLength) best = e; // first wins on ties
  }
  return best?.name;
}

test('property: IPv4 longest-prefix lookup agrees with a brute-force scan', () => {
  const range = fc.tuple(fc.integer({ min: 0, max: V4_MAX }), fc.integer({ min: 0, max: 32 }));
  fc.assert(
    fc.property(
      fc.array(range, { minLength: 0, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: V4_MAX })), { minLength: 1, maxLength: 30 }),
      (ranges, probes) => {
        const nets = ranges.map(([addr, len]) => ({ net: (addr & v4Mask(len)) >>> 0, len }));
        const entries = nets.map(({ net, len }, i) => entry(`${v4Text(net)}/${len}`, `e${i}`));
        const map = SiteMap.fromEntries(entries);
        for (const [pick, random] of probes) {
          // Half the probes fall inside a chosen range (random host bits), half are anywhere.
          const base = nets.length > 0 && pick % 2 === 0 ? nets[pick % nets.length]! : undefined;
          const ipNum =
            base === undefined ? random : ((base.net & v4Mask(base.len)) | (random & ~v4Mask(base.len))) >>> 0;
          const ip = v4Text(ipNum);
          assert.equal(map.lookup(ip)?.name, bruteForce(entries, ip), ip);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('property: IPv6 longest-prefix lookup agrees with a brute-force scan', () => {
  const v6 = fc.bigInt({ min: 0n, max: ALL }).filter((v) => !isMappedV6(v));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(v6, fc.integer({ min: 0, max: 128 })), { minLength: 0, maxLength: 30 }),
      fc.array(fc.tuple(fc.nat(), v6), { minLength: 1, maxLength: 20 }),
      (ranges, probes) => {
        const nets = ranges.map(([addr, len]) => ({ net: addr & v6Mask(len), len }));
        const entries = nets.map(({ net, len }, i) => entry(`${v6Text(net)}/${len}`, `e${i}`));
        const map = SiteMap.fromEntries(entries);
        for (const [pick, random] of probes) {
          const base = nets.length > 0 && pick % 2 === 0 ? nets[pick % nets.length]! : undefined;
          const value = base === undefined ? random : base.net | (random & ~v6Mask(base.len) & ALL);
          if (isMappedV6(value)) continue; // looked up as IPv4 by design
          const ip = v6Text(value);
          assert.equal(map.lookup(ip)?.name, bruteForce(entries, ip), ip);
        }
      },
    ),
    { numRuns: 300 },
  );
});
