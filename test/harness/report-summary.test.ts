/**
 * A report may name the file a reader opens first and a short summary: `run --report` and
 * `report` then print where the page is and the summary, after the count of files written.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as msg from '../../harness/messages.js';
import { runHarness } from '../reliability/helpers.js';
import { cli, fixtures, harnessOutside, noopStudy, tempDir, writeStudy } from './helpers.js';

const dir = tempDir();
const study = writeStudy(dir, 'summary.yaml', noopStudy({ name: 'with-summary', experiment: join(fixtures, 'experiments', 'noop-summary.ts') }));
const written = msg.reportWritten(2, join('reports', 'with-summary'), join('reports', 'with-summary', 'page', 'index.html'));
const summary = '# with-summary\n27 trials ok';

describe('a report with an entry page and a summary', () => {
  it('run --report prints where the page is, then the summary; a resumed run prints the same', async () => {
    const first = await cli(['run', study, '--report'], dir);
    expect(first.code).toBe(0);
    expect(first.stdout.endsWith(`${written}\n\n${summary}\n`)).toBe(true);
    // Before the report, the way to write it should it be stopped, which ends the process without a word.
    const later = `${harnessOutside} report ${join('results', 'with-summary.sqlite')}`;
    expect(first.stderr).toContain(`${msg.runWritingReport(join('reports', 'with-summary'), later)}\n`);
    const again = await cli(['run', study, '--report'], dir);
    expect(again.stdout).toBe(`${msg.runNothingToDo(27, join('results', 'with-summary.sqlite'), null)}\n${written}\n\n${summary}\n`);
  });

  it('run --report --out writes the report where asked; --out without --report is refused before anything runs', async () => {
    const run = await cli(['run', study, '--report', '--out', 'elsewhere'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.endsWith(`${msg.reportWritten(2, 'elsewhere', join('elsewhere', 'page', 'index.html'))}\n\n${summary}\n`)).toBe(true);
    expect(run.stderr).toContain(msg.runWritingReport('elsewhere', `${harnessOutside} report ${join('results', 'with-summary.sqlite')} --out elsewhere`));
    const refused = await cli(['run', study, '--out', 'elsewhere', '--db', 'never.sqlite'], dir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--out: names the report folder, so it needs --report; received "elsewhere". Add --report');
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });

  it('--json prints one object on stdout (the folder, the page, the files and the summary) and the lines for people on stderr', async () => {
    const report = await cli(['report', join('results', 'with-summary.sqlite'), '--out', 'json-out', '--json'], dir);
    expect(report.code).toBe(0);
    const shown = { dir: 'json-out', entry: join('json-out', 'page', 'index.html'), files: ['page/index.html', 'summary.md'], summary: `${summary}\n` };
    expect(JSON.parse(report.stdout)).toEqual({ db: join('results', 'with-summary.sqlite'), ...shown });
    expect(report.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(report.stderr).toContain(`${msg.reportWritten(2, 'json-out', shown.entry)}\n\n${summary}\n`);
    expect(readdirSync(join(dir, 'json-out'), { recursive: true }).map(String).sort()).toEqual(['page', ...shown.files]);
    const run = await cli(['run', study, '--report', '--out', 'json-out', '--json'], dir);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { status: string; exitCode: number; report: unknown };
    expect(parsed).toMatchObject({ status: 'done', exitCode: 0, report: shown });
    const plain = JSON.parse((await cli(['run', study, '--json'], dir)).stdout) as Record<string, unknown>;
    expect('report' in plain).toBe(false);
  });

  it('report prints them too; a report without them prints the count alone', async () => {
    const report = await cli(['report', join('results', 'with-summary.sqlite'), '--out', 'out'], dir);
    expect(report.stdout).toBe(`${msg.reportWritten(2, 'out', join('out', 'page', 'index.html'))}\n\n${summary}\n`);
    expect(msg.reportWritten(2, 'out')).toBe('Wrote 2 report files to out.');
  });
});

describe('a report that draws figures', () => {
  const drawing = writeStudy(dir, 'figure.yaml', noopStudy({ name: 'with-figure', experiment: join(fixtures, 'experiments', 'noop-figure.ts') }));

  it('gets drawing threads the harness started before reading the results, and its figure', async () => {
    // A cache of its own: with this figure set cached from an earlier test run, no thread would start.
    vi.stubEnv('HARNESS_RENDER_CACHE', join(dir, 'figure-cache'));
    const run = await cli(['run', drawing, '--report'], dir);
    vi.unstubAllEnvs();
    expect(run.code).toBe(0);
    const out = join(dir, 'reports', 'with-figure');
    expect(readFileSync(join(out, 'threads.txt'), 'utf8')).toBe('started before report(): true\n');
    expect(readFileSync(join(out, 'trials.svg'), 'utf8')).toMatch(/^<svg [^>]*width="\d+/);
    expect(readFileSync(join(out, 'trials.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('draws its PNGs at the resolution --dpi asks for, with report and with run --report', async () => {
    /** The PNG's width in pixels and the resolution it declares (pHYs, pixels per metre), in dpi. */
    const png = (file: string) => {
      const bytes = readFileSync(file);
      const phys = bytes.indexOf('pHYs', 0, 'latin1');
      return { width: bytes.readUInt32BE(16), dpi: Math.round(bytes.readUInt32BE(phys + 4) * 0.0254) };
    };
    const svgWidth = (file: string) => Number(/width="([\d.]+)"/.exec(readFileSync(file, 'utf8'))?.[1]);
    const report = await cli(['report', join('results', 'with-figure.sqlite'), '--out', 'at-300', '--dpi', '300'], dir);
    expect(report.code).toBe(0);
    const width = svgWidth(join(dir, 'at-300', 'trials.svg'));
    expect(width).toBeGreaterThan(100);
    expect(png(join(dir, 'at-300', 'trials.png'))).toEqual({ width: Math.ceil((width * 300) / 72), dpi: 300 });
    const run = await cli(['run', drawing, '--report', '--out', 'at-600', '--dpi', '600'], dir);
    expect(run.code).toBe(0);
    expect(png(join(dir, 'at-600', 'trials.png'))).toEqual({ width: Math.ceil((width * 600) / 72), dpi: 600 });
  });

  it('refuses a resolution out of range, or --dpi on a run without --report, with exit 2 before any work', async () => {
    for (const value of ['50', '601', '300.5', 'high']) {
      const report = await cli(['report', join('results', 'with-figure.sqlite'), '--out', 'bad-dpi', '--dpi', value], dir);
      expect(report).toEqual({ code: 2, stdout: '', stderr: `${msg.optionInvalid('dpi', 'must be a whole number of dots per inch from 72 to 600', value, 'Example: --dpi 300. Above 600, use the PDF or SVG, which are vector.')}\n` });
    }
    expect(existsSync(join(dir, 'bad-dpi'))).toBe(false);
    const run = await cli(['run', drawing, '--db', 'no-report.sqlite', '--dpi', '300'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${msg.optionInvalid('dpi', "sets the report's PNG resolution, so it needs --report", 300, 'Add --report, or write the report later with "harness report <db> --dpi 300".')}\n`);
    expect(existsSync(join(dir, 'no-report.sqlite'))).toBe(false);
  });

  it('refuses a figure whose spec names a field no row has (a misspelling: an empty frame), naming the figure, the field and the nearest; writes nothing, again from the cache', async () => {
    vi.stubEnv('HARNESS_RENDER_CACHE', join(dir, 'bad-figure-cache'));
    const module = join(fixtures, 'experiments', 'bad-figure.ts');
    const reason = msg.fieldInNoRow('trails', '/encoding/y/field', 'trials', '"status", "trials"');
    for (let attempt = 0; attempt < 2; attempt++) {
      const report = await cli(['report', join('results', 'with-figure.sqlite'), '--experiment', module, '--out', 'bad-figure'], dir);
      expect(report.code).toBe(2);
      expect(report.stderr).toContain(`report() of experiment noop (${module}) failed: Error: ${msg.figureRefused('The figure "trials"', reason)}`);
      expect(report.stderr).toContain('The figure "trials": not drawn, since the field "trails" (/encoding/y/field) is in no row of its data and made by no transform, so Vega would draw it as nothing; did you mean "trials"?');
      expect(report.stderr).toMatch(/\n {4}at (async )?Object\.report \(.*bad-figure\.ts:\d+:\d+\)\n/);
      expect(existsSync(join(dir, 'bad-figure'))).toBe(false);
    }
    vi.unstubAllEnvs();
  });

  it('warns of text the figures\' font lacks, naming the figure, the text and the characters, and writes the figure as drawn', async () => {
    const figureStudy = (name: string, label: string) =>
      writeStudy(dir, `${name}.yaml`, noopStudy({ name, experiment: join(fixtures, 'experiments', 'noop-figure.ts'), params: { n: 4, scale: 2, label } }));
    vi.stubEnv('HARNESS_RENDER_CACHE', join(dir, 'figure-cache'));
    const run = await cli(['run', figureStudy('cjk', '通義 '), '--report', '--json'], dir);
    // Again from the figure cache: the warning does not depend on drawing anew.
    const again = await cli(['report', join('results', 'cjk.sqlite'), '--json'], dir);
    const math = await cli(['run', figureStudy('math', '𝛼 '), '--report', '--json'], dir);
    vi.unstubAllEnvs();
    const cjk = msg.reportTextOutsideFont('DejaVu Sans', [
      { title: 'trials', text: '通義 red-s', characters: [{ char: '通', code: 'U+901A', instead: null }, { char: '義', code: 'U+7FA9', instead: null }] },
    ]);
    expect(cjk).toContain('\n  "trials": "通義 red-s" has "通" (U+901A) and "義" (U+7FA9).\n');
    for (const result of [run, again]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`\n${cjk}\n`);
    }
    expect(JSON.parse(again.stdout)).toMatchObject({ textOutsideFont: { figures: ['trials'], warning: cjk } });
    expect(readFileSync(join(dir, 'reports', 'cjk', 'trials.svg'), 'utf8')).toContain('通義');
    // A letter pasted from a formula editor: the message names the font's own.
    expect(math.stderr).toContain('\n  "trials": "𝛼 red-s" has "𝛼" (U+1D6FC); DejaVu Sans has "α" for "𝛼".\n');
    // A figure whose text the font has says nothing.
    const plain = await cli(['report', join('results', 'with-figure.sqlite'), '--out', 'plain'], dir);
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('lacks');
  }, 60_000);

  it('stops with a message that says how to get the fonts when they are missing, and writes nothing', async () => {
    const exit = await runHarness(['report', join('results', 'with-figure.sqlite'), '--out', 'no-fonts'], {
      cwd: dir,
      env: { HARNESS_FONT_DIR: '/nonexistent/fonts', HARNESS_RENDER_CACHE: 'off' },
    });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('font file /nonexistent/fonts/DejaVuSans.ttf (DejaVu Sans regular) not found: install Debian\'s fonts-dejavu-core');
    expect(exit.stderr).not.toMatch(/Internal error|^\s+at /m);
    expect(existsSync(join(dir, 'no-fonts'))).toBe(false);
  }, 30_000);
});
