// The young-generation cap: the V8 flag exists in this Node, and the cap really stops the growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { GROWTH_FLAG, YOUNG_GENERATION_CAP_BYTES } from '../../src/cli/youngGeneration.js';

/** Largest new-space size seen while a child keeps 600,000 small objects, with or without the cap. */
function largestNewSpace(capped: boolean): number {
  const modulePath = join(__dirname, '..', '..', 'src', 'cli', 'youngGeneration.js');
  const script = `
    const v8 = require('node:v8');
    const check = ${capped ? `require(${JSON.stringify(modulePath)}).youngGenerationCap()` : '() => {}'};
    const kept = [];
    let largest = 0;
    for (let i = 0; i < 600000; i++) {
      kept.push({ i, text: 'record ' + i });
      if (i % 5000 === 0) {
        check();
        largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
    }
    process.stdout.write(String(largest));`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

test('this Node has the V8 flag the cap sets', () => {
  const name = GROWTH_FLAG.slice(0, GROWTH_FLAG.indexOf('='));
  assert.match(
    execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }),
    new RegExp(`^\\s*${name}\\b`, 'm'),
  );
});

test('the cap stops the young generation growing; without it the generation grows past the cap', () => {
  const uncapped = largestNewSpace(false);
  const capped = largestNewSpace(true);
  assert.ok(uncapped > 2 * YOUNG_GENERATION_CAP_BYTES, `without the cap: ${uncapped} bytes`);
  assert.ok(capped <= YOUNG_GENERATION_CAP_BYTES, `with the cap: ${capped} bytes`);
});
