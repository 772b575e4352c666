// The dashboard tests' browser finder: CHROMIUM_PATH first (and a clear message when it names nothing),
// then @sparticuz/chromium on Linux x64 only, then installed browsers in each OS's usual places; without
// any, one line saying what to install or set. A browser that fails to start leaves no profile folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BROWSER_ENV,
  BUNDLED_PACKAGE,
  findBrowser,
  launchBrowser,
  type BrowserChoice,
  type BrowserSearch,
} from './browser.js';
import { fontConfig } from './bundledChromium.js';

/** A machine with these executables, this environment and, if `bundled`, the npm package installed. */
function machine(
  over: Partial<Omit<BrowserSearch, 'isExecutable'>> & { executables?: string[]; bundled?: boolean } = {},
): BrowserSearch {
  const executables = new Set(over.executables ?? []);
  return {
    env: over.env ?? { PATH: '/usr/local/bin:/usr/bin:/bin' },
    platform: over.platform ?? 'linux',
    arch: over.arch ?? 'x64',
    isExecutable: (path) => executables.has(path),
    hasBundledChromium: () => over.bundled ?? false,
  };
}

function found(choice: BrowserChoice): string {
  if (!choice.found) assert.fail(`expected a browser, got: ${choice.reason}`);
  return choice.description;
}

function reason(choice: BrowserChoice): string {
  if (choice.found) assert.fail(`expected no browser, got ${choice.description}`);
  assert.doesNotMatch(choice.reason, /\n/, 'the reason is one line');
  return choice.reason;
}

test(`${BROWSER_ENV} comes first, before the bundled and the installed browsers`, async () => {
  const choice = findBrowser(
    machine({
      env: { [BROWSER_ENV]: '/opt/chrome/chrome', PATH: '/usr/bin' },
      executables: ['/opt/chrome/chrome', '/usr/bin/chromium'],
      bundled: true,
    }),
  );
  assert.equal(found(choice), `/opt/chrome/chrome (from ${BROWSER_ENV})`);
  assert.ok(choice.found);
  assert.deepEqual(await choice.prepare(), { executablePath: '/opt/chrome/chrome' });
});

test(`${BROWSER_ENV} naming no executable is reported as such, without falling back to another browser`, () => {
  const text = reason(
    findBrowser(
      machine({
        env: { [BROWSER_ENV]: '/nowhere/chrome', PATH: '/usr/bin' },
        executables: ['/usr/bin/chromium'],
        bundled: true,
      }),
    ),
  );
  assert.equal(
    text,
    `${BROWSER_ENV} is set to "/nowhere/chrome", which is not an executable file: correct it or unset it`,
  );
});

test(`an empty ${BROWSER_ENV} counts as unset`, () => {
  assert.equal(
    found(findBrowser(machine({ env: { [BROWSER_ENV]: '', PATH: '/usr/bin' }, executables: ['/usr/bin/chromium'] }))),
    '/usr/bin/chromium',
  );
});

test('on Linux x64 the npm package comes before an installed browser', () => {
  assert.equal(
    found(findBrowser(machine({ executables: ['/usr/bin/chromium'], bundled: true }))),
    `the headless Chromium of ${BUNDLED_PACKAGE}`,
  );
});

test('the npm package is used on Linux x64 only (its browser is built for that)', () => {
  assert.equal(
    found(findBrowser(machine({ arch: 'arm64', executables: ['/usr/bin/chromium'], bundled: true }))),
    '/usr/bin/chromium',
  );
  assert.equal(
    found(
      findBrowser(
        machine({
          platform: 'darwin',
          env: {},
          executables: ['/Applications/Chromium.app/Contents/MacOS/Chromium'],
          bundled: true,
        }),
      ),
    ),
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  );
  assert.match(reason(findBrowser(machine({ arch: 'arm64', bundled: true }))), /^no browser for the dashboard tests/);
});

test('on Linux, installed browsers are found by name on the PATH in order, then the snap', () => {
  const all = ['/usr/bin/google-chrome', '/usr/local/bin/chromium-browser', '/usr/bin/chromium', '/snap/bin/chromium'];
  assert.equal(
    found(findBrowser(machine({ executables: all }))),
    '/usr/bin/chromium',
    'chromium before the other names',
  );
  assert.equal(
    found(findBrowser(machine({ executables: ['/usr/bin/chromium', '/usr/local/bin/chromium'] }))),
    '/usr/local/bin/chromium',
    'in PATH order',
  );
  assert.equal(found(findBrowser(machine({ executables: all.slice(0, 2) }))), '/usr/local/bin/chromium-browser');
  assert.equal(
    found(findBrowser(machine({ executables: ['/usr/bin/google-chrome-stable', '/snap/bin/chromium'] }))),
    '/usr/bin/google-chrome-stable',
  );
  assert.equal(
    found(findBrowser(machine({ env: {}, executables: ['/snap/bin/chromium'] }))),
    '/snap/bin/chromium',
    'the snap even without a PATH',
  );
});

test('on macOS, Chrome, Chromium or Edge in /Applications or ~/Applications', () => {
  const mac = (executables: string[]) =>
    findBrowser(machine({ platform: 'darwin', arch: 'arm64', env: { HOME: '/Users/ann' }, executables }));
  assert.equal(
    found(
      mac([
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      ]),
    ),
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  );
  assert.equal(
    found(mac(['/Users/ann/Applications/Chromium.app/Contents/MacOS/Chromium'])),
    '/Users/ann/Applications/Chromium.app/Contents/MacOS/Chromium',
  );
  assert.equal(
    found(mac(['/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge'])),
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  );
  assert.equal(
    reason(mac(['/usr/bin/chromium'])),
    `no browser for the dashboard tests: install Google Chrome or Chromium in /Applications, or set ${BROWSER_ENV} to a Chromium, Chrome or Edge executable`,
  );
});

test("on Windows, Chrome then Edge under Program Files (either) or the user's LocalAppData", () => {
  const env = {
    ProgramFiles: 'D:\\Programs',
    'ProgramFiles(x86)': 'D:\\Programs (x86)',
    LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local',
  };
  const win = (executables: string[]) => findBrowser(machine({ platform: 'win32', env, executables }));
  assert.equal(
    found(
      win([
        'D:\\Programs (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
        'C:\\Users\\ann\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
      ]),
    ),
    'C:\\Users\\ann\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
  );
  assert.equal(
    found(win(['D:\\Programs (x86)\\Microsoft\\Edge\\Application\\msedge.exe'])),
    'D:\\Programs (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  );
  assert.equal(
    found(
      findBrowser(
        machine({
          platform: 'win32',
          env: {},
          executables: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'],
        }),
      ),
    ),
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'the default Program Files without the variable',
  );
  assert.equal(
    reason(win([])),
    `no browser for the dashboard tests: install Google Chrome or Microsoft Edge, or set ${BROWSER_ENV} to a Chromium, Chrome or Edge executable`,
  );
});

test('with no browser at all, one line says what to install or set', () => {
  assert.equal(
    reason(findBrowser(machine())),
    `no browser for the dashboard tests: run npm install (it brings ${BUNDLED_PACKAGE}), install chromium (e.g. apt-get install chromium), or set ${BROWSER_ENV} to a Chromium, Chrome or Edge executable`,
  );
  assert.equal(
    reason(findBrowser(machine({ platform: 'freebsd', arch: 'x64' }))),
    `no browser for the dashboard tests: install chromium or google-chrome on the PATH, or set ${BROWSER_ENV} to a Chromium, Chrome or Edge executable`,
  );
});

test('a browser that fails to start is named in the error, and its profile folder is removed', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'launch-test-'));
  try {
    // Node is an executable that refuses Chromium's flags: the launch fails at once.
    const notABrowser = {
      found: true as const,
      description: 'not a browser',
      prepare: async () => ({ executablePath: process.execPath }),
    };
    await assert.rejects(launchBrowser(notABrowser, parent), /^Error: could not start not a browser: /);
    assert.deepEqual(readdirSync(parent), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("the bundled browser's font configuration keeps the system fonts and adds the ones the package ships", () => {
  const text = fontConfig('/tmp/x&y');
  assert.match(text, /<include ignore_missing="yes">\/etc\/fonts\/fonts.conf<\/include>/);
  assert.match(text, /<dir>\/tmp\/x&amp;y\/fonts\/fonts<\/dir>/);
  assert.match(text, /<cachedir>\/tmp\/x&amp;y\/fonts-cache<\/cachedir>/);
});
