// tala's `-i REGEX` IP filter: Python `re.search` semantics (unanchored, case-sensitive) on the
// linear-time re2js engine, with Python-only syntax translated and unsupported features named.
import { RE2JS } from 're2js';

/** Longest accepted pattern; longer ones are rejected before compiling. */
export const MAX_PATTERN_LENGTH = 1000;

/** A pattern that cannot be used. Message: `'<re>' is not a valid regular expression: <why>`. */
export class RegexSyntaxError extends Error {
  constructor(
    readonly regex: string,
    readonly why: string,
  ) {
    super(`'${regex.length > 80 ? `${regex.slice(0, 80)}…` : regex}' is not a valid regular expression: ${why}`);
    this.name = 'RegexSyntaxError';
  }
}

export class IpRegexFilter {
  private constructor(
    readonly pattern: string,
    private readonly compiled: RE2JS,
  ) {}

  /** Compiles a Python-syntax pattern; throws RegexSyntaxError with the reason. */
  static compile(pattern: string): IpRegexFilter {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw new RegexSyntaxError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters`);
    }
    const translated = translatePythonRegex(pattern);
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(translated);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new RegexSyntaxError(pattern, message.replace(/^error parsing regexp: /, ''));
    }
    return new IpRegexFilter(pattern, compiled);
  }

  /** Python `re.search(pattern, ip) is not None`: true when the pattern occurs anywhere in `ip`. */
  test(ip: string): boolean {
    return this.compiled.test(ip);
  }
}

const PYTHON_LETTER_ESCAPES = new Set(['a', 'b', 'B', 'd', 'D', 'f', 'n', 'r', 's', 'S', 't', 'v', 'w', 'W', 'A', 'z']);
const OCTAL = /^[0-7]$/;
const HEX = /^[0-9a-fA-F]$/;

/**
 * Rewrites Python regex syntax into RE2 syntax, or throws RegexSyntaxError for what RE2 cannot
 * do. Translated: `\Z` → `\z`; `\uXXXX`, `\UXXXXXXXX` and octal escapes → `\x{…}`; `(?#…)`
 * comments removed; `{,n}` → `{0,n}`; `[` and `\b` inside a character class made literal /
 * backspace as in Python. Rejected: backreferences, lookahead/lookbehind, atomic groups,
 * possessive quantifiers, conditional groups, verbose and locale flags, `\N{…}`.
 * `(?P<name>…)` is accepted by RE2 as written.
 */
export function translatePythonRegex(p: string): string {
  const fail = (why: string): never => {
    throw new RegexSyntaxError(p, why);
  };
  let out = '';
  let i = 0;
  let inClass = false;
  let classStart = -1; // index of the first character after '[' or '[^'
  let afterQuantifier: boolean = false;
  const n = p.length;

  const escape = (): string => {
    // p[i] is '\\'; consumes the escape and returns its RE2 form.
    const c = p[i + 1];
    if (c === undefined) return fail('pattern ends with a lone backslash');
    if (c >= '1' && c <= '9') {
      // Python: three octal digits form an octal escape; otherwise it is a backreference.
      const three = p.slice(i + 1, i + 4);
      if (three.length === 3 && [...three].every((d) => OCTAL.test(d))) {
        const code = parseInt(three, 8);
        if (code > 0o377) return fail(`octal escape \\${three} is outside the range 0-0o377`);
        i += 4;
        return `\\x{${code.toString(16)}}`;
      }
      if (inClass) return fail(`\\${c} in a character class is an invalid escape`);
      return fail(`backreferences (\\${c}) are not supported: the engine guarantees linear time and cannot match them`);
    }
    if (c === '0') {
      let j = i + 2;
      while (j < n && j < i + 4 && OCTAL.test(p[j] as string)) j++;
      const code = parseInt(p.slice(i + 1, j), 8);
      i = j;
      return `\\x{${code.toString(16)}}`;
    }
    if (c === 'u' || c === 'U') {
      const len = c === 'u' ? 4 : 8;
      const hex = p.slice(i + 2, i + 2 + len);
      if (hex.length !== len || ![...hex].every((d) => HEX.test(d)))
        return fail(`\\${c} needs exactly ${len} hex digits`);
      i += 2 + len;
      return `\\x{${hex}}`;
    }
    if (c === 'x') {
      const hex = p.slice(i + 2, i + 4);
      if (hex.length !== 2 || ![...hex].every((d) => HEX.test(d))) return fail('\\x needs exactly 2 hex digits');
      i += 4;
      return `\\x${hex}`;
    }
    if (c === 'N') return fail('named Unicode characters (\\N{…}) are not supported');
    if (c === 'Z') {
      if (inClass) return fail('\\Z in a character class is an invalid escape');
      i += 2;
      return '\\z';
    }
    if (/[A-Za-z]/.test(c)) {
      if (!PYTHON_LETTER_ESCAPES.has(c)) return fail(`bad escape \\${c}`);
      if (inClass) {
        if (c === 'b') {
          i += 2;
          return '\\x08';
        }
        if (c === 'A' || c === 'z' || c === 'B') return fail(`\\${c} in a character class is an invalid escape`);
      }
      i += 2;
      return `\\${c}`;
    }
    i += 2;
    // Escaped punctuation stays escaped; any other escaped character is itself in Python.
    return /[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(c) ? `\\${c}` : c === '\n' ? '\\n' : c;
  };

  while (i < n) {
    const c = p[i] as string;
    if (inClass) {
      if (c === '\\') {
        out += escape();
      } else if (c === ']' && i === classStart) {
        out += '\\]'; // Python: a ']' first in a set is a literal
        i++;
      } else if (c === ']') {
        out += ']';
        inClass = false;
        i++;
      } else if (c === '[') {
        out += '\\['; // Python has no [:alpha:] classes: '[' is a literal inside a class
        i++;
      } else {
        out += c;
        i++;
      }
      continue;
    }
    const wasAfterQuantifier: boolean = afterQuantifier;
    afterQuantifier = false;
    switch (c) {
      case '\\':
        out += escape();
        break;
      case '[':
        inClass = true;
        out += '[';
        i++;
        if (p[i] === '^') {
          out += '^';
          i++;
        }
        classStart = i; // a ']' right here is a literal
        break;
      case '(':
        out += group();
        break;
      case '*':
      case '+':
      case '?':
        if (wasAfterQuantifier && c === '+') fail('possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported');
        out += c;
        i++;
        // '?' after a quantifier makes it lazy; both engines agree.
        afterQuantifier = !(wasAfterQuantifier && c === '?');
        break;
      case '{': {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(p.slice(i));
        if (m !== null && (m[1] !== '' || m[3] !== '')) {
          const [whole, min, comma, max] = m as unknown as [string, string, string, string];
          out += `{${min === '' ? '0' : min}${comma}${max}}`;
          i += whole.length;
          afterQuantifier = true;
        } else {
          out += '\\{'; // not a quantifier: Python takes it literally
          i++;
        }
        break;
      }
      default:
        out += c;
        i++;
    }
  }
  if (inClass) fail('unterminated character set [');
  return out;

  function group(): string {
    // p[i] is '('.
    if (p[i + 1] !== '?') {
      i++;
      return '(';
    }
    const rest = p.slice(i + 2);
    if (rest.startsWith('P<')) {
      i += 2;
      return '(?';
    }
    if (rest.startsWith('P='))
      return fail(
        'backreferences ((?P=name)) are not supported: the engine guarantees linear time and cannot match them',
      );
    if (rest.startsWith('=') || rest.startsWith('!'))
      return fail('lookahead ((?=…), (?!…)) is not supported: the engine guarantees linear time');
    if (rest.startsWith('<=') || rest.startsWith('<!'))
      return fail('lookbehind ((?<=…), (?<!…)) is not supported: the engine guarantees linear time');
    if (rest.startsWith('>')) return fail('atomic groups ((?>…)) are not supported');
    if (rest.startsWith('(')) return fail('conditional groups ((?(id)yes|no)) are not supported');
    if (rest.startsWith('#')) {
      const close = p.indexOf(')', i);
      if (close < 0) return fail('missing ), unterminated comment');
      i = close + 1;
      return '';
    }
    if (rest.startsWith('<')) {
      i += 2;
      return '(?'; // (?<name>…): not Python, but unambiguous and supported by the engine
    }
    if (rest.startsWith(':')) {
      i += 3;
      return '(?:';
    }
    // Inline flags: (?flags) or (?flags-flags:…).
    const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
    if (m === null) return fail(`unknown extension (?${rest.slice(0, 1)}`);
    const [whole, on, off, end] = m as unknown as [string, string, string | undefined, string];
    const keep = (flags: string): string => {
      let kept = '';
      for (const f of flags) {
        if (f === 'i' || f === 'm' || f === 's') kept += f;
        else if (f === 'a' || f === 'u')
          continue; // ASCII/Unicode classes; IP strings are ASCII
        else if (f === 'x') fail('verbose mode (?x) is not supported');
        else if (f === 'L') fail('locale mode (?L) is not supported');
        else fail(`unknown flag '${f}'`);
      }
      return kept;
    };
    const onKept = keep(on);
    const offKept = off === undefined ? undefined : keep(off);
    i += 2 + whole.length;
    const flags = offKept === undefined || offKept === '' ? onKept : `${onKept}-${offKept}`;
    if (flags === '') return end === ':' ? '(?:' : '';
    return `(?${flags}${end}`;
  }
}
