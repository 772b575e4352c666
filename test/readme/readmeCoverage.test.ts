// Every command the README or a page of docs/ tells a reader to type is either run by a test (cliCommands,
// pipelineCommands) or listed in NOT_RUN with its reason; and every list entry still names such a command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI_COMMANDS, NOT_RUN, PIPELINE_COMMANDS, notRunEntry } from './commandLists.js';
import { extractCommands, isInlineCommand, splitCompound, stripComment } from './readmeCommands.js';
import { readDocuments } from './workFolder.js';

const documentCommands = () =>
  readDocuments().flatMap((doc) => extractCommands(doc.text).map((c) => ({ ...c, path: doc.path })));

const SAMPLE = [
  'Intro with `teams-audit -d x.csv` and the name `teams-audit` alone.',
  '',
  '```sh',
  'npm install && npm start     # set up',
  'az storage blob upload --auth-mode login \\',
  '  -c "$C" -f a.csv   # Succeeded',
  '',
  'curl -d \'{"a":"#1 && 2"}\' http://x',
  '```',
  '',
  '```json',
  '{ "not": "a command" }',
  '```',
  '',
  '| Case | `teams-audit --compat tala -d` |',
  'Messages look like `teams-audit: WARNING: <file>` and run `.ci/run` or `PORT=1 npm start`; a span may',
  'break: `az storage',
  'blob upload`.',
].join('\n');

test('extractCommands: shell blocks line by line, continuations joined, comments dropped, && split; inline commands', () => {
  assert.deepEqual(
    extractCommands(SAMPLE).map((c) => [c.text, c.line, c.where]),
    [
      ['teams-audit -d x.csv', 1, 'inline'],
      ['npm install', 4, 'block'],
      ['npm start', 4, 'block'],
      ['az storage blob upload --auth-mode login -c "$C" -f a.csv', 5, 'block'],
      ['curl -d \'{"a":"#1 && 2"}\' http://x', 8, 'block'],
      ['teams-audit --compat tala -d', 15, 'inline'],
      ['.ci/run', 16, 'inline'],
      ['PORT=1 npm start', 16, 'inline'],
      ['az storage blob upload', 17, 'inline'],
    ],
  );
});

test('extractCommands: a here-document is part of the command that opens it', () => {
  const text = ['```sh', 'cat > a.json <<EOF', '{ "x": 1 }', 'EOF', 'az rest --body @a.json', '```'].join('\n');
  assert.deepEqual(
    extractCommands(text).map((c) => [c.text, c.line]),
    [
      ['cat > a.json <<EOF { "x": 1 } EOF', 2],
      ['az rest --body @a.json', 5],
    ],
  );
});

test('the helpers: comments and && only outside quotes; a program name alone or a message is not a command', () => {
  assert.equal(stripComment("echo '# kept' # dropped"), "echo '# kept' ");
  assert.equal(stripComment('a#b'), 'a#b');
  assert.deepEqual(splitCompound('a && "b && c" && d'), ['a', '"b && c"', 'd']);
  assert.equal(isInlineCommand('teams-audit'), false);
  assert.equal(isInlineCommand('teams-audit: ERROR: x'), false);
  assert.equal(isInlineCommand('NODE_OPTIONS=--x teams-audit …'), true);
  assert.equal(isInlineCommand('A=<a value> B="x y" npm start'), true);
  assert.equal(isInlineCommand('Get-AdminAuditLogConfig | Format-List X'), true);
  assert.equal(isInlineCommand('--ip=^10\\.'), false);
});

test('every command of the README and docs/ is run by a test or listed in NOT_RUN with its reason', () => {
  const run = new Set<string>([...CLI_COMMANDS, ...PIPELINE_COMMANDS]);
  const commands = documentCommands();
  assert.ok(commands.length > 50, `found only ${commands.length} commands: is the extraction broken?`);
  const missing = commands.filter((c) => !run.has(c.text) && notRunEntry(c.text) === undefined);
  assert.deepEqual(
    missing.map((c) => `${c.path}:${c.line}: ${c.text}`),
    [],
    'run these in test/readme/cliCommands or pipelineCommands, or add them to NOT_RUN with a reason',
  );
});

test('no list names a command the documents do not have', () => {
  const texts = documentCommands().map((c) => c.text);
  for (const entry of NOT_RUN) {
    assert.ok(entry.reason.length > 10, `a reason for ${String(entry.command)}`);
    const used = texts.some((text) =>
      typeof entry.command === 'string' ? text === entry.command : entry.command.test(text),
    );
    assert.ok(used, `NOT_RUN entry ${String(entry.command)} matches no command of the README or docs/: remove it`);
  }
  for (const command of [...CLI_COMMANDS, ...PIPELINE_COMMANDS]) {
    assert.ok(texts.includes(command), `"${command}" is run by a test but is in neither the README nor docs/`);
    assert.equal(notRunEntry(command), undefined, `"${command}" is both run and in NOT_RUN`);
  }
});
