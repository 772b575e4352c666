// Starts and stops an Azurite child process (blob, queue, table) from the npm package,
// on free loopback ports, and gives the connection string for it and a way to see it exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for persistent data; in-memory when omitted. */
  location?: string;
  /** Fixed ports (the defaults 10000-10002 for `npm start`); free ports when omitted. */
  ports?: { blob: number; queue: number; table: number };
  /** Pass Azurite's access log through to this process's stderr. */
  verbose?: boolean;
}

/** How the Azurite process ended. */
export interface AzuriteExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines Azurite wrote to stderr (a fatal error names its cause there). */
  stderrTail: string;
  /** True when stop() ended it. */
  stopped: boolean;
}

export interface RunningAzurite {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  /** The data folder; undefined when in memory. */
  location: string | undefined;
  pid: number | undefined;
  /** Settles when the process ends, however it ends. */
  exited: Promise<AzuriteExit>;
  stop(): Promise<void>;
}

/** Azurite's table store: one LokiJS JSON file in the data folder. */
export const TABLE_STORE_FILE = '__azurite_db_table__.json';
const STDERR_TAIL_CHARS = 4000;

/** "exit code 134", "signal SIGKILL": how a process ended, in words. */
export function describeExit(exit: Pick<AzuriteExit, 'code' | 'signal'>): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function connectionStringFor(ports: { blob: number; queue: number; table: number }): string {
  return (
    [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_ACCOUNT}`,
      `AccountKey=${DEV_KEY}`,
      `BlobEndpoint=http://127.0.0.1:${ports.blob}/${DEV_ACCOUNT}`,
      `QueueEndpoint=http://127.0.0.1:${ports.queue}/${DEV_ACCOUNT}`,
      `TableEndpoint=http://127.0.0.1:${ports.table}/${DEV_ACCOUNT}`,
    ].join(';') + ';'
  );
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  for (const port of Object.values(ports)) {
    if (await portOpen(port))
      throw new Error(`Port ${port} is already in use; stop whatever listens there (another Azurite?) and retry`);
  }
  const require = createRequire(__filename);
  const entry = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    entry,
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  if (!options.verbose) args.push('--silent');
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  });
  let stopped = false;
  const exited = new Promise<AzuriteExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderrTail: stderr.trim(), stopped })),
  );

  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await Promise.all(Object.values(ports).map(portOpen));
    if (up.every(Boolean)) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Azurite ended at start (${describeExit({ code: child.exitCode, signal: child.signalCode })}): ${stderr.trim()}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Azurite did not open its ports within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    connectionString: connectionStringFor(ports),
    ports,
    location: options.location,
    pid: child.pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
