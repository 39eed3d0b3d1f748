/**
 * The report page in a real browser: Debian's chromium driven by playwright-core. Without
 * chromium the test fails and says how to install it, unless HARNESS_SKIP_BROWSER=1.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../experiments/inference-scaling/report/index.js';
import { syntheticReportInput } from './synthetic.js';

const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';
const skip = process.env.HARNESS_SKIP_BROWSER === '1';
if (skip) console.warn('browser test skipped: HARNESS_SKIP_BROWSER=1');

describe.skipIf(skip)('the report page in chromium', () => {
  let dir: string;
  let browser: Browser;
  let chartCount = 0;

  const present = existsSync(CHROMIUM);

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

  /** The page in a window of this size, every chart drawn. */
  async function openedPage(width: number, height: number): Promise<Page> {
    if (!present) throw new Error(`chromium not found at ${CHROMIUM}`);
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForFunction((n) => document.querySelectorAll('div.chart > svg').length === n, chartCount, { timeout: 30_000 });
    return page;
  }

  it('keeps a phone screen\'s width (wide tables and charts scroll in their boxes), and names each chart for a screen reader', async () => {
    const page = await openedPage(390, 800);
    // Open every table too: an open one must not widen the page either.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const named = await page.locator('figure').evaluateAll((figures) => figures.map((f) => [f.querySelector('h3')?.textContent, f.querySelector('.chart')?.getAttribute('role'), f.querySelector('.chart')?.getAttribute('aria-label')]));
    expect(named).toHaveLength(chartCount);
    for (const [title, role, label] of named) expect([role, label]).toEqual(['graphics-document', title]);
    await page.close();
  });

  it('printed (or saved as PDF), shows every table and draws the charts at their own size', async () => {
    const page = await openedPage(1200, 900);
    const total = await page.locator('details').count();
    expect(total).toBeGreaterThan(3);
    // What the page shows while it prints, seen by a listener that runs after the page's own.
    await page.evaluate(() => {
      const w = window as unknown as { printed: { open: number; zoom: string } | null };
      w.printed = null;
      window.addEventListener('beforeprint', () => {
        w.printed = { open: document.querySelectorAll('details[open]').length, zoom: getComputedStyle(document.querySelector('.chart')!).zoom };
      });
    });
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.chart')!).zoom)).toBe('1.4');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'Letter' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await page.evaluate(() => (window as unknown as { printed: unknown }).printed)).toEqual({ open: total, zoom: '1' });
    // Afterwards the page is as the reader left it.
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('details[open]').count()).toBe(0);
    // Nothing printed is wider than the paper's text (A4 or Letter with their default margins:
    // about 700 px), or the browser would shrink every page to fit the widest table.
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    await page.setViewportSize({ width: 700, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
    await page.close();
  });
});
