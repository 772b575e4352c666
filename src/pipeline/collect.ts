// The collector job: make sure the Audit.General subscription is on, list content window by window
// from the saved position, fetch each content blob not fetched before, keep the Teams meeting records
// and write them as a JSON array into the exports container (where ingestExport takes them like any
// export), then record the content id; a window's end is saved only once all its content is recorded.
// A crash or a stop at the deadline therefore loses nothing and re-writes nothing already recorded.
import type { ContainerClient } from '@azure/storage-blob';
import { CollectorError, SubscriptionMissingError } from '../collector/errors.js';
import { AUDIT_GENERAL, type ContentItem, type ManagementActivityApi } from '../collector/managementApi.js';
import { contentBlobName, contentDay, selectMeetingRecords } from '../collector/content.js';
import { formatApiTime, planWindows } from '../collector/windows.js';
import type { CollectorRunStatus, CollectorState } from '../storage/collectorState.js';
import { describeError } from '../errors.js';
import { SILENT_LOG, type PipelineLog } from './log.js';
import { forEachBounded } from '../concurrency.js';

/** The API asks not to re-issue subscriptions/start within 15 minutes. */
export const SUBSCRIPTION_START_INTERVAL_MS = 15 * 60_000;

export interface CollectDeps {
  api: ManagementActivityApi;
  state: CollectorState;
  /** The exports container (EXPORTS_CONTAINER), watched by ingestExport. */
  exports: ContainerClient;
  contentType?: string;
  /** Retries spent by the API client so far (for the run status). */
  retries?: () => number;
  /** Epoch ms, checked against the deadline (default Date.now). */
  clock?: () => number;
  /** Content blobs fetched at once (default 4); they share the run's retry budget. */
  concurrency?: number;
}

export interface CollectOptions {
  /** When the run started. */
  now: Date;
  /** Epoch ms after which no further listing or content fetch is started. */
  deadline: number;
  log?: PipelineLog;
  /** Re-list this much before the saved position (default 1 h). */
  overlapMs?: number;
  /** How far back the first run goes (default: as far as the API lists, 7 days). */
  initialLookbackMs?: number;
}

export interface CollectRunResult extends CollectorRunStatus {
  warnings: string[];
}

/** A run's counters before it has done anything. */
function zeroCounts() {
  return {
    windowsCompleted: 0,
    contentListed: 0,
    contentFetched: 0,
    contentSkipped: 0,
    contentExpired: 0,
    recordsKept: 0,
    blobsWritten: 0,
    retries: 0,
  };
}

/** The status of a run that failed before it started collecting (configuration, credentials). */
export function failedBeforeStart(started: Date, errorKind: string, error: string): CollectorRunStatus {
  const at = started.toISOString();
  return { startedAt: at, finishedAt: at, status: 'failed', errorKind, error, ...zeroCounts() };
}

const LOG_PREFIX = 'collectAuditRecords';
export const DEFAULT_FETCH_CONCURRENCY = 4;

/**
 * Runs `work` on every item, at most `concurrency` at once. `beforeEach(left)` may throw to stop starting items.
 * After the first failure no further item starts; the ones in flight finish, then the first failure is thrown.
 */
async function forEachUntilFailure<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  beforeEach: (left: number) => void,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  await forEachBounded(
    items,
    async (item, index) => {
      try {
        beforeEach(items.length - index);
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    },
    { concurrency, stop: () => failure !== undefined },
  );
  if (failure !== undefined) throw failure.error;
}

type SubscriptionState = { ready: true } | { ready: false; reason: string };

async function startSubscription(
  deps: CollectDeps,
  contentType: string,
  now: Date,
  log: PipelineLog,
): Promise<SubscriptionState> {
  const last = await deps.state.lastSubscriptionStartAttempt(contentType);
  if (last !== undefined && now.getTime() - last.getTime() < SUBSCRIPTION_START_INTERVAL_MS) {
    const next = new Date(last.getTime() + SUBSCRIPTION_START_INTERVAL_MS);
    return {
      ready: false,
      reason:
        `the ${contentType} subscription is not enabled yet; it was started at ${last.toISOString()}, and the API asks not to start it ` +
        `again before ${next.toISOString()}. Content can take up to 12 hours to appear after the first start.`,
    };
  }
  // Recorded first, so a crash during the call still counts against the 15-minute rule.
  await deps.state.recordSubscriptionStartAttempt(contentType, now, 'starting');
  const subscription = await deps.api.startSubscription(contentType);
  await deps.state.recordSubscriptionStartAttempt(contentType, now, subscription.status || 'unknown');
  log.info(
    `${LOG_PREFIX}: started the ${contentType} subscription (status ${subscription.status}); the first content can take up to 12 hours to appear`,
  );
  if (subscription.status.toLowerCase() === 'enabled') return { ready: true };
  return {
    ready: false,
    reason: `the ${contentType} subscription was started at ${now.toISOString()} but reports status "${subscription.status}"`,
  };
}

async function ensureSubscription(
  deps: CollectDeps,
  contentType: string,
  now: Date,
  log: PipelineLog,
): Promise<SubscriptionState> {
  const subscriptions = await deps.api.listSubscriptions();
  const current = subscriptions.find((s) => s.contentType.toLowerCase() === contentType.toLowerCase());
  if (current?.status.toLowerCase() === 'enabled') return { ready: true };
  return startSubscription(deps, contentType, now, log);
}

/** Writes the blob unless it exists: a run interrupted after writing it left the same content under the same name. */
async function writeContentBlob(
  container: ContainerClient,
  blobName: string,
  body: string,
): Promise<'written' | 'existed'> {
  try {
    await container.getBlockBlobClient(blobName).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
      conditions: { ifNoneMatch: '*' },
    });
    return 'written';
  } catch (error) {
    const status = (error as { statusCode?: number } | null)?.statusCode;
    if (status === 409 || status === 412) return 'existed';
    throw error;
  }
}

/** Runs the collector once. Never throws for API or credential problems: they end up in the returned and recorded status. */
export async function collectAuditRecords(deps: CollectDeps, options: CollectOptions): Promise<CollectRunResult> {
  const log = options.log ?? SILENT_LOG;
  const clock = deps.clock ?? Date.now;
  const contentType = deps.contentType ?? AUDIT_GENERAL;
  const { state, api } = deps;
  const run: CollectRunResult = {
    startedAt: options.now.toISOString(),
    status: 'running',
    ...zeroCounts(),
    warnings: [],
  };
  const statusOf = (): CollectorRunStatus => {
    const { warnings: _warnings, ...status } = run;
    return status;
  };
  await state.recordRun(statusOf());

  const pastDeadline = (): boolean => clock() >= options.deadline;
  const stopAtDeadline = (left: string): never => {
    throw new CollectorError(
      'deadline',
      `stopped at the run's deadline with ${left}; the next run continues from the saved position`,
    );
  };

  try {
    let subscription = await ensureSubscription(deps, contentType, options.now, log);
    if (!subscription.ready) {
      run.status = 'waiting-for-subscription';
      run.errorKind = 'subscription';
      run.error = subscription.reason;
    } else {
      const lastWindowEnd = await state.lastWindowEnd(contentType);
      if (lastWindowEnd !== undefined) run.lastWindowEnd = lastWindowEnd.toISOString();
      const planOptions: Parameters<typeof planWindows>[0] = { now: options.now };
      if (lastWindowEnd !== undefined) planOptions.lastWindowEnd = lastWindowEnd;
      if (options.overlapMs !== undefined) planOptions.overlapMs = options.overlapMs;
      if (options.initialLookbackMs !== undefined) planOptions.initialLookbackMs = options.initialLookbackMs;
      const plan = planWindows(planOptions);
      if (plan.gap) {
        const warning =
          `content created between ${plan.gap.from.toISOString()} and ${plan.gap.to.toISOString()} can no longer be listed ` +
          `(the API keeps 7 days); export that period by hand from Purview if it matters`;
        run.warnings.push(warning);
        log.warn(`${LOG_PREFIX}: ${warning}`);
      }

      for (const [index, window] of plan.windows.entries()) {
        if (pastDeadline()) stopAtDeadline(`${plan.windows.length - index} listing windows left`);
        const label = `${formatApiTime(window.start)}..${formatApiTime(window.end)}`;
        const items: ContentItem[] = [];
        const listed = new Set<string>();
        let malformed = 0;
        try {
          for await (const page of api.listContent(contentType, window.start, window.end)) {
            malformed += page.malformed;
            for (const item of page.items) {
              if (listed.has(item.contentId)) continue;
              listed.add(item.contentId);
              items.push(item);
            }
          }
        } catch (error) {
          if (!(error instanceof SubscriptionMissingError)) throw error;
          log.warn(`${LOG_PREFIX}: ${error.message}`);
          subscription = await startSubscription(deps, contentType, options.now, log);
          run.status = 'waiting-for-subscription';
          run.errorKind = 'subscription';
          run.error = subscription.ready
            ? `the ${contentType} subscription had stopped (${error.apiCode}) and was started again; content is listed from the next run on`
            : subscription.reason;
          break;
        }
        if (malformed > 0)
          run.warnings.push(`${malformed} listing entries in ${label} had no contentId or contentUri and were skipped`);
        run.contentListed += items.length;
        const fetched = await state.fetchedContentIds(
          contentType,
          items.map((i) => contentDay(i.contentCreated)),
        );

        const collectOne = async (item: ContentItem): Promise<void> => {
          const content = await api.fetchContent(item);
          const recordedAt = new Date(clock());
          if (content.kind === 'expired') {
            run.contentExpired++;
            log.warn(`${LOG_PREFIX}: ${content.message}; recorded and skipped`);
            await state.recordContent(
              {
                contentType,
                contentId: item.contentId,
                day: contentDay(item.contentCreated),
                ...created(item),
                records: 0,
                expired: true,
              },
              recordedAt,
            );
            return;
          }
          const selection = selectMeetingRecords(content.records);
          if (selection.invalid > 0)
            run.warnings.push(
              `content ${item.contentId}: ${selection.invalid} entries were not JSON objects and were dropped`,
            );
          let blobName: string | undefined;
          if (selection.kept.length > 0) {
            // The blob first, then the content id: a crash in between leaves the blob, found again by name.
            blobName = contentBlobName(contentType, item.contentCreated, item.contentId);
            const outcome = await writeContentBlob(deps.exports, blobName, JSON.stringify(selection.kept));
            if (outcome === 'written') run.blobsWritten++;
          }
          const recorded: Parameters<CollectorState['recordContent']>[0] = {
            contentType,
            contentId: item.contentId,
            day: contentDay(item.contentCreated),
            ...created(item),
            records: selection.kept.length,
            expired: false,
          };
          if (blobName !== undefined) recorded.blobName = blobName;
          await state.recordContent(recorded, recordedAt);
          run.contentFetched++;
          run.recordsKept += selection.kept.length;
        };
        const pending = items.filter((item) => !fetched.has(item.contentId));
        run.contentSkipped += items.length - pending.length;
        await forEachUntilFailure(pending, deps.concurrency ?? DEFAULT_FETCH_CONCURRENCY, collectOne, (left) => {
          if (pastDeadline()) stopAtDeadline(`${left} content blobs of window ${label} left`);
        });
        await state.setLastWindowEnd(contentType, window.end, new Date(clock()));
        run.lastWindowEnd = window.end.toISOString();
        run.windowsCompleted++;
      }
      if (run.status === 'running') run.status = 'succeeded';
    }
  } catch (error) {
    const kind = error instanceof CollectorError ? error.kind : 'internal';
    run.status = kind === 'throttled' || kind === 'deadline' ? 'partial' : 'failed';
    run.errorKind = kind;
    run.error = describeError(error);
    const line = `${LOG_PREFIX}: ${run.status === 'partial' ? 'stopped early' : 'failed'}: ${run.error}`;
    if (run.status === 'partial') log.warn(line);
    else log.error(line);
  }

  run.retries = deps.retries?.() ?? 0;
  run.finishedAt = new Date(clock()).toISOString();
  try {
    const purged = await state.purgeExpiredContent(new Date(clock()));
    if (purged > 0) log.info(`${LOG_PREFIX}: forgot ${purged} content ids older than 8 days`);
  } catch (error) {
    log.warn(`${LOG_PREFIX}: could not purge old content ids: ${describeError(error)}`);
  }
  try {
    await state.recordRun(statusOf());
  } catch (error) {
    log.warn(`${LOG_PREFIX}: could not record the run status: ${describeError(error)}`);
  }
  log.info(
    `${LOG_PREFIX}: ${run.status}: ${run.windowsCompleted} windows completed, ${run.contentListed} content blobs listed, ` +
      `${run.contentFetched} fetched, ${run.contentSkipped} already fetched, ${run.contentExpired} expired, ${run.recordsKept} meeting records ` +
      `kept in ${run.blobsWritten} new blobs, ${run.retries} retries${run.lastWindowEnd ? `; position ${run.lastWindowEnd}` : ''}`,
  );
  return run;
}

function created(item: ContentItem): { contentCreated?: string } {
  return item.contentCreated === undefined ? {} : { contentCreated: item.contentCreated };
}
