// The app's entry files as the worker finds them: package.json `main`, a path or glob.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder at or above `start` that holds a package.json. */
export function findPackageRoot(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${start}`);
    dir = parent;
  }
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) throw new Error(`Unbalanced "{" in the main pattern "${pattern}"`);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((alt) => expandBraces(head + alt + tail));
}

function segmentRegex(segment: string): RegExp {
  const body = segment
    .split('')
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Expands a package.json `main` value the way the worker's glob does for the forms apps use:
 * brace alternatives and `*` / `?` inside a path segment. Returns existing files, in pattern
 * order, sorted within each alternative.
 */
export function expandMainPattern(packageRoot: string, pattern: string): string[] {
  const out: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    let candidates = [packageRoot];
    for (const segment of alternative.split('/').filter((s) => s !== '' && s !== '.')) {
      const next: string[] = [];
      for (const dir of candidates) {
        if (!/[*?]/.test(segment)) {
          const path = join(dir, segment);
          if (existsSync(path)) next.push(path);
          continue;
        }
        if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
        const re = segmentRegex(segment);
        for (const name of readdirSync(dir).sort()) if (re.test(name)) next.push(join(dir, name));
      }
      candidates = next;
    }
    for (const file of candidates) {
      if (statSync(file).isFile() && !out.includes(file)) out.push(file);
    }
  }
  return out;
}

export function mainFiles(packageRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main === '') {
    throw new Error(`${join(packageRoot, 'package.json')} has no "main"; the Functions host loads the files it names`);
  }
  const files = expandMainPattern(packageRoot, pkg.main);
  if (files.length === 0) {
    throw new Error(`package.json "main" (${pkg.main}) matches no file under ${packageRoot}; run npm run build first`);
  }
  return files;
}
