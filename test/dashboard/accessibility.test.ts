// An automated accessibility audit of the dashboard: axe-core (WCAG 2.1 A and AA rules) on every view with
// real data (the overview with its rankings and charts, a focused overview, the meetings list, meeting
// timelines with counted, possible and mass-event disconnections, the error view), in the browser browser.ts
// finds, against the local host with the same three generated exports as dashboard.test.ts. Collapsed tables are
// audited opened too, and the evidence row a timeline marker selects; the views are audited again in a
// 320 px window (reflow), where the page must not scroll sideways. A failure lists each violation's rule,
// impact, what it asks for and the first elements at fault. Screenshots of the narrow views go to
// test-output/dashboard/.
import {
  newWatchedPage,
  ready,
  useDemoDashboard,
  DEMO_PARTS,
  SCREENSHOTS,
  type PageElement,
  type PageGlobals,
  type Watched,
} from './dashboardFixture.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PlantedDrop } from '../../src/generator/exportGenerator.js';

/** The rule tags of WCAG 2.0 and 2.1, levels A and AA (WCAG 2.1 A/AA includes the 2.0 success criteria). */
const WCAG_21_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** axe-core's browser build, injected into each audited page. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** How many target selectors of a violation to list. */
const TARGETS_SHOWN = 3;

/** What the audit reads of axe.run's result (axe-core's own types need the DOM lib, which the tests do not load). */
interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeRule {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}
/** The audit's own measure of a text axe could not decide the contrast of. */
interface Measured {
  target: unknown[];
  text: string;
  foreground: string;
  background: string;
  ratio: number;
  /** 4.5, or 3 for large text (24 px, or 18.66 px bold). */
  required: number;
  /** SVG text (measured against its SVG's zebra rows too). */
  svg: boolean;
}
interface AxeOutcome {
  violations: AxeRule[];
  incomplete: AxeRule[];
  passes: number;
  testEngine: string;
  /** The colour-contrast results axe left undecided that the audit measured itself. */
  measured: Measured[];
}

const dashboard = useDemoDashboard();

/** A target as axe gives it: a CSS selector, or a path of selectors through shadow roots and frames. */
function selector(target: unknown): string {
  return Array.isArray(target) ? target.map(selector).join(' >>> ') : String(target);
}

/** One line per rule with its impact, what it asks for, how many elements fail and the first few of them. */
function describeViolations(rules: readonly AxeRule[]): string {
  return rules
    .map((r) => {
      const targets = r.nodes.slice(0, TARGETS_SHOWN).map((n) => selector(n.target));
      const more = r.nodes.length > TARGETS_SHOWN ? ` and ${r.nodes.length - TARGETS_SHOWN} more` : '';
      const why = r.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').trim();
      return (
        `- ${r.id} (${r.impact ?? 'no impact given'}): ${r.help} [${r.helpUrl}]\n    ${r.nodes.length} element(s): ${targets.join(' | ')}${more}` +
        (why ? `\n    first: ${why}` : '')
      );
    })
    .join('\n');
}

/**
 * Runs axe-core on the page as it is now and fails with the list of violations.
 *
 * The page's CSP (script-src 'self', no inline script) refuses an inline <script>, so playwright's
 * page.addScriptTag({ content }) cannot inject axe. page.evaluate runs its expression through the DevTools
 * protocol, which CSP does not govern, so axe is evaluated that way and the audited page keeps its real
 * CSP (no bypassCSP): the watched page records any CSP violation, and the tests assert there are none.
 *
 * axe's "incomplete" results (it could not decide) fail the audit too, except colour contrast that axe
 * leaves open because it cannot see what is behind the text (SVG text such as the timeline's labels and
 * axis; text partly hidden by the edge of a box scrolled sideways) or because the text is too short to be
 * sure it is text (a "0" in a table cell). The audit measures those itself: the text's colour (SVG: its
 * fill) against its own and its ancestors' background colours blended down from the nearest opaque one,
 * and for SVG text also against each zebra-row fill of its SVG; the worst must reach 4.5:1 (3:1 for large
 * text). A background image, or a pseudo-element axe points at, leaves it undecided (and failing).
 */
async function audit(w: Watched, what: string): Promise<AxeOutcome> {
  const page: Page = w.page;
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const outcome = await page.evaluate(async (tags) => {
    // The browser side, typed by hand (the tests compile without the DOM lib).
    interface El {
      namespaceURI: string | null;
      tagName: string;
      textContent: string | null;
      parentElement: El | null;
      closest(selector: string): El | null;
      querySelectorAll(selector: string): Iterable<El>;
    }
    interface RunNode {
      target: unknown[];
      failureSummary?: string;
      element?: El;
    }
    interface RunRule {
      id: string;
      impact?: string | null;
      help: string;
      helpUrl: string;
      nodes: RunNode[];
    }
    interface Axe {
      run(
        context: unknown,
        options: unknown,
      ): Promise<{
        violations: RunRule[];
        incomplete: RunRule[];
        passes: unknown[];
        testEngine: { name: string; version: string };
      }>;
    }
    const g = globalThis as unknown as { axe: Axe; document: El; getComputedStyle(e: El): Record<string, string> };
    const r = await g.axe.run(g.document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'incomplete'],
      elementRef: true,
    });
    const style = (e: El, name: string): string => g.getComputedStyle(e)[name] ?? '';

    // WCAG relative luminance and contrast; colours as [r, g, b, alpha] from rgb()/rgba().
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba | undefined => {
      const v = (/^rgba?\(([^)]+)\)$/.exec(c.trim())?.[1] ?? '')
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return v.length >= 3 && v.every(Number.isFinite) ? [v[0]!, v[1]!, v[2]!, v[3] ?? 1] : undefined;
    };
    const over = (top: Rgba, below: Rgba): Rgba =>
      [0, 1, 2].map((i) => top[i]! * top[3] + below[i]! * (1 - top[3])).concat(1) as Rgba;
    const text = (c: Rgba): string =>
      `rgb(${c
        .slice(0, 3)
        .map((x) => Math.round(x))
        .join(', ')})`;
    const luminance = (c: Rgba): number => {
      const [R, G, B] = c.slice(0, 3).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
    };
    const contrast = (a: Rgba, b: Rgba): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    /** The background colour of an element: its own and its ancestors' blended from the nearest opaque one (white under all). */
    const backdrop = (from: El | null): Rgba | undefined => {
      const layers: Rgba[] = [];
      for (let e = from; e; e = e.parentElement) {
        if (style(e, 'backgroundImage') !== 'none' && style(e, 'backgroundImage') !== '') return undefined;
        const bg = parse(style(e, 'backgroundColor'));
        if (bg === undefined) return undefined;
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] === 1) break;
      }
      return layers.reverse().reduce<Rgba>((below, top) => over(top, below), [255, 255, 255, 1]);
    };
    const SVG = 'http://www.w3.org/2000/svg';
    const measure = (node: RunNode): Measured | undefined => {
      const e = node.element;
      if (!e) return undefined;
      const svgText = e.namespaceURI === SVG;
      const svg = svgText ? e.closest('svg') : null;
      const base = backdrop(svgText ? (svg?.parentElement ?? null) : e);
      const fg = parse(style(e, svgText ? 'fill' : 'color'));
      if (!base || !fg) return undefined;
      const backgrounds = [
        base,
        ...(svg ? [...svg.querySelectorAll('.row-band')].map((b) => parse(style(b, 'fill'))) : []),
      ];
      if (backgrounds.some((b) => b === undefined)) return undefined;
      const worst = backgrounds
        .map((b) => ({ b: over(b!, base), c: contrast(over(fg, over(b!, base)), over(b!, base)) }))
        .sort((x, y) => x.c - y.c)[0]!;
      const size = parseFloat(style(e, 'fontSize'));
      const bold = Number(style(e, 'fontWeight')) >= 700;
      return {
        target: node.target,
        text: (e.textContent ?? '').trim().slice(0, 40),
        foreground: text(fg),
        background: text(worst.b),
        ratio: Math.round(worst.c * 100) / 100,
        required: size >= 24 || (bold && size >= 18.66) ? 3 : 4.5,
        svg: svgText,
      };
    };
    const measured: Measured[] = [];
    const strip = (rules: RunRule[], decide: boolean): AxeRule[] =>
      rules
        .map((x) => ({
          id: x.id,
          impact: x.impact,
          help: x.help,
          helpUrl: x.helpUrl,
          nodes: x.nodes
            .filter((n) => {
              const m =
                decide && x.id === 'color-contrast' && !/pseudo/i.test(n.failureSummary ?? '') ? measure(n) : undefined;
              if (m) measured.push(m);
              return m === undefined;
            })
            .map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
        }))
        .filter((x) => x.nodes.length > 0);
    return {
      violations: strip(r.violations, false),
      incomplete: strip(r.incomplete, true),
      passes: r.passes.length,
      testEngine: `${r.testEngine.name} ${r.testEngine.version}`,
      measured,
    };
  }, WCAG_21_A_AA);
  assert.ok(outcome.passes > 0, `${what}: axe ran rules (${outcome.testEngine})`);
  if (outcome.violations.length > 0) {
    const count = outcome.violations.reduce((n, r) => n + r.nodes.length, 0);
    assert.fail(
      `${what}: ${outcome.violations.length} WCAG 2.1 A/AA rule(s) violated on ${count} element(s) (${outcome.testEngine}):\n${describeViolations(outcome.violations)}`,
    );
  }
  if (outcome.incomplete.length > 0) {
    assert.fail(
      `${what}: axe could not decide ${outcome.incomplete.length} WCAG 2.1 A/AA rule(s) (${outcome.testEngine}); check them, then fix the page or teach this audit to decide them:\n${describeViolations(outcome.incomplete)}`,
    );
  }
  const weak = outcome.measured.filter((m) => !(m.ratio >= m.required));
  if (weak.length > 0) {
    const lines = weak
      .slice(0, 5)
      .map(
        (m) =>
          `- ${selector(m.target)} "${m.text}": ${m.ratio}:1 (${m.foreground} on ${m.background}), needs ${m.required}:1`,
      );
    assert.fail(
      `${what}: color-contrast (serious, measured by the audit where axe could not see the background): ${weak.length} text(s) below the WCAG AA ratio:\n${lines.join('\n')}${weak.length > 5 ? `\n  and ${weak.length - 5} more` : ''}`,
    );
  }
  return outcome;
}

/** The next frame after the next (layout, resize observers and charts have run). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((r) =>
        (globalThis as unknown as PageGlobals).requestAnimationFrame(() =>
          (globalThis as unknown as PageGlobals).requestAnimationFrame(r),
        ),
      ),
  );
}

/** Opens every <details> (the tables behind the charts, the sessions of a meeting) so that their content is audited too. */
async function openAllDetails(page: Page): Promise<number> {
  const n = await page.$$eval('details', (all: PageElement[]) => {
    for (const d of all) d.setAttribute('open', '');
    return all.length;
  });
  await settle(page);
  return n;
}

/** Audits a view as it opens and again with its collapsed sections opened; `extra` may audit further states. */
async function auditView(
  query: string,
  what: string,
  extra?: (w: Watched, outcomes: AxeOutcome[]) => Promise<void>,
  viewport?: { width: number; height: number },
): Promise<void> {
  const w = await newWatchedPage(dashboard.context);
  if (viewport) await w.page.setViewportSize(viewport);
  await w.page.goto(`${dashboard.base}/api/dashboard${query}`);
  await ready(w.page);
  const outcomes = [await audit(w, what)];
  const details = await openAllDetails(w.page);
  if (details > 0) outcomes.push(await audit(w, `${what}, ${details} collapsed section(s) opened`));
  await extra?.(w, outcomes);
  if (viewport)
    await w.page.screenshot({ path: join(SCREENSHOTS, `${what.replace(/\W+/g, '-')}.png`), fullPage: true });
  assert.deepEqual(
    w.problems,
    [],
    `${what}: no console error, failed request or CSP violation (axe ran under the page's CSP)`,
  );
  await w.page.close();
}

/** The meetings with planted drops, most drops first. */
function meetingsWithDrops(keep: (drops: PlantedDrop[]) => boolean): string[] {
  const byMeeting = new Map<string, PlantedDrop[]>();
  for (const d of dashboard.fixture.truths.flatMap((p) => p.truth.drops))
    byMeeting.set(d.meetingId, [...(byMeeting.get(d.meetingId) ?? []), d]);
  return [...byMeeting]
    .filter(([, ds]) => keep(ds))
    .sort((a, b) => b[1].length - a[1].length)
    .map(([id]) => id);
}

/** The meeting with the most planted drops, none of them in a mass event (counted and possible drops). */
function meetingWithDrops(): string {
  const id = meetingsWithDrops((ds) => ds.every((d) => d.massEventId === undefined))[0];
  assert.ok(id, 'a meeting with drops outside mass events');
  return id;
}

/** Each sideways-scrolling box of the page: whether its content overflows, and whether it is a focusable, labelled region. */
async function scrollBoxes(page: Page): Promise<Array<{ name: string; overflows: boolean; focusable: boolean }>> {
  return page.$$eval('.table-scroll, .timeline-scroll', (boxes: PageElement[]) =>
    boxes
      .filter((b) => b.getClientRects().length > 0)
      .map((b) => ({
        name: b.getAttribute('aria-label') ?? b.querySelector('caption')?.textContent ?? b.className,
        overflows: b.scrollWidth > b.clientWidth + 1,
        focusable:
          b.getAttribute('tabindex') === '0' && b.getAttribute('role') === 'region' && !!b.getAttribute('aria-label'),
      })),
  );
}

describe("the dashboard's accessibility in a browser", { skip: dashboard.skip }, () => {
  dashboard.startAndStop();

  test('the overview (headline, trend chart, rankings, gap histogram) has no WCAG 2.1 A/AA violation', async () => {
    await auditView('', 'overview', async (w) => {
      assert.equal(await w.page.locator('#trend-chart canvas').count(), 1, 'the trend chart is drawn');
      assert.equal(await w.page.locator('#gap-chart canvas').count(), 1, 'the gap chart is drawn');
      assert.ok(
        (await w.page.locator('#rank-user tbody tr.thin-row').count()) > 0,
        'rows with not enough data are audited too',
      );
    });
  });

  test('the overview focused on a site, one day, with a target the worst rows exceed, has no violation', async () => {
    const day = DEMO_PARTS[1]!.start.slice(0, 10);
    await auditView(
      `?from=${day}&to=${day}&site=${encodeURIComponent('Zurich HQ')}&target=0.5`,
      'focused overview',
      async (w) => {
        assert.equal(await w.page.locator('#rank-site tr.focus').count(), 1, 'the focused row is highlighted');
        assert.ok((await w.page.locator('.over-target').count()) > 0, 'rates above the target are shown');
      },
    );
  });

  test('the meetings list has no violation', async () => {
    await auditView('?view=meetings', 'meetings list', async (w) => {
      assert.ok(
        (await w.page.locator('#meetings-table tbody tr.has-drops').count()) > 0,
        'meetings with drops are listed',
      );
    });
  });

  test('a meeting timeline with counted and possible drops has no violation, nor has its selected evidence row', async () => {
    await auditView(
      `?view=meeting&meeting=${encodeURIComponent(meetingWithDrops())}`,
      'meeting timeline',
      async (w, outcomes) => {
        const markers = w.page.locator('svg.timeline g.drop');
        assert.ok((await markers.count()) >= 3, 'several drop markers');
        assert.ok(
          outcomes.every((o) => o.measured.some((m) => m.svg)),
          "the timeline's SVG text was measured",
        );
        // The evidence table is wider than its panel and holds no link: its box is the keyboard's way to scroll it.
        const evidence = (await scrollBoxes(w.page)).find((b) =>
          b.name.startsWith('Disconnections and their evidence'),
        );
        assert.deepEqual(evidence, {
          name: 'Disconnections and their evidence (table)',
          overflows: true,
          focusable: true,
        });
        await markers.first().focus();
        await w.page.keyboard.press('Enter');
        assert.equal(await w.page.locator('#evidence-table tr.selected').count(), 1);
        await audit(w, 'meeting timeline, evidence row selected from a marker');
      },
    );
  });

  test('a meeting timeline with a mass event has no violation', async () => {
    const meetingId = meetingsWithDrops((ds) => ds.some((d) => d.massEventId !== undefined))[0];
    assert.ok(meetingId, 'a meeting with a mass event');
    await auditView(
      `?view=meeting&meeting=${encodeURIComponent(meetingId)}`,
      'meeting with a mass event',
      async (w) => {
        assert.ok((await w.page.locator('svg.timeline rect.mass-event').count()) > 0, 'the mass event is drawn');
      },
    );
  });

  test('at 320 CSS px wide (reflow) the views have no violation, and every box that scrolls sideways is focusable', async () => {
    const narrow = { width: 320, height: 800 };
    for (const [query, what] of [
      ['', 'overview at 320 px'],
      ['?view=meetings', 'meetings list at 320 px'],
      [`?view=meeting&meeting=${encodeURIComponent(meetingWithDrops())}`, 'meeting timeline at 320 px'],
    ] as const) {
      await auditView(
        query,
        what,
        async (w) => {
          // WCAG 1.4.10: no scrolling in two dimensions; wide tables and the timeline scroll inside their own boxes.
          const pageWidth = await w.page.evaluate(
            () =>
              (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
                .documentElement.scrollWidth,
          );
          if (pageWidth > narrow.width) {
            // The outermost elements that stick out (their descendants would only repeat them; content clipped by a scrolling box does not count).
            const wide = await w.page.$$eval(
              'body *',
              (all: PageElement[], limit) => {
                type E = (typeof all)[number];
                const style = (
                  globalThis as unknown as { getComputedStyle: (e: E) => { overflowX: string; position: string } }
                ).getComputedStyle;
                const out = (e: E): boolean => e.getBoundingClientRect().right > limit + 0.5;
                // Clipped by a box that scrolls or hides its overflow: an ancestor, or for an absolutely positioned
                // element one from its containing block (the nearest positioned ancestor) up.
                const clipped = (e: E): boolean => {
                  let position = style(e).position;
                  for (let a = e.parentElement; a && a !== e.ownerDocument.body; a = a.parentElement) {
                    if (position === 'fixed') return false;
                    const s = style(a);
                    if (position !== 'absolute') {
                      if (s.overflowX !== 'visible') return true;
                    } else if (s.position !== 'static') {
                      if (s.overflowX !== 'visible') return true;
                      position = s.position;
                    }
                  }
                  return false;
                };
                return all
                  .filter((e) => out(e) && !clipped(e))
                  .filter((e, _i, sticking) => !(e.parentElement && sticking.includes(e.parentElement)))
                  .slice(0, 5)
                  .map(
                    (e) =>
                      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.classList.length ? `.${[...e.classList].join('.')}` : ''} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`,
                  );
              },
              narrow.width,
            );
            assert.fail(
              `${what}: the page is ${pageWidth} px wide, wider than the ${narrow.width} px window (WCAG 1.4.10 reflow); sticking out: ${wide.join(', ')}`,
            );
          }
          const boxes = await scrollBoxes(w.page);
          assert.ok(
            boxes.some((b) => b.overflows),
            `${what}: some table scrolls sideways at this width`,
          );
          assert.deepEqual(
            boxes.filter((b) => b.overflows !== b.focusable),
            [],
            `${what}: a box is a focusable region exactly when it scrolls`,
          );
        },
        narrow,
      );
    }
  });

  test('the error view (an unknown meeting) has no violation', async () => {
    const w = await newWatchedPage(dashboard.context);
    await w.page.goto(`${dashboard.base}/api/dashboard?view=meeting&meeting=no-such-meeting`);
    await w.page.waitForSelector('#error');
    await audit(w, 'error view');
    // The API's 404 for the unknown meeting is expected here; anything else is not.
    assert.deepEqual(
      w.problems.filter((p) => !/404/.test(p)),
      [],
    );
    await w.page.close();
  });
});
