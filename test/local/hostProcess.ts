// The local host started as a process of its own (`node …/dist/src/local/start.js`, what `npm start` runs), its
// output collected: for the tests that run the start script and the deployment package.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';

export interface HostProcess {
  child: ChildProcess;
  /** What the host wrote to stdout and stderr so far. */
  log: () => string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /**
   * Waits until `pattern` matches the log after `from` (a log offset); fails when the host exits first or after
   * `timeoutMs`, showing the end of the log. Returns the match and the offset where it ends.
   */
  waitForLog(
    pattern: RegExp,
    what: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<{ match: RegExpExecArray; end: number }>;
  /** SIGKILLs the host if it still runs, and waits for it to exit. */
  kill: () => Promise<void>;
}

export function spawnHost(
  node: string,
  startScript: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): HostProcess {
  const child = spawn(node, [startScript], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    log: () => log,
    exited,
    async waitForLog(pattern, what, { from = 0, timeoutMs = 180_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(log.slice(from));
        if (match) return { match, end: from + match.index + match[0].length };
        if (child.exitCode !== null)
          assert.fail(`the host exited (${child.exitCode}) before ${what}:\n${log.slice(-3000)}`);
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; host log:\n${log.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
