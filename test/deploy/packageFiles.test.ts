// The file selection of scripts/package-files.mjs: .funcignore read with gitignore semantics, as azd
// reads it, on a folder built for each rule, and azd's own exclusions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './packageFixture.js';

/** The functions scripts/package-files.mjs exports. */
interface PackageFiles {
  parseIgnoreFile: (text: string) => unknown[];
  isIgnored: (rules: unknown[], relPath: string, isDir: boolean) => boolean;
  selectPackageFiles: (root: string) => string[];
}

const load = (): Promise<PackageFiles> =>
  import(pathToFileURL(join(REPO_ROOT, 'scripts', 'package-files.mjs')).href) as Promise<PackageFiles>;
const work = mkdtempSync(join(tmpdir(), 'package-files-'));
after(() => rmSync(work, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('a pattern without a slash matches a name at any depth; a leading slash anchors it to the root', async () => {
  const { parseIgnoreFile, isIgnored } = await load();
  const rules = parseIgnoreFile('test\n/src/\n*.map\n');
  assert.equal(isIgnored(rules, 'test', true), true);
  assert.equal(isIgnored(rules, 'dist/test', true), true);
  assert.equal(isIgnored(rules, 'src', true), true);
  assert.equal(isIgnored(rules, 'dist/src', true), false, '/src/ leaves the compiled dist/src in');
  assert.equal(isIgnored(rules, 'src', false), false, 'a trailing slash matches folders only');
  assert.equal(isIgnored(rules, 'dist/src/index.js.map', false), true);
  assert.equal(isIgnored(rules, 'dist/src/index.js', false), false);
});

test('the last matching rule wins, "!" brings a file back, comments and blank lines are nothing, ** spans folders', async () => {
  const { parseIgnoreFile, isIgnored } = await load();
  const rules = parseIgnoreFile('# comment\n\n*.md\n!KEEP.md\ndocs/**/draft-*\n\\#hash\n');
  assert.equal(isIgnored(rules, 'README.md', false), true);
  assert.equal(isIgnored(rules, 'a/KEEP.md', false), false);
  assert.equal(isIgnored(rules, 'docs/draft-1.txt', false), true);
  assert.equal(isIgnored(rules, 'docs/a/b/draft-2.txt', false), true);
  assert.equal(isIgnored(rules, 'notes/draft-3.txt', false), false);
  assert.equal(isIgnored(rules, '#hash', false), true);
  assert.equal(isIgnored(rules, 'comment', false), false);
});

test('selection: ignored folders are not entered, azd always leaves out .azure/, the ignore file and local.settings.json, the checkout node_modules never goes in', async () => {
  const { selectPackageFiles } = await load();
  const root = tree('select', {
    '.funcignore': 'test\n/src/\n!test/keep.txt\n',
    'host.json': '{}',
    'local.settings.json': '{}',
    '.azure/env/.env': 'SECRET=1',
    'node_modules/x/index.js': '',
    'src/a.ts': '',
    'dist/src/a.js': '',
    'dist/test/a.test.js': '',
    'test/keep.txt': '',
    'nested/local.settings.json': '{}',
  });
  symlinkSync(join(root, 'dist'), join(root, 'linked'), 'dir');
  assert.deepEqual(selectPackageFiles(root), ['dist/src/a.js', 'host.json', 'linked/src/a.js']);
});

test('the repository .funcignore: the compiled app and its manifests go in; sources, tests, infrastructure, docs and tooling stay out', async () => {
  const { selectPackageFiles } = await load();
  const files = selectPackageFiles(REPO_ROOT);
  for (const needed of ['host.json', 'package.json', 'package-lock.json', 'dist/src/index.js'])
    assert.ok(files.includes(needed), needed);
  const outside = files.filter((f) => !/^(dist\/(src|dashboard)\/|host\.json$|package(-lock)?\.json$|LICENSE)/.test(f));
  assert.deepEqual(outside, [], 'nothing but the compiled app and its manifests');
});
