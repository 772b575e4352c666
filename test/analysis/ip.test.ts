import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { normaliseIp, parseIp, subnetOf } from '../../src/analysis/ip.js';

test('IPv4 forms: plain, padded with spaces, with a port', () => {
  assert.deepEqual(normaliseIp('10.57.1.2'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('  10.57.1.2\t'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('10.57.1.2:51234'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('0.0.0.0'), { ip: '0.0.0.0', version: 4 });
  assert.deepEqual(normaliseIp('255.255.255.255:65535'), { ip: '255.255.255.255', version: 4 });
});

test('IPv6 is written in RFC 5952 form', () => {
  // RFC 5952 §4: lower case, leading zeros dropped, longest zero run compressed, first run on a tie,
  // a single zero group not compressed.
  const cases: Array<[string, string]> = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:0:1:0:0', '2001:db8::1:0:0'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['FE80::ABCD', 'fe80::abcd'],
    ['::1.2.3.4', '::102:304'],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(normaliseIp(input), { ip: expected, version: 6 }, input);
  }
});

test('brackets, ports and zone ids are stripped', () => {
  assert.deepEqual(normaliseIp('[2001:db8::1]'), { ip: '2001:db8::1', version: 6 });
  assert.deepEqual(normaliseIp('[2001:db8::1]:443'), { ip: '2001:db8::1', version: 6 });
  assert.deepEqual(normaliseIp('fe80::1%eth0'), { ip: 'fe80::1', version: 6 });
  assert.deepEqual(normaliseIp('[fe80::1%25en0]:8080'), { ip: 'fe80::1', version: 6 });
});

test('IPv4-mapped IPv6 becomes IPv4, in dotted and hex form', () => {
  assert.deepEqual(normaliseIp('::ffff:10.57.1.2'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('::FFFF:a39:102'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('0:0:0:0:0:ffff:10.57.1.2'), { ip: '10.57.1.2', version: 4 });
  assert.deepEqual(normaliseIp('[::ffff:10.57.1.2]:443'), { ip: '10.57.1.2', version: 4 });
});

test('empty and malformed input gives undefined', () => {
  const bad = [
    '',
    '   ',
    'unknown',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-4',
    '1..2.3',
    '010.1.1.1',
    '1.2.3.04',
    '1.2.3.4:',
    '1.2.3.4:65536',
    '1.2.3.4:port',
    '1.2.3.4/24',
    '[::1',
    '[::1]x',
    '[::1]:',
    '::1::',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    'gggg::1',
    '12345::1',
    '::ffff:1.2.3',
    '1:2:3:4:5:6:1.2.3.4:8',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    'x'.repeat(200),
  ];
  for (const s of bad) assert.equal(normaliseIp(s), undefined, JSON.stringify(s));
});

test('numeric values: IPv4 as uint32, IPv6 as a 128-bit bigint', () => {
  assert.deepEqual(parseIp('10.0.0.1'), { version: 4, ip: '10.0.0.1', value: 0x0a000001 });
  assert.deepEqual(parseIp('255.255.255.255'), { version: 4, ip: '255.255.255.255', value: 0xffffffff });
  const v6 = parseIp('2001:db8::1');
  assert.equal(v6?.version, 6);
  assert.equal(v6?.ip, '2001:db8::1');
  assert.equal(v6?.value, (0x20010db8n << 96n) | 1n);
  assert.equal(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')?.value, (1n << 128n) - 1n);
  assert.equal(parseIp('::')?.value, 0n);
});

/** Writes 8 groups in full, zero-padded, upper-case form: a spelling independent of the code under test. */
function fullForm(groups: number[]): string {
  return groups.map((g) => g.toString(16).toUpperCase().padStart(4, '0')).join(':');
}
const isMapped = (g: number[]): boolean => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;

test('property: IPv6 text agrees with ipaddr.js RFC 5952 output', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
      (groups) => {
        fc.pre(!isMapped(groups));
        const expected = ipaddr.IPv6.parse(fullForm(groups)).toRFC5952String();
        assert.deepEqual(normaliseIp(fullForm(groups)), { ip: expected, version: 6 });
      },
    ),
    { numRuns: 2000 },
  );
  // ipaddr.js reads a trailing dotted quad (::1.2.3.4) as IPv4-mapped; RFC 4291 §2.5.5.1 says it
  // is the plain IPv6 address 0:…:0102:0304. So the oracle gets the hex spelling of that suffix.
  const dottedToHex = (addr: string): string =>
    addr.replace(
      /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
      (_m, a: string, b: string, c: string, d: string) =>
        `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
    );
  fc.assert(
    fc.property(fc.ipV6(), (addr) => {
      const parsed = ipaddr.IPv6.parse(dottedToHex(addr));
      const expected = parsed.isIPv4MappedAddress()
        ? { ip: parsed.toIPv4Address().toString(), version: 4 }
        : { ip: parsed.toRFC5952String(), version: 6 };
      assert.deepEqual(normaliseIp(addr), expected, addr);
    }),
    { numRuns: 2000 },
  );
});

test('property: normaliseIp is idempotent', () => {
  const candidates = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.ipV4Extended(),
    fc.string(),
    fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 })).map(([a, p]) => `${a}:${p}`),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 65535 })).map(([a, p]) => `[${a}]:${p}`),
  );
  fc.assert(
    fc.property(candidates, (s) => {
      const once = normaliseIp(s);
      if (once === undefined) return;
      assert.deepEqual(normaliseIp(once.ip), once);
    }),
    { numRuns: 3000 },
  );
});

test('property: an IPv4-mapped IPv6 address equals its IPv4 address', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65535 }), (v4, port) => {
      const expected = { ip: v4, version: 4 };
      const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
      const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      assert.deepEqual(normaliseIp(v4), expected);
      assert.deepEqual(normaliseIp(`::ffff:${v4}`), expected);
      assert.deepEqual(normaliseIp(`::ffff:${hex}`), expected);
      assert.deepEqual(normaliseIp(`0000:0000:0000:0000:0000:FFFF:${v4}`), expected);
      assert.deepEqual(normaliseIp(`[::ffff:${v4}]:${port}`), expected);
      assert.deepEqual(normaliseIp(`${v4}:${port}`), expected);
    }),
  );
});

test('property: zone ids and brackets never change the address', () => {
  fc.assert(
    fc.property(fc.ipV6(), fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), (addr, zone) => {
      const plain = normaliseIp(addr);
      assert.notEqual(plain, undefined);
      assert.deepEqual(normaliseIp(`${addr}%${zone}`), plain);
      assert.deepEqual(normaliseIp(`[${addr}%${zone}]`), plain);
    }),
  );
});

test('subnetOf: the IPv4 /24 or IPv6 /48 holding the address; undefined for non-addresses', () => {
  assert.equal(subnetOf('10.57.1.20'), '10.57.1.0/24');
  assert.equal(subnetOf('10.57.1.20:3478'), '10.57.1.0/24');
  assert.equal(subnetOf('255.255.255.255'), '255.255.255.0/24');
  assert.equal(subnetOf('::ffff:192.0.2.33'), '192.0.2.0/24'); // IPv4-mapped counts as IPv4
  assert.equal(subnetOf('2001:DB8:1:a:b:c:d:e'), '2001:db8:1::/48');
  assert.equal(subnetOf('[2001:db8:0:ffff::1]:443'), '2001:db8::/48');
  assert.equal(subnetOf(''), undefined);
  assert.equal(subnetOf('not an ip'), undefined);
});

test('property: subnetOf contains the address and agrees with ipaddr.js prefix matching', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (addr) => {
      const subnet = subnetOf(addr);
      assert.ok(subnet !== undefined, addr);
      const [network, bits] = ipaddr.parseCIDR(subnet);
      const normalised = normaliseIp(addr)!;
      const parsed = ipaddr.parse(normalised.ip);
      assert.equal(parsed.kind(), network.kind(), addr);
      assert.ok(parsed.match(network, bits), `${addr} in ${subnet}`);
      assert.equal(bits, normalised.version === 4 ? 24 : 48);
      // The subnet's own address is its first address: host bits are zero.
      assert.equal(subnetOf(ipaddr.parse(subnet.slice(0, subnet.lastIndexOf('/'))).toString()), subnet);
    }),
    { numRuns: 2000 },
  );
});
