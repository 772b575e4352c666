// Test fixture: a store with analysed meetings, the local Entra ID stand-in and Logs Ingestion API, and the Log
// Analytics export wired to them through the real @azure/monitor-ingestion client and @azure/identity credential.
import { ClientSecretCredential } from '@azure/identity';
import { LogsIngestionClient, KnownMonitorAudience } from '@azure/monitor-ingestion';
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { logAnalyticsExport, type LogAnalyticsExport } from '../../../src/pipeline/logAnalytics/exportService.js';
import { LOG_TABLES, type TableDefinition } from '../../../src/pipeline/logAnalytics/tables.js';
import { LogExportQueue } from '../../../src/storage/logExportQueue.js';
import type { Store } from '../../../src/storage/store.js';
import { FakeEntraId } from '../../collector/fakeEntraId.js';
import { freshStore } from '../../storage/testStore.js';
import { generated } from '../pipelineFixtures.js';
import { FakeLogsIngestion } from './fakeLogsIngestion.js';

export const FAR = (): number => Date.now() + 600_000;
export const MEETINGS_STREAM = LOG_TABLES.meetings.stream;
export const DISCONNECTIONS_STREAM = LOG_TABLES.disconnections.stream;

export interface IngestionWorld {
  entra: FakeEntraId;
  ingestion: FakeLogsIngestion;
  close(): Promise<void>;
  /** A real LogsIngestionClient signed in through the stand-in (retries: 0 unless given). */
  client(maxRetries?: number): LogsIngestionClient;
}

export async function startIngestionWorld(): Promise<IngestionWorld> {
  const entra = await FakeEntraId.start();
  const ingestion = await FakeLogsIngestion.start(Object.values(LOG_TABLES).map((t) => t.stream));
  entra.scope = `${KnownMonitorAudience.AzurePublicCloud}/.default`;
  entra.onIssued = (token) => ingestion.trust(token);
  const credential = new ClientSecretCredential(entra.tenantId, entra.clientId, entra.clientSecret, {
    ...entra.credentialOptions,
    authorityHost: entra.baseUrl,
    disableInstanceDiscovery: true,
  });
  return {
    entra,
    ingestion,
    client: (maxRetries = 0) =>
      new LogsIngestionClient(ingestion.baseUrl, credential, {
        tlsOptions: { ca: ingestion.tlsCertificatePem },
        retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
      }),
    async close() {
      await Promise.all([entra.close(), ingestion.close()]);
    },
  };
}

/** A store whose generated export is ingested and analysed with the export queueing every result. */
export async function analysedStore(
  world: IngestionWorld,
  options: {
    records?: number;
    seed?: number;
    includeUserIds?: boolean;
    maxRetries?: number;
    batchMeetings?: number;
    now?: () => Date;
  } = {},
): Promise<{ store: Store; exporter: LogAnalyticsExport; queue: LogExportQueue; analysed: number }> {
  const store = await freshStore('la');
  const exportDeps: Parameters<typeof logAnalyticsExport>[1] = {
    client: world.client(options.maxRetries ?? 0),
    ruleId: world.ingestion.ruleId,
    includeUserIds: options.includeUserIds ?? true,
  };
  if (options.batchMeetings !== undefined) exportDeps.batchMeetings = options.batchMeetings;
  if (options.now !== undefined) exportDeps.now = options.now;
  const exporter = logAnalyticsExport(store, exportDeps);
  const { text } = generated({ records: options.records ?? 800, seed: options.seed ?? 11 });
  await ingestExport({ blobName: 'e.ndjson', content: Buffer.from(text) }, { store });
  const run = await analyseMarkedMeetings({ store, onStored: exporter.queue }, { deadline: FAR() });
  return {
    store,
    exporter,
    queue: new LogExportQueue(store.clients.table(store.names.tables.logExports)),
    analysed: run.analysed,
  };
}

/** Does `value` fit a column of this Log Analytics type (as JSON sent to the API)? */
export function fitsType(type: TableDefinition['columns'][number]['type'], value: unknown): boolean {
  if (value === null) return type !== 'boolean' && type !== 'string';
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
    case 'long':
      return Number.isInteger(value);
    case 'real':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
      return (
        typeof value === 'string' &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) &&
        Number.isFinite(Date.parse(value))
      );
    case 'dynamic':
      return true;
  }
}

/**
 * The documented deduplication (docs/log-analytics.md, infra/log-analytics/queries/latest*.kql) done in
 * TypeScript: per meeting, the rows of its latest AnalysedAt, once per row identity.
 */
export function latestRows(
  rows: Array<Record<string, unknown>>,
  identity: (row: Record<string, unknown>) => string,
): Array<Record<string, unknown>> {
  const latest = new Map<string, string>();
  for (const r of rows) {
    const id = String(r['MeetingId']);
    const at = String(r['AnalysedAt']);
    if ((latest.get(id) ?? '') < at) latest.set(id, at);
  }
  const kept = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    if (latest.get(String(r['MeetingId'])) !== String(r['AnalysedAt'])) continue;
    const key = `${String(r['MeetingId'])}|${identity(r)}`;
    if (!kept.has(key)) kept.set(key, r);
  }
  return [...kept.values()];
}

export const meetingIdentity = (r: Record<string, unknown>): string =>
  `${String(r['Dimension'])}|${String(r['DimensionKey'])}`;
export const disconnectionIdentity = (r: Record<string, unknown>): string => String(r['Sequence']);
