// A node:test reporter that writes, once every test has run, the failed tests (name, file, line, the first
// line of the error) and the skipped ones with their reasons. scripts/run-tests.mjs prints it after the
// TAP output, which does not repeat failures at the end.
import { relative } from 'node:path';

/** Failures that only repeat others: a suite whose tests failed, tests cancelled because their suite failed. */
const CONSEQUENCES = new Set(['subtestsFailed', 'cancelledByParent']);

function where(data) {
  const file = data.file ? relative(process.cwd(), data.file) : '(unknown file)';
  return data.line ? `${file}:${data.line}` : file;
}

function firstLine(error) {
  const cause = error?.cause;
  const text = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : (error?.message ?? '');
  return (
    String(text)
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

export default async function* summary(source) {
  /** The names of the tests being run, by file and nesting level, to name a nested test by its suites. */
  const open = new Map();
  const failed = [];
  const skipped = [];
  let consequences = 0;
  const path = (data) => [...(open.get(data.file) ?? []).slice(0, data.nesting), data.name].join(' > ');
  for await (const { type, data } of source) {
    if (type === 'test:start') {
      const names = open.get(data.file) ?? [];
      names.length = data.nesting;
      names.push(data.name);
      open.set(data.file, names);
    } else if (type === 'test:fail') {
      const error = data.details?.error;
      if (CONSEQUENCES.has(error?.failureType)) {
        if (error.failureType === 'cancelledByParent') consequences++;
        continue;
      }
      const kind = error?.failureType && error.failureType !== 'testCodeFailure' ? ` [${error.failureType}]` : '';
      failed.push(`  ✖ ${path(data)}${kind}\n      ${where(data)}: ${firstLine(error)}`);
    } else if (type === 'test:pass' && data.skip !== undefined) {
      const reason = typeof data.skip === 'string' ? data.skip : '(no reason given)';
      skipped.push(`  - ${path(data)}\n      ${where(data)}: ${reason}`);
    }
  }
  let out = '\n── Summary ──\n';
  out += failed.length === 0 ? 'No test failed.\n' : `Failed (${failed.length}):\n${failed.join('\n')}\n`;
  if (consequences > 0) out += `  (${consequences} more tests were cancelled because their suite failed)\n`;
  if (skipped.length > 0) out += `Skipped (${skipped.length}):\n${skipped.join('\n')}\n`;
  yield out;
}
