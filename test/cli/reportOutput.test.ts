import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { ReportOutput } from '../../src/cli/reportOutput.js';

/** A writable that accepts one chunk at a time and completes each write only when released. */
function heldWritable(): { stream: Writable; chunks: string[]; release: () => void } {
  const chunks: string[] = [];
  const pending: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      pending.push(callback);
    },
  });
  return {
    stream,
    chunks,
    release: () => {
      for (const cb of pending.splice(0)) cb();
    },
  };
}

test('small pieces are passed on in chunks, in order, and end() passes on the rest', async () => {
  const target = heldWritable();
  const out = new ReportOutput(target.stream);
  out.write('a');
  out.write('b');
  assert.deepEqual(target.chunks, [], 'small pieces wait for a chunk to fill');
  const big = 'x'.repeat(70_000);
  out.write(big);
  assert.deepEqual(target.chunks, ['ab' + big]);
  out.write('tail');
  const ended = out.end();
  target.release();
  await tick();
  target.release();
  await ended;
  assert.equal(target.chunks.join(''), 'ab' + big + 'tail');
});

test('drained() waits while the output is behind, and beforeWrite runs before each chunk', async () => {
  const target = heldWritable();
  let before = 0;
  const out = new ReportOutput(target.stream, () => before++);
  out.write('y'.repeat(70_000));
  assert.equal(before, 1);
  let done = false;
  const waiting = out.drained().then(() => {
    done = true;
  });
  await tick();
  await tick();
  assert.equal(done, false, 'still waiting for the output');
  target.release();
  await waiting;
  assert.equal(done, true);
  await out.drained(); // nothing pending: resolves at once
});
