// Renders the workbook on sample data to a PNG (docs/log-analytics-workbook.png): the sample rows of
// workbookSample.ts, every part of the Bicep's workbook run by the test-side KQL evaluator with the default
// parameters and the meeting with the most drops selected, laid out by workbookPage.ts and screenshotted with the
// Chromium the dashboard tests use. `npm run render:workbook` (scripts/render-workbook.mjs) runs it on its own Azurite.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { findBrowser, launchBrowser } from '../../dashboard/browser.js';
import { readWorkbookLayout } from './workbookLayout.js';
import { workbookPage } from './workbookPage.js';
import { runPart, type PartResult, type WorkbookSettings } from './workbookRun.js';
import { sampleWorkspace, SAMPLE_NOW, type SampleWorkspace } from './workbookSample.js';

export const NOTE =
  'Sample data: generated audit records analysed by the pipeline and sent by its Log Analytics export to a local ' +
  'stand-in of the Logs Ingestion API; each part is the workbook query run by the project\u2019s test KQL evaluator. ' +
  'A page laid out like the workbook, not a capture of the Azure portal.';

/** The workbook's parts on the sample with its default parameters; the meeting with the most drops selected. */
export function workbookResults(sample: SampleWorkspace): {
  settings: WorkbookSettings;
  results: Map<string, PartResult>;
} {
  const layout = readWorkbookLayout();
  const range = layout.parameters.find((p) => p.name === 'TimeRange');
  const min = layout.parameters.find((p) => p.name === 'MinSessions');
  const settings: WorkbookSettings = {
    now: SAMPLE_NOW,
    timeRangeMs: Number(range?.defaultValue),
    minSessions: Number(min?.defaultValue),
  };
  const results = new Map<string, PartResult>();
  for (const part of layout.parts.filter((p) => p.visibleWhen === undefined)) {
    const result = runPart(part, sample.tables, settings);
    results.set(part.name, result);
    if (part.exportParameterName !== undefined && result.rows.length > 0)
      settings.meetingId = String(result.rows[0]![part.exportParameterName]);
  }
  for (const part of layout.parts.filter((p) => p.visibleWhen !== undefined))
    if (settings.meetingId !== undefined) results.set(part.name, runPart(part, sample.tables, settings));
  return { settings, results };
}

export interface Rendered {
  html: string;
  pngBytes: number;
}

/** Writes the PNG (and the HTML beside it when `htmlFile` is given). */
export async function renderWorkbook(sample: SampleWorkspace, pngFile: string, htmlFile?: string): Promise<Rendered> {
  const { settings, results } = workbookResults(sample);
  const html = workbookPage(readWorkbookLayout(), results, settings, NOTE);
  if (htmlFile !== undefined) writeFileSync(htmlFile, html);
  const browser = findBrowser();
  if (!browser.found) throw new Error(`no browser to take the screenshot: ${browser.reason}`);
  const launched = await launchBrowser(browser);
  try {
    const page = await launched.context.newPage();
    await page.setViewportSize({ width: 1320, height: 900 });
    await page.setContent(html);
    mkdirSync(dirname(pngFile), { recursive: true });
    await page.locator('main').screenshot({ path: pngFile });
    await page.close();
  } finally {
    await launched.close();
  }
  return { html, pngBytes: statSync(pngFile).size };
}

/** For scripts/render-workbook.mjs: builds the sample on the Azurite of TEST_STORAGE_CONNECTION and renders it. */
export async function renderSampleWorkbook(pngFile: string): Promise<Rendered> {
  const sample = await sampleWorkspace();
  try {
    return await renderWorkbook(sample, pngFile);
  } finally {
    await sample.close();
  }
}
