import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FUNCTION_TIMEOUT_MS, functionTimeoutMs, runBudgetMs } from '../src/hostSettings.js';

function hostJson(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'host-settings-')), 'host.json');
  writeFileSync(path, content);
  return path;
}

test('functionTimeoutMs reads hh:mm:ss from host.json, and falls back to 10 minutes when it is absent or unreadable', () => {
  assert.equal(functionTimeoutMs(hostJson('{"functionTimeout":"00:05:30"}')), 330_000);
  assert.equal(functionTimeoutMs(hostJson('{"functionTimeout":"01:00:00"}')), 3_600_000);
  assert.equal(functionTimeoutMs('/nonexistent/host.json'), DEFAULT_FUNCTION_TIMEOUT_MS);
  assert.equal(functionTimeoutMs(hostJson('{"functionTimeout":"ten minutes"}')), DEFAULT_FUNCTION_TIMEOUT_MS);
  assert.equal(functionTimeoutMs(hostJson('not json')), DEFAULT_FUNCTION_TIMEOUT_MS);
  assert.equal(DEFAULT_FUNCTION_TIMEOUT_MS, 600_000);
});

test("the project's host.json is the one read by default, and its timeout gives the collector 8 minutes", () => {
  assert.equal(functionTimeoutMs(), functionTimeoutMs(join(__dirname, '..', '..', 'host.json')));
  assert.equal(functionTimeoutMs(), 600_000);
  assert.equal(runBudgetMs(2 * 60_000), 8 * 60_000);
});

test('a run budget is the timeout less the margin, never under 30 seconds', () => {
  assert.equal(runBudgetMs(2 * 60_000, 10 * 60_000), 8 * 60_000);
  assert.equal(runBudgetMs(5 * 60_000, 10 * 60_000), 5 * 60_000);
  assert.equal(runBudgetMs(2 * 60_000, 60_000), 30_000);
});
