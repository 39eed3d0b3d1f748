/**
 * The report page in a real browser: Debian's chromium driven by playwright-core. Without
 * chromium the test installs it where it runs as root; elsewhere it fails and says how to install
 * it, unless HARNESS_SKIP_BROWSER=1.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../experiments/inference-scaling/report/index.js';
import { syntheticReportInput } from './synthetic.js';
import { INSTALL_TIMEOUT_MS, ensureTool } from '../system-tools.js';

const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';
const skip = process.env.HARNESS_SKIP_BROWSER === '1';
if (skip) console.warn('browser test skipped: HARNESS_SKIP_BROWSER=1');

describe.skipIf(skip)('the report page in chromium', () => {
  let dir: string;
  let browser: Browser;
  let chartCount = 0;

  /** Set before the tests: installed first where missing, if this runs as root (see ensureTool). */
  let present = false;

  beforeAll(() => {
    present = ensureTool('chromium', () => existsSync(CHROMIUM));
  }, INSTALL_TIMEOUT_MS);

  beforeAll(async () => {
    if (!present) return;
    dir = mkdtempSync(join(tmpdir(), 'report-page-'));
    const files = await buildReport(syntheticReportInput({ models: ['gpt5', 'gpt5-nano', 'qwen3-max'], seeds: 4, kCount: 12 }), { resamples: 200, renderCacheDir: null });
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    chartCount = files.filter((f) => f.path.endsWith('.vl.json')).length;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline with no console error, renders every chart and shows a tooltip on hover', async () => {
    // Failing here, inside the test, counts as a failed test (a failing beforeAll only skips it).
    if (!present) {
      throw new Error(
        `chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y --no-install-recommends chromium), ` +
          'point HARNESS_CHROMIUM at another binary, or set HARNESS_SKIP_BROWSER=1 to skip this test.',
      );
    }
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    // Offline: any request that is not a local file fails the test.
    const outside: string[] = [];
    await context.route(/^(?!file:)/, (route) => {
      outside.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);

    const charts = page.locator('div.chart');
    expect(await charts.count()).toBe(chartCount);
    await page.waitForFunction((n) => document.querySelectorAll('div.chart > svg, div.chart > canvas').length === n, chartCount, { timeout: 30_000 });
    expect(await page.locator('.chart-error').count()).toBe(0);

    // Hover curve points until one is not covered by a pick's ring (rings have tooltips of their own).
    const points = page.locator('[id^="chart-accuracy-vs-k"] .curve_points_marks path');
    const tip = page.locator('.vg-tip');
    let rows: (string | null)[][] = [];
    for (let i = 0; i < Math.min(await points.count(), 40); i++) {
      await points.nth(i).scrollIntoViewIfNeeded();
      await points.nth(i).hover({ force: true });
      await expect.poll(() => tip.isVisible(), { timeout: 5_000 }).toBe(true);
      rows = await tip.locator('tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
      if (rows.some((r) => r[0] === 'k')) break;
    }
    expect(rows).toContainEqual(['k', expect.stringMatching(/^\d+$/)]);
    expect(rows).toContainEqual(['mean accuracy', expect.stringMatching(/^0\.\d{4}$|^1\.0000$/)]);

    mkdirSync(resolve('test-artifacts'), { recursive: true });
    await page.screenshot({ path: resolve('test-artifacts/report.png'), fullPage: false });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  /** The page in a window of this size, every chart drawn (and sized: --w set). */
  async function openedPage(width: number, height: number, hash = ''): Promise<Page> {
    if (!present) throw new Error(`chromium not found at ${CHROMIUM}`);
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href + hash);
    await page.waitForFunction((n) => Array.from(document.querySelectorAll('div.chart')).filter((c) => c.querySelector('svg') && (c as HTMLElement).style.getPropertyValue('--w')).length === n, chartCount, { timeout: 30_000 });
    return page;
  }

  /** Words (between spaces, hyphens and slashes) in the elements `selector` finds that lie on more than one line. */
  function splitWords(page: Page, selector: string): Promise<string[]> {
    return page.evaluate((sel) => {
      const split: string[] = [];
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const m of (node.textContent ?? '').matchAll(/[^\s/-]+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            if (range.getClientRects().length > 1) split.push(m[0]);
          }
        }
      }
      return split;
    }, selector);
  }

  it('keeps a phone screen\'s width (wide tables and charts scroll in their boxes), and names each chart for a screen reader', async () => {
    const page = await openedPage(390, 800);
    // Open every table too: an open one must not widen the page either.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const titles = await page.locator('ol.contents li').allTextContents();
    const named = await page.locator('figure').evaluateAll((figures) => figures.map((f) => [f.querySelector('h3')?.textContent, f.querySelector('.chart')?.getAttribute('role'), f.querySelector('.chart')?.getAttribute('aria-label')]));
    expect(named).toHaveLength(chartCount);
    // Numbered as in the list of figures; one image to a screen reader, named by its title.
    const files = await page.locator('figure').evaluateAll((figures) => figures.map((f) => f.id));
    // Its data: the Vega-Lite file linked under it (a curve's points are in no table).
    expect(named).toEqual(titles.map((t, i) => [`Figure ${i + 1}. ${t}`, 'img', `${t}: interactive chart; its data are in figures/${files[i]}.vl.json, linked below`]));
    for (const name of files) expect(await page.locator(`figure#${name} a[href="figures/${name}.vl.json"]`).count()).toBe(1);
    // Its files' links say whose they are in a screen reader's list of links.
    expect(await page.getByRole('link', { name: `Figure ${files.length} as pdf` }).getAttribute('href')).toBe(`figures/${files.at(-1)}.pdf`);
    // In the accessibility tree each chart is one image, with nothing inside it (Vega marks every
    // label and mark of its SVG for assistive technology), and each figure is named by its heading.
    const { nodes } = await (await page.context().newCDPSession(page)).send('Accessibility.getFullAXTree');
    type AxNode = { nodeId: string; ignored: boolean; role?: { value: string }; name?: { value: string }; childIds?: string[] };
    const byId = new Map((nodes as AxNode[]).map((n) => [n.nodeId, n]));
    const shown = (id: string): number => {
      const n = byId.get(id);
      return n ? (n.ignored ? 0 : 1) + (n.childIds ?? []).reduce((sum, child) => sum + shown(child), 0) : 0;
    };
    const images = (nodes as AxNode[]).filter((n) => !n.ignored && n.role?.value === 'image' && n.name?.value.includes('interactive chart'));
    expect(images.map((n) => [n.name?.value, (n.childIds ?? []).reduce((sum, child) => sum + shown(child), 0)])).toEqual(named.map(([, , label]) => [label, 0]));
    const figures = (nodes as AxNode[]).filter((n) => !n.ignored && n.role?.value === 'figure').map((n) => n.name?.value);
    expect(figures).toEqual(titles.map((t, i) => `Figure ${i + 1}. ${t}`));
    const tables = await page.locator('table:not(.vg-tip table)').evaluateAll((ts) => ts.map((t) => t.querySelector(':scope > caption')?.textContent ?? ''));
    expect(tables.length).toBeGreaterThan(10);
    expect(tables.filter((c) => c.trim() === '')).toEqual([]);
    await page.close();
  });

  it('shows a scenario\'s table in full on a wide screen, and keeps its row labels in view where it scrolls', async () => {
    const page = await openedPage(1920, 1000);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const scenarioTables = page.locator('#table-balanced, #table-accuracy-critical, #table-cost-constrained').locator('.table-scroll');
    expect(await scenarioTables.count()).toBe(3);
    for (const width of [1920, 1400]) {
      await page.setViewportSize({ width, height: 1000 });
      const outside = await scenarioTables.evaluateAll((boxes) =>
        boxes.flatMap((box) => {
          const cells = Array.from(box.querySelectorAll('thead th'), (th) => [th.textContent, th.getBoundingClientRect()] as const);
          const off = cells.filter(([, r]) => r.left < 0 || r.right > document.documentElement.clientWidth).map(([t]) => t);
          return box.scrollWidth > box.clientWidth ? ['(scrolls)', ...off] : off;
        }),
      );
      expect(outside, `at ${width} px`).toEqual([]);
    }
    // A selector's name stays on one line.
    expect(await splitWords(page, 'tbody th.label')).toEqual([]);
    const oneLine = await scenarioTables.locator('tbody th.label:nth-child(2)').evaluateAll((ths) => ths.filter((th) => th.getClientRects()[0]!.height > 1.6 * parseFloat(getComputedStyle(th).lineHeight || '16')).length);
    expect(oneLine).toBe(0);

    // On a phone the table scrolls in its box, which shows it (a shadow at the edge), and the
    // model and selector of each row stay in view, side by side.
    await page.setViewportSize({ width: 390, height: 800 });
    const box = page.locator('#table-balanced .table-scroll');
    expect(await box.evaluate((b) => getComputedStyle(b).backgroundImage)).toContain('gradient');
    await box.evaluate((b) => (b.scrollLeft = b.scrollWidth));
    const placed = await box.evaluate((b) => {
      const area = b.getBoundingClientRect();
      const row = b.querySelector('tbody tr')!;
      const [model, selector, next] = Array.from(row.children, (c) => c.getBoundingClientRect());
      return {
        scrolled: b.scrollLeft > 0,
        modelIn: model!.left >= area.left - 1,
        apart: selector!.left >= model!.right - 1,
        selectorIn: selector!.right <= area.right,
        dataUnder: next!.left < selector!.right,
        // Room left beside the labels for the data: at least 40% of the box.
        dataRoom: area.right - selector!.right >= 0.4 * area.width,
      };
    });
    expect(placed).toEqual({ scrolled: true, modelIn: true, apart: true, selectorIn: true, dataUnder: true, dataRoom: true });
    // A table labelled by condition, model and selector keeps the last two in view; three would
    // fill a phone's screen, so the condition scrolls away.
    const paired = page.locator('#table-paired .table-scroll');
    await paired.evaluate((b) => (b.scrollLeft = b.scrollWidth));
    const kept = await paired.evaluate((b) => {
      const area = b.getBoundingClientRect();
      const [condition, model, selector] = Array.from(b.querySelector('tbody tr')!.children, (c) => c.getBoundingClientRect());
      return { scrolled: b.scrollLeft > 0, conditionGone: condition!.right <= area.left + 1, modelIn: model!.left >= area.left - 1, selectorIn: selector!.right <= area.right };
    });
    expect(kept).toEqual({ scrolled: true, conditionGone: true, modelIn: true, selectorIn: true });
    // On a wider screen, where it still scrolls, all three stay in view.
    await page.setViewportSize({ width: 700, height: 800 });
    await paired.evaluate((b) => (b.scrollLeft = b.scrollWidth));
    const wide = await paired.evaluate((b) => {
      const area = b.getBoundingClientRect();
      const [condition, model, selector] = Array.from(b.querySelector('tbody tr')!.children, (c) => c.getBoundingClientRect());
      return { scrolled: b.scrollLeft > 0, conditionIn: condition!.left >= area.left - 1, modelBeside: model!.left >= condition!.right - 1, selectorBeside: selector!.left >= model!.right - 1 };
    });
    expect(wide).toEqual({ scrolled: true, conditionIn: true, modelBeside: true, selectorBeside: true });
    await page.close();
  });

  it('grows a chart with the column, up to 1.4 times its drawn width, and scrolls it (with a cue) where the column is narrower', async () => {
    const page = await openedPage(390, 800);
    const size = () =>
      page.locator('.chart').first().evaluate((c) => ({
        drawn: Number(c.querySelector('svg')!.getAttribute('width')),
        shown: c.querySelector('svg')!.getBoundingClientRect().width,
        box: c.clientWidth,
        scrolls: c.scrollWidth > c.clientWidth,
        cue: getComputedStyle(c).backgroundImage.includes('gradient'),
      }));
    const phone = await size();
    expect(phone.box).toBeLessThan(phone.drawn);
    expect(phone).toMatchObject({ shown: phone.drawn, scrolls: true, cue: true });
    // Between its drawn width and 1.4 times that, a chart fills the column: no step at any width.
    for (const width of [phone.drawn + 60, phone.drawn + 150]) {
      await page.setViewportSize({ width, height: 800 });
      const s = await size();
      expect(s.shown, `at ${width} px`).toBeCloseTo(Math.min(s.box, 1.4 * s.drawn), 0);
      expect(s.scrolls).toBe(false);
    }
    await page.setViewportSize({ width: 1600, height: 800 });
    const wide = await size();
    expect(wide.shown).toBeCloseTo(1.4 * wide.drawn, 0);
    expect(wide.shown).toBeLessThanOrEqual(wide.box);
    await page.close();
  });

  it('shows a value the data lack as n/a in a tooltip, as the tables do, never as "null"', async () => {
    if (!present) throw new Error(`chromium not found at ${CHROMIUM}`);
    // One seed: no interval, so every interval bound in a tooltip is missing.
    const oneSeed = mkdtempSync(join(tmpdir(), 'report-page-one-seed-'));
    try {
      const files = await buildReport(syntheticReportInput({ models: ['gpt5', 'gpt5-nano'], seeds: 1, kCount: 8 }), { resamples: 50, renderCacheDir: null });
      for (const f of files) {
        mkdirSync(dirname(join(oneSeed, f.path)), { recursive: true });
        writeFileSync(join(oneSeed, f.path), f.content);
      }
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(join(oneSeed, 'index.html')).href);
      const marks = page.locator('[id^="chart-balance"] g.mark-symbol path');
      await expect.poll(() => marks.count(), { timeout: 30_000 }).toBeGreaterThan(0);
      const tip = page.locator('.vg-tip');
      let rows: (string | null)[][] = [];
      for (let i = 0; i < Math.min(await marks.count(), 30) && !rows.some((r) => r[0] === '95% low'); i++) {
        await marks.nth(i).scrollIntoViewIfNeeded();
        await marks.nth(i).hover({ force: true });
        if (await tip.isVisible()) rows = await tip.locator('tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
      }
      expect(rows).toContainEqual(['95% low', 'n/a']);
      expect(rows).toContainEqual(['95% high', 'n/a']);
      expect(rows.filter((r) => r[1] === 'null' || r[1] === 'NaN')).toEqual([]);
      await page.close();
    } finally {
      rmSync(oneSeed, { recursive: true, force: true });
    }
  });

  it('keeps a long table\'s header in view as the table scrolls in its box, and a chart\'s own colours in high contrast', async () => {
    const page = await openedPage(1200, 700);
    // A landmark, and a way past what comes before it for the keyboard.
    expect(await page.locator('main#main').count()).toBe(1);
    expect(await page.locator('a.skip[href="#main"]').count()).toBe(1);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const header = await page.locator('#table-paired .table-scroll').evaluate((b) => {
      b.scrollTop = b.scrollHeight / 2;
      const area = b.getBoundingClientRect();
      const th = b.querySelector('thead th')!.getBoundingClientRect();
      // Drawn over the rows that scroll under it: the header is what a reader sees there.
      const seen = document.elementFromPoint(th.left + th.width / 2, th.top + th.height / 2);
      return { taller: b.scrollHeight > b.clientHeight, scrolled: b.scrollTop > 0, headerAtTop: Math.abs(th.top - area.top) < 2, onTop: seen?.closest('thead') !== null };
    });
    expect(header).toEqual({ taller: true, scrolled: true, headerAtTop: true, onTop: true });
    // Forced colours would paint a chart's background black under its dark text.
    await page.emulateMedia({ forcedColors: 'active' });
    expect(await page.locator('.chart').first().evaluate((c) => [getComputedStyle(c).forcedColorAdjust, getComputedStyle(c).backgroundColor])).toEqual(['none', 'rgb(255, 255, 255)']);
    await page.close();
  });

  it('shows a tooltip that is one text in one cell, with no empty key beside it', async () => {
    const page = await openedPage(1200, 900);
    // The utopia cross of a projections figure: its tooltip names the point, no fields.
    const crosses = page.locator('[id^="chart-projections"] path[stroke="#009E73"]:not([d*="A"])');
    expect(await crosses.count()).toBeGreaterThan(0);
    await crosses.first().scrollIntoViewIfNeeded();
    await crosses.first().hover({ force: true });
    const tip = page.locator('.vg-tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const cells = await tip.locator('tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => [td.colSpan, td.textContent])));
    expect(cells).toEqual([[[2, 'utopia (cost 0, latency 0, accuracy 1)']]]);
    await page.close();
  });

  it('shows a point\'s tooltip on a tap, a phone having no hover, and hides it on a tap elsewhere', async () => {
    if (!present) throw new Error(`chromium not found at ${CHROMIUM}`);
    const context = await browser.newContext({ viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForFunction((n) => document.querySelectorAll('div.chart > svg').length === n, chartCount, { timeout: 30_000 });
    const points = page.locator('[id^="chart-accuracy-vs-k"] .curve_points_marks path');
    const tip = page.locator('.vg-tip');
    let shown = false;
    for (let i = 0; i < Math.min(await points.count(), 20) && !shown; i++) {
      await points.nth(i).scrollIntoViewIfNeeded();
      const p = (await points.nth(i).boundingBox())!;
      await page.touchscreen.tap(p.x + p.width / 2, p.y + p.height / 2);
      shown = await tip.isVisible();
    }
    expect(shown).toBe(true);
    expect(await tip.locator('td.key').allTextContents()).toContain('model');
    // A tap on the page's text, away from any chart: the tooltip goes.
    const heading = (await page.locator('h1').boundingBox())!;
    await page.locator('h1').scrollIntoViewIfNeeded();
    await page.touchscreen.tap(heading.x + 5, (await page.locator('h1').boundingBox())!.y + 5);
    await expect.poll(() => tip.isVisible()).toBe(false);
    await context.close();
  });

  it('keeps a tooltip inside a phone screen, also for a point right of its middle', async () => {
    const page = await openedPage(390, 800);
    const chart = page.locator('[id^="chart-accuracy-vs-k"]').first();
    await chart.evaluate((c) => (c.scrollLeft = c.scrollWidth));
    const points = chart.locator('.curve_points_marks path');
    // The points furthest right once the chart is scrolled to its end.
    const rightmost = await points.evaluateAll((ps) =>
      ps.map((p, i) => [i, p.getBoundingClientRect().right] as const).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([i]) => i),
    );
    const tip = page.locator('.vg-tip');
    const boxes: { x: number; left: number; right: number; top: number; bottom: number }[] = [];
    for (const i of rightmost) {
      await points.nth(i).scrollIntoViewIfNeeded();
      const p = (await points.nth(i).boundingBox())!;
      await page.mouse.move(p.x + p.width / 2, p.y + p.height / 2);
      if (!(await tip.isVisible())) continue;
      const r = (await tip.boundingBox())!;
      boxes.push({ x: p.x, left: r.x, right: r.x + r.width, top: r.y, bottom: r.y + r.height });
    }
    // Some in the right half, where a tooltip this wide fits on neither side of the pointer.
    expect(boxes.filter((b) => b.x > 195 && b.x + 14 + (b.right - b.left) > 390 && b.x - 14 - (b.right - b.left) < 0).length).toBeGreaterThan(0);
    for (const b of boxes) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.right).toBeLessThanOrEqual(390);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.bottom).toBeLessThanOrEqual(800);
    }
    await page.close();
  });

  it('opens the table a link points into, on load and when the link is followed in the page', async () => {
    const page = await openedPage(1200, 900, '#table-paired');
    const paired = page.locator('details#table-paired');
    expect(await paired.evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    expect(await page.locator('details[open]').count()).toBe(1);
    expect(await paired.evaluate((d) => d.getBoundingClientRect().top)).toBeLessThan(900);
    expect(await paired.evaluate((d) => d.getBoundingClientRect().bottom)).toBeGreaterThan(0);
    await page.evaluate(() => (location.hash = '#table-balanced'));
    await expect.poll(() => page.locator('details#table-balanced').evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    await page.close();
    // A hash that is not percent-encoded stops nothing (openedPage waits for every chart).
    await (await openedPage(1200, 900, '#100%')).close();
  });

  it('links each table\'s files and the claims\' files, each of which the report wrote', async () => {
    const page = await openedPage(1200, 900);
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') as string).filter((h) => !h.startsWith('#')));
    expect(hrefs).toEqual(expect.arrayContaining(['claims.md', 'tables/claims.csv', 'tables/claims.tex', 'summary.json', 'numbers.tex']));
    const tables = await page.locator('details[id^="table-"], h3[id^="table-"]').evaluateAll((els) => els.map((e) => e.id.slice('table-'.length)));
    expect(tables.length).toBeGreaterThan(5);
    for (const t of tables) expect(hrefs).toEqual(expect.arrayContaining([`tables/${t}.csv`, `tables/${t}.md`, `tables/${t}.tex`]));
    expect(hrefs.filter((h) => !existsSync(join(dir, h)))).toEqual([]);
    await page.close();
  });

  it('shows each figure as its SVG without JavaScript', async () => {
    if (!present) throw new Error(`chromium not found at ${CHROMIUM}`);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const titles = await page.locator('ol.contents li a').evaluateAll((as) => as.map((a) => [a.getAttribute('href')!.slice(1), a.textContent]));
    const images = page.locator('figure .chart img');
    await expect.poll(() => images.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete))).toBe(true);
    const shown = await images.evaluateAll((imgs) => imgs.map((i) => [i.getAttribute('src'), i.getAttribute('alt'), (i as HTMLImageElement).naturalWidth > 0]));
    expect(titles).toHaveLength(chartCount);
    expect(shown).toEqual(titles.map(([name, title]) => [`figures/${name}.svg`, title, true]));
    await context.close();
  });

  it('printed (or saved as PDF), shows every table and keeps everything within the paper: tables, code and charts', async () => {
    const page = await openedPage(1200, 900);
    // Every table opens; the manifest's JSON, pages of it, stays closed.
    const total = await page.locator('details:not([data-print="closed"])').count();
    expect(total).toBeGreaterThan(3);
    expect(await page.locator('details[data-print="closed"] > summary').allTextContents()).toEqual(['Manifest']);
    // What the page shows while it prints, seen by a listener that runs after the page's own.
    await page.evaluate(() => {
      const w = window as unknown as { printed: { open: number } | null };
      w.printed = null;
      window.addEventListener('beforeprint', () => {
        w.printed = { open: document.querySelectorAll('details[open]').length };
      });
    });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'Letter' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await page.evaluate(() => (window as unknown as { printed: unknown }).printed)).toEqual({ open: total });
    // Afterwards the page is as the reader left it.
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('details[open]').count()).toBe(0);
    // Nothing printed is wider than the paper's text (A4 or Letter with their default margins:
    // about 700 px), or the browser would shrink every page to fit the widest table.
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    await page.setViewportSize({ width: 700, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
    // Cells wrap between words: no number, verdict or name is split across lines.
    expect(await splitWords(page, 'th, td')).toEqual([]);
    // The manifest wraps its long lines instead of scrolling them out of the paper.
    expect(await page.locator('pre').evaluate((pre) => [getComputedStyle(pre).whiteSpace, pre.scrollWidth <= pre.clientWidth])).toEqual(['pre-wrap', true]);
    expect(await page.locator('nav').evaluate((nav) => getComputedStyle(nav).display)).toBe('none');
    // Nothing on paper asks to hover, nor marks a table that opens: print shows them all.
    expect(await page.getByText('Hover over a point').evaluate((el) => getComputedStyle(el).display)).toBe('none');
    expect(await page.locator('summary').first().evaluate((el) => getComputedStyle(el).display === 'list-item' && getComputedStyle(el).listStyleType !== 'none')).toBe(false);
    // Each chart takes the full text width (its svg scales).
    const widths = await page.locator('figure').evaluateAll((fs) => fs.map((f) => f.querySelector('svg')!.getBoundingClientRect().width / f.getBoundingClientRect().width));
    expect(Math.min(...widths)).toBeGreaterThan(0.99);
    await page.close();
  });
});
