/**
 * The look shared by every figure: one font (DejaVu Sans, as rendered to PNG and PDF), sizes
 * for a two-column paper (1 unit = 1 pt: a column is about 240 pt wide, the text width about
 * 500 pt), and one colour per selector from Okabe & Ito's colour-blind-safe palette.
 */
import type { VegaLiteSpec } from '../../../../harness/render/vega.js';
import { FONT_FAMILY } from '../../../../harness/render/fonts.js';
import { textWidthUpperBound, wrapText, type MeasuredFace } from '../../../../harness/render/text-width.js';
import { MODEL_CATALOG } from '../../catalog.js';
import { LABEL_PARTS, shortName } from '../data.js';
import { selectorColour } from '../selectors.js';

/** A JSON object: what the figure builders assemble before handing a spec over. */
export type Obj = { [key: string]: unknown };

export interface Figure {
  /** File stem under figures/. */
  name: string;
  title: string;
  /** What the figure shows and how it was computed; printed under it on the page. */
  caption: string;
  spec: VegaLiteSpec;
}

/**
 * The widest a figure is drawn, in points: the text width of a two-column paper (ACM's is 506
 * pt, IEEE's 516 pt), so that a figure goes in at its own size, fonts and all.
 */
export const TEXT_WIDTH = 500;

/**
 * The tallest a figure is drawn, in points: US letter less one-inch margins leaves 648 pt of text
 * height (A4, 700), and this leaves room under the figure for a three-line caption.
 */
export const TEXT_HEIGHT = 600;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const CONFIG: Obj = {
  font: FONT_FAMILY,
  // No ARIA label per data point: it doubles the size of every SVG; titles and axes keep theirs.
  aria: false,
  background: 'white',
  padding: 6,
  view: { stroke: '#b0b0b0', strokeWidth: 0.6 },
  axis: {
    labelFontSize: 8,
    titleFontSize: 8.5,
    titleFontWeight: 'normal',
    labelColor: '#222222',
    titleColor: '#222222',
    domainColor: '#888888',
    tickColor: '#888888',
    gridColor: '#e8e8e8',
    gridWidth: 0.6,
    tickSize: 3,
    labelPadding: 2,
    titlePadding: 4,
    // Labels closer than this are thinned out where an axis drops overlapping labels (log axes).
    labelSeparation: 3,
  },
  // The top label inside the plot: a label poking out above a panel would lift that panel's
  // header out of line with its neighbours' in wrapped facets. Numeric axes only: on a band of
  // names it pushes the first and last name onto their neighbours.
  axisYQuantitative: { labelFlush: true },
  header: { labelFontSize: 8.5, titleFontSize: 8.5, titleFontWeight: 'normal', labelPadding: 3, titlePadding: 2 },
  legend: { orient: 'bottom', direction: 'horizontal', columns: 4, labelFontSize: 8, titleFontSize: 8, titleFontWeight: 'bold', symbolSize: 36, rowPadding: 1, columnPadding: 8, titlePadding: 3, labelLimit: 200 },
  title: { fontSize: 10.5, subtitleFontSize: 7.5, subtitleColor: '#444444', offset: 8, subtitlePadding: 3 },
  concat: { spacing: 12 },
  facet: { spacing: 8 },
  line: { strokeWidth: 1.1 },
  // Opaque: a point or circle at Vega-Lite's default opacity (0.7) shows each selector's colour
  // lighter than the palette defines it, and than its rings and lines show it; the palette's
  // distances (selectors.ts) hold for the colours as defined.
  point: { size: 16, opacity: 1 },
  circle: { opacity: 1 },
};

/** The parts of CONFIG that figure builders compute sizes from. */
export const AXIS = CONFIG.axis as { labelFontSize: number; labelPadding: number; tickSize: number; titleFontSize: number; titleColor: string };
export const FACET_SPACING = (CONFIG.facet as { spacing: number }).spacing;
const TITLE = CONFIG.title as { fontSize: number; subtitleFontSize: number };
const LEGEND = CONFIG.legend as { columns: number; columnPadding: number; labelFontSize: number };
const HEADER = CONFIG.header as { labelFontSize: number };

/** The height of a subtitle's line: Vega's default for text, its font size and 2. */
export const SUBTITLE_LINE_HEIGHT = TITLE.subtitleFontSize + 2;

/** The width of a title's or subtitle's line: the text width less the figure's padding on either side, since the title starts at the figure's left edge. */
const LINE_WIDTH = TEXT_WIDTH - 2 * (CONFIG.padding as number);

/** The subtitle's lines: each paragraph wrapped to `width`, by default the text width (LINE_WIDTH). */
export function subtitleLines(paragraphs: readonly string[], width = LINE_WIDTH): string[] {
  return paragraphs.flatMap((p) => wrapText(p, width, TITLE.subtitleFontSize));
}

/**
 * A title as drawn: one line, or, where it is wider than the text width (a swept value's path in
 * parentheses makes some so), its lines.
 */
export function titleText(title: string): string | string[] {
  const lines = wrapText(title, LINE_WIDTH, TITLE.fontSize, 'bold');
  return lines.length > 1 ? lines : title;
}

/** The top-level frame every figure shares. */
function frame(title: string, subtitle: readonly string[], body: Obj, datasets: Obj): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    // Anchored here, not in config.title, which would also move the headers of wrapped facets.
    title: { text: titleText(title), subtitle: [...subtitle], anchor: 'start', frame: 'bounds' },
    config: CONFIG,
    datasets,
    ...body,
  } as unknown as VegaLiteSpec;
}

export interface RowsFigure {
  name: string;
  title: string;
  /** Paragraphs, each wrapped to `subtitleWidth`. */
  subtitle: readonly string[];
  /**
   * Points to wrap the subtitle to; by default the text width. A figure much narrower than that
   * passes about its own width, so that the subtitle does not widen it.
   */
  subtitleWidth?: number;
  /** The claim of STUDY.md the figure tests, named in the caption. */
  claim?: number;
  /** The view: marks, facets and encodings over the dataset `rows`. */
  body: Obj;
  rows: readonly Obj[];
}

/** A figure drawn from one dataset, `rows`; its caption is the title (and claim) followed by the subtitle. */
export function rowsFigure(f: RowsFigure): Figure {
  const claim = f.claim === undefined ? '' : ` (claim ${f.claim})`;
  return {
    name: f.name,
    title: f.title,
    caption: `${f.title}${claim}. ${f.subtitle.join(' ')}`,
    spec: frame(f.title, subtitleLines(f.subtitle, f.subtitleWidth), { data: { name: 'rows' }, ...f.body }, { rows: f.rows }),
  };
}

/**
 * The figure under another file name, its title (and caption) ending with `(qualifier)`, or,
 * for a title that already ends in parentheses, with `; qualifier` inside them.
 */
export function qualified(figure: Figure, name: string, qualifier: string): Figure {
  const spec = figure.spec as unknown as { title: Obj };
  const title = figure.title.endsWith(')') ? `${figure.title.slice(0, -1)}; ${qualifier})` : `${figure.title} (${qualifier})`;
  return {
    ...figure,
    name,
    title,
    caption: `${title}${figure.caption.slice(figure.title.length)}`,
    spec: { ...spec, title: { ...spec.title, text: titleText(title) } } as unknown as VegaLiteSpec,
  };
}

/** The points a legend's entry takes beside its label: its symbol and the gap to the label, as Vega draws them. */
const LEGEND_SYMBOL = 15;

/** The width of a legend of `labels` in `columns`, which Vega fills row by row, each column with its padding after it. */
export function legendWidth(labels: readonly string[], columns = LEGEND.columns): number {
  let width = 0;
  for (let j = 0; j < Math.min(columns, labels.length); j++) {
    const column = labels.filter((_, i) => i % columns === j);
    width += LEGEND_SYMBOL + Math.max(...column.map((label) => textWidthUpperBound(label, LEGEND.labelFontSize))) + LEGEND.columnPadding;
  }
  return width;
}

/**
 * The encoding's properties that keep a legend of `labels`, starting `before` points from the
 * figure's left padding, to the text width (its last column's padding may reach into the
 * figure's): fewer columns than CONFIG's where a study's labels in its first row are longer.
 */
export function legendWithin(labels: readonly string[], before: number): Obj {
  let columns = LEGEND.columns;
  while (columns > 1 && before + legendWidth(labels, columns) > LINE_WIDTH + LEGEND.columnPadding) columns--;
  return columns < LEGEND.columns ? { legend: { columns } } : {};
}

/** The figure with `line` above its subtitle (a note it must carry wherever it is shown). */
export function withNoteAbove(figure: Figure, line: string): Figure {
  const spec = figure.spec as unknown as { title: { subtitle: string[] } };
  return { ...figure, spec: { ...spec, title: { ...spec.title, subtitle: [line, ...spec.title.subtitle] } } as unknown as VegaLiteSpec };
}

/** Panels per condition side by side within the text width (a study with a swept value has more than three conditions). */
export const CONDITIONS_PER_ROW = 3;

/**
 * `facet`'s `count` panels, CONDITIONS_PER_ROW to a row, and the spec's `resolve`. Where the last
 * row has an empty place, every panel gets its own x axis: Vega-Lite draws a wrapped facet's x
 * axis under each column's last place, so under an empty one it would float below nothing.
 */
export function wrapped(facet: Obj, count: number, resolve: Obj = {}): Obj {
  const gap = count > CONDITIONS_PER_ROW && count % CONDITIONS_PER_ROW !== 0;
  const resolved = gap ? { ...resolve, axis: { ...(resolve['axis'] as Obj | undefined), x: 'independent' } } : resolve;
  return { facet, columns: CONDITIONS_PER_ROW, ...(Object.keys(resolved).length > 0 && { resolve: resolved }) };
}

/**
 * One panel per model, three to a row (see wrapped), each headed by its model's name in lines no
 * wider than the panel, `width` (nameLines), so that a long name does not widen its column.
 */
export function panelPerModel(models: readonly string[], width: number, resolve: Obj = {}): Obj {
  const expr = labelsAs(new Map(models.map((m) => [m, nameLines(m, width, HEADER.labelFontSize)])));
  return wrapped({ field: 'model', type: 'nominal', sort: [...models], title: null, ...(expr && { header: { labelExpr: expr } }) }, models.length, resolve);
}

/** What a name cut short ends, or is cut in the middle, with. */
const ELLIPSIS = '\u2026';

/**
 * `name` cut to the most characters that fit `width` points, with an ellipsis: at its end, or,
 * `keepEnd`, in its middle, its start and end kept.
 */
function cutName(name: string, width: number, size: number, face: MeasuredFace, keepEnd: boolean): string {
  for (let n = name.length - 1; n > 0; n--) {
    const [head, tail] = keepEnd ? [name.slice(0, Math.ceil(n / 2)), name.slice(name.length - Math.floor(n / 2))] : [name.slice(0, n), ''];
    const cut = `${head.trimEnd()}${ELLIPSIS}${tail.trimStart()}`;
    if (textWidthUpperBound(cut, size, face) <= width) return cut;
  }
  return ELLIPSIS;
}

/**
 * The names as drawn within `width` points: each whole where it fits; one that does not, cut at
 * its end (its start tells it from the others: "GPT-5 (2025-08-07,…"), or, where two would
 * be cut alike, in its middle. Tooltips and tables give the whole name.
 */
export function namesWithin(names: readonly string[], width: number, size: number, face: MeasuredFace = 'regular'): Map<string, string> {
  const shown = new Map(names.map((n) => [n, textWidthUpperBound(n, size, face) <= width ? n : cutName(n, width, size, face, false)]));
  const drawn = [...shown.values()];
  for (const [name, cut] of shown) {
    if (cut !== name && drawn.indexOf(cut) !== drawn.lastIndexOf(cut)) shown.set(name, cutName(name, width, size, face, true));
  }
  return shown;
}

/** The most lines a name is drawn in over a panel; the last one cut where more would be needed. */
const MOST_NAME_LINES = 3;

/** `text` in lines no wider than `fits` allows, broken after the separators `after` matches. */
function breakAfter(text: string, after: RegExp, fits: (line: string) => boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of text.split(after)) {
    if (line !== '' && !fits(`${line}${token}`.trimEnd())) {
      lines.push(line.trimEnd());
      line = token;
    } else line += token;
  }
  return line === '' ? lines : [...lines, line.trimEnd()];
}

/**
 * A name in lines no wider than `width` points: broken at spaces, a part still too wide after
 * its hyphens ("Llama-3.1-8B-" / "Instruct"), at most MOST_NAME_LINES, the last cut to fit.
 */
export function nameLines(name: string, width: number, size: number): string[] {
  const fits = (line: string) => textWidthUpperBound(line, size) <= width;
  const lines = breakAfter(name, /(?<= )/, fits).flatMap((line) => (fits(line) ? [line] : breakAfter(line, /(?<=-)/, fits)));
  const kept = lines.length > MOST_NAME_LINES ? [...lines.slice(0, MOST_NAME_LINES - 1), lines.slice(MOST_NAME_LINES - 1).join(' ')] : lines;
  return kept.map((line) => (fits(line) ? line : cutName(line, width, size, 'regular', false)));
}

/**
 * A Vega expression of `field` (a label's text) that gives each name of `shown` as drawn there: as
 * it is, cut (namesWithin) or in lines (nameLines); undefined where every name is drawn whole.
 */
export function labelsAs(shown: ReadonlyMap<string, string | readonly string[]>, field = 'datum.label'): string | undefined {
  const changed = [...shown].filter(([name, drawn]) => (typeof drawn === 'string' ? drawn !== name : drawn.length !== 1 || drawn[0] !== name));
  if (changed.length === 0) return undefined;
  // The field in parentheses: Vega-Lite writes a wrapped facet's `datum.label` as a conditional of its own.
  return changed.reduceRight((rest, [name, drawn]) => `(${field}) === ${JSON.stringify(name)} ? ${JSON.stringify(drawn)} : ${rest}`, field);
}

/**
 * The room a band of rows gives its models' names at `size` points: that of the widest of the
 * catalog's, for which the figures are laid out. A study's longer name is cut to it
 * (modelNameAxis), so that it does not widen the figure past the text width.
 */
export function nameRoom(size: number): number {
  return Math.max(...MODEL_CATALOG.map((m) => textWidthUpperBound(shortName(m.name), size)));
}

/** The properties of an axis of model names at `size` points, each name kept to nameRoom (see namesWithin). */
export function modelNameAxis(models: readonly string[], size: number = AXIS.labelFontSize): Obj {
  const expr = labelsAs(namesWithin(models, nameRoom(size), size));
  return expr ? { labelExpr: expr } : {};
}

/**
 * A facet header per condition (or scenario group), in the given order, labelled in bold, a line
 * per part of the label (scenario, then variant), so that a panel is not widened by its header.
 */
export function boldFacet(field: string, sort: readonly string[]): Obj {
  return { field, type: 'nominal', sort: [...sort], title: null, header: { labelFontWeight: 'bold', labelExpr: `split(datum.label, ${JSON.stringify(LABEL_PARTS)})` } };
}

/**
 * The least height of a panel in a row that boldFacet heads: a row's header is written along it,
 * and one longer than its row (a scenario's name beside two models) runs into the next row's.
 */
export function rowHeaderLength(labels: readonly string[]): number {
  const lines = labels.flatMap((label) => label.split(LABEL_PARTS));
  return Math.ceil(Math.max(0, ...lines.map((line) => textWidthUpperBound(line, HEADER.labelFontSize, 'bold'))));
}

/**
 * `rows` with a placeholder for every pair of a row facet's and a column facet's values that has
 * no row. Vega-Lite 6.4 orders the cells of a row-by-column facet by indices that an empty pair
 * lacks, so it draws that pair's empty cell first and every later cell one place on, under
 * another cell's header (vega-lite#9702). A placeholder holds the two facet fields and `fill`
 * (e.g. an existing value of a band axis) and nothing that a mark draws.
 */
export function withEveryFacetCell(rows: readonly Obj[], row: FacetValues, column: FacetValues, fill: Obj = {}): Obj[] {
  const present = new Set(rows.map((r) => JSON.stringify([r[row.field], r[column.field]])));
  const missing = row.values.flatMap((r) => column.values.filter((c) => !present.has(JSON.stringify([r, c]))).map((c) => ({ ...fill, [row.field]: r, [column.field]: c })));
  return [...rows, ...missing];
}

export interface FacetValues {
  field: string;
  values: readonly string[];
}

/** Colour scale with every selector present, so a selector has one colour in every figure. */
export function selectorColourScale(order: readonly string[], shown: readonly string[] = order): Obj {
  return { domain: [...shown], range: shown.map((s) => selectorColour(s, order)) };
}

export const SIZE_CLASS_ORDER = ['large', 'medium', 'small'] as const;
/** A single-hue ramp for size classes, kept apart from the selector colours; a shape each too. */
const SIZE_CLASS_COLOURS = ['#08306b', '#4292c6', '#9ecae1'];
const SIZE_CLASS_SHAPES = ['square', 'triangle-up', 'circle'];

/**
 * The colour and shape scales of the size classes `shown` (the legend lists these alone), each
 * class in its own colour and shape whichever others are shown.
 */
export function sizeClassScales(shown: readonly string[]): { colour: Obj; shape: Obj } {
  const classes = SIZE_CLASS_ORDER.flatMap((size, i) => (shown.includes(size) ? [i] : []));
  const scale = (range: readonly string[]) => ({ domain: classes.map((i) => SIZE_CLASS_ORDER[i]), range: classes.map((i) => range[i]) });
  return { colour: scale(SIZE_CLASS_COLOURS), shape: scale(SIZE_CLASS_SHAPES) };
}

/** Tooltip number formats (d3-format), as the tables write the same numbers: 3 significant digits for cost and latency, zeros kept. */
export const TOOLTIP_FORMAT = {
  cost: '$.3r',
  latency: '.3r',
  accuracy: '.4f',
  k: '.1f',
  share: '.0%',
  percent: '.1f',
} as const;

/**
 * A text layer over a white halo, so that a label stays legible where a dashed budget line, a
 * curve or a ring passes under it. The halo is the text filled in white at eight offsets around
 * it, not stroked: PDF output turns stroked text into glyph outlines in a Type 3 font, which
 * publishers' PDF checks refuse.
 */
export function withHalo(layer: Obj): Obj[] {
  const { color: _color, dx = 0, dy = 0, ...mark } = layer.mark as Obj & { dx?: number; dy?: number };
  const halo = HALO_OFFSETS.map(([ox, oy]) => ({ ...layer, mark: { ...mark, color: 'white', dx: dx + ox, dy: dy + oy } }));
  return [...halo, layer];
}

export const HALO_RADIUS = 1.1;
const HALO_OFFSETS: readonly (readonly [number, number])[] = Array.from({ length: 8 }, (_, i) => {
  const angle = (i * Math.PI) / 4;
  return [Number((HALO_RADIUS * Math.cos(angle)).toFixed(2)), Number((HALO_RADIUS * Math.sin(angle)).toFixed(2))] as const;
});

/** An axis title as a tooltip names the value: without the scale's note (`k* (log)` is `k*`; `($, log)` is `($)`). */
export function withoutScaleNote(axisTitle: string): string {
  return axisTitle.replace(/ \(log\)/, '').replace(/, log\)/, ')');
}

/** A curve point's shares of seeds in which its k is feasible, and Pareto-optimal, as tooltips give them. */
export const POINT_SHARE_TIPS: readonly Obj[] = [
  tip('feasibleShare', 'feasible in (share of seeds)', TOOLTIP_FORMAT.share),
  tip('paretoShare', 'on the Pareto front in (share of seeds)', TOOLTIP_FORMAT.share),
];

/** Tooltip field definition; `title` is what the tooltip shows as the key. A field with a `format` is quantitative, any other nominal. */
export function tip(field: string, title: string, format?: string): Obj {
  return { field, title, type: format ? 'quantitative' : 'nominal', ...(format ? { format } : {}) };
}

/**
 * A log axis ticked and gridded at powers of ten only: left to itself, Vega adds the 2..9
 * multiples to a panel spanning few decades and not to one spanning more, so panels side by
 * side look ruled differently. Values outside a panel's domain are dropped by Vega.
 */
export const DECADE_AXIS: Obj = {
  values: Array.from({ length: 13 }, (_, i) => Number(`1e${i - 6}`)),
  // At least as many as the values, or Vega thins them out.
  tickCount: 13,
};

/** DECADE_AXIS at every `step`-th power of ten only (step 2: 0.01, 1, 100, ...), for an axis too short for every decade. */
export function everyNthDecadeAxis(step: number): Obj {
  const values = (DECADE_AXIS.values as number[]).filter((v) => Math.round(Math.log10(v)) % step === 0);
  return { values, tickCount: values.length };
}


/** The most ticks a log k axis takes in a panel a third of a column wide before labels crowd. */
const MOST_K_TICKS = 6;

/**
 * The ticks of a log-2 k axis drawing values from `least` to `most`: every power of two between
 * them (4, 8, ..., 128 for the paper's candidates), or, where more than `mostTicks` would crowd
 * the panel, every other one down from the largest (8, 32, 128), evenly spaced. Values within one
 * octave get the powers of two around them.
 */
export function powerOfTwoTicks(least: number, most: number, mostTicks = MOST_K_TICKS): number[] {
  const [low, high] = [Math.ceil(Math.log2(least) - 1e-9), Math.floor(Math.log2(most) + 1e-9)];
  if (high === low && least === most) return [2 ** low];
  if (high <= low) return [2 ** Math.floor(Math.log2(least) + 1e-9), 2 ** Math.ceil(Math.log2(most) + 1e-9)];
  const step = high - low + 1 > mostTicks ? 2 : 1;
  const exponents: number[] = [];
  for (let e = high; e >= low; e -= step) exponents.unshift(e);
  return exponents.map((e) => 2 ** e);
}

/** A log k axis's domain from `least` to `most`, or an octave either side of a lone value (a log scale needs a span). */
export function logKDomain(least: number, most: number): [number, number] {
  return least < most ? [least, most] : [least / 2, most * 2];
}

/** A DECADE_AXIS tick's label as Vega's `~g` format writes it (10^-6 to 10^5), after `prefix`. */
export function decadeLabel(exponent: number, prefix = ''): string {
  return prefix + (exponent >= 0 ? `1${'0'.repeat(exponent)}` : `0.${'0'.repeat(-exponent - 1)}1`);
}

/** The room a vertical axis takes beside its panel (ticks, padding, labels) for these labels. */
export function axisExtent(labels: readonly string[]): number {
  return Math.ceil(AXIS.tickSize + AXIS.labelPadding + Math.max(0, ...labels.map((label) => textWidthUpperBound(label, AXIS.labelFontSize))));
}

/** axisExtent of a DECADE_AXIS on a log scale of domain [lo, hi]: the label of every decade in it. */
export function decadeAxisExtent(lo: number, hi: number, prefix = ''): number {
  const labels: string[] = [];
  for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) labels.push(decadeLabel(e, prefix));
  return axisExtent(labels);
}
