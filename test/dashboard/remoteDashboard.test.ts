// The dashboard of an app that uses function keys, served from this machine (src/dashboard/remoteDashboard.ts):
// in a real browser against a key gate (a server that, like the Functions host, answers 401 without the right
// x-functions-key) in front of the local host. The page shows its data; every API call reached the app with the
// key, and no request of the browser carries it; a wrong key shows the page's message; requests addressed to
// another host name are refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'playwright-core';
import { ready, startDashboardFixture, type DashboardFixture, type PageGlobals } from './dashboardFixture.js';
import { findBrowser, launchBrowser } from './browser.js';
import { startRemoteDashboard } from '../../src/dashboard/remoteDashboard.js';

const browser = findBrowser();
const KEY = 'host-key-0123456789abcdefXYZ';

interface KeyGate {
  url: string;
  /** Path and query of each request, with the key it carried. */
  seen: Array<{ path: string; key: string | undefined }>;
  close(): Promise<void>;
}

async function startKeyGate(hostUrl: string): Promise<KeyGate> {
  const host = new URL(hostUrl);
  const seen: KeyGate['seen'] = [];
  const server: Server = createServer((req, res) => {
    const key = req.headers['x-functions-key'];
    seen.push({ path: req.url ?? '', key: typeof key === 'string' ? key : undefined });
    if (key !== KEY) {
      res.writeHead(401).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: host.hostname,
        port: host.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: host.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let fixture: DashboardFixture | undefined;
let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let gate: KeyGate | undefined;
const started = <T>(value: T | undefined): T => value ?? assert.fail('used before it started');

describe(
  'the dashboard of a function-key app, served from this machine',
  { skip: browser.found ? false : browser.reason },
  () => {
    before(async () => {
      if (!browser.found) assert.fail(browser.reason);
      launched = await launchBrowser(browser);
      fixture = await startDashboardFixture([{ seed: 51, records: 400, start: '2026-03-02T08:00:00Z' }]);
      gate = await startKeyGate(fixture.host.url);
    });
    after(async () => {
      try {
        await gate?.close();
        await launched?.close();
      } finally {
        await fixture?.stop();
      }
    });

    test('the page shows the data; each API call reached the app with the key; no browser request carries it', async () => {
      const g = started(gate);
      const remote = await startRemoteDashboard({ appUrl: `${g.url}/api`, key: KEY });
      const page = await started(launched).context.newPage();
      try {
        const requests: Request[] = [];
        page.on('request', (r) => requests.push(r));
        g.seen.length = 0;
        await page.goto(remote.url);
        await ready(page);
        assert.ok((await page.textContent('#kpi-drop-rate'))?.includes('%'));
        assert.ok(g.seen.length >= 5, 'the API calls went to the app');
        for (const s of g.seen) {
          assert.equal(s.key, KEY, `${s.path} reached the app with the key`);
          assert.ok(
            s.path.startsWith('/api/') && !s.path.startsWith('/api/dashboard'),
            `only API calls are forwarded: ${s.path}`,
          );
        }
        assert.ok(requests.length >= 5);
        for (const r of requests) {
          assert.ok(!r.url().includes(KEY), `${r.url()} carries the key`);
          assert.ok(
            !Object.values(await r.allHeaders()).some((v) => v.includes(KEY)),
            `${r.url()} sends the key in a header`,
          );
        }
      } finally {
        await page.close();
        await remote.close();
      }
    });

    test('a wrong key: the app refuses, and the page says what the API wants', async () => {
      const remote = await startRemoteDashboard({ appUrl: started(gate).url, key: 'not-the-key' });
      const page = await started(launched).context.newPage();
      try {
        await page.goto(remote.url);
        await page.waitForFunction(
          () => (globalThis as unknown as PageGlobals).document.body.dataset['state'] === 'error',
        );
        assert.match((await page.textContent('#error')) ?? '', /wants a function key/);
      } finally {
        await page.close();
        await remote.close();
      }
    });

    test('only its own address, GET and HEAD, and paths under /api/; no http app address; no empty key', async () => {
      const remote = await startRemoteDashboard({ appUrl: started(gate).url, key: KEY });
      try {
        const base = new URL(remote.url);
        const status = (path: string, host: string, method = 'GET') =>
          new Promise<number>((resolve, reject) => {
            httpRequest({ host: base.hostname, port: base.port, path, method, headers: { host } }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            })
              .on('error', reject)
              .end();
          });
        assert.equal(await status('/api/summary', base.host), 200);
        assert.equal(await status('/api/summary', `localhost:${base.port}`), 200);
        assert.equal(
          await status('/api/summary', `attacker.example:${base.port}`),
          403,
          'another host name (DNS rebinding)',
        );
        assert.equal(await status('/api/summary', base.host, 'POST'), 405);
        assert.equal(await status('/admin/functions/analyzeDisconnections', base.host), 404);
      } finally {
        await remote.close();
      }
      await assert.rejects(startRemoteDashboard({ appUrl: 'http://app.example', key: KEY }), /must use https/);
      await assert.rejects(startRemoteDashboard({ appUrl: 'https://app.example', key: ' ' }), /REPORTS_KEY/);
    });
  },
);
