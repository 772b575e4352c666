import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFormat, parseArgs, type CliOptions } from '../../src/cli/options.js';

function options(...args: string[]): CliOptions {
  const r = parseArgs(args);
  assert.equal(r.kind, 'run', JSON.stringify(r));
  return (r as { options: CliOptions }).options;
}

test('no mode option is the record view; -o/-a/-d/--report: the last wins', () => {
  assert.equal(options().report, 'records');
  assert.equal(options('-o', '-a', '-d').report, 'disconnections');
  assert.equal(options('-d', '-o').report, 'meetings');
  assert.equal(options('-d', '--report', 'summary').report, 'summary');
  assert.equal(options('--report=users', '-a').report, 'attendees');
});

test('default formats: CSV for meetings and attendees (like tala), text otherwise', () => {
  assert.equal(defaultFormat('meetings'), 'csv');
  assert.equal(defaultFormat('attendees'), 'csv');
  assert.equal(defaultFormat('disconnections'), 'text');
  assert.equal(defaultFormat('summary'), 'text');
  assert.equal(options('-d', '--format', 'json').format, 'json');
});

test('--help, -?, -h and --version stop parsing where they are reached', () => {
  assert.equal(parseArgs(['--help', '--format', 'bad']).kind, 'help');
  assert.equal(parseArgs(['-?']).kind, 'help');
  assert.equal(parseArgs(['-h']).kind, 'help');
  assert.equal(parseArgs(['--vers']).kind, 'version');
  // a bad value before --help is reported first
  assert.equal(parseArgs(['--format', 'bad', '--help']).kind, 'usage-error');
  // a syntax error anywhere comes before everything (getopt parses the whole line first)
  const r = parseArgs(['--help', '-x']);
  assert.deepEqual(r, { kind: 'usage-error', message: 'Syntax error: option -x not recognized', showUsage: true });
});

test('-i is always a regex; --ip is networks (bare addresses too), a regex when it has regex syntax, else an error', () => {
  assert.equal(options('-i', '10.0.0.0/8').ipRegex, '10.0.0.0/8');
  const cidr = options('--ip', '10.57.0.0/16, 2001:db8::/32');
  assert.equal(cidr.ipNetworks, '10.57.0.0/16, 2001:db8::/32');
  assert.equal(cidr.ipRegex, undefined);
  assert.equal(options('--ip=^10\\.5[78]\\.').ipRegex, '^10\\.5[78]\\.');
  assert.equal(options('--ip', '10.57.1.20').ipNetworks, '10.57.1.20'); // a bare address is one host
  assert.equal(options('--ip', '10.57.0.0/16,10.58.0.0').ipNetworks, '10.57.0.0/16,10.58.0.0');
  // with a '/', a value is networks even with other text in it: checked strictly later, never a regex
  assert.equal(options('--ip', '10.57.0.0/16|10.58.').ipNetworks, '10.57.0.0/16|10.58.');
  const bad = parseArgs(['--ip', 'office', '-d']);
  assert.equal(bad.kind, 'usage-error');
  assert.match(
    (bad as { message: string }).message,
    /--ip 'office' is neither a list of networks nor a regular expression/,
  );
  assert.equal(parseArgs(['--ip', ' , ']).kind, 'usage-error');
  // with --compat tala, --ip is always tala's regex, the last of -i/--ip wins
  const compat = options('--compat', 'tala', '-d', '-i', 'a', '--ip', '10.0.0.0/8');
  assert.equal(compat.ipRegex, '10.0.0.0/8');
  assert.equal(compat.ipNetworks, undefined);
});

test('values are checked: format, report, group-by, include, param, max-rejections, compat', () => {
  for (const args of [
    ['--format', 'xml'],
    ['--report', 'nope'],
    ['--group-by', 'building'],
    ['--include', 'everything'],
    ['--param', 'novalue'],
    ['--max-rejections', '-1'],
    ['--compat', 'other'],
  ]) {
    const r = parseArgs(args);
    assert.equal(r.kind, 'usage-error', args.join(' '));
    assert.equal((r as { showUsage: boolean }).showUsage, false);
  }
  const o = options(
    '--param',
    'rejoinWindowSeconds=120',
    '--param',
    'minSessions = 5',
    '--include',
    'possible',
    '--max-rejections',
    '0',
    '--strict',
  );
  assert.deepEqual(o.params, [
    ['rejoinWindowSeconds', '120'],
    ['minSessions', '5'],
  ]);
  assert.equal(o.includePossible, true);
  assert.equal(o.maxMessages, 0);
  assert.equal(o.strict, true);
});

test('--compat tala refuses options that have no tala meaning', () => {
  for (const args of [
    ['--compat', 'tala', '--report', 'summary'],
    ['--compat', 'tala', '-d', '--format', 'json'],
    ['--compat', 'tala', '-d', '--site-map', 'x.csv'],
    ['--compat', 'tala', '-d', '--include', 'possible'],
  ]) {
    assert.equal(parseArgs(args).kind, 'usage-error', args.join(' '));
  }
  assert.equal(options('--compat=tala', '-u', 'users.csv').report, 'records');
});

test('added long options make --i ambiguous (--ip, --include); tala’s other prefixes still work', () => {
  assert.deepEqual(parseArgs(['--i', 'x']), {
    kind: 'usage-error',
    message: 'Syntax error: option --i not a unique prefix',
    showUsage: true,
  });
  assert.equal(options('--org').report, 'meetings');
  assert.equal(options('--att').report, 'attendees');
  assert.equal(options('--di').report, 'disconnections');
  assert.equal(options('--de').debug, true);
  assert.equal(options('--u', 'f.csv').usersFile, 'f.csv');
});

test('files are the operands after the options', () => {
  assert.deepEqual(options('-d', 'a.csv', 'b.csv').files, ['a.csv', 'b.csv']);
  assert.deepEqual(options('a.csv', '-d').files, ['a.csv', '-d']);
});
