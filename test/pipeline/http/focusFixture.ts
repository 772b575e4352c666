// Shared setup for the summary-focus and meeting-events tests: a generated export ingested and analysed
// in a fresh store with a site map, the report API over it, and the CLI's in-memory analysis of the same
// file as the independent expectation.
import assert from 'node:assert/strict';
import { answerReport, type ReportDeps } from '../../../src/pipeline/answerReport.js';
import { analyseMarkedMeetings } from '../../../src/pipeline/analyse.js';
import { ingestExport } from '../../../src/pipeline/ingest.js';
import { CachedConfig } from '../../../src/storage/configBlobs.js';
import { SiteMap } from '../../../src/analysis/siteMap.js';
import { SessionClassifier } from '../../../src/analysis/classify.js';
import { analyseMeeting } from '../../../src/analysis/detect.js';
import type { Meeting, MeetingAnalysis } from '../../../src/analysis/model.js';
import { AuditDataset } from '../../../src/audit/dataset.js';
import { readExport } from '../../../src/audit/readExport.js';
import { CONFIG_BLOBS } from '../../../src/names.js';
import { freshStore } from '../../storage/testStore.js';
import { withJson, type JsonAnswer } from '../../support/jsonBody.js';
import { generated } from '../pipelineFixtures.js';

export const SITE_MAP =
  'NetworkIP,NetworkName,NetworkRange,BuildingName\n10.57.0.0,HQ Network,16,HQ\n10.58.0.0,Branch Network,16,Branch\n';

export interface FocusFixture {
  deps: ReportDeps;
  expected: Array<{ meeting: Meeting; analysis: MeetingAnalysis }>;
  /** The report API's answer, with its body as T in `json` (reading `json` asserts the answer is JSON). */
  get<T = unknown>(
    route: string,
    query?: Record<string, string>,
    params?: Record<string, string>,
  ): Promise<JsonAnswer<T>>;
}

export async function focusFixture(label: string, records = 1500, seed = 5): Promise<FocusFixture> {
  const store = await freshStore(label);
  await store.config.upload(CONFIG_BLOBS.siteMap, SITE_MAP);
  const deps: ReportDeps = { store, config: new CachedConfig(store.config) };
  const { text } = generated({ records, seed });
  const content = Buffer.from(text);
  await ingestExport({ blobName: 'gen.ndjson', etag: '"e1"', content }, { store });
  const run = await analyseMarkedMeetings({ store }, { deadline: Date.now() + 600_000 });
  assert.equal(run.failed, 0);

  const dataset = new AuditDataset();
  await dataset.addExport(
    readExport(
      (async function* () {
        yield content;
      })(),
      { file: 'gen.ndjson' },
    ),
  );
  const classifier = new SessionClassifier({ siteMap: SiteMap.fromCqdCsv(SITE_MAP, 'sitemap.csv').map });
  const expected = dataset
    .meetings()
    .map((meeting) => ({ meeting, analysis: analyseMeeting(meeting, (s) => classifier.classify(s)) }));

  return {
    deps,
    expected,
    async get<T>(route: string, query: Record<string, string> = {}, params: Record<string, string> = {}) {
      return withJson<T>(await answerReport({ route, params, query }, deps));
    },
  };
}
