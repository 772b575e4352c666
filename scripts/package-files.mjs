// Which files of the checkout go into the deployment package: .funcignore read with gitignore
// semantics (as azd reads it), plus the files azd always leaves out (.azure/, the ignore file itself,
// local.settings.json). node_modules is never taken from the checkout: the package gets its own,
// installed with production dependencies only (scripts/package.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const IGNORE_FILE = '.funcignore';

/**
 * One gitignore line as a matcher. Returns undefined for blank lines and comments.
 * @param {string} line
 */
export function parseIgnoreLine(line) {
  let text = line.replace(/^\uFEFF/, '');
  if (text.startsWith('#')) return undefined;
  text = text.replace(/(?<!\\)\s+$/, '');
  if (text === '') return undefined;
  let negate = false;
  if (text.startsWith('!')) {
    negate = true;
    text = text.slice(1);
  } else if (text.startsWith('\\!') || text.startsWith('\\#')) {
    text = text.slice(1);
  }
  let dirOnly = false;
  if (text.endsWith('/')) {
    dirOnly = true;
    text = text.slice(0, -1);
  }
  // A slash at the start or in the middle anchors the pattern to the root; otherwise it matches a name at any depth.
  const anchored = text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  return { pattern: line.trim(), negate, dirOnly, regex: globToRegex(text, anchored) };
}

/** @param {string} glob @param {boolean} anchored */
function globToRegex(glob, anchored) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === glob.length)
            out += '.*'; // trailing "/**": everything inside
          else {
            out += '(?:.*/)?';
            i++;
          } // "**/": zero or more folders
          i++;
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) out += escapeRegex(glob[++i]);
    else out += escapeRegex(c);
  }
  return new RegExp(anchored ? `^${out}$` : `(?:^|/)${out}$`);
}

/** @param {string} c */
function escapeRegex(c) {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The rules of an ignore file's text, in order. @param {string} text */
export function parseIgnoreFile(text) {
  return text
    .split(/\r?\n/)
    .map(parseIgnoreLine)
    .filter((rule) => rule !== undefined);
}

/**
 * Whether a path (relative, with /) is ignored: the last matching rule decides. Callers walk from the
 * root and do not enter ignored folders, so a file under an ignored folder stays out, as in git.
 * @param {ReturnType<typeof parseIgnoreFile>} rules @param {string} relPath @param {boolean} isDir
 */
export function isIgnored(rules, relPath, isDir) {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.regex.test(relPath)) ignored = !rule.negate;
  }
  return ignored;
}

/** Left out whatever the ignore file says: azd's own exclusions, and the checkout's node_modules. */
function alwaysLeftOut(relPath, name, isDir) {
  if (isDir) return name === '.azure' || relPath === 'node_modules';
  return name === IGNORE_FILE || name === 'local.settings.json';
}

/**
 * The files of `root` that go into the package, as sorted relative paths with /. Symbolic links are
 * followed, as azd does.
 * @param {string} root
 * @returns {string[]}
 */
export function selectPackageFiles(root) {
  let text = '';
  try {
    text = readFileSync(join(root, IGNORE_FILE), 'utf8');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const rules = parseIgnoreFile(text);
  const files = [];
  const walk = (dir, prefix) => {
    for (const name of readdirSync(dir).sort()) {
      const relPath = prefix === '' ? name : `${prefix}/${name}`;
      const full = join(dir, name);
      const isDir = statSync(full).isDirectory();
      if (alwaysLeftOut(relPath, name, isDir) || isIgnored(rules, relPath, isDir)) continue;
      if (isDir) walk(full, relPath);
      else files.push(relPath);
    }
  };
  walk(root, '');
  return files;
}
