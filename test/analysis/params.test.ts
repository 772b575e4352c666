import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTION_PARAM_DOCS, parseDetectionParams } from '../../src/analysis/params.js';
import { DEFAULT_DETECTION_PARAMS } from '../../src/analysis/model.js';

test('an empty input gives the defaults, as a fresh object', () => {
  const params = parseDetectionParams({}, 'settings');
  assert.deepEqual(params, { ...DEFAULT_DETECTION_PARAMS });
  params.rejoinWindowSeconds = 1;
  assert.equal(DEFAULT_DETECTION_PARAMS.rejoinWindowSeconds, 300);
});

test('given values override the defaults; numeric strings are accepted; undefined is ignored', () => {
  const params = parseDetectionParams(
    { rejoinWindowSeconds: '240', strongGapSeconds: 45, endGraceSeconds: undefined },
    'cli',
  );
  assert.equal(params.rejoinWindowSeconds, 240);
  assert.equal(params.strongGapSeconds, 45);
  assert.equal(params.endGraceSeconds, DEFAULT_DETECTION_PARAMS.endGraceSeconds);
});

test('an unknown key is an error naming the source, the key and the nearest known name', () => {
  assert.throws(
    () => parseDetectionParams({ rejoinWindowSecond: 240 }, 'settings.json'),
    (e: Error) =>
      /^settings\.json: /.test(e.message) &&
      /"rejoinWindowSecond"/.test(e.message) &&
      /did you mean "rejoinWindowSeconds"/.test(e.message),
  );
  assert.throws(
    () => parseDetectionParams({ colour: 'blue' }, 'x'),
    /unknown detection parameter "colour"; known parameters: overlapToleranceSeconds/,
  );
});

test('non-numeric, non-finite and negative values are rejected with the parameter name', () => {
  for (const bad of ['abc', '', '12s', null, true, {}, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => parseDetectionParams({ endGraceSeconds: bad }, 'env'),
      /^Error: env: detection parameter "endGraceSeconds" must be a finite number/,
      inspect(bad),
    );
  }
  assert.throws(
    () => parseDetectionParams({ overlapToleranceSeconds: -1 }, 'env'),
    /"overlapToleranceSeconds" must be ≥ 0, got -1/,
  );
  assert.throws(() => parseDetectionParams({ minSessions: -3 }, 'env'), /"minSessions" must be ≥ 0/);
});

test('bands must be ordered: strong ≤ rejoin ≤ possible (equal is allowed)', () => {
  assert.throws(
    () => parseDetectionParams({ strongGapSeconds: 301 }, 's'),
    /"strongGapSeconds" \(301\) must not exceed rejoinWindowSeconds \(300\)/,
  );
  assert.throws(
    () => parseDetectionParams({ rejoinWindowSeconds: 901 }, 's'),
    /"rejoinWindowSeconds" \(901\) must not exceed possibleWindowSeconds \(900\)/,
  );
  const equal = parseDetectionParams({ strongGapSeconds: 300, possibleWindowSeconds: 300 }, 's');
  assert.equal(equal.strongGapSeconds, 300);
  assert.equal(equal.possibleWindowSeconds, 300);
});

test('mass-event share must be in (0, 1]; people a whole number ≥ 1; minSessions whole', () => {
  assert.throws(
    () => parseDetectionParams({ massEventMinShare: 0 }, 's'),
    /"massEventMinShare" must be a share in \(0, 1\]/,
  );
  assert.throws(() => parseDetectionParams({ massEventMinShare: 1.5 }, 's'), /"massEventMinShare"/);
  assert.equal(parseDetectionParams({ massEventMinShare: 1 }, 's').massEventMinShare, 1);
  assert.throws(
    () => parseDetectionParams({ massEventMinPeople: 0 }, 's'),
    /"massEventMinPeople" must be a whole number ≥ 1/,
  );
  assert.throws(() => parseDetectionParams({ massEventMinPeople: 2.5 }, 's'), /"massEventMinPeople"/);
  assert.equal(parseDetectionParams({ massEventMinPeople: 1 }, 's').massEventMinPeople, 1);
  assert.throws(() => parseDetectionParams({ minSessions: 2.5 }, 's'), /"minSessions" must be a whole number/);
});

test('every parameter has a one-line description', () => {
  assert.deepEqual(Object.keys(DETECTION_PARAM_DOCS).sort(), Object.keys(DEFAULT_DETECTION_PARAMS).sort());
  for (const [name, text] of Object.entries(DETECTION_PARAM_DOCS)) {
    assert.ok(text.length > 20 && !text.includes('\n'), name);
  }
});

test('the parameter table of docs/design/detection-rule.md lists every parameter with its default', () => {
  const section = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'design', 'detection-rule.md'), 'utf8');
  for (const [name, value] of Object.entries(DEFAULT_DETECTION_PARAMS)) {
    assert.match(section, new RegExp(`^\\| \`${name}\` \\| ${String(value).replace('.', '\\.')} \\|`, 'm'), name);
  }
});
