// Binding templates the local host has to interpret: %SETTING% tokens, HTTP route templates
// ({id}, {id:int}, {id?}, {*rest}) and blob trigger paths (container/{name}).
import { SETTING_DEFAULTS } from '../names.js';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Replaces every %NAME% with the app setting NAME (environment, then names.json defaults). */
export function resolveSettings(text: string, env: NodeJS.ProcessEnv, usedBy: string): string {
  return text.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = env[name] !== undefined && env[name] !== '' ? env[name] : SETTING_DEFAULTS[name];
    if (value === undefined) {
      throw new TemplateError(`App setting ${name} (used by ${usedBy}) is not set; set it in the environment`);
    }
    return value;
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- HTTP routes ----

const CONSTRAINTS: Record<string, { pattern: string; check?: (v: string) => boolean }> = {
  int: { pattern: '-?\\d+', check: (v) => Number.isSafeInteger(Number(v)) && Math.abs(Number(v)) <= 2 ** 31 },
  long: { pattern: '-?\\d+' },
  alpha: { pattern: '[A-Za-z]+' },
  bool: { pattern: '(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])' },
  guid: { pattern: '[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}' },
  double: { pattern: '-?\\d+(?:\\.\\d+)?' },
  float: { pattern: '-?\\d+(?:\\.\\d+)?' },
  decimal: { pattern: '-?\\d+(?:\\.\\d+)?' },
};

export interface RouteMatch {
  params: Record<string, string>;
}

export interface CompiledRoute {
  /** The template without the route prefix, e.g. "meetings/{meetingId}". */
  readonly template: string;
  /** Per-segment ranks (see RANK): literal segments beat parameters, catch-alls come last. */
  readonly precedence: readonly number[];
  match(path: string): RouteMatch | undefined;
}

/** Segment ranks for ordering routes; a route that has ended outranks an optional or catch-all segment. */
const RANK = { literal: 5, constrained: 4, parameter: 3, end: 2, optional: 1, catchAll: 0 } as const;

interface ParamSpec {
  name: string;
  check?: (v: string) => boolean;
}

/**
 * Compiles a Functions route template. `path` given to match() is the part after the route
 * prefix, without leading or trailing slashes and still URL-encoded.
 */
export function compileRoute(template: string, functionName: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/');
  const params: ParamSpec[] = [];
  const precedence: number[] = [];
  let regex = '^';
  segments.forEach((segment, index) => {
    const isLast = index === segments.length - 1;
    const catchAll = /^\{\*([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(segment);
    if (catchAll) {
      if (!isLast)
        throw new TemplateError(`Route "${template}" of ${functionName}: a catch-all {*...} must be the last segment`);
      params.push({ name: catchAll[1]! });
      regex += index === 0 ? '(.*)' : '(?:/(.*))?';
      precedence.push(RANK.catchAll);
      return;
    }
    const optional = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\?\}$/.exec(segment);
    if (optional) {
      if (!isLast)
        throw new TemplateError(`Route "${template}" of ${functionName}: an optional {name?} must be the last segment`);
      const constraint = optional[2] ? CONSTRAINTS[optional[2]] : undefined;
      if (optional[2] && !constraint) {
        throw new TemplateError(
          `Route "${template}" of ${functionName}: constraint ":${optional[2]}" is not supported by the local host`,
        );
      }
      params.push({ name: optional[1]!, check: constraint?.check });
      const body = constraint ? constraint.pattern : '[^/]+';
      regex += index === 0 ? `(${body})?` : `(?:/(${body}))?`;
      precedence.push(RANK.optional);
      return;
    }
    if (index > 0) regex += '/';
    let hasParam = false;
    let constrained = false;
    let rest = segment;
    while (rest.length > 0) {
      const open = rest.indexOf('{');
      if (open < 0) {
        regex += escapeRegex(rest);
        break;
      }
      regex += escapeRegex(rest.slice(0, open));
      const close = rest.indexOf('}', open);
      const token =
        close < 0 ? undefined : /^\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}$/.exec(rest.slice(open, close + 1));
      if (!token) {
        throw new TemplateError(
          `Route "${template}" of ${functionName}: "${segment}" is not a supported route segment`,
        );
      }
      const constraint = token[2] ? CONSTRAINTS[token[2]] : undefined;
      if (token[2] && !constraint) {
        throw new TemplateError(
          `Route "${template}" of ${functionName}: constraint ":${token[2]}" is not supported by the local host`,
        );
      }
      params.push({ name: token[1]!, check: constraint?.check });
      regex += `(${constraint ? constraint.pattern : '[^/]+?'})`;
      hasParam = true;
      constrained ||= !!constraint;
      rest = rest.slice(close + 1);
    }
    precedence.push(!hasParam ? RANK.literal : constrained ? RANK.constrained : RANK.parameter);
  });
  const names = params.map((p) => p.name.toLowerCase());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate)
    throw new TemplateError(`Route "${template}" of ${functionName}: parameter {${duplicate}} appears twice`);
  const re = new RegExp(regex + '$', 'i');

  return {
    template: trimmed,
    precedence,
    match(path: string): RouteMatch | undefined {
      const m = re.exec(path);
      if (!m) return undefined;
      const out: Record<string, string> = {};
      for (let i = 0; i < params.length; i++) {
        const raw = m[i + 1];
        if (raw === undefined) continue;
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return undefined;
        }
        const spec = params[i]!;
        if (spec.check && !spec.check(value)) return undefined;
        out[spec.name] = value;
      }
      return { params: out };
    },
  };
}

/** Orders routes so that the most specific one is tried first. */
export function compareRoutePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const pa = a.precedence[i] ?? RANK.end;
    const pb = b.precedence[i] ?? RANK.end;
    if (pa !== pb) return pb - pa;
  }
  return 0;
}

// ---- Blob trigger paths ----

export interface BlobPathPattern {
  readonly container: string;
  /** The literal start of blob names, for listing with a prefix. */
  readonly prefix: string;
  /** The {tokens} of a blob name, or undefined when the name does not fit the pattern. */
  match(blobName: string): Record<string, string> | undefined;
}

/** Compiles a resolved blob trigger path such as "audit-exports/{name}" or "in/{folder}/{name}.csv". */
export function compileBlobPath(path: string, functionName: string): BlobPathPattern {
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const namePattern = slash < 0 ? '' : path.slice(slash + 1);
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(container)) {
    throw new TemplateError(`Blob path "${path}" of ${functionName}: "${container}" is not a valid container name`);
  }
  if (namePattern === '') {
    throw new TemplateError(
      `Blob path "${path}" of ${functionName}: the path needs a blob name pattern after the container, e.g. ${container}/{name}`,
    );
  }
  const tokens: string[] = [];
  let regex = '^';
  let rest = namePattern;
  let prefix: string | undefined;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open < 0) {
      regex += escapeRegex(rest);
      break;
    }
    const literal = rest.slice(0, open);
    prefix ??= namePattern.slice(0, namePattern.length - rest.length) + literal;
    regex += escapeRegex(literal);
    const close = rest.indexOf('}', open);
    const token = close < 0 ? undefined : /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(rest.slice(open, close + 1));
    if (!token) throw new TemplateError(`Blob path "${path}" of ${functionName}: "${rest}" has a malformed {token}`);
    tokens.push(token[1]!);
    // {name} as the last token may span "folders", as in the Functions host; earlier tokens stop at "/".
    const isLastToken = !rest.slice(close + 1).includes('{');
    regex += isLastToken ? '(.+)' : '([^/]+)';
    rest = rest.slice(close + 1);
  }
  // "s": any character, newlines included, can be part of a blob name.
  const re = new RegExp(regex + '$', 's');
  return {
    container,
    prefix: prefix ?? namePattern,
    match(blobName: string) {
      const m = re.exec(blobName);
      if (!m) return undefined;
      const out: Record<string, string> = {};
      tokens.forEach((t, i) => {
        out[t] = m[i + 1]!;
      });
      return out;
    },
  };
}
