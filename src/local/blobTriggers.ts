// Blob triggers on the local host: containers are polled, each new blob version (name + ETag) is
// invoked once, failures are retried up to poisonBlobThreshold and then poisoned, and receipts in
// azure-webjobs-hosts keep finished versions from running again after a restart.
import { createHash, randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { usesDeferredBinding, type CapturedFunction } from './captureRegistrations.js';
import type { BlobPathPattern } from './templates.js';
import { escapeForLog } from './logText.js';
import { blobNameProblem, decodeCharacterReferences, describeStorageError, MAX_BLOB_NAME_CHARS } from './blobNames.js';
import {
  delay,
  invocationErrorMessage,
  type HostRuntime,
  type InvocationEvent,
  type InvocationReason,
} from './hostRuntime.js';

const RECEIPT_PREFIX = 'blobreceipts/local-host';
export const RECEIPTS_CONTAINER = 'azure-webjobs-hosts';

export interface BlobWatch {
  fn: CapturedFunction;
  pattern: BlobPathPattern;
  container: ContainerClient;
  receipts: ContainerClient;
  /** Keys (name + ETag) already completed or poisoned. */
  done: Set<string>;
  inFlight: Set<string>;
  receiptsLoaded: boolean;
}

export interface BlobTriggerSettings {
  poisonBlobThreshold: number;
  maxDegreeOfParallelism: number;
  /** Pause between attempts on a failing blob (ms). */
  retryDelayMs: number;
}

export interface BlobTriggers {
  /** Scans the containers now (one scan at a time; a call during a scan joins it). */
  pollOnce: () => Promise<void>;
  /** Runs the function on a blob at once (admin API); the outcome is emitted, not returned. */
  invokeNow(watch: BlobWatch, blobName: string, pathParams: Record<string, string>): void;
}

/** Receipts of blobs whose name makes the receipt's name too long carry a hash of the name instead. */
const HASHED_NAME = '#sha256-';

function versionKey(blobName: string, etag: string): string {
  return `${blobName}\u0000${etag.replace(/"/g, '')}`;
}

function hashedName(blobName: string): string {
  return HASHED_NAME + createHash('sha256').update(blobName, 'utf8').digest('hex');
}

function isDone(watch: BlobWatch, blobName: string, etag: string): boolean {
  return watch.done.has(versionKey(blobName, etag)) || watch.done.has(versionKey(hashedName(blobName), etag));
}

export function createBlobTriggers(
  runtime: HostRuntime,
  watches: readonly BlobWatch[],
  settings: BlobTriggerSettings,
): BlobTriggers {
  const { log, emit, track } = runtime;
  const queue: Array<() => Promise<void>> = [];
  let workers = 0;

  function pump(): void {
    while (!runtime.stopping() && workers < settings.maxDegreeOfParallelism && queue.length > 0) {
      const job = queue.shift()!;
      workers++;
      void track(job()).finally(() => {
        workers--;
        pump();
      });
    }
  }

  function receiptName(watch: BlobWatch, blobName: string, etag: string): string {
    const base = `${RECEIPT_PREFIX}/${watch.fn.name}/${watch.pattern.container}/${etag.replace(/"/g, '')}/`;
    return base.length + blobName.length <= MAX_BLOB_NAME_CHARS ? base + blobName : base + hashedName(blobName);
  }

  async function loadReceipts(watch: BlobWatch): Promise<void> {
    if (watch.receiptsLoaded) return;
    await watch.receipts.createIfNotExists();
    const prefix = `${RECEIPT_PREFIX}/${watch.fn.name}/${watch.pattern.container}/`;
    for await (const item of watch.receipts.listBlobsFlat({ prefix })) {
      const rest = item.name.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash <= 0) continue;
      const etag = rest.slice(0, slash);
      const name = rest.slice(slash + 1);
      watch.done.add(versionKey(name, etag));
      // Listed with character references left in (see storedName); the ETag keeps both forms apart.
      watch.done.add(versionKey(decodeCharacterReferences(name), etag));
    }
    watch.receiptsLoaded = true;
  }

  async function writeReceipt(
    watch: BlobWatch,
    blobName: string,
    etag: string,
    status: 'succeeded' | 'poisoned',
  ): Promise<void> {
    const body = JSON.stringify({ status, at: new Date().toISOString() });
    await watch.receipts
      .getBlockBlobClient(receiptName(watch, blobName, etag))
      .upload(body, Buffer.byteLength(body), { metadata: { status } });
  }

  async function invokeBlob(
    watch: BlobWatch,
    blobName: string,
    pathParams: Record<string, string>,
    reason: InvocationReason,
    attempt: number,
    ifMatch?: string,
  ): Promise<InvocationEvent> {
    const blob = watch.container.getBlobClient(blobName);
    const started = Date.now();
    const conditions = ifMatch ? { conditions: { ifMatch } } : {};
    // As the Functions host: an SDK binding (sdkBinding: true) gets model binding data and reads the
    // blob itself, so only the properties are read here; otherwise the bytes are read and sent.
    let content: Buffer | undefined;
    let properties: {
      etag?: string;
      contentLength?: number;
      contentType?: string;
      lastModified?: Date;
      createdOn?: Date;
      metadata?: Record<string, string>;
    };
    if (usesDeferredBinding(watch.fn.trigger)) {
      properties = await blob.getProperties(conditions);
    } else {
      const download = await blob.download(0, undefined, conditions);
      const chunks: Buffer[] = [];
      for await (const chunk of download.readableStreamBody!)
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      content = Buffer.concat(chunks);
      properties = download;
    }
    const etag = properties.etag ?? '';
    const invocationId = randomUUID();
    try {
      await watch.fn.invoke(
        {
          kind: 'blob',
          ...(content === undefined ? {} : { content }),
          container: watch.pattern.container,
          blobName,
          uri: blob.url,
          properties: {
            eTag: etag,
            contentLength: content?.length ?? properties.contentLength ?? 0,
            contentType: properties.contentType,
            lastModified: properties.lastModified,
            createdOn: properties.createdOn,
          },
          metadata: properties.metadata,
          pathParams,
        },
        { log: runtime.functionLog, invocationId },
      );
      return {
        functionName: watch.fn.name,
        invocationId,
        reason,
        outcome: 'succeeded',
        durationMs: Date.now() - started,
        attempt,
        blobName,
      };
    } catch (err) {
      return {
        functionName: watch.fn.name,
        invocationId,
        reason,
        outcome: 'failed',
        durationMs: Date.now() - started,
        attempt,
        blobName,
        error: invocationErrorMessage(err),
      };
    }
  }

  function enqueue(watch: BlobWatch, blobName: string, etag: string, pathParams: Record<string, string>): void {
    const key = versionKey(blobName, etag);
    if (watch.inFlight.has(key) || isDone(watch, blobName, etag)) return;
    const shown = `${watch.pattern.container}/${escapeForLog(blobName)}`;
    const problem = blobNameProblem(blobName);
    if (problem) {
      // Reported once per version; no receipt, since there was no invocation.
      log(`Blob ${shown} is not given to '${watch.fn.name}': ${problem}; rename it`);
      watch.done.add(key);
      return;
    }
    watch.inFlight.add(key);
    queue.push(async () => {
      try {
        for (let attempt = 1; attempt <= settings.poisonBlobThreshold && !runtime.stopping(); attempt++) {
          log(`Executing '${watch.fn.name}' (Reason='New blob detected: ${shown}', Attempt=${attempt})`);
          let event: InvocationEvent;
          try {
            event = await invokeBlob(watch, blobName, pathParams, 'blob', attempt, etag);
          } catch (err) {
            const status = (err as { statusCode?: number }).statusCode;
            if (status === 404 || status === 412) {
              log(`Blob ${shown} changed or disappeared before '${watch.fn.name}' could read it; skipped`);
              return;
            }
            event = {
              functionName: watch.fn.name,
              invocationId: 'unknown',
              reason: 'blob',
              outcome: 'failed',
              durationMs: 0,
              attempt,
              blobName,
              error: `reading the blob failed: ${invocationErrorMessage(err)}`,
            };
          }
          if (event.outcome === 'succeeded') {
            emit(event);
            await writeReceipt(watch, blobName, etag, 'succeeded');
            watch.done.add(key);
            return;
          }
          if (attempt === settings.poisonBlobThreshold) {
            emit({ ...event, outcome: 'poisoned' });
            log(
              `Blob ${shown} is poisoned: '${watch.fn.name}' failed ${attempt} time(s) ` +
                `(poisonBlobThreshold ${settings.poisonBlobThreshold}); upload it again to retry`,
            );
            await writeReceipt(watch, blobName, etag, 'poisoned');
            watch.done.add(key);
            return;
          }
          emit(event);
          await delay(settings.retryDelayMs);
        }
      } catch (err) {
        log(
          `Blob trigger bookkeeping for '${watch.fn.name}' on ${shown} failed: ${escapeForLog(invocationErrorMessage(err))}`,
        );
      } finally {
        watch.inFlight.delete(key);
      }
    });
    pump();
  }

  /**
   * The SDK leaves XML character references in listed names (a carriage return arrives as "&#xD;"),
   * so a name holding one may stand for a name with that character: the blob that exists wins.
   */
  const resolvedNames = new Map<string, string>();
  async function storedName(watch: BlobWatch, listed: string, etag: string): Promise<string> {
    const decoded = decodeCharacterReferences(listed);
    if (decoded === listed) return listed;
    const key = versionKey(listed, etag);
    let name = resolvedNames.get(key);
    if (name === undefined) {
      const found = await watch.container
        .getBlobClient(decoded)
        .getProperties()
        .then((p) => (p.etag ?? '').replace(/"/g, '') === etag.replace(/"/g, ''))
        .catch(() => false);
      name = found ? decoded : listed;
      resolvedNames.set(key, name);
    }
    return name;
  }

  async function scanWatch(watch: BlobWatch): Promise<void> {
    await loadReceipts(watch);
    for await (const item of watch.container.listBlobsFlat({ prefix: watch.pattern.prefix })) {
      if (!item.properties.etag) continue;
      const name = await storedName(watch, item.name, item.properties.etag);
      const params = watch.pattern.match(name);
      if (params) enqueue(watch, name, item.properties.etag, params);
    }
  }

  // One scan at a time; each container's failure is logged once until it changes or clears.
  let running: Promise<void> | undefined;
  const lastErrors = new Map<BlobWatch, string>();
  async function scan(): Promise<void> {
    for (const watch of watches) {
      try {
        await scanWatch(watch);
        lastErrors.delete(watch);
      } catch (err) {
        const message = `Scanning ${watch.pattern.container} for '${watch.fn.name}' failed: ${escapeForLog(describeStorageError(err))}`;
        if (message !== lastErrors.get(watch)) log(message);
        lastErrors.set(watch, message);
      }
    }
  }
  function pollOnce(): Promise<void> {
    running ??= track(
      scan().finally(() => {
        running = undefined;
      }),
    );
    return running;
  }

  function invokeNow(watch: BlobWatch, blobName: string, pathParams: Record<string, string>): void {
    void track(
      invokeBlob(watch, blobName, pathParams, 'admin', 1)
        .catch((err: unknown) => ({
          functionName: watch.fn.name,
          invocationId: 'unknown',
          reason: 'admin' as const,
          outcome: 'failed' as const,
          durationMs: 0,
          attempt: 1,
          blobName,
          error: `reading the blob failed: ${invocationErrorMessage(err)}`,
        }))
        .then(emit),
    );
  }

  return { pollOnce, invokeNow };
}
