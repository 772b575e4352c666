// How a `--ip VALUE` is read outside --compat tala, and the warning for a tala regex (-i, or --ip
// with --compat tala) that looks like an address or a network.
//
// The rule: a value holding a `/`, or made only of address characters (hex digits, `.`, `:`) and
// separators (commas, semicolons, white space), is a list of networks, checked strictly (a bare
// address is one host). Otherwise a value holding regular-expression syntax other than `.`
// (`\ ^ $ * + ? ( ) [ ] { } |`) is tala's regex, as for -i. Anything else is an error.

export type IpOptionReading = { kind: 'networks' } | { kind: 'regex' } | { kind: 'error'; message: string };

const SEPARATORS = /[\s,;]+/;
const ADDRESS_CHARACTERS = /^[0-9A-Fa-f:.]+$/;
const REGEX_SYNTAX = /[\\^$*+?()[\]{}|]/;

/** The one place the rule is spelled out for messages. */
export const IP_OPTION_RULE =
  "--ip takes networks (10.57.0.0/16, or 10.57.6.1 for one host, separated by commas) or, when the value has regular-expression syntax such as ^ or \\., tala's regex; -i always takes a regex";

export function readIpOption(value: string): IpOptionReading {
  const items = value.split(SEPARATORS).filter((item) => item !== '');
  if (items.length === 0) return { kind: 'error', message: `--ip: the value is empty (${IP_OPTION_RULE})` };
  if (value.includes('/') || items.every((item) => ADDRESS_CHARACTERS.test(item))) return { kind: 'networks' };
  if (REGEX_SYNTAX.test(value)) return { kind: 'regex' };
  return {
    kind: 'error',
    message: `--ip '${value}' is neither a list of networks nor a regular expression (${IP_OPTION_RULE})`,
  };
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}$/;
const CIDR_IN_REGEX = /[0-9A-Fa-f.:]\/\d/;

function escapeRegex(text: string): string {
  return text.replace(/[.\\^$*+?()[\]{}|]/g, '\\$&');
}

/**
 * A warning when a tala regex looks like a network (it holds `address/prefix`: the address text never
 * contains `/`, so it selects nothing) or like one address without both anchors (its dots match any
 * character and it also selects longer addresses); undefined otherwise. `networksOption` says whether
 * `--ip` can select networks in this run (not with --compat tala).
 */
export function regexAddressWarning(regex: string, networksOption: boolean): string | undefined {
  if (CIDR_IN_REGEX.test(regex)) {
    const cidr = regex.replace(/^\^/, '').replace(/\$$/, '');
    const advice = networksOption
      ? `for the network write --ip ${cidr}`
      : "write a regex for the addresses instead, e.g. '^10\\.57\\.' for 10.57.0.0/16";
    return `-i/--ip '${regex}' is a regular expression (tala's -i), searched in the address text, which never holds a '/': it selects nothing; ${advice}`;
  }
  const bare = regex.replace(/^\^/, '').replace(/\$$/, '');
  const anchored = regex.startsWith('^') && regex.endsWith('$');
  if (!anchored && (IPV4.test(bare) || IPV6.test(bare))) {
    const exact = `^${escapeRegex(bare)}$`;
    return (
      `-i/--ip '${regex}' is a regular expression (tala's -i): it is searched anywhere in the address and '.' matches any character, ` +
      `so it also selects other addresses that contain it; for this address alone write '${exact}'${networksOption ? ` or --ip ${bare}` : ''}`
    );
  }
  return undefined;
}
