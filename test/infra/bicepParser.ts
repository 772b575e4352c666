// Syntax-only Bicep parsing for the infra checks: tree-sitter-bicep's grammar on web-tree-sitter (WASM, no compiler),
// and the ERROR / MISSING nodes of a parse reported as file:line:col.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

export interface BicepSource {
  /** Absolute path of the file. */
  readonly path: string;
  /** Path shown in messages (relative to the repository root). */
  readonly displayPath: string;
  readonly text: string;
  readonly root: Node;
}

function packageRootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

/** The repository root (the nearest folder above this file holding package.json). */
export const REPO_ROOT = packageRootAbove(__dirname);

let parserPromise: Promise<Parser> | undefined;

/** One parser for the process; the WASM grammar is loaded once. */
export function bicepParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses a Bicep file (or the given text, reported under `path`). */
export async function parseBicep(path: string, text?: string): Promise<BicepSource> {
  const parser = await bicepParser();
  const source = text ?? readFileSync(path, 'utf8');
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  const absolute = resolve(path);
  const fromRoot = relative(REPO_ROOT, absolute);
  const displayPath = fromRoot.startsWith('..') || isAbsolute(fromRoot) ? absolute : fromRoot.split(sep).join('/');
  return { path: absolute, displayPath, text: source, root: tree.rootNode };
}

/** Every .bicep file under `dir`, sorted. */
export function listBicepFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listBicepFiles(path));
    else if (name.endsWith('.bicep')) out.push(path);
  }
  return out;
}

/** `file:line:col` (1-based) of a node. */
export function locate(source: BicepSource, node: Node): string {
  return `${source.displayPath}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}

/** One message per ERROR or MISSING node: `file:line:col: ERROR near "…"` / `file:line:col: MISSING "}"`. */
export function syntaxProblems(source: BicepSource): string[] {
  const problems: string[] = [];
  const visit = (node: Node): void => {
    if (node.isMissing) {
      problems.push(`${locate(source, node)}: MISSING "${node.type}"`);
    } else if (node.isError) {
      problems.push(`${locate(source, node)}: ERROR near "${excerpt(node.text)}"`);
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(source.root);
  return problems;
}
