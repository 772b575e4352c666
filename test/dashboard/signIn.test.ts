// Entra sign-in for the dashboard, in a real browser: the app runs with HTTP_AUTH=entra (its functions anonymous
// for the host) behind a stand-in for App Service authentication (easyAuthStandIn.ts). A browser opening the
// dashboard signs in and sees it; when the session has ended, the page's API call is refused and the page goes
// to the sign-in route itself and comes back to the same view (401, or the redirect Easy Auth may send); a
// refusal that signing in does not cure ends in a message, not a loop; 403 says whom to ask; no request carries
// a key, and a key in an old link leaves the address bar. The functions refuse what Easy Auth did not sign in.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Request } from 'playwright-core';
import { newWatchedPage, startDashboardFixture, type DashboardFixture, type PageGlobals } from './dashboardFixture.js';
import { findBrowser, launchBrowser } from './browser.js';
import { SIGNED_IN_PRINCIPAL, startEasyAuthStandIn, type EasyAuthStandIn } from './easyAuthStandIn.js';

// Read by the functions when they load (during the fixture's capture) and on every request.
process.env['HTTP_AUTH'] = 'entra';
process.env['WEBSITE_AUTH_ENABLED'] = 'True';

const browser = findBrowser();
const KEY = 'SECRET-KEY-0123456789abcdef';

let fixture: DashboardFixture | undefined;
let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let standIn: EasyAuthStandIn | undefined;
const started = <T>(value: T | undefined): T => value ?? assert.fail('the sign-in fixture is used before it started');

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page's final state (ready or error) once it has stopped navigating; page loads in between are waited out. */
async function settled(page: Page, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const state = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset['state']);
      if (state === 'ready' || state === 'error') return state;
    } catch {
      // the page is navigating
    }
    if (Date.now() > deadline) assert.fail(`the page did not settle; it is at ${page.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openSignedIn(path: string): Promise<Page> {
  const s = started(standIn);
  const page = await started(launched).context.newPage();
  await page.goto(`${s.url}${path}`);
  assert.equal(await settled(page), 'ready', (await page.textContent('#main').catch(() => null)) ?? 'no page');
  return page;
}

describe('signing in to the dashboard with Entra ID', { skip: browser.found ? false : browser.reason }, () => {
  before(async () => {
    if (!browser.found) assert.fail(browser.reason);
    launched = await launchBrowser(browser);
    fixture = await startDashboardFixture([{ seed: 41, records: 400, start: '2026-03-02T08:00:00Z' }]);
    standIn = await startEasyAuthStandIn(fixture.host.url);
  });
  after(async () => {
    try {
      await standIn?.close();
      await launched?.close();
    } finally {
      await fixture?.stop();
    }
  });
  beforeEach(async () => {
    const s = started(standIn);
    Object.assign(s.behaviour, { scriptsWithoutSession: '401', forbidden: false, dropPrincipal: false });
    s.endSessions();
    s.signIns.length = 0;
    s.requests.length = 0;
    await started(launched).context.clearCookies();
  });

  test('a browser opening the dashboard is sent to sign in, then sees the view it asked for', async () => {
    const s = started(standIn);
    const w = await newWatchedPage(started(launched).context);
    await w.page.goto(`${s.url}/api/dashboard?view=meetings`);
    assert.equal(await settled(w.page), 'ready');
    assert.deepEqual(s.signIns, ['/api/dashboard?view=meetings']);
    assert.equal(w.page.url(), `${s.url}/api/dashboard?view=meetings`);
    assert.ok((await w.page.$$('#main table tbody tr')).length > 0, 'the meetings table has rows');
    assert.ok(w.apiRequests.length > 0);
    assert.deepEqual(w.problems, []);
    await w.page.close();
  });

  for (const scripts of ['401', 'redirect'] as const) {
    test(`when the session has ended, the API's ${scripts === '401' ? '401' : 'redirect to sign-in'} sends the page to /.auth/login/aad and back to the same view`, async () => {
      const s = started(standIn);
      const page = await openSignedIn('/api/dashboard');
      assert.equal(s.signIns.length, 1);
      s.behaviour.scriptsWithoutSession = scripts;
      s.endSessions();
      await page.click('#nav-meetings');
      await until(() => s.signIns.length === 2, 'the page to sign in again');
      assert.equal(await settled(page), 'ready', (await page.textContent('#main')) ?? '');
      assert.equal(s.signIns[1], '/api/dashboard?view=meetings');
      assert.ok(
        s.requests.includes(
          `GET /.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/api/dashboard?view=meetings')}`,
        ),
        s.requests.join('\n'),
      );
      assert.equal(page.url(), `${s.url}/api/dashboard?view=meetings`);
      assert.ok((await page.$$('#main table tbody tr')).length > 0, 'the meetings view has rows');
      await page.close();
    });
  }

  test('a refusal that signing in does not cure ends in a message after one sign-in, not in a loop', async () => {
    const s = started(standIn);
    s.behaviour.dropPrincipal = true;
    const page = await started(launched).context.newPage();
    await page.goto(`${s.url}/api/dashboard`);
    assert.equal(await settled(page), 'error');
    // The stand-in's own sign-in for the page, then the page's one attempt for its refused API call.
    assert.deepEqual(s.signIns, ['/api/dashboard', '/api/dashboard']);
    assert.match((await page.textContent('#error')) ?? '', /If signing in does not help, ask the administrator/);
    await page.close();
  });

  test('403 from the authorization policy: the page says whom to ask and does not sign in again', async () => {
    const s = started(standIn);
    const page = await openSignedIn('/api/dashboard');
    s.behaviour.forbidden = true;
    await page.click('#nav-meetings');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.body.dataset['state'] === 'error');
    assert.match((await page.textContent('#error')) ?? '', /not among those allowed.*assign you/);
    assert.equal(s.signIns.length, 1);
    await page.close();
  });

  test('no request carries a key; a key in an old link is dropped from the address bar and every link', async () => {
    const s = started(standIn);
    const page = await started(launched).context.newPage();
    const seen: Request[] = [];
    page.on('request', (r) => seen.push(r));
    await page.goto(`${s.url}/api/dashboard?code=${KEY}&view=meetings`);
    assert.equal(await settled(page), 'ready');
    await page.click('#nav-overview');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.body.dataset['state'] === 'ready');
    assert.doesNotMatch(page.url(), /code=/);
    for (const id of ['nav-overview', 'nav-meetings', 'home-link'])
      assert.doesNotMatch((await page.getAttribute(`#${id}`, 'href')) ?? '', /code=/, id);
    // The typed URL and the sign-in round trip that returns to it are the user's own; nothing after them.
    const made = seen.filter(
      (r) =>
        !(r.isNavigationRequest() && r.url().includes(`code=${KEY}`)) &&
        !new URL(r.url()).pathname.startsWith('/.auth/'),
    );
    assert.ok(
      made.filter((r) => new URL(r.url()).pathname.startsWith('/api/') && !r.isNavigationRequest()).length >= 5,
      'assets and API calls were made',
    );
    for (const r of made) {
      assert.ok(!r.url().includes(KEY) && !/[?&]code=/.test(r.url()), `${r.url()} carries a key`);
      const headers = await r.allHeaders();
      assert.equal(headers['x-functions-key'], undefined, `${r.url()} sends x-functions-key`);
      assert.ok(!Object.values(headers).some((v) => v.includes(KEY)), `${r.url()} sends the key in a header`);
    }
    await page.close();
  });

  test('with function keys (the page says so) no request carries a key either', async () => {
    process.env['HTTP_AUTH'] = 'functionKey';
    const page = await started(launched).context.newPage();
    try {
      const seen: Request[] = [];
      page.on('request', (r) => seen.push(r));
      // The local host checks no key, so the page loads; its API calls carry none.
      await page.goto(`${started(fixture).host.url}/api/dashboard`);
      assert.equal(await settled(page), 'ready');
      assert.equal(await page.getAttribute('meta[name="dashboard-sign-in"]', 'content'), 'functionKey');
      assert.ok(seen.length >= 5);
      for (const r of seen) {
        assert.doesNotMatch(r.url(), /[?&]code=/);
        assert.equal((await r.allHeaders())['x-functions-key'], undefined, r.url());
      }
    } finally {
      process.env['HTTP_AUTH'] = 'entra';
      await page.close();
    }
  });

  test('the functions refuse what App Service authentication did not sign in', async () => {
    const host = started(fixture).host.url;
    for (const path of ['/api/summary', '/api/dashboard', '/api/meetings']) {
      const bare = await fetch(`${host}${path}`);
      assert.equal(bare.status, 401, path);
      assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'SignInRequired');
    }
    const signedIn = await fetch(`${host}/api/summary`, {
      headers: { 'x-ms-client-principal-id': SIGNED_IN_PRINCIPAL },
    });
    assert.equal(signedIn.status, 200);
    delete process.env['WEBSITE_AUTH_ENABLED'];
    try {
      const forged = await fetch(`${host}/api/summary`, {
        headers: { 'x-ms-client-principal-id': SIGNED_IN_PRINCIPAL },
      });
      assert.equal(forged.status, 503, 'without App Service authentication the header proves nothing');
      assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'SignInNotEnforced');
    } finally {
      process.env['WEBSITE_AUTH_ENABLED'] = 'True';
    }
  });
});
