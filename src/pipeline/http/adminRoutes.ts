// /api/users (the users report: users file plus users learned at ingestion, with names from Microsoft Graph), /api/uploads and
// /api/uploads/{name} (the upload ledger), and /api/health (storage, config, analysis, collector, retention and the
// Log Analytics purge).
import { directoryEmail, UsersDatabase } from '../../analysis/userDirectory.js';
import { userRows, type UserRow } from '../../reports/users.js';
import { fieldColumns, type Column } from '../../reports/render/csv.js';
import { entityToUploadEntry, type UploadEntry } from '../../storage/ledger.js';
import { CollectorState } from '../../storage/collectorState.js';
import { readCollectorHealth, type CollectorHealth } from '../collectorHealth.js';
import { RetentionState } from '../../storage/retentionState.js';
import { logPurgeHealth, type LogPurgeHealth } from '../logAnalytics/purgeService.js';
import { describeError } from '../../errors.js';
import { logOf, type ReportDeps } from './context.js';
import type { RouteInput } from './meetingRoutes.js';
import { pageOfList, scanTable } from './paging.js';
import { jsonResponse, listResponse } from './render.js';
import { ApiError, badParameter, type ReportResponse } from './types.js';

/** A users report row with what Microsoft Graph said ('' where it was not asked or does not know the id). */
interface DirectoryUserRow extends UserRow {
  displayName: string;
  /** `Member` or `Guest`. */
  userType: string;
  /** `found`, `notInTenant` (external users), or '' (not looked up). */
  directory: string;
}

const USER_COLUMNS: readonly Column<DirectoryUserRow>[] = fieldColumns<DirectoryUserRow>([
  'uuid',
  'email',
  'displayName',
  'userType',
  'directory',
  'origin',
  'added',
]);

/** The users file's entries, then the stored users with an e-mail (the directory's address first, then the learned one). */
export async function listUsers(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const config = await deps.config.get();
  const db = new UsersDatabase(
    { caseInsensitive: true },
    [...config.users.entriesInOrder()].map((r) => ({ uuid: r.uuid, email: r.email, origin: r.origin })),
  );
  const stored = await deps.store.users.listAll();
  const directory = new Map(stored.map((u) => [u.uuid.toLowerCase(), u.directory]));
  for (const learned of stored) {
    const email = directoryEmail(learned.directory) || learned.email;
    if (learned.origin !== 'file' && email !== '') db.learn(learned.uuid, email, learned.origin);
  }
  let rows: DirectoryUserRow[] = userRows(db).map((r) => {
    const d = directory.get(r.uuid.toLowerCase());
    return { ...r, displayName: d?.displayName ?? '', userType: d?.userType ?? '', directory: d?.status ?? '' };
  });
  const user = input.filter.user?.toLowerCase();
  if (user !== undefined) rows = rows.filter((r) => r.uuid.toLowerCase() === user || r.email.toLowerCase() === user);
  const page = pageOfList(rows, input.options.limit, input.state);
  return listResponse(page.items, input.token(page.next), input.options, USER_COLUMNS);
}

const UPLOAD_FIELDS = [
  'blobName',
  'etag',
  'status',
  'attempts',
  'startedAt',
  'finishedAt',
  'durationMs',
  'format',
  'csvVariant',
  'rowsRead',
  'accepted',
  'duplicates',
  'skipped',
  'rejected',
  'skippedByOperation',
  'sessions',
  'meetingDetails',
  'meetingsTouched',
  'truncatedEntities',
  'rejectsBlob',
  'warnings',
  'error',
  'permanent',
  'removal',
] as const satisfies readonly (keyof UploadEntry)[];
/** CSV columns of the ledger (nested fields as JSON text; JSON output keeps them nested, with the first rejections). */
const UPLOAD_COLUMNS: readonly Column<UploadEntry>[] = UPLOAD_FIELDS.map((f) => ({
  header: f,
  value: (e: UploadEntry) => {
    const v = e[f];
    return typeof v === 'object' ? JSON.stringify(v) : v;
  },
}));

export async function listUploads(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const scanOptions = {
    query: deps.store.ledger.query(),
    limit: input.options.limit,
    pageSize: input.options.limit,
    decode: (e: Record<string, unknown>) => entityToUploadEntry(e),
  };
  const page = await scanTable(input.state === undefined ? scanOptions : { ...scanOptions, state: input.state });
  return listResponse(page.items, input.token(page.next), input.options, UPLOAD_COLUMNS);
}

export async function getUpload(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  const name = input.params.name ?? '';
  if (name === '') throw badParameter('name', 'the blob name is missing from the path: /api/uploads/{name}');
  const entries = await deps.store.ledger.listForBlob(name);
  if (entries.length === 0)
    throw new ApiError(404, 'UploadNotFound', 'no upload with this blob name is in the ledger', 'name');
  return listResponse(entries, undefined, input.options, UPLOAD_COLUMNS, { blobName: name });
}

export async function getHealth(deps: ReportDeps, input: RouteInput): Promise<ReportResponse> {
  if (input.options.format === 'csv') throw badParameter('format', 'health is returned as JSON only');
  const log = logOf(deps);
  const storage: { reachable: boolean; authentication: string; problem?: string } = {
    reachable: true,
    authentication: deps.store.clients.description,
  };
  let pendingMarks: number | null = null;
  let lastRun: unknown = null;
  let analysisConfig: unknown = null;
  try {
    const [pending, run, configState] = await Promise.all([
      deps.store.marks.countPending(),
      deps.store.marks.lastRun(),
      deps.store.marks.configState(),
      deps.store.ledger.probe(),
    ]);
    pendingMarks = pending;
    lastRun = run ?? null;
    // The config the analysed meetings were marked for, a re-marking under way, the last one finished.
    if (configState !== undefined) {
      analysisConfig = {
        fingerprint: configState.fingerprint,
        recordedAt: configState.recordedAt,
        remarking:
          configState.remarking === undefined
            ? null
            : {
                fingerprint: configState.remarking.fingerprint,
                startedAt: configState.remarking.startedAt,
                meetings: configState.remarking.meetings,
              },
        lastRemark: configState.lastRemark ?? null,
      };
    }
  } catch (error) {
    storage.reachable = false;
    storage.problem = 'the storage account did not answer, or refused access';
    log.error(`health: storage check failed: ${describeError(error)}`);
  }
  let config: {
    valid: boolean;
    present: string[];
    problems: Array<{ blob: string; message: string }>;
    fingerprint: string | null;
  } = {
    valid: false,
    present: [],
    problems: [],
    fingerprint: null,
  };
  if (storage.reachable) {
    try {
      const loaded = await deps.store.config.load();
      config = {
        valid: loaded.problems.length === 0,
        present: loaded.present,
        problems: loaded.problems,
        fingerprint: loaded.fingerprint,
      };
    } catch (error) {
      config.problems.push({ blob: '', message: 'the config container could not be read' });
      log.error(`health: config check failed: ${describeError(error)}`);
    }
  }
  // The Management Activity API collector (optional): configured or not, its last run and error, its position.
  let collector: CollectorHealth | null = null;
  if (storage.reachable) {
    try {
      collector = await readCollectorHealth(
        new CollectorState(deps.store.clients.table(deps.store.names.tables.collectorState)),
      );
    } catch (error) {
      log.error(`health: collector status check failed: ${describeError(error)}`);
    }
  }
  // The Microsoft Graph name lookup's last run (null: never ran; it is off unless GRAPH_NAMES=true).
  let names: unknown = null;
  if (storage.reachable) {
    try {
      names = { lastRun: (await deps.store.users.lastNamesRun()) ?? null };
    } catch (error) {
      log.error(`health: name lookup status check failed: ${describeError(error)}`);
    }
  }
  // The retention run's last counts and the days before which data is gone (null: never ran).
  let retention: unknown = null;
  if (storage.reachable) {
    try {
      retention = { lastRun: (await new RetentionState(deps.store.marks.client).last()) ?? null };
    } catch (error) {
      log.error(`health: retention status check failed: ${describeError(error)}`);
    }
  }
  // The Log Analytics purge of erasures: off, ok or misconfigured, what is queued and since when, a 429's wait.
  let logAnalyticsPurge: LogPurgeHealth | null = null;
  if (storage.reachable) {
    try {
      logAnalyticsPurge = await logPurgeHealth(deps.store, deps.env ?? process.env, deps.now?.() ?? new Date());
    } catch (error) {
      log.error(`health: Log Analytics purge status check failed: ${describeError(error)}`);
    }
  }
  const purgeMisconfigured = logAnalyticsPurge?.state === 'misconfigured';
  const collectorFailing = collector !== null && collector.configured && collector.lastRun?.status === 'failed';
  const status = !storage.reachable
    ? 'unavailable'
    : config.valid && !collectorFailing && !purgeMisconfigured
      ? 'ok'
      : 'degraded';
  return jsonResponse(
    {
      status,
      checkedAt: (deps.now?.() ?? new Date()).toISOString(),
      storage,
      config,
      analysis: { lastRun, pendingMarks, config: analysisConfig },
      collector,
      names,
      retention,
      logAnalyticsPurge,
    },
    storage.reachable ? 200 : 503,
  );
}
