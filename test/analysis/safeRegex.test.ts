import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  IpRegexFilter,
  MAX_PATTERN_LENGTH,
  RegexSyntaxError,
  translatePythonRegex,
} from '../../src/analysis/safeRegex.js';

const matches = (pattern: string, input: string): boolean => IpRegexFilter.compile(pattern).test(input);

test("tala's example: ^10\\.5[78]\\. selects 10.57.x and 10.58.x only", () => {
  const f = IpRegexFilter.compile('^10\\.5[78]\\.');
  assert.equal(f.pattern, '^10\\.5[78]\\.');
  assert.deepEqual(
    ['10.57.1.2', '10.58.0.1', '10.59.0.1', '110.57.1.1', '10.5.78.1', ''].map((ip) => f.test(ip)),
    [true, true, false, false, false, false],
  );
});

test('search is unanchored (re.search) unless the pattern anchors it', () => {
  assert.equal(matches('10\\.57\\.', '110.57.1.1'), true);
  assert.equal(matches('\\.1$', '10.0.0.1'), true);
  assert.equal(matches('\\.1$', '10.0.0.12'), false);
  assert.equal(matches('\\A10\\.', '10.0.0.1'), true);
  assert.equal(matches('1\\Z', '10.0.0.1'), true, 'Python \\Z (end of string)');
  assert.equal(matches('1\\Z', '10.0.0.12'), false);
});

test('matching is case-sensitive, with (?i) available', () => {
  assert.equal(matches('^fe80:', 'FE80::1'), false);
  assert.equal(matches('(?i)^fe80:', 'FE80::1'), true);
  assert.equal(matches('(?i:FE)80', 'fe80::1'), true);
});

test('an empty pattern matches everything, including a missing IP (tested as the empty string)', () => {
  assert.equal(matches('', ''), true);
  assert.equal(matches('', '10.0.0.1'), true);
  assert.equal(matches('.', ''), false);
});

test('Python-only syntax is translated', () => {
  assert.equal(matches('^(?P<first>10)\\.(?P<second>\\d+)\\.', '10.57.0.1'), true, 'named groups');
  assert.equal(matches('(?#site Zurich)^10\\.57', '10.57.0.1'), true, 'comments');
  assert.equal(matches('^1{,2}0\\.', '110.0.0.1'), true, '{,n} means {0,n}');
  assert.equal(matches('^1{,2}0\\.', '1110.0.0.1'), false);
  assert.equal(matches('\\061\\060', '10.0.0.1'), true, 'octal escapes (\\061 = "1", \\060 = "0")');
  assert.equal(matches('\\u0031\\x30', '10.0.0.1'), true, '\\uXXXX and \\xXX');
  assert.equal(matches('[]x]', 'a]b'), true, 'a ] first in a set is literal');
  assert.equal(matches('[\\b]', 'a\bb'), true, '\\b in a set is a backspace');
  assert.equal(matches('a{', 'xa{'), true, 'a { that is no quantifier is literal');
  // Python has no POSIX classes: [[:alpha:]] is the set {[, :, a, l, p, h} followed by ']'.
  assert.equal(matches('[[:alpha:]]', 'a]'), true);
  assert.equal(matches('[[:alpha:]]', 'a'), false);
  assert.equal(matches('[[:alpha:]]', 'z]'), false);
  assert.equal(translatePythonRegex('^10\\.5[78]\\.'), '^10\\.5[78]\\.', 'plain syntax is left alone');
});

function syntaxError(pattern: string): RegexSyntaxError {
  try {
    IpRegexFilter.compile(pattern);
  } catch (e) {
    assert.ok(e instanceof RegexSyntaxError, `expected RegexSyntaxError for ${pattern}, got ${String(e)}`);
    return e;
  }
  assert.fail(`${pattern} compiled`);
}

test('unsupported features and bad syntax are named in the message', () => {
  const cases: Array<[string, RegExp]> = [
    ['(\\d+)\\.\\1', /backreferences/],
    ['(?P<a>\\d)(?P=a)', /backreferences/],
    ['10(?=\\.)', /lookahead/],
    ['10(?!\\.)', /lookahead/],
    ['(?<=10)\\.', /lookbehind/],
    ['(?<!10)\\.', /lookbehind/],
    ['(?>10)', /atomic groups/],
    ['1++', /possessive/],
    ['1{2}+', /possessive/],
    ['(1)?(?(1)a|b)', /conditional/],
    ['(?x) 1 0', /verbose/],
    ['\\q', /bad escape \\q/],
    ['\\N{DIGIT ONE}', /named Unicode/],
    ['[10', /unterminated character set/],
    ['(10', /missing closing \)/],
    ['10)', /unexpected \)/],
    ['*10', /missing argument to repetition operator/],
    ['\\', /lone backslash/],
  ];
  for (const [pattern, why] of cases) {
    const e = syntaxError(pattern);
    assert.ok(e.message.startsWith(`'${pattern}' is not a valid regular expression: `), e.message);
    assert.match(e.message, why, pattern);
  }
});

test(`patterns longer than ${MAX_PATTERN_LENGTH} characters are refused`, () => {
  assert.doesNotThrow(() => IpRegexFilter.compile('1'.repeat(MAX_PATTERN_LENGTH)));
  const e = syntaxError('1'.repeat(MAX_PATTERN_LENGTH + 1));
  assert.match(e.message, /longer than 1000 characters/);
  assert.ok(e.message.length < 200, 'the message quotes a shortened pattern');
});

test('classic catastrophic-backtracking patterns complete on 100k-character inputs (linear-time engine)', () => {
  // A backtracking engine needs exponential time for these; completing at all is the point.
  const input = `${'a'.repeat(100_000)}!`;
  assert.equal(IpRegexFilter.compile('(a+)+$').test(input), false);
  assert.equal(IpRegexFilter.compile('^(a|aa)+$').test(input), false);
  assert.equal(IpRegexFilter.compile('(a*)*b').test(input), false);
  assert.equal(IpRegexFilter.compile('(a+)+!').test(input), true);
});

/** Escapes every regex metacharacter, like Python's re.escape. */
const escapeLiteral = (s: string): string =>
  s.replace(/[.^$*+?{}[\]\\|()#&~\-\s]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

test('property: an escaped literal behaves like a substring search', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), fc.nat(), (needle, hay, at) => {
      const i = at % (hay.length + 1);
      const haystack = hay.slice(0, i) + needle + hay.slice(i);
      const f = IpRegexFilter.compile(escapeLiteral(needle));
      assert.equal(f.test(haystack), true);
      assert.equal(f.test(hay), hay.includes(needle));
    }),
    { numRuns: 1000 },
  );
});

test('property: any pattern either compiles or raises RegexSyntaxError; a compiled one never throws', () => {
  const regexChars = fc.constantFrom(...'()[]{}?*+|^$\\.-:,0123456789abPZuxN<>=!#ims'.split(''));
  const pattern = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.array(regexChars, { maxLength: 20 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(pattern, fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (p, ip) => {
      let f: IpRegexFilter;
      try {
        f = IpRegexFilter.compile(p);
      } catch (e) {
        assert.ok(e instanceof RegexSyntaxError, `${JSON.stringify(p)} threw ${String(e)}`);
        assert.ok(e.message.startsWith(`'${p}' is not a valid regular expression: `));
        return;
      }
      assert.equal(typeof f.test(ip), 'boolean');
    }),
    { numRuns: 3000 },
  );
});
