// Python getopt.getopt semantics: bundled short options, unique-prefix long options, `--`,
// and parsing that stops at the first non-option argument.

export class GetoptError extends Error {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
    this.name = 'GetoptError';
  }
}

export interface ParsedOption {
  /** `-x` or `--long-name` (the full name, even when a prefix was typed). */
  name: string;
  /** The argument ('' for options without one). */
  value: string;
}

export interface GetoptResult {
  options: ParsedOption[];
  operands: string[];
  /** Parsing ended at a `--` (rather than at the first operand or the end). */
  endedByDoubleDash: boolean;
}

/**
 * @param shortSpec e.g. `adi:ou:?`: letters, `:` after those taking an argument.
 * @param longSpec e.g. `['debug', 'ip=']`: `=` after those taking an argument.
 * Messages match Python's (`option -x not recognized`, `option --d not a unique prefix`, ...).
 */
export function getopt(args: readonly string[], shortSpec: string, longSpec: readonly string[]): GetoptResult {
  const options: ParsedOption[] = [];
  let i = 0;
  let endedByDoubleDash = false;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      endedByDoubleDash = true;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      i = parseLong(args, i, longSpec, options);
    } else {
      i = parseShort(args, i, shortSpec, options);
    }
  }
  return { options, operands: args.slice(i), endedByDoubleDash };
}

function parseLong(args: readonly string[], i: number, longSpec: readonly string[], out: ParsedOption[]): number {
  const word = args[i]!.slice(2);
  const eq = word.indexOf('=');
  const typed = eq < 0 ? word : word.slice(0, eq);
  let inlineValue: string | undefined = eq < 0 ? undefined : word.slice(eq + 1);
  const possibilities = longSpec.filter((o) => o.startsWith(typed));
  if (possibilities.length === 0) throw new GetoptError(`option --${typed} not recognized`, typed);
  let name: string;
  let hasArg: boolean;
  if (possibilities.includes(typed)) {
    name = typed;
    hasArg = false;
  } else if (possibilities.includes(typed + '=')) {
    name = typed;
    hasArg = true;
  } else {
    if (possibilities.length > 1) throw new GetoptError(`option --${typed} not a unique prefix`, typed);
    const only = possibilities[0]!;
    hasArg = only.endsWith('=');
    name = hasArg ? only.slice(0, -1) : only;
  }
  let next = i + 1;
  if (hasArg) {
    if (inlineValue === undefined) {
      if (next >= args.length) throw new GetoptError(`option --${name} requires argument`, name);
      inlineValue = args[next]!;
      next++;
    }
  } else if (inlineValue !== undefined) {
    throw new GetoptError(`option --${name} must not have an argument`, name);
  }
  out.push({ name: `--${name}`, value: inlineValue ?? '' });
  return next;
}

function parseShort(args: readonly string[], i: number, shortSpec: string, out: ParsedOption[]): number {
  let rest = args[i]!.slice(1);
  let next = i + 1;
  while (rest !== '') {
    const letter = rest[0]!;
    rest = rest.slice(1);
    const at = shortSpec.indexOf(letter);
    if (letter === ':' || at < 0) throw new GetoptError(`option -${letter} not recognized`, letter);
    if (shortSpec[at + 1] === ':') {
      let value = rest;
      if (value === '') {
        if (next >= args.length) throw new GetoptError(`option -${letter} requires argument`, letter);
        value = args[next]!;
        next++;
      }
      out.push({ name: `-${letter}`, value });
      rest = '';
    } else {
      out.push({ name: `-${letter}`, value: '' });
    }
  }
  return next;
}
