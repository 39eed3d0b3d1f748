/**
 * The inference-scaling report: from the stored trials and curves to figures, tables, claims and
 * one self-contained HTML page. Pure of I/O except for reading the fonts and the Vega runtime;
 * the harness writes the returned files.
 *
 * Stages: analysis (statistics across seeds, paired comparisons, claims) -> figure specs
 * (Vega-Lite) -> renderings (SVG, PNG, PDF) -> tables (CSV, Markdown) -> page -> summary.
 */
import type { ReportFile, ReportInput } from '../../../harness/experiment.js';
import { DEFAULT_PNG_DPI, pngScaleAt } from '../../../harness/render/png.js';
import { latexNumbers } from '../../../harness/render/latex.js';
import { RenderPool } from '../../../harness/render/pool.js';
import type { FigureDrawings } from '../../../harness/render/worker.js';
import { escapeMarkdownTags, tableToCsv, tableToLatex, tableToMarkdown } from '../../../harness/render/table.js';
import { analyze, analyzeEstimates, type Analysis } from './analysis.js';
import { checkCurvesStored, loadStudyData } from './data.js';
import { allFigures, leftOutFigures, showsNoIntervals, type Figure } from './figures/index.js';
import { withNoteAbove } from './figures/theme.js';
import { buildPage, figureNotes, incompleteCoverage, incompleteWarning, mixedCodeWarning, readerWarning, type PageFigure } from './page.js';
import { quotes } from './quotes.js';
import { allTables, claimsSummary, type TablePair } from './tables.js';

export interface ReportOptions {
  /** Bootstrap resamples per interval (default 2000). */
  resamples?: number;
  /** PNG pixels per point (default: the input's pngDpi, else DEFAULT_PNG_DPI, 216 dpi: 3). */
  pngScale?: number;
  /** Folder of the figure cache (default: the project's); null to draw every figure. */
  renderCacheDir?: string | null;
}

/**
 * `harness report` hands over its drawing threads (input.figures), started before it read the
 * results, or not at all when it expects every figure from the cache; called directly, the
 * report starts its own.
 */
export async function buildReport(input: ReportInput, options: ReportOptions = {}): Promise<ReportFile[]> {
  if (input.figures) return build(input, options, input.figures);
  // Started first: the threads load while this thread computes the statistics.
  const pool = new RenderPool({ cacheDir: options.renderCacheDir });
  try {
    pool.warmUp();
    return await build(input, options, pool);
  } finally {
    await pool.close();
  }
}

async function build(input: ReportInput, options: ReportOptions, pool: RenderPool): Promise<ReportFile[]> {
  const drawing = new Drawing(input, options, pool);
  // Most of the drawing (curves, projections, stability) needs no interval: it starts from an
  // analysis of estimates alone and goes on in the threads while the bootstrap runs here.
  const data = loadStudyData(input);
  checkCurvesStored(data);
  if (pool.started) drawing.start(figuresOf(analyzeEstimates(data), input).filter(showsNoIntervals));
  const analysis = analyze(input, options.resamples, data);
  const drawn = drawing.finish(figuresOf(analysis, input)); // every figure is handed to the threads here
  const tables = allTables(analysis); // built while the threads draw
  const tableDocuments = tableFiles(analysis, input, tables);
  const { figures, drawings } = await drawn;
  return sortByPath([...tableDocuments, ...pageFiles(analysis, input, figures, tables), ...drawings]);
}

/**
 * Every file of the report except the figures' drawings (SVG, PNG, PDF): the Vega-Lite specs,
 * tables, claims, summary and page. Cheap to build (nothing is drawn), so tests compare these.
 */
export async function reportDocuments(input: ReportInput, options: Pick<ReportOptions, 'resamples'> = {}): Promise<ReportFile[]> {
  // Imported here only: the report itself gets compiled specs from the drawing threads and never
  // loads Vega-Lite in this thread.
  const { compileVegaLite } = await import('../../../harness/render/vega.js');
  const analysis = analyze(input, options.resamples);
  const figures = figuresOf(analysis, input).map((figure) => ({ figure, vega: compileVegaLite(figure.spec) }));
  const tables = allTables(analysis);
  return sortByPath([...tableFiles(analysis, input, tables), ...pageFiles(analysis, input, figures, tables)]);
}

/** The tables, claims and summary: everything that needs the analysis alone. */
function tableFiles(analysis: Analysis, input: ReportInput, tables: readonly TablePair[]): ReportFile[] {
  const files: ReportFile[] = [];
  // An unfinished study's tables, or one of mixed code, say so where a reader sees them (a CSV stays plain data).
  const warning = readerWarning(input) ?? undefined;
  for (const t of tables) {
    const body = t.empty === undefined ? tableToMarkdown(t.display) : `No rows: ${escapeMarkdownTags(t.empty)}.\n`;
    files.push({ path: `tables/${t.name}.csv`, content: tableToCsv(t.csv) });
    files.push({ path: `tables/${t.name}.md`, content: `# ${escapeMarkdownTags(t.title)}\n\n${warning ? `**${escapeMarkdownTags(warning)}**\n\n` : ''}${body}` });
    files.push({ path: `tables/${t.name}.tex`, content: tableToLatex(t.display, { title: t.title, ...(t.empty === undefined ? {} : { empty: t.empty }), ...(warning ? { warning } : {}) }) });
  }
  files.push({ path: 'claims.md', content: escapeMarkdownTags(withWarning(claimsSummary(analysis), input)), role: 'summary' });
  const summary = summaryOf(analysis, input.manifest.hash, input.coverage, input.writer, input.codeVersions);
  files.push({ path: 'summary.json', content: `${JSON.stringify(summary, null, 1)}\n` });
  files.push({ path: 'numbers.tex', content: latexNumbers(summary.study, summary.quotes, warning) });
  return files;
}

/** claims.md with the warnings of an incomplete study or mixed code in bold right under its heading. */
function withWarning(claims: string, input: ReportInput): string {
  const warning = readerWarning(input);
  if (!warning) return claims;
  const end = claims.indexOf('\n');
  return `${claims.slice(0, end + 1)}\n**${warning}**\n${claims.slice(end + 1)}`;
}

/**
 * Every figure; when the study is incomplete, each says so in the first line of its subtitle,
 * so that a figure taken out of the report cannot pass for the complete study's.
 */
function figuresOf(analysis: Analysis, input: ReportInput): Figure[] {
  const notes = figureNotes(input);
  return allFigures(analysis).map((figure) => notes.reduceRight(withNoteAbove, figure));
}

/** The figures' Vega-Lite specs and the page, which embeds their compiled Vega specs. */
function pageFiles(analysis: Analysis, input: ReportInput, figures: readonly PageFigure[], tables: readonly TablePair[]): ReportFile[] {
  const files: ReportFile[] = figures.map(({ figure }) => ({ path: `figures/${figure.name}.vl.json`, content: `${JSON.stringify(figure.spec, null, 2)}\n` }));
  input.progress('page', 0, 1);
  files.push({ path: 'index.html', content: buildPage({ analysis, manifest: input.manifest, runs: input.runs, figures, leftOut: leftOutFigures(analysis), tables, coverage: input.coverage, codeVersions: input.codeVersions, writer: input.writer }), role: 'entry' });
  input.progress('page', 1, 1);
  return files;
}

/**
 * All drawing happens in the render pool, one task per figure (its compiled Vega spec, which
 * the page embeds, and its SVG, PNG and PDF), submitted largest first. A figure started early
 * is used only if the final analysis gives the very same spec; any other is drawn (again) from
 * the final spec.
 */
class Drawing {
  private readonly early = new Map<string, { spec: string; drawing: Promise<FigureDrawings> }>();

  constructor(
    private readonly input: ReportInput,
    private readonly options: ReportOptions,
    private readonly pool: RenderPool,
  ) {}

  start(figures: readonly Figure[]): void {
    for (const { figure, spec } of largestFirst(figures)) this.early.set(figure.name, { spec, drawing: this.draw(figure) });
  }

  async finish(figures: readonly Figure[]): Promise<{ figures: PageFigure[]; drawings: ReportFile[] }> {
    let finished = 0;
    const pending = largestFirst(figures).map(async ({ figure, spec }) => {
      const early = this.early.get(figure.name);
      const reusable = early !== undefined && early.spec === spec;
      const drawing = await (reusable ? early.drawing : this.draw(figure));
      this.input.progress('figures', ++finished, figures.length);
      return [figure, drawing] as const;
    });
    this.input.progress('figures', 0, figures.length);
    const drawn = new Map(await Promise.all(pending));
    // Early drawings that went unused still run; wait for them so none outlives the pool.
    await Promise.allSettled([...this.early.values()].map((e) => e.drawing));
    const drawingOf = (figure: Figure) => drawn.get(figure) as FigureDrawings;
    return {
      figures: figures.map((figure) => ({ figure, vega: drawingOf(figure).vega })),
      drawings: figures.flatMap((figure) => {
        const { svg, png, pdf } = drawingOf(figure);
        return [
          { path: `figures/${figure.name}.svg`, content: svg },
          { path: `figures/${figure.name}.png`, content: png },
          { path: `figures/${figure.name}.pdf`, content: pdf },
        ];
      }),
    };
  }

  private draw(figure: Figure): Promise<FigureDrawings> {
    const pngScale = this.options.pngScale ?? pngScaleAt(this.input.pngDpi ?? DEFAULT_PNG_DPI);
    const drawing = this.pool.figure({ spec: figure.spec, pngScale, title: figure.title });
    drawing.catch(() => {}); // an early drawing nobody awaits must not count as unhandled
    return drawing;
  }
}

/** The figures with their specs as JSON, the longest (the most to draw) first. */
function largestFirst(figures: readonly Figure[]): { figure: Figure; spec: string }[] {
  return figures.map((figure) => ({ figure, spec: JSON.stringify(figure.spec) })).sort((a, b) => b.spec.length - a.spec.length);
}

function sortByPath(files: ReportFile[]): ReportFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The content of summary.json, computed without drawing anything: what documents that quote the
 * report (REPRODUCTION.md) are checked against.
 */
export function reportSummary(input: ReportInput, options: Pick<ReportOptions, 'resamples'> = {}): ReportSummary {
  return summaryOf(analyze(input, options.resamples), input.manifest.hash, input.coverage, input.writer, input.codeVersions);
}

export type ReportSummary = ReturnType<typeof summaryOf>;

/**
 * Every number of the report in one machine-readable file (for documents that quote them). An
 * incomplete study's adds `complete: false`, the trials done and expected, and the warning, up
 * front; a complete study's is as it always was.
 */
function summaryOf(a: Analysis, manifestHash: string, coverage?: ReportInput['coverage'], writer?: ReportInput['writer'], codeVersions?: ReportInput['codeVersions']) {
  const incomplete = incompleteCoverage(coverage);
  const mixed = mixedCodeWarning(codeVersions);
  return {
    study: a.data.study,
    manifestHash,
    ...(writer ? { writer } : {}),
    ...(incomplete ? { complete: false, trials: { done: incomplete.done, expected: incomplete.expected }, warning: incompleteWarning(coverage) } : {}),
    ...(mixed ? { mixedCode: { versions: codeVersions, warning: mixed } } : {}),
    /** Numbers as the documents write them, by name. */
    quotes: quotes(a),
    seeds: a.data.replicates.length,
    conditions: a.data.conditions.map((c) => ({ id: c.slug, scenario: c.scenario, variant: c.variant, constraints: c.constraints, setup: c.setup })),
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
