// The Log Analytics export after an analysis run: sends the current result of every queued meeting (rows from
// rows.ts) through the Logs Ingestion API, then takes the accepted meetings off the queue. A meeting whose rows
// were not all accepted (throttled, service error, no permission) stays queued and is sent whole on the next run;
// queries keep the latest analysis per meeting and drop repeated rows (docs/log-analytics.md). The export never
// throws: its outcome is logged and recorded in the queue's status row.
import type { Store } from '../../storage/store.js';
import type { LogExportQueue, LogExportStatus, QueuedExport } from '../../storage/logExportQueue.js';
import { mapBounded } from '../../concurrency.js';
import { SETTINGS } from '../../names.js';
import { describeError } from '../../errors.js';
import { SILENT_LOG, type PipelineLog } from '../log.js';
import { readCurrentResult } from './currentResult.js';
import { siteDropRateRows } from './siteDropRates.js';
import { disconnectionRows, meetingRows, SENT_DIMENSIONS, type MeetingRow } from './rows.js';
import { LOG_TABLES } from './tables.js';

/** The part of LogsIngestionClient the export uses. */
export interface LogsUploader {
  upload(
    ruleId: string,
    streamName: string,
    logs: Record<string, unknown>[],
    options?: {
      maxConcurrency?: number;
      abortSignal?: AbortSignal;
      onError?: (error: { failedLogs: Record<string, unknown>[]; cause: Error }) => void;
    },
  ): Promise<void>;
}

export interface LogExportDeps {
  store: Store;
  queue: LogExportQueue;
  client: LogsUploader;
  /** Immutable id of the data collection rule (dcr-…). */
  ruleId: string;
  includeUserIds: boolean;
  now?: () => Date;
  /** Queued meetings sent per upload (default 200). */
  batchMeetings?: number;
  /** Queued meetings looked at per run (default 5000); the rest wait for the next run. */
  maxMeetings?: number;
  /** Time between two sendings of the site drop rates (default 6 hours). */
  siteRatesEveryMs?: number;
}

export const SITE_RATES_EVERY_MS = 6 * 3_600_000;

export interface LogExportOptions {
  /** Epoch ms after which no further batch is started (a batch in flight is aborted). */
  deadline: number;
  log?: PipelineLog;
}

const FUNCTION = 'analyzeDisconnections: Log Analytics export';

/** Sends the queued meetings; returns what was recorded as the export's status. */
export async function exportQueuedResults(deps: LogExportDeps, options: LogExportOptions): Promise<LogExportStatus> {
  const log = options.log ?? SILENT_LOG;
  const now = deps.now ?? (() => new Date());
  const status: LogExportStatus = {
    startedAt: now().toISOString(),
    finishedAt: '',
    meetingsSent: 0,
    rowsSent: 0,
    meetingsLeft: 0,
    meetingsGone: 0,
    siteRatesSent: 0,
  };
  try {
    const queued = await deps.queue.list(deps.maxMeetings ?? 5000);
    const size = Math.max(1, deps.batchMeetings ?? 200);
    let next = 0;
    while (next < queued.length) {
      if (Date.now() >= options.deadline) break;
      const batch = queued.slice(next, next + size);
      next += batch.length;
      const error = await sendBatch(deps, batch, status, options.deadline, now);
      if (error !== undefined) {
        status.lastError = error;
        break; // the service refused or failed: the rest waits for the next run
      }
    }
    status.meetingsLeft += queued.length - next;
    if (status.lastError === undefined && Date.now() < options.deadline) {
      const error = await sendSiteRatesIfDue(deps, status, options.deadline, now);
      if (error !== undefined) status.lastError = error;
    }
  } catch (error) {
    status.lastError = `reading the export queue or the results: ${describeError(error)}`;
  }
  status.finishedAt = now().toISOString();
  if (status.lastError !== undefined) {
    log.warn(
      `${FUNCTION}: ${status.meetingsSent} meetings sent, ${status.meetingsLeft} left for the next run: ${status.lastError}`,
    );
  } else if (status.meetingsSent > 0 || status.meetingsGone > 0) {
    log.info(
      `${FUNCTION}: ${status.meetingsSent} meetings sent (${status.rowsSent} rows), ${status.meetingsLeft} left for the next run`,
    );
  }
  try {
    await deps.queue.recordStatus(status);
  } catch (error) {
    log.warn(`${FUNCTION}: could not record the export status: ${describeError(error)}`);
  }
  return status;
}

/** Builds and uploads one batch; returns the first error, or undefined when every row was accepted. */
async function sendBatch(
  deps: LogExportDeps,
  batch: QueuedExport[],
  status: LogExportStatus,
  deadline: number,
  now: () => Date,
): Promise<string | undefined> {
  const sentAt = now().toISOString();
  const built = await mapBounded(
    batch,
    async (entry) => {
      const result = await readCurrentResult(deps.store, entry.meetingId, SENT_DIMENSIONS);
      if (result === undefined) return { entry, meetings: [], disconnections: [] };
      // The analysis queues the meeting right after storing its result, so the entry's stamp is the stored result's.
      const stamp = { run: entry.run, configFingerprint: entry.configFingerprint };
      const rowOptions = { includeUserIds: deps.includeUserIds, sentAt };
      return {
        entry,
        meetings: meetingRows(result.listing, result.contributions, stamp, rowOptions),
        disconnections: disconnectionRows(result.listing, result.disconnections, stamp, rowOptions),
      };
    },
    8,
  );

  const failed = new Set<string>();
  let firstError: string | undefined;
  const abort = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  const upload = async (stream: string, rows: MeetingRow[]): Promise<void> => {
    if (rows.length === 0) return;
    try {
      await deps.client.upload(deps.ruleId, stream, rows, {
        maxConcurrency: 2,
        abortSignal: abort,
        onError: (e) => {
          for (const row of e.failedLogs) failed.add(String(row['MeetingId']));
          firstError ??= describeUploadError(e.cause);
        },
      });
    } catch (error) {
      // Errors of single chunks came through onError; anything else failed the whole stream.
      if (firstError === undefined) {
        firstError = describeUploadError(error);
        for (const row of rows) failed.add(String(row['MeetingId']));
      }
    }
  };
  await upload(
    LOG_TABLES.meetings.stream,
    built.flatMap((b) => b.meetings),
  );
  await upload(
    LOG_TABLES.disconnections.stream,
    built.flatMap((b) => b.disconnections),
  );

  for (const b of built) {
    if (b.meetings.length === 0) {
      status.meetingsGone++;
      await deps.queue.remove(b.entry);
    } else if (failed.has(b.entry.meetingId)) {
      status.meetingsLeft++;
      await deps.queue.recordFailure(b.entry);
    } else {
      status.meetingsSent++;
      status.rowsSent += b.meetings.length + b.disconnections.length;
      // Not removed when queued again meanwhile: the newer result is sent next run.
      await deps.queue.remove(b.entry);
    }
  }
  return firstError;
}

/** Sends the site drop rates when the last accepted sending is older than the interval; returns the error, if any. */
async function sendSiteRatesIfDue(
  deps: LogExportDeps,
  status: LogExportStatus,
  deadline: number,
  now: () => Date,
): Promise<string | undefined> {
  const last = await deps.queue.siteRatesSentAt();
  const at = now();
  if (last !== undefined && at.getTime() - Date.parse(last) < (deps.siteRatesEveryMs ?? SITE_RATES_EVERY_MS))
    return undefined;
  const rows = await siteDropRateRows(deps.store, at);
  if (rows.length > 0) {
    try {
      await deps.client.upload(deps.ruleId, LOG_TABLES.siteDropRates.stream, rows, {
        maxConcurrency: 2,
        abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (error) {
      const errors = (error as { errors?: Array<{ cause: unknown }> }).errors;
      return `site drop rates: ${describeUploadError(errors?.[0]?.cause ?? error)}`;
    }
  }
  status.siteRatesSent = rows.length;
  await deps.queue.recordSiteRatesSent(at.toISOString());
  return undefined;
}

/** The HTTP status and the service's message, without request details. */
function describeUploadError(error: unknown): string {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const message = describeError(error);
  if (status === 403)
    return `HTTP 403: the app's identity lacks Monitoring Metrics Publisher on the data collection rule (${message})`;
  if (status === 404)
    return `HTTP 404: no data collection rule with this id or stream at the endpoint; check ${SETTINGS.logsIngestionRuleId} and ${SETTINGS.logsIngestionEndpoint} (${message})`;
  return typeof status === 'number' ? `HTTP ${status}: ${message}` : message;
}
