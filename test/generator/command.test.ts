import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runGenerate } from '../../src/generator/command.js';
import { generateExport } from '../../src/generator/exportGenerator.js';

/** A slow sink with a tiny buffer, so the command must honour backpressure to deliver everything. */
function sink(): { stream: Writable; text: () => string; writes: () => number } {
  const parts: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer | string, _encoding, callback) {
      parts.push(chunk.toString());
      setImmediate(callback);
    },
  });
  return { stream, text: () => parts.join(''), writes: () => parts.length };
}

test('writes the export to stdout when no --out is given', async () => {
  const out = sink();
  const err = sink();
  const code = await runGenerate(['--records', '700', '--seed', '3', '--format', 'ndjson', '--scenario=townhall'], {
    stdout: out.stream,
    stderr: err.stream,
  });
  assert.equal(code, 0);
  const expected = [...generateExport({ seed: 3, records: 700, scenario: 'townhall', format: 'ndjson' }).chunks()].join(
    '',
  );
  assert.equal(out.text(), expected);
  assert.equal(
    out
      .text()
      .split('\n')
      .filter((l) => l !== '').length,
    700,
  );
  assert.ok(out.writes() > 1, 'streamed in several chunks');
  assert.equal(err.text(), '');
});

test('--out and --truth write the file and its ground truth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'generate-'));
  try {
    const out = sink();
    const err = sink();
    const file = join(dir, 'export.csv');
    const truthFile = join(dir, 'truth.json');
    const argv = [
      '--records',
      '1200',
      '--seed',
      '9',
      '--bad-rows',
      '0.01',
      '--duplicates',
      '0.02',
      '--other-operations',
      '0',
      '--meeting-id-prefix',
      'ab12',
      '--out',
      file,
      '--truth',
      truthFile,
    ];
    assert.equal(await runGenerate(argv, { stdout: out.stream, stderr: err.stream }), 0);
    const generated = generateExport({
      seed: 9,
      records: 1200,
      scenario: 'mixed',
      format: 'purview-v3',
      badRowShare: 0.01,
      duplicateShare: 0.02,
      otherOperationsShare: 0,
      meetingIdPrefix: 'ab12',
    });
    assert.equal(readFileSync(file, 'utf8'), [...generated.chunks()].join(''));
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as unknown;
    assert.deepEqual(truth, JSON.parse(JSON.stringify(generated.truth)));
    assert.equal(out.text(), '');
    assert.match(err.text(), /wrote 1200 rows/);
    assert.doesNotMatch(err.text(), /@/, 'no e-mail addresses in messages');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad options exit 2 with a message naming the problem, and write nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'generate-'));
  try {
    const file = join(dir, 'never.csv');
    const cases: [string[], RegExp][] = [
      [['--records', 'many'], /--records must be an integer/],
      [['--records', '-5'], /--records must be between/],
      [['--records'], /--records needs a value/],
      [['--seed', '1.5'], /--seed must be an integer/],
      [['--scenario', 'party'], /--scenario must be mixed or townhall/],
      [['--format', 'xlsx'], /--format must be one of purview-v1/],
      [['--bad-rows', '0.9'], /--bad-rows must be between 0 and 0.5/],
      [['--duplicates', 'lots'], /--duplicates must be a share/],
      [['--start', '2026-02-30'], /start must be a UTC date/],
      [['--meeting-id-prefix', 'zz'], /meetingIdPrefix must be 1 to 8 hex digits/],
      [['--bad-rows', '0.5', '--duplicates', '0.5'], /must not exceed 0.9/],
      [['--colour', 'red'], /unknown option --colour/],
      [['extra.csv'], /unexpected argument 'extra.csv'/],
      [['--seed', '1', '--seed', '2'], /--seed given twice/],
      [['--no-meeting-details=yes'], /--no-meeting-details takes no value/],
    ];
    for (const [args, message] of cases) {
      const out = sink();
      const err = sink();
      const code = await runGenerate([...args, '--out', file], { stdout: out.stream, stderr: err.stream });
      assert.equal(code, 2, args.join(' '));
      assert.match(err.text(), message);
      assert.match(err.text(), /teams-audit generate --help/);
      assert.equal(out.text(), '');
      assert.equal(existsSync(file), false, 'no output file on bad options');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help prints the options and exits 0', async () => {
  const out = sink();
  const err = sink();
  assert.equal(await runGenerate(['--help'], { stdout: out.stream, stderr: err.stream }), 0);
  for (const option of [
    '--no-meeting-details',
    '--records',
    '--seed',
    '--scenario',
    '--format',
    '--bad-rows',
    '--duplicates',
    '--out',
    '--truth',
  ])
    assert.ok(out.text().includes(option), option);
});

test('an unwritable --out exits 1 with the reason', async () => {
  const out = sink();
  const err = sink();
  const code = await runGenerate(['--records', '10', '--out', join(tmpdir(), 'no-such-dir-for-generate', 'x.csv')], {
    stdout: out.stream,
    stderr: err.stream,
  });
  assert.equal(code, 1);
  assert.match(err.text(), /cannot write .*x\.csv: ENOENT/);
});
