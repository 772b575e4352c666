// The query string as the caller sent it, parsed here rather than trusted from the Functions host: the
// host's query map joins a repeated parameter's values with a comma (`limit=10&limit=20` arrives as
// "10,20", `meeting=a&meeting=b` as "a,b") and replaces bad percent-encoding with U+FFFD. Both are
// refused with a 400 that names the parameter.
import { ApiError, badParameter } from './types.js';

/** Decodes one form-encoded component (`+` is a space); undefined when its percent-encoding is not UTF-8. */
function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function badEncoding(parameter: string, what: string): ApiError {
  return badParameter(
    parameter,
    `${what} has bad percent-encoding: each % must start %XX of UTF-8 bytes (e.g. %C3%A9 for é)`,
    'InvalidEncoding',
  );
}

/** The parameters of a raw query string (without its `?`): each once, decoded. */
export function parseQueryString(raw: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodeComponent(rawName);
    if (name === undefined) throw badEncoding(rawName.slice(0, 40), 'a parameter name');
    const value = decodeComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (value === undefined) throw badEncoding(name, `"${name}"`);
    if (values.has(name))
      throw badParameter(name, `"${name}" is given more than once; give it once (lists are comma-separated)`);
    values.set(name, value);
  }
  return values;
}

/** The query string of a request URL, without its `?`. */
function rawQueryOf(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  return q < 0 ? '' : withoutFragment.slice(q + 1);
}

/**
 * The query parameters of a request URL. Only the query is checked: the host hands the path over already
 * decoded (a meeting id with a literal % is legitimate there), and route parameters come from its router.
 */
export function urlQueryValues(url: string): Map<string, string> {
  return parseQueryString(rawQueryOf(url));
}
