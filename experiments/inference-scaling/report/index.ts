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
  const files: ReportFile[] = [];
  const figures = allFigures(analysis);
  const page: PageFigure[] = [];
  // SVG on this thread; PNG and PDF in workers meanwhile.
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
  for (const [i, figure] of figures.entries()) {
    input.progress('svg', i, figures.length);
    const vega = compileVegaLite(figure.spec);
    const svg = await renderSvg(vega);
    files.push({ path: `figures/${figure.name}.vl.json`, content: `${JSON.stringify(figure.spec, null, 2)}\n` });
    files.push({ path: `figures/${figure.name}.svg`, content: svg });
    conversions.push(track(`figures/${figure.name}.png`, pool.png(svg, { scale: options.pngScale ?? 3 })));
    conversions.push(track(`figures/${figure.name}.pdf`, pool.pdf(svg, { creationDate: PDF_DATE, title: figure.title })));
    page.push({ figure, vega });
  }
  input.progress('svg', figures.length, figures.length);
  files.push(...(await Promise.all(conversions)));

  const tables = allTables(analysis);
  for (const t of tables) {
    files.push({ path: `tables/${t.name}.csv`, content: tableToCsv(t.csv) });
    files.push({ path: `tables/${t.name}.md`, content: `# ${t.title}\n\n${tableToMarkdown(t.display)}` });
  }
  files.push({ path: 'claims.md', content: claimsSummary(analysis) });
  files.push({ path: 'summary.json', content: `${JSON.stringify(summary(analysis, input), null, 1)}\n` });
  input.progress('page', 0, 1);
  files.push({ path: 'index.html', content: buildPage({ analysis, manifest: input.manifest, runs: input.runs, figures: page, tables }) });
  input.progress('page', 1, 1);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The date every PDF carries. A figure depends only on the results, never on when or where they
 * were computed, so a cluster run and a one-machine run give the same bytes; the runs' dates are
 * shown in the page's provenance instead.
 */
const PDF_DATE = new Date(Date.UTC(2000, 0, 1));

/** Every number of the report in one machine-readable file (for documents that quote them). */
function summary(a: Analysis, input: ReportInput): unknown {
  return {
    study: a.data.study,
    manifestHash: input.manifest.hash,
    seeds: a.data.replicates.length,
    conditions: a.data.conditions.map((c) => ({ id: c.slug, scenario: c.scenario, variant: c.variant, constraints: c.constraints })),
    claims: a.claims.rows,
    modelPairs: a.claims.modelPairs.map((p) => ({ ...p, condition: a.condition(p.condition).slug })),
    cells: a.cells.map((c) => ({ ...c, condition: a.condition(c.condition).slug })),
    paired: a.paired.map((p) => ({ ...p, condition: a.condition(p.condition).slug })),
    failed: a.data.failed,
  };
}
