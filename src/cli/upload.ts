// `teams-audit upload FILE...`: puts export files into the exports container of the configured
// storage (where the blob trigger picks them up), with a progress line on a terminal. On the local
// emulator an upload is reported only after Azurite's save window: Azurite acknowledges a blob at once
// but writes its index to disk every 5 s, so a blob it has acknowledged is lost if it stops sooner.
import { parseArgs } from 'node:util';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { connect } from 'node:net';
import {
  StorageConfigError,
  storageClientsFromConnectionString,
  storageClientsFromEnv,
  type StorageClients,
} from '../storage/clients.js';
import { SETTINGS, setting } from '../names.js';

export interface UploadIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const LOCAL_CONNECTION = 'UseDevelopmentStorage=true';

/** Azurite saves its blob index every 5 s; the wait covers one full interval and the save itself. */
export const EMULATOR_SAVE_WAIT_MS = 6000;

export interface UploadOptions {
  /** How long to wait on a local emulator before reporting uploads as stored (default EMULATOR_SAVE_WAIT_MS). */
  emulatorSaveWaitMs?: number;
}

const USAGE = `Usage: teams-audit upload FILE... [--container NAME] [--connection-string CS]

Uploads audit exports into the exports container, where the ingestExport function picks them up.
On the local emulator (Azurite) it then waits ${EMULATOR_SAVE_WAIT_MS / 1000} s, until Azurite has saved the uploads to disk
(it saves every 5 s), before reporting them.
  --container NAME          target container (default: $${SETTINGS.exportsContainer} or "${setting(SETTINGS.exportsContainer, {})}")
  --connection-string CS    storage connection string (default: $${SETTINGS.storageConnection}, or the
                            identity settings ${SETTINGS.storageConnection}__blobServiceUri etc., else the local
                            Azurite started by \`npm start\`: ${LOCAL_CONNECTION})
`;

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.ndjson': 'application/x-ndjson',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
  '.zip': 'application/zip',
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A storage failure with its HTTP status and error code first (what a person fixing access or the endpoint needs). */
function describeServiceError(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; message?: string; details?: { errorCode?: string } };
  const code = e.details?.errorCode ?? e.code;
  const first = String(e.message ?? err).split('\n')[0];
  return e.statusCode ? `${e.statusCode}${code ? ` ${code}` : ''}: ${first}` : `${first}`;
}

interface Target {
  storage: StorageClients;
  /** Where the files go, without secrets. */
  endpoint: string;
  local: boolean;
}

function resolveTarget(connectionString: string | undefined): Target {
  let storage: StorageClients;
  if (connectionString) {
    storage = storageClientsFromConnectionString(connectionString);
  } else {
    try {
      storage = storageClientsFromEnv(process.env);
    } catch (err) {
      if (!(err instanceof StorageConfigError)) throw err;
      storage = storageClientsFromConnectionString(LOCAL_CONNECTION);
    }
  }
  const url = new URL(storage.blobService.url);
  return {
    storage,
    endpoint: `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`,
    local: isLoopback(url.hostname),
  };
}

export async function runUpload(argv: string[], io: UploadIo, options: UploadOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        container: { type: 'string' },
        'connection-string': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`teams-audit upload: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const files = parsed.positionals;
  if (files.length === 0) {
    io.stderr.write(`teams-audit upload: name at least one file\n\n${USAGE}`);
    return 2;
  }

  // Check every file before touching storage.
  const sizes = new Map<string, number>();
  const blobNames = new Map<string, string>();
  for (const file of files) {
    let info;
    try {
      info = await stat(file);
    } catch {
      io.stderr.write(`teams-audit upload: ${file}: no such file\n`);
      return 1;
    }
    if (!info.isFile()) {
      io.stderr.write(`teams-audit upload: ${file}: not a regular file\n`);
      return 1;
    }
    const name = basename(file);
    const clash = blobNames.get(name);
    if (clash !== undefined && clash !== file) {
      io.stderr.write(`teams-audit upload: ${clash} and ${file} would both become blob "${name}"; rename one\n`);
      return 1;
    }
    blobNames.set(name, file);
    sizes.set(file, info.size);
  }

  let target: Target;
  try {
    target = resolveTarget(parsed.values['connection-string']);
  } catch (err) {
    io.stderr.write(`teams-audit upload: the storage connection is not usable: ${describeServiceError(err)}\n`);
    return 1;
  }
  const containerName = parsed.values.container ?? setting(SETTINGS.exportsContainer);
  const hint = target.local
    ? ' Is the local pipeline running? Start it with `npm start` in another terminal first.'
    : ' Check the connection string or identity settings and your network.';

  if (target.local) {
    const url = new URL(target.storage.blobService.url);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!(await tcpReachable(url.hostname.replace(/^\[|\]$/g, ''), port, 3000))) {
      io.stderr.write(`teams-audit upload: cannot reach the blob service at ${target.endpoint}.${hint}\n`);
      return 1;
    }
  }

  const container = target.storage.blobService.getContainerClient(containerName);
  try {
    if (!(await container.exists())) {
      io.stderr.write(
        `teams-audit upload: container "${containerName}" does not exist at ${target.endpoint}.` +
          (target.local
            ? ' `npm start` creates it; is the right host running?'
            : ' Check --container or the deployment.') +
          '\n',
      );
      return 1;
    }
  } catch (err) {
    io.stderr.write(
      `teams-audit upload: cannot reach the blob service at ${target.endpoint} (${describeServiceError(err)}).${hint}\n`,
    );
    return 1;
  }

  const showProgress = io.stderr.isTTY === true;
  let failures = 0;
  const uploaded: string[] = [];
  for (const [name, file] of blobNames) {
    const size = sizes.get(file)!;
    const blob = container.getBlockBlobClient(name);
    let lastDrawn = 0;
    const draw = (loaded: number): void => {
      const now = Date.now();
      if (!showProgress || (now - lastDrawn < 100 && loaded < size)) return;
      lastDrawn = now;
      const percent = size === 0 ? 100 : Math.floor((loaded / size) * 100);
      io.stderr.write(`\r${name}: ${formatBytes(loaded)} of ${formatBytes(size)} (${percent}%)\x1b[K`);
    };
    try {
      draw(0);
      const response = await blob.uploadFile(file, {
        blobHTTPHeaders: { blobContentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream' },
        onProgress: (event) => draw(event.loadedBytes),
      });
      draw(size);
      if (showProgress) io.stderr.write('\r\x1b[K');
      uploaded.push(
        `Uploaded ${file} to ${containerName}/${name} (${formatBytes(size)}, ETag ${response.etag ?? 'unknown'})`,
      );
    } catch (err) {
      if (showProgress) io.stderr.write('\r\x1b[K');
      const unreachable = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET/.test(String((err as Error)?.message ?? err));
      io.stderr.write(
        `teams-audit upload: ${file}: upload failed: ${describeServiceError(err)}${unreachable ? `.${hint}` : ''}\n`,
      );
      failures++;
    }
  }
  const wait = target.local ? (options.emulatorSaveWaitMs ?? EMULATOR_SAVE_WAIT_MS) : 0;
  if (uploaded.length > 0 && wait > 0) {
    io.stdout.write(
      `Waiting ${wait / 1000} s until the local emulator has saved ${uploaded.length === 1 ? 'the upload' : 'the uploads'} to disk ` +
        `(Azurite saves every 5 s; an upload it has not saved is lost if it stops)\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  for (const line of uploaded) io.stdout.write(`${line}\n`);
  return failures === 0 ? 0 : 1;
}
