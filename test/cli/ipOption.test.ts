// --ip outside --compat tala: networks (a bare address is one host), tala's regex only when the value
// has regex syntax, an error otherwise; warnings when a tala regex looks like an address or network;
// configuration messages show the networks the admin wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readIpOption, regexAddressWarning } from '../../src/cli/ipOption.js';
import { runCli } from './run.fixture.js';

test('readIpOption: networks, regex or error', () => {
  for (const networks of [
    '10.57.6.1',
    '10.57.0.0/16',
    '10.57.0.0/16,10.58.0.0',
    '10.57.0.0/16; 2001:db8::/32',
    'fe80::1',
    '10.57.0',
    'dead',
    '^10\\.57\\.0\\.0/16',
  ]) {
    assert.deepEqual(readIpOption(networks), { kind: 'networks' }, networks);
  }
  for (const regex of ['^10\\.', '^10\\.5[78]\\.', '10.57.*', '^$|^192', '(10|11)\\.']) {
    assert.deepEqual(readIpOption(regex), { kind: 'regex' }, regex);
  }
  for (const neither of ['office', '10.57.x', '', ' , ']) assert.equal(readIpOption(neither).kind, 'error', neither);
});

test('regexAddressWarning: a regex holding a network or one unanchored address is flagged; real regexes are not', () => {
  assert.match(
    regexAddressWarning('10.57.0.0/16', false) ?? '',
    /never holds a '\/': it selects nothing; write a regex for the addresses instead/,
  );
  assert.match(regexAddressWarning('10.57.0.0/16', true) ?? '', /for the network write --ip 10\.57\.0\.0\/16$/);
  assert.match(
    regexAddressWarning('10.57.6.1', true) ?? '',
    /also selects other addresses that contain it; for this address alone write '\^10\\\.57\\\.6\\\.1\$' or --ip 10\.57\.6\.1$/,
  );
  assert.match(regexAddressWarning('^2001:db8::1', false) ?? '', /'\^2001:db8::1\$'$/);
  for (const fine of ['^10\\.57\\.', '^10.57.6.1$', '^$|^192', '10\\.57', '^10\\.5[78]\\.'])
    assert.equal(regexAddressWarning(fine, true), undefined, fine);
});

const lostIps = (args: string[]): string[] => {
  const r = runCli(['-d', '--format', 'json', ...args, 'tala-basic.csv']);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ ipBefore: string }>).map((d) => d.ipBefore).sort();
};

test('--ip with a bare address selects that one host; as a regex (-i) it would also match longer addresses', () => {
  assert.deepEqual(lostIps(['--ip', '10.57.1.20']), ['10.57.1.20']);
  assert.deepEqual(lostIps(['--ip', '10.57.1.2']), []); // not 10.57.1.20
  assert.deepEqual(lostIps(['-i', '10.57.1.2']), ['10.57.1.20']); // tala's regex, unchanged
  assert.deepEqual(lostIps(['--ip', '10.57.9.0/24, 203.0.113.5']), ['10.57.9.9', '203.0.113.5']);
  assert.deepEqual(lostIps(['--ip=^10\\.57\\.']), ['10.57.1.20', '10.57.9.9']); // still tala's regex
  const warned = runCli(['-d', '-i', '10.57.1.2', 'tala-basic.csv']);
  assert.match(warned.stderr, /WARNING: -i\/--ip '10\.57\.1\.2' is a regular expression .* or --ip 10\.57\.1\.2\n/);
});

test('--ip mixing networks and other text, or neither networks nor a regex, is an error (exit 1), never a regex', () => {
  const mixed = runCli(['-d', '--ip', '10.57.0.0/16,10.58.*', 'tala-basic.csv']);
  assert.equal(mixed.status, 1);
  assert.equal(mixed.stdout, '');
  assert.match(
    mixed.stderr,
    /CRITICAL: --ip: '10\.58\.\*' is not a valid CIDR range: '10\.58\.\*' is not an IPv4 or IPv6 address \(--ip takes networks/,
  );
  const word = runCli(['-d', '--ip', 'office', 'tala-basic.csv']);
  assert.equal(word.status, 1);
  assert.match(word.stderr, /CRITICAL: --ip 'office' is neither a list of networks nor a regular expression/);
  // the admin's own networks are shown in configuration messages (not replaced by <IP>)
  const hostBits = runCli(['-d', '--ip', '10.57.6.1/16', 'tala-basic.csv']);
  assert.equal(hostBits.status, 1);
  assert.match(
    hostBits.stderr,
    /'10\.57\.6\.1\/16' is not a valid CIDR range: host bits are set \(10\.57\.6\.1\/16\); the network is 10\.57\.0\.0\/16/,
  );
});

test('--compat tala: --ip is tala regex (stdout unchanged) with a warning when it looks like a network', () => {
  const plain = runCli(['--compat', 'tala', '-d', '-i', '^10\\.57\\.', 'tala-basic.csv']);
  assert.doesNotMatch(plain.stderr, /WARNING: -i\/--ip/);
  const cidr = runCli(['--compat', 'tala', '-d', '--ip', '10.57.0.0/16', 'tala-basic.csv']);
  assert.equal(cidr.status, 0);
  assert.match(
    cidr.stderr,
    /WARNING: -i\/--ip '10\.57\.0\.0\/16' is a regular expression \(tala's -i\), searched in the address text, which never holds a '\/': it selects nothing/,
  );
  const nothing = runCli(['--compat', 'tala', '-d', '-i', 'no address has this', 'tala-basic.csv']);
  assert.equal(cidr.stdout, nothing.stdout, 'tala output: the regex selects nothing, byte for byte');
});
