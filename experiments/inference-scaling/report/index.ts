/**
 * The inference-scaling report: from the stored trials and curves to figures, tables, claims and
 * one self-contained HTML page. Pure of I/O except for reading the fonts and the Vega runtime;
 * the harness writes the returned files.
 *
 * Stages: analysis (statistics across seeds, paired comparisons, claims) -> figure specs
 * (Vega-Lite) -> renderings (SVG, PNG, PDF) -> tables (CSV, Markdown) -> page -> summary.
 */
import type { ReportFile, ReportInput } from '../../../harness/experiment.js';
import { RenderPool } from '../../../harness/render/pool.js';
import { tableToCsv, tableToMarkdown } from '../../../harness/render/table.js';
import { compileVegaLite, renderSvg } from '../../../harness/render/vega.js';
import { analyze, type Analysis } from './analysis.js';
import { allFigures } from './figures/index.js';
import { buildPage, type PageFigure } from './page.js';
import { quotes } from './quotes.js';
import { allTables, claimsSummary } from './tables.js';

export interface ReportOptions {
  /** Bootstrap resamples per interval (default 2000). */
  resamples?: number;
  /** PNG pixels per point (default 3, about 216 dpi). */
  pngScale?: number;
}

export async function buildReport(input: ReportInput, options: ReportOptions = {}): Promise<ReportFile[]> {
  // Started first: the workers load while this thread computes the statistics.
  const pool = new RenderPool();
  try {
    return await build(input, options, pool);
  } finally {
    await pool.close();
  }
}

async function build(input: ReportInput, options: ReportOptions, pool: RenderPool): Promise<ReportFile[]> {
  pool.warmUp();
  const analysis = analyze(input, options.resamples);
  const figures = compileFigures(analysis);
  const drawings = await drawFigures(figures, input, options, pool);
  return sortByPath([...documentFiles(analysis, input, figures), ...drawings]);
}

/**
 * Every file of the report except the figures' drawings (SVG, PNG, PDF): the Vega-Lite specs,
 * tables, claims, summary and page. Cheap to build (nothing is drawn), so tests compare these.
 */
export function reportDocuments(input: ReportInput, options: Pick<ReportOptions, 'resamples'> = {}): ReportFile[] {
  const analysis = analyze(input, options.resamples);
  return sortByPath(documentFiles(analysis, input, compileFigures(analysis)));
}

function compileFigures(analysis: Analysis): PageFigure[] {
  return allFigures(analysis).map((figure) => ({ figure, vega: compileVegaLite(figure.spec) }));
}

function documentFiles(analysis: Analysis, input: ReportInput, figures: readonly PageFigure[]): ReportFile[] {
  const files: ReportFile[] = figures.map(({ figure }) => ({ path: `figures/${figure.name}.vl.json`, content: `${JSON.stringify(figure.spec, null, 2)}\n` }));
  const tables = allTables(analysis);
  for (const t of tables) {
    files.push({ path: `tables/${t.name}.csv`, content: tableToCsv(t.csv) });
    files.push({ path: `tables/${t.name}.md`, content: `# ${t.title}\n\n${tableToMarkdown(t.display)}` });
  }
  files.push({ path: 'claims.md', content: claimsSummary(analysis), role: 'summary' });
  files.push({ path: 'summary.json', content: `${JSON.stringify(summaryOf(analysis, input.manifest.hash), null, 1)}\n` });
  input.progress('page', 0, 1);
  files.push({ path: 'index.html', content: buildPage({ analysis, manifest: input.manifest, runs: input.runs, figures: [...figures], tables }), role: 'entry' });
  input.progress('page', 1, 1);
  return files;
}

/** SVG on this thread; PNG and PDF in the render pool's workers meanwhile. */
async function drawFigures(figures: readonly PageFigure[], input: ReportInput, options: ReportOptions, pool: RenderPool): Promise<ReportFile[]> {
  const files: ReportFile[] = [];
  const conversions: Promise<ReportFile>[] = [];
  let converted = 0;
  const track = (path: string, bytes: Promise<Uint8Array>) => {
    const file = bytes.then((content) => {
      input.progress('png and pdf', ++converted, 2 * figures.length);
      return { path, content };
    });
    // Handled here so a failure is not "unhandled" before Promise.all below sees it.
    file.catch(() => {});
    return file;
  };
  for (const [i, { figure, vega }] of figures.entries()) {
    input.progress('svg', i, figures.length);
    const svg = await renderSvg(vega);
    files.push({ path: `figures/${figure.name}.svg`, content: svg });
    conversions.push(track(`figures/${figure.name}.png`, pool.png(svg, { scale: options.pngScale ?? 3 })));
    conversions.push(track(`figures/${figure.name}.pdf`, pool.pdf(svg, { creationDate: PDF_DATE, title: figure.title })));
  }
  input.progress('svg', figures.length, figures.length);
  return [...files, ...(await Promise.all(conversions))];
}

function sortByPath(files: ReportFile[]): ReportFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The date every PDF carries. A figure depends only on the results, never on when or where they
 * were computed, so a cluster run and a one-machine run give the same bytes; the runs' dates are
 * shown in the page's provenance instead.
 */
const PDF_DATE = new Date(Date.UTC(2000, 0, 1));

/**
 * The content of summary.json, computed without drawing anything: what documents that quote the
 * report (REPRODUCTION.md) are checked against.
 */
export function reportSummary(input: ReportInput, options: Pick<ReportOptions, 'resamples'> = {}): ReportSummary {
  return summaryOf(analyze(input, options.resamples), input.manifest.hash);
}

export type ReportSummary = ReturnType<typeof summaryOf>;

/** Every number of the report in one machine-readable file (for documents that quote them). */
function summaryOf(a: Analysis, manifestHash: string) {
  return {
    study: a.data.study,
    manifestHash,
    /** Numbers as the documents write them, by name. */
    quotes: quotes(a),
    seeds: a.data.replicates.length,
    conditions: a.data.conditions.map((c) => ({ id: c.slug, scenario: c.scenario, variant: c.variant, constraints: c.constraints })),
    claims: a.claims.rows,
    modelPairs: a.claims.modelPairs.map((p) => ({ ...p, condition: a.condition(p.condition).slug })),
    cells: a.cells.map((c) => ({ ...c, condition: a.condition(c.condition).slug })),
    paired: a.paired.map((p) => ({ ...p, condition: a.condition(p.condition).slug })),
    ablation: a.ablation && {
      baseline: a.ablation.baseline,
      factors: a.ablation.factors,
      levels: a.ablation.levels.map((l) => ({ ...l, condition: a.condition(l.condition).slug })),
      claims: a.ablation.claims.map((v) => ({ variant: v.variant, claims: v.claims.rows.filter((r) => r.headline) })),
    },
    failed: a.data.failed,
  };
}
