// The dashboard's test bed: the app's real registrations on the local host (free port) over the test
// Azurite, with store names of its own, a generated export ingested through the blob trigger and analysed
// through the admin endpoint; and a Chromium-family browser (see browser.ts) driven by playwright-core.
// captureRegistrations must run before anything loads @azure/functions, so import this module first.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { captureRegistrations, findPackageRoot } from '../../src/local/captureRegistrations.js';
import { startHost, type InvocationEvent, type RunningHost } from '../../src/local/host.js';
import { storageClientsFromConnectionString } from '../../src/storage/clients.js';
import { openStore, prefixedStoreNames, type Store } from '../../src/storage/store.js';
import { servicesFor, usePipelineServices } from '../../src/pipeline/services.js';
import { generateExport, type GroundTruth } from '../../src/generator/exportGenerator.js';
import { CONFIG_BLOBS } from '../../src/names.js';
import type { BrowserContext, Page } from 'playwright-core';
import { findBrowser, launchBrowser, type BrowserChoice } from './browser.js';

export interface GeneratedPart {
  seed: number;
  records: number;
  /** ISO start of the export's first meeting (each export fills about one working day). */
  start: string;
}

export interface DashboardFixture {
  host: RunningHost;
  store: Store;
  /** The ground truth of each export, in the order given. */
  truths: Array<GeneratedPart & { truth: GroundTruth }>;
  events: InvocationEvent[];
  stop(): Promise<void>;
}

/** Three working days of meetings: 2 and 4 March, then 10 March 2026 (days in between have none). */
export const DEMO_PARTS: readonly GeneratedPart[] = [
  { seed: 21, records: 1500, start: '2026-03-02T08:00:00Z' },
  { seed: 22, records: 1500, start: '2026-03-04T08:00:00Z' },
  { seed: 23, records: 1500, start: '2026-03-10T08:00:00Z' },
];

/** A CQD building file for the generator's office networks (10.57/16 with a Wi-Fi /19, 10.58/16). */
export const SITE_MAP_CSV =
  [
    '10.57.0.0,Zurich HQ,16,ZRH-1,Contoso,Office,,Zurich,8000,CH,ZH,EMEA,1,0,0',
    '10.57.32.0,Zurich HQ Wi-Fi,19,ZRH-1,Contoso,Office,,Zurich,8000,CH,ZH,EMEA,1,0,0',
    '10.58.0.0,Basel lab,16,BSL-2,Contoso,Lab,,Basel,4000,CH,BS,EMEA,1,0,0',
  ].join('\n') + '\n';

/** The first event from index `from` on that fits `predicate`, waiting for it to arrive. */
async function waitFor(
  events: InvocationEvent[],
  predicate: (e: InvocationEvent) => boolean,
  what: string,
  from = 0,
  timeoutMs = 120_000,
): Promise<InvocationEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = events.slice(from).find(predicate);
    if (hit) return hit;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the host with the app's functions, puts SITE_MAP_CSV in the config container, ingests one
 * `generateExport({ seed, records, scenario: 'mixed', format: 'purview-v3', start })` per part through the
 * blob trigger and analyses them through the admin endpoint.
 */
export async function startDashboardFixture(parts: readonly GeneratedPart[]): Promise<DashboardFixture> {
  const connection = process.env['TEST_STORAGE_CONNECTION'];
  assert.ok(connection, 'TEST_STORAGE_CONNECTION must be set by scripts/run-tests.mjs');
  const packageRoot = findPackageRoot(__dirname);
  const functions = await captureRegistrations({ packageRoot });

  const clients = storageClientsFromConnectionString(connection);
  const names = prefixedStoreNames(`dash${randomBytes(4).toString('hex')}`);
  const store = openStore(clients, names);
  await store.ensureCreated();
  usePipelineServices(servicesFor(store));

  // The blob trigger's SDK binding builds its client from the app settings in the process environment, as in Azure.
  process.env['AzureWebJobsStorage'] = connection;
  const env: NodeJS.ProcessEnv = { ...process.env, EXPORTS_CONTAINER: names.containers.exports };
  const host = await startHost({
    functions,
    storageFor: () => clients,
    env,
    port: 0,
    runTimers: false,
    blobPollIntervalMs: 250,
    blobRetryDelayMs: 50,
    log: () => {},
    functionLog: () => {},
  });
  const events: InvocationEvent[] = [];
  host.onInvocation((e) => events.push(e));
  const stop = async (): Promise<void> => {
    await host.stop();
    usePipelineServices(undefined);
  };
  try {
    return {
      host,
      store,
      truths: await ingestAndAnalyse(host, store, clients, names.containers.config, events, parts),
      events,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Puts SITE_MAP_CSV in the config container, ingests each part through the blob trigger, analyses them; returns their ground truths. */
async function ingestAndAnalyse(
  host: RunningHost,
  store: Store,
  clients: ReturnType<typeof storageClientsFromConnectionString>,
  configContainer: string,
  events: InvocationEvent[],
  parts: readonly GeneratedPart[],
): Promise<DashboardFixture['truths']> {
  await clients.blobService
    .getContainerClient(configContainer)
    .getBlockBlobClient(CONFIG_BLOBS.siteMap)
    .upload(SITE_MAP_CSV, SITE_MAP_CSV.length);

  const truths: DashboardFixture['truths'] = [];
  for (const part of parts) {
    const generated = generateExport({
      seed: part.seed,
      records: part.records,
      scenario: 'mixed',
      format: 'purview-v3',
      start: part.start,
    });
    const text = [...generated.chunks()].join('');
    const blobName = `dashboard-${part.seed}.csv`;
    await store.exports.getBlockBlobClient(blobName).upload(text, Buffer.byteLength(text));
    truths.push({ ...part, truth: generated.truth });
  }
  await host.pollBlobsNow();
  for (const part of parts) {
    const blobName = `dashboard-${part.seed}.csv`;
    const ingest = await waitFor(
      events,
      (e) => e.functionName === 'ingestExport' && e.blobName === blobName && e.outcome !== 'failed',
      `ingestion of ${blobName}`,
    );
    assert.equal(ingest.outcome, 'succeeded', ingest.error);
  }

  // Analyse until nothing is marked (one run normally does it).
  for (let run = 0; run < 5 && (await store.marks.listPending()).length > 0; run++) {
    const before = events.length;
    const res = await fetch(`${host.url}/admin/functions/analyzeDisconnections`, {
      method: 'POST',
      headers: { 'x-functions-key': host.adminKey },
    });
    assert.equal(res.status, 202);
    const done = await waitFor(events, (e) => e.functionName === 'analyzeDisconnections', 'an analysis run', before);
    assert.equal(done.outcome, 'succeeded', done.error);
  }
  assert.equal((await store.marks.listPending()).length, 0, 'every meeting analysed');
  return truths;
}

/** The browser globals the page callbacks use (they run in the page; the tests compile without the DOM lib). */
export interface PageGlobals {
  document: {
    body: { dataset: Record<string, string | undefined> };
    activeElement: { id: string; className: string } | null;
  };
  requestAnimationFrame(callback: () => void): void;
}

/** The members of page elements the $$eval callbacks use (they run in the page; the tests compile without the DOM lib). */
export interface PageElement {
  id: string;
  className: string;
  tagName: string;
  textContent: string | null;
  children: ArrayLike<PageElement>;
  classList: Iterable<string> & { length: number; contains(token: string): boolean };
  parentElement: PageElement | null;
  ownerDocument: { body: PageElement };
  scrollWidth: number;
  clientWidth: number;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  closest(selector: string): PageElement | null;
  getClientRects(): ArrayLike<unknown>;
  getBoundingClientRect(): { right: number };
}

/** A page with what went wrong on it (console errors and warnings, page errors, failed requests, CSP violations) and its API requests. */
export interface Watched {
  page: Page;
  problems: string[];
  apiRequests: Array<{ url: string; key: string | undefined }>;
}

export async function newWatchedPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  const apiRequests: Watched['apiRequests'] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/') && !url.pathname.startsWith('/api/dashboard'))
      apiRequests.push({ url: r.url(), key: r.headers()['x-functions-key'] });
  });
  // CSP violations are reported to the page as events; record them too.
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { page, problems, apiRequests };
}

/** Waits until the page has rendered its view (body[data-state=ready]) and drawn its charts; fails on the error view. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(
    () => ['ready', 'error'].includes((globalThis as unknown as PageGlobals).document.body.dataset['state'] ?? ''),
    null,
    { timeout: 60_000 },
  );
  const state = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset['state']);
  if (state !== 'ready') assert.fail(`the dashboard shows an error: ${await page.textContent('#main')}`);
  // Charts are drawn on the next animation frame.
  await page.evaluate(
    () =>
      new Promise<void>((r) =>
        (globalThis as unknown as PageGlobals).requestAnimationFrame(() =>
          (globalThis as unknown as PageGlobals).requestAnimationFrame(r),
        ),
      ),
  );
}

/** Where the dashboard tests write their screenshots. */
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'dashboard');

/** The demo fixture and a browser, started before the calling file's tests and stopped after them. */
export interface DemoDashboard {
  readonly fixture: DashboardFixture;
  readonly context: BrowserContext;
  /** The local host's base URL. */
  readonly base: string;
}

/**
 * A DemoDashboard for one suite of a test file:
 *   describe(name, { skip: dashboard.skip }, () => { dashboard.startAndStop(); test(...); });
 * Without a browser `skip` is the one-line reason, so nothing is set up.
 */
export interface DemoDashboardSuite extends DemoDashboard {
  /** Why the suite cannot run (no browser), or false. */
  readonly skip: string | false;
  /** Registers the suite's hooks: start the browser, then the demo fixture; stop both. */
  startAndStop(): void;
}

export function useDemoDashboard(browser: BrowserChoice = findBrowser()): DemoDashboardSuite {
  let fixture: DashboardFixture | undefined;
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  const started = <T>(value: T | undefined): T =>
    value ?? assert.fail('the dashboard fixture is used before it started');
  return {
    get fixture() {
      return started(fixture);
    },
    get context() {
      return started(launched).context;
    },
    get base() {
      return started(fixture).host.url;
    },
    skip: browser.found ? false : browser.reason,
    startAndStop() {
      before(async () => {
        if (!browser.found) assert.fail(browser.reason);
        // The browser first: one that cannot start fails the suite before the ingestion work.
        launched = await launchBrowser(browser);
        console.log(`browser: ${browser.description}`);
        mkdirSync(SCREENSHOTS, { recursive: true });
        fixture = await startDashboardFixture(DEMO_PARTS);
      });
      after(async () => {
        try {
          await launched?.close();
        } finally {
          await fixture?.stop();
        }
      });
    },
  };
}
