// Wraps the captured functions for `npm start` on its own Azurite: timers and blob triggers wait while
// Azurite is down (restarting) instead of failing against dead storage; an export that would take
// Azurite's table store over its ceiling is refused before ingestion, with a `failed` ledger entry that
// says why; /api/health gains the emulator's state and the table store's size. Only the local host
// does this: the functions themselves (and Azure) know nothing of it.
import type { BlobServiceClient } from '@azure/storage-blob';
import { emptyAccounting } from '../audit/dataset.js';
import type { UploadEntry, UploadLedger } from '../storage/ledger.js';
import type { BlobTriggerInput, CapturedFunction, InvocationResult } from './captureRegistrations.js';
import { jsonResponse } from '../pipeline/http/render.js';
import type { EmulatorStatus } from './azuriteSupervisor.js';
import type { ExportSize, TableStoreMonitor, TableStoreStatus } from './tableStoreLimit.js';

export interface StorageWatch {
  status(): EmulatorStatus;
  untilRunning(): Promise<void>;
}

export interface GuardOptions {
  /** The supervised Azurite. */
  emulator: StorageWatch;
  /** The table store's size and admissions. */
  tableStore: TableStoreMonitor;
  /** The container whose blob triggers ingest exports. */
  exportsContainer: string;
  ledger: UploadLedger;
  blobService: BlobServiceClient;
  /** Name of the HTTP function answering /api/health. */
  healthFunction: string;
  log: (line: string) => void;
  now?: () => Date;
}

/** A blob name with control characters escaped, so that it cannot forge a log line. */
function printable(name: string): string {
  return name.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern escapes
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function describeEmulator(status: EmulatorStatus): string {
  if (status.state === 'restarting')
    return `Azurite is restarting (attempt ${status.attempt} of ${status.maxAttempts})`;
  if (status.state === 'failed') return 'Azurite could not be restarted';
  return `Azurite is ${status.state}`;
}

/** The uncompressed size of an export blob: gzip states it in its last 4 bytes; a zip is assumed to expand. */
export async function exportSize(
  blob: ReturnType<ReturnType<BlobServiceClient['getContainerClient']>['getBlobClient']>,
  length: number,
  zipExpansion: number,
): Promise<ExportSize> {
  if (length < 4) return { bytes: length, basis: 'plain' };
  const head = await blob.downloadToBuffer(0, 2);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    // ISIZE: the uncompressed length modulo 2^32; never less than the compressed bytes for an export.
    const tail = await blob.downloadToBuffer(length - 4, 4);
    return { bytes: Math.max(tail.readUInt32LE(0), length), basis: 'gzip' };
  }
  if (head[0] === 0x50 && head[1] === 0x4b) return { bytes: length * zipExpansion, basis: 'zip' };
  return { bytes: length, basis: 'plain' };
}

function refusedEntry(
  input: BlobTriggerInput,
  previous: UploadEntry | undefined,
  message: string,
  at: string,
): UploadEntry {
  const entry: UploadEntry = {
    blobName: input.blobName,
    status: 'failed',
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    warnings: [],
    ...emptyAccounting(),
    sessions: 0,
    meetingDetails: 0,
    meetingsTouched: 0,
    truncatedEntities: 0,
    firstRejections: [],
    error: message,
  };
  if (input.properties.eTag !== '') entry.etag = input.properties.eTag;
  return entry;
}

function emulatorSection(status: EmulatorStatus, table: TableStoreStatus): Record<string, unknown> {
  return { ...status, tableStore: table };
}

export function guardFunctions(functions: readonly CapturedFunction[], options: GuardOptions): CapturedFunction[] {
  const { log } = options;
  const now = options.now ?? (() => new Date());

  async function waitForStorage(fn: CapturedFunction): Promise<void> {
    const status = options.emulator.status();
    if (status.state === 'running') return;
    if (status.state === 'restarting')
      log(`'${fn.name}' waits: ${describeEmulator(status)}; it runs once storage is back`);
    await options.emulator.untilRunning();
  }

  async function ingestGuarded(
    fn: CapturedFunction,
    input: BlobTriggerInput,
    invoke: () => Promise<InvocationResult>,
  ): Promise<InvocationResult> {
    const blob = options.blobService.getContainerClient(input.container).getBlobClient(input.blobName);
    const size = await exportSize(blob, input.properties.contentLength, options.tableStore.limits.zipExpansion);
    const admission = await options.tableStore.admit(size);
    if ('message' in admission) {
      const etag = input.properties.eTag === '' ? undefined : input.properties.eTag;
      const previous = await options.ledger.get(input.blobName, etag);
      await options.ledger.put(refusedEntry(input, previous, admission.message, now().toISOString()));
      log(`'${fn.name}': ${input.container}/${printable(input.blobName)} not ingested. ${admission.message}`);
      return { invocationId: 'refused' };
    }
    try {
      return await invoke();
    } finally {
      admission.release();
    }
  }

  /** /api/health with storage.emulator; while Azurite is down, answered at once (storage cannot be asked). */
  async function healthGuarded(
    fn: CapturedFunction,
    invoke: () => Promise<InvocationResult>,
  ): Promise<InvocationResult> {
    const emulator = options.emulator.status();
    if (emulator.state !== 'running') {
      const problem = `${describeEmulator(emulator)}${emulator.state === 'failed' ? `; ${emulator.action ?? ''}` : ''}`;
      const response = jsonResponse(
        {
          status: 'unavailable',
          checkedAt: now().toISOString(),
          storage: { reachable: false, problem, emulator: emulatorSection(emulator, options.tableStore.status()) },
          config: null,
          analysis: null,
          collector: null,
        },
        503,
      );
      return {
        invocationId: `${fn.name}-emulator-down`,
        http: {
          status: response.status,
          headers: Object.entries(response.headers),
          cookies: [],
          body: Buffer.from(response.body),
        },
      };
    }
    const result = await invoke();
    const http = result.http;
    // Health answers 200 or 503; anything else (a bad request) is passed on as it is.
    if (http === undefined || (http.status !== 200 && http.status !== 503)) return result;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(http.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return result;
    }
    const table = await options.tableStore.check().catch(() => options.tableStore.status());
    const storage = typeof body.storage === 'object' && body.storage !== null ? body.storage : {};
    body.storage = { ...storage, emulator: emulatorSection(options.emulator.status(), table) };
    if (table.state !== 'ok' && body.status === 'ok') body.status = 'degraded';
    return { ...result, http: { ...http, body: Buffer.from(JSON.stringify(body)) } };
  }

  return functions.map((fn): CapturedFunction => {
    const type = fn.trigger.type.toLowerCase();
    if (type === 'timertrigger') {
      return {
        ...fn,
        invoke: async (input, invokeOptions) => {
          await waitForStorage(fn);
          return fn.invoke(input, invokeOptions);
        },
      };
    }
    if (type === 'blobtrigger') {
      return {
        ...fn,
        invoke: async (input, invokeOptions) => {
          await waitForStorage(fn);
          if (input.kind !== 'blob' || input.container !== options.exportsContainer)
            return fn.invoke(input, invokeOptions);
          return ingestGuarded(fn, input, () => fn.invoke(input, invokeOptions));
        },
      };
    }
    if (type === 'httptrigger' && fn.name === options.healthFunction) {
      return { ...fn, invoke: (input, invokeOptions) => healthGuarded(fn, () => fn.invoke(input, invokeOptions)) };
    }
    return fn;
  });
}
