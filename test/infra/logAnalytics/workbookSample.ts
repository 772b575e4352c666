// Sample data for the workbook: the rows the Log Analytics export really sends for generated exports of meetings
// on 13 days over four weeks, ingested and analysed on the test Azurite, sent through the real
// @azure/monitor-ingestion client to the local Logs Ingestion API (test/pipeline/logAnalytics). The history holds
// what the workbook's preamble must undo: every meeting analysed twice (a site map change re-analyses all, and
// moves a subnet from one site to another), and a throttled upload sent again whole on the next run.
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import type { ReportDeps } from '../../../src/pipeline/answerReport.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { logAnalyticsExport } from '../../../src/pipeline/logAnalytics/exportService.js';
import { LOG_TABLES } from '../../../src/pipeline/logAnalytics/tables.js';
import { CONFIG_BLOBS } from '../../../src/names.js';
import { CachedConfig } from '../../../src/storage/configBlobs.js';
import { freshStore } from '../../storage/testStore.js';
import { generated } from '../../pipeline/pipelineFixtures.js';
import { FAR, startIngestionWorld } from '../../pipeline/logAnalytics/logsIngestionFixture.js';

/** Sites HQ, Lab and Branch; 192.168.1.x stays unmapped. The second map gives 10.57.32.0/20 to a new site, HQ Annex. */
const SITE_MAP_BEFORE =
  'NetworkIP,NetworkName,NetworkRange,BuildingName\n10.57.0.0,HQ,19,HQ\n10.57.32.0,Lab,19,Lab\n10.58.0.0,Branch,16,Branch\n';
const SITE_MAP_AFTER =
  'NetworkIP,NetworkName,NetworkRange,BuildingName\n10.57.0.0,HQ,19,HQ\n10.57.32.0,HQ Annex,20,HQ Annex\n10.57.48.0,Lab,20,Lab\n10.58.0.0,Branch,16,Branch\n';

/** Days with meetings (workdays of four weeks), each a generated export of its own. */
export const MEETING_DAYS = [
  '2026-03-02',
  '2026-03-04',
  '2026-03-06',
  '2026-03-09',
  '2026-03-11',
  '2026-03-13',
  '2026-03-16',
  '2026-03-18',
  '2026-03-20',
  '2026-03-23',
  '2026-03-25',
  '2026-03-27',
  '2026-03-30',
];
/** The first analysis and export, the re-analysis after the site map change, and the retry of a throttled upload. */
const FIRST_RUN = Date.parse('2026-03-30T20:00:00Z');
const SECOND_RUN = Date.parse('2026-03-31T03:00:00Z');
const RETRY_RUN = Date.parse('2026-03-31T03:10:00Z');
/** When the sample workbook is opened. */
export const SAMPLE_NOW = new Date('2026-03-31T08:00:00Z');

export interface SampleWorkspace {
  /** Rows the Logs Ingestion API accepted, by table name, as JSON. */
  tables: Record<string, Array<Record<string, unknown>>>;
  /** The report API over the same store. */
  deps: ReportDeps;
  /** Meetings analysed in the last run. */
  meetings: number;
  close(): Promise<void>;
}

/** Builds the sample (about 3,000 audit records, 13 exports): needs the test Azurite (TEST_STORAGE_CONNECTION). */
export async function sampleWorkspace(recordsPerDay = 250): Promise<SampleWorkspace> {
  const world = await startIngestionWorld();
  try {
    const store = await freshStore('wb');
    await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP_BEFORE);
    for (const [i, day] of MEETING_DAYS.entries()) {
      const { text } = generated({
        records: recordsPerDay,
        seed: 40 + i,
        start: `${day}T08:00:00Z`,
        meetingIdPrefix: (i + 1).toString(16).padStart(2, '0'),
      });
      await ingestExport({ blobName: `export-${day}.ndjson`, content: Buffer.from(text) }, { store });
    }
    let clock = FIRST_RUN;
    const now = (): Date => new Date(clock);
    const exporter = logAnalyticsExport(store, {
      client: world.client(),
      ruleId: world.ingestion.ruleId,
      includeUserIds: true,
      now,
    });
    const analyse = async (): Promise<number> => {
      let analysed = 0;
      for (let round = 0; round < 5; round++) {
        const run = await analyseMarkedMeetings({ store, onStored: exporter.queue, now }, { deadline: FAR() });
        if (run.failed > 0) throw new Error(`${run.failed} meetings failed to analyse`);
        if (run.analysed === 0 && round > 0) break;
        analysed = Math.max(analysed, run.analysed);
      }
      return analysed;
    };
    const send = async (): Promise<void> => {
      const status = await exporter.run({ deadline: FAR() });
      if (status.lastError !== undefined && clock !== SECOND_RUN) throw new Error(status.lastError);
    };

    await analyse();
    await send();
    // The site map changes: every meeting is analysed again; the first upload of its disconnections is throttled
    // (its meeting rows were accepted), so the next run sends those meetings again whole.
    await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP_AFTER);
    clock = SECOND_RUN;
    const meetings = await analyse();
    world.ingestion.faults.push({ status: 429, retryAfterSeconds: 1, stream: LOG_TABLES.disconnections.stream });
    await send();
    clock = RETRY_RUN;
    await send();

    const tables = Object.fromEntries(
      Object.values(LOG_TABLES).map((t) => [t.table, [...world.ingestion.rows(t.stream)]]),
    );
    return {
      tables,
      deps: { store, config: new CachedConfig(store.config) },
      meetings,
      close: () => world.close(),
    };
  } catch (e) {
    await world.close();
    throw e;
  }
}
