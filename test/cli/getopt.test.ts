// Python getopt semantics; expected results and messages are those of CPython 3.11's getopt
// for the same spec ('adi:ou:?' and tala's long options).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getopt, GetoptError } from '../../src/cli/getopt.js';

const SHORT = 'adi:ou:?';
const LONG = ['attendees', 'debug', 'disconnect', 'help', 'ip=', 'organizers', 'users=', 'version'];
const run = (...args: string[]) => getopt(args, SHORT, LONG);
const pairs = (r: ReturnType<typeof run>) => r.options.map((o) => [o.name, o.value]);

test('bundled short options; -i takes the rest of the word or the next word', () => {
  assert.deepEqual(pairs(run('-di^10', 'f')), [
    ['-d', ''],
    ['-i', '^10'],
  ]);
  assert.deepEqual(pairs(run('-di', '^10', 'f')), [
    ['-d', ''],
    ['-i', '^10'],
  ]);
  assert.deepEqual(pairs(run('-ad?')), [
    ['-a', ''],
    ['-d', ''],
    ['-?', ''],
  ]);
  assert.deepEqual(run('-di^10', 'f').operands, ['f']);
});

test('long options: exact, unique prefix, =value or next word', () => {
  assert.deepEqual(pairs(run('--disc', '--ip=^10', '--users', 'u.csv', '--deb')), [
    ['--disconnect', ''],
    ['--ip', '^10'],
    ['--users', 'u.csv'],
    ['--debug', ''],
  ]);
  assert.deepEqual(pairs(run('--ip=')), [['--ip', '']]);
});

test('errors use Python getopt wording', () => {
  const message = (args: string[]) => {
    try {
      getopt(args, SHORT, LONG);
    } catch (e) {
      assert.ok(e instanceof GetoptError);
      return e.message;
    }
    return 'no error';
  };
  assert.equal(message(['--d']), 'option --d not a unique prefix');
  assert.equal(message(['--nope']), 'option --nope not recognized');
  assert.equal(message(['-x']), 'option -x not recognized');
  assert.equal(message(['-i']), 'option -i requires argument');
  assert.equal(message(['--ip']), 'option --ip requires argument');
  assert.equal(message(['--debug=1']), 'option --debug must not have an argument');
  assert.equal(message(['-:']), 'option -: not recognized');
});

test('parsing stops at the first non-option; "-" is an operand; "--" ends options', () => {
  assert.deepEqual(run('file', '-d'), { options: [], operands: ['file', '-d'], endedByDoubleDash: false });
  assert.deepEqual(run('-', '-d').operands, ['-', '-d']);
  const r = run('-o', '--', '-d', 'x');
  assert.deepEqual(pairs(r), [['-o', '']]);
  assert.deepEqual(r.operands, ['-d', 'x']);
  assert.equal(r.endedByDoubleDash, true);
  assert.equal(run('-o', 'x', '--').endedByDoubleDash, false); // a later "--" is an operand
});
