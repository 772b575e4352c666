// The host.json settings the functions' own code depends on: the function timeout, which bounds how
// long a timer run may work (the analysis, the collector, the names refresh).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The timeout this app's host.json sets, assumed when it sets none or cannot be read. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 10 * 60_000;
/** The least a run is given, however small the timeout. */
const MIN_RUN_BUDGET_MS = 30_000;

/** host.json functionTimeout (`hh:mm:ss`) in ms, or the 10-minute default when absent or unreadable. */
export function functionTimeoutMs(hostJsonPath = join(__dirname, '..', '..', 'host.json')): number {
  try {
    if (!existsSync(hostJsonPath)) return DEFAULT_FUNCTION_TIMEOUT_MS;
    const timeout = (JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { functionTimeout?: unknown }).functionTimeout;
    const m = typeof timeout === 'string' ? /^(\d+):(\d{2}):(\d{2})$/.exec(timeout) : null;
    if (!m) return DEFAULT_FUNCTION_TIMEOUT_MS;
    return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
  } catch {
    return DEFAULT_FUNCTION_TIMEOUT_MS;
  }
}

/** Time a run may spend before it stops starting work: the function timeout less `marginMs`, at least 30 s. */
export function runBudgetMs(marginMs: number, timeoutMs = functionTimeoutMs()): number {
  return Math.max(MIN_RUN_BUDGET_MS, timeoutMs - marginMs);
}
