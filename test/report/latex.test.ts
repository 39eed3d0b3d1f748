/**
 * The report in a real LaTeX document, as a paper takes it in: pdfLaTeX inputs every table
 * (`tables/*.tex`) and includes every figure's PDF, on a page of a two-column paper's text width
 * (IEEE's 516 pt) and a US letter page's text height (648 pt). Without pdflatex (and pdftotext)
 * the test installs them where it runs as root; elsewhere it fails and says how to install them,
 * unless HARNESS_SKIP_LATEX=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json, ReportFile } from '../../harness/experiment.js';
import { buildReport, reportDocuments } from '../../experiments/inference-scaling/report/index.js';
import { QUOTED } from '../../experiments/inference-scaling/report/claims.js';
import { tempDir } from '../harness/helpers.js';
import { syntheticReportInput } from './synthetic.js';
import { INSTALL_TIMEOUT_MS, ensureTool } from '../system-tools.js';

const PDFLATEX = process.env.HARNESS_PDFLATEX ?? 'pdflatex';
const skip = process.env.HARNESS_SKIP_LATEX === '1';
if (skip) console.warn('LaTeX test skipped: HARNESS_SKIP_LATEX=1');

const runs = (command: string) => spawnSync(command, ['-v'], { stdio: 'ignore' }).status === 0;
/** Set before the tests: installed first where missing, if this runs as root (see ensureTool). */
let present = false;

function requirePdflatex(): void {
  // Failing here, inside the test, counts as a failed test (a failing beforeAll only skips it).
  if (!present) {
    throw new Error(
      `pdflatex not found (${PDFLATEX}): install Debian's packages (apt-get install -y --no-install-recommends texlive-latex-base texlive-latex-recommended), ` +
        'point HARNESS_PDFLATEX at another binary, or set HARNESS_SKIP_LATEX=1 to skip this test.',
    );
  }
}

function writeAll(dir: string, files: readonly ReportFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** Compiles `body` in `dir`; returns pdflatex's log. */
function compile(dir: string, body: string[]): { status: number | null; log: string } {
  const document = [
    '\\documentclass{article}',
    '\\usepackage[textwidth=516pt,textheight=648pt]{geometry}',
    '\\usepackage{booktabs,array,graphicx}',
    // A table as a paper sets it: at its own size, or scaled down to the text width if wider.
    '\\newsavebox\\tablebox',
    '\\newcommand\\fittable[1]{\\sbox\\tablebox{\\input{#1}}\\ifdim\\wd\\tablebox>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox\\tablebox}\\else\\usebox\\tablebox\\fi}',
    '\\begin{document}',
    ...body,
    '\\end{document}',
    '',
  ];
  writeFileSync(join(dir, 'paper.tex'), document.join('\n'));
  const run = spawnSync(PDFLATEX, ['-interaction=nonstopmode', '-halt-on-error', 'paper.tex'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  let log = '';
  try {
    log = readFileSync(join(dir, 'paper.log'), 'latin1');
  } catch {
    log = `${run.stdout}\n${run.stderr}`;
  }
  return { status: run.status, log };
}

/** The lines of the log that say something is wrong: errors, missing glyphs, overfull lines, pdfTeX's warnings. */
function problems(log: string): string[] {
  return log.split('\n').filter((l) => /^!|Missing character|Overfull \\hbox|pdfTeX warning|Unicode character/.test(l));
}

function tableInput(path: string): string {
  return `\\noindent\\fittable{${path}}\\par\\bigskip`;
}

/** The text of a PDF, as poppler's pdftotext reads it. */
function pdfText(pdf: string): string {
  const run = spawnSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`pdftotext failed (${run.error?.message ?? run.stderr}): install Debian's poppler-utils, or set HARNESS_SKIP_LATEX=1 to skip this test.`);
  }
  return run.stdout;
}

describe.skipIf(skip)('the report in a LaTeX paper', () => {
  const dir = tempDir('report-latex-');
  let files: ReportFile[] = [];

  beforeAll(() => {
    present = ensureTool('latex', () => runs(PDFLATEX) && runs('pdftotext'));
  }, INSTALL_TIMEOUT_MS);

  beforeAll(async () => {
    if (!present) return;
    files = await buildReport(syntheticReportInput({ models: ['gpt5', 'gpt5-nano', 'qwen3-max', 'qwen3-30b-a3b'], seeds: 4, kCount: 12 }), { resamples: 200, renderCacheDir: null });
    writeAll(join(dir, 'paper'), files);
  }, 120_000);

  it('inputs every table and includes every figure at its own size, with no error, missing glyph or overfull line', () => {
    requirePdflatex();
    const tables = files.filter((f) => f.path.startsWith('tables/') && f.path.endsWith('.tex')).map((f) => f.path);
    const figures = files.filter((f) => f.path.endsWith('.pdf')).map((f) => f.path);
    // Every table the report has, in every form, and every figure.
    expect(tables).toEqual(files.filter((f) => f.path.endsWith('.csv')).map((f) => f.path.replace(/\.csv$/, '.tex')));
    expect(figures).toHaveLength(files.filter((f) => f.path.endsWith('.vl.json')).length);
    expect(tables.length).toBeGreaterThan(5);

    const { status, log } = compile(join(dir, 'paper'), [...tables.map(tableInput), ...figures.map((f) => `\\noindent\\includegraphics{${f}}\\par`)]);
    expect(problems(log)).toEqual([]);
    expect(status).toBe(0);
    expect(log).toMatch(/Output written on paper\.pdf \(\d+ pages?/);
    // Each table and figure was read.
    for (const path of [...tables, ...figures]) expect(log).toContain(path);
  });

  it('gives every number the report quotes, in a paper\'s text, as the report writes it, and stops at a name it does not have', () => {
    requirePdflatex();
    const quotes = (JSON.parse(files.find((f) => f.path === 'summary.json')!.content as string) as { quotes: Record<string, string> }).quotes;
    const names = Object.keys(quotes);
    expect(names.length).toBeGreaterThan(100);
    const out = join(dir, 'paper');
    const { status, log } = compile(out, ['\\input{numbers.tex}', '\\pagestyle{empty}\\raggedright', ...names.map((n) => `\\studynumber{paper}{${n}}\\par`)]);
    expect(problems(log)).toEqual([]);
    expect(status).toBe(0);
    // One number a line, as typeset: LaTeX's minus sign, and the en dash of a range, read back as "-".
    const lines = pdfText(join(out, 'paper.pdf')).normalize('NFKC').replace(/[\u2212\u2013]/g, '-').split(/[\n\f]/).filter((l) => l.trim() !== '');
    expect(lines).toEqual(names.map((n) => quotes[n]));
    // The paper's quoted range is one of them, set with an en dash.
    expect(pdfText(join(out, 'paper.pdf'))).toContain(`${QUOTED.accuracyLostLo}\u2013${QUOTED.accuracyLostHi}`);

    const stale = compile(out, ['\\input{numbers.tex}', 'saved \\studynumber{paper}{claim1.knee-paper.cost-saved}']);
    expect(stale.status).not.toBe(0);
    expect(stale.log).toContain("! Package studynumber Error: No number `claim1.knee-paper.cost-saved' in the");
  });

  it('sets the tables of a study with variants (the claims under each variant among them)', async () => {
    requirePdflatex();
    const input = syntheticReportInput({ scenarios: ['balanced', 'cost-constrained'], models: ['gpt5', 'gpt5-nano'], seeds: 3, kCount: 8, variants: [{ variant: 'baseline' }, { variant: 'M-100' }] });
    const body = input.manifest.body as Record<string, Json>;
    const docs = await reportDocuments({ ...input, manifest: { ...input.manifest, body: { ...body, variants: [{ name: 'baseline', set: {} }, { name: 'M-100', set: { 'sim.M': 100 } }] } } }, { resamples: 100 });
    const out = join(dir, 'variants');
    writeAll(out, docs);
    const tables = docs.filter((f) => f.path.startsWith('tables/') && f.path.endsWith('.tex')).map((f) => f.path);
    expect(tables).toContain('tables/claims-by-variant.tex');
    const { status, log } = compile(out, tables.map(tableInput));
    expect(problems(log)).toEqual([]);
    expect(status).toBe(0);
  });
});
