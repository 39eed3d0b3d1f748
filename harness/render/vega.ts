/**
 * Vega-Lite -> Vega -> a figure's three drawings, without a browser: SVG from Vega's own SVG
 * renderer; PNG and PDF from its canvas renderer, recorded (recording.ts) and replayed into Skia
 * (canvas.ts), possibly in another thread. All three come from one evaluated view, so they show
 * the same scene.
 *
 * Vega measures text with a canvas when it finds node-canvas and otherwise guesses (0.8 em per
 * character), which spaces labels and titles badly. Here text is measured by Skia in the font
 * the figures are drawn in (see canvas.ts), through vega's `textMetrics.width` hook, so the
 * layout fits the text in every format.
 */
import { color } from 'd3-color';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { paintFigure, paintRecording, registerCanvasFonts, textWidth, type DrawOptions, type Paint, type Paintings, type Size } from './canvas.js';
import * as msg from '../messages.js';
import { faceOf } from './fonts.js';
import { recordDrawing, type Recording } from './recording.js';

export type VegaLiteSpec = TopLevelSpec;
export type VegaSpec = vega.Spec;

export interface Drawings extends Paintings {
  svg: string;
}

/** A figure's PNG and PDF from its recorded canvas drawing, here or in another thread. */
export type Painter = (recording: Recording, size: Size, options: DrawOptions) => Promise<Paintings>;

/**
 * Vega-Lite's Vega spec of `spec`. With `warnings`, what Vega-Lite warns of is added there, not
 * printed: a hand-edited spec that warns is drawn other than it asks (a colour set in one layer of
 * several is ignored, the others' kept).
 */
export function compileVegaLite(spec: VegaLiteSpec, warnings?: string[]): VegaSpec {
  const options = warnings ? { logger: collectingLogger(warnings) } : undefined;
  const { datasets } = spec;
  if (datasets === undefined) return compile(spec, options).spec;
  // Vega-Lite's normalization copies the whole spec, rows of data included, and its Vega spec
  // then takes the input's own rows by dataset name (assembleRootData): compiled with its
  // datasets empty and given their rows after, a spec comes out the same, 40% faster for the
  // paper's figures (110 ms of 265 for the 16).
  const vega = compile({ ...spec, datasets: Object.fromEntries(Object.keys(datasets).map((name) => [name, []])) }, options).spec;
  for (const data of vega.data ?? []) if (Object.hasOwn(datasets, data.name)) (data as { values?: unknown }).values = datasets[data.name];
  return vega;
}

/** A Vega-Lite logger that adds its warnings to `warnings` and prints nothing. */
function collectingLogger(warnings: string[]): NonNullable<Parameters<typeof compile>[1]>['logger'] {
  const logger = {
    level: () => logger,
    info: () => logger,
    debug: () => logger,
    warn: (...args: readonly unknown[]) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    error: (...args: readonly unknown[]) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
  };
  return logger as NonNullable<Parameters<typeof compile>[1]>['logger'];
}

/** The reason a figure whose spec warns is not drawn, when warnings are errors. */
export function warnedReason(warning: string): string {
  return `${msg.WARNED}${warning}`;
}

/** SVG, PNG and PDF of a Vega spec; the same spec always gives the same bytes. */
export async function drawFigure(spec: VegaSpec, options: DrawOptions): Promise<Drawings> {
  const { svg, painted } = await layOutFigure(spec, options);
  return { svg, ...(await painted) };
}

/**
 * Lays a figure out and writes its SVG; its canvas drawing is recorded and handed to `painter`
 * for the PNG and PDF, which may still be under way when this returns. All three show the same
 * scene, from one evaluated view. A drawing that cannot be recorded is painted from the view,
 * here, before this returns.
 */
export function layOutFigure(spec: VegaSpec, options: DrawOptions, painter: Painter = paintRecording, warnings?: string[]): Promise<{ svg: string; painted: Promise<Paintings> }> {
  return withView(spec, warnings, async (view) => {
    const svg = await svgOf(view);
    const size = svgSize(svg);
    let recording: Recording;
    try {
      recording = await recordDrawing(view);
    } catch {
      // Drawing this figure needs more than a recording holds: drawn from the view instead, which
      // also reports any error that is not the recording's.
      const live: Paint = (context) => view.toCanvas(1, { externalContext: context });
      return { svg, painted: Promise.resolve(await paintFigure(live, size, options)) };
    }
    return { svg, painted: painter(recording, size, options) };
  });
}

/** The SVG alone. */
export function renderSvg(spec: VegaSpec, warnings?: string[]): Promise<string> {
  return withView(spec, warnings, svgOf);
}

/**
 * Evaluates `spec` and hands the view to `use`. With `warnings` (those of its compilation so far),
 * Vega's warnings are added there, and a figure with any is not drawn: its warning is the reason.
 */
async function withView<T>(spec: VegaSpec, warnings: string[] | undefined, use: (view: vega.View) => Promise<T>): Promise<T> {
  useFontMetrics();
  // Vega logs an error while evaluating (an expression that throws) and draws on regardless: the
  // figure would show whatever was left. Such a figure fails, with the error as its reason.
  const errors: string[] = [];
  const logger = vega.logger(vega.Warn);
  const text = (args: readonly unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  logger.error = (...args: readonly unknown[]) => {
    errors.push(text(args));
    return logger;
  };
  // A facet cell without data (a model with no feasible k) has no extent of its own: Vega warns,
  // and the scale takes its domain from the other cells and layers, so the figure is as meant.
  // A field that no row has (a misspelt name) warns as ever.
  const warn = logger.warn.bind(logger);
  let fields: Set<string> | undefined;
  logger.warn = (...args: readonly unknown[]) => {
    const empty = /^Infinite extent for field "([^"]*)"/.exec(text(args));
    if (empty && (fields ??= inlineFields(spec)).has(empty[1]!)) return logger;
    if (!warnings) return warn(...args);
    warnings.push(text(args));
    return logger;
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logger });
  try {
    if (warnings?.length) throw new Error(warnedReason(warnings[0]!));
    await view.runAsync();
    if (errors.length) throw new Error(errors[0]);
    if (warnings) {
      const background = view.background();
      const paint =
        typeof background === 'string' && !isPaint(background)
          ? { channel: 'background', value: background, mark: 'the figure' }
          : paintThatIsNoColour((view.scenegraph() as unknown as { root: unknown }).root);
      if (paint) warnings.push(msg.notAColour(paint.channel, paint.value, paint.mark));
    }
    if (warnings?.length) throw new Error(warnedReason(warnings[0]!));
    return await use(view);
  } finally {
    view.finalize();
  }
}

/** Paint values that are colours without being CSS colours, which d3-color (as Vega) reads. */
const NO_PAINT = new Set(['none', 'transparent']);

/** Whether a fill, stroke or background draws as asked: a colour d3-color reads (CSS level 3), or none. */
function isPaint(value: string): boolean {
  return NO_PAINT.has(value) || color(value) !== null;
}

/**
 * The first fill or stroke of the laid-out scene that is not a colour (a misspelt name in a
 * restyled spec): Vega writes it into the SVG as given, and the PNG and PDF keep the colour
 * painted before it. Null when every one is a colour, a gradient or none.
 */
function paintThatIsNoColour(root: unknown): { channel: string; value: string; mark: string } | null {
  type Node = { items?: Node[]; fill?: unknown; stroke?: unknown; mark?: { marktype?: string; role?: string; name?: string } };
  const stack: Node[] = [root as Node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const channel of ['fill', 'stroke'] as const) {
      const value = node[channel];
      if (typeof value === 'string' && !isPaint(value)) return { channel, value, mark: markDescription(node.mark) };
    }
    // In drawing order: a mark before its legend.
    if (Array.isArray(node.items)) stack.push(...[...node.items].reverse());
  }
  return null;
}

/** A mark as a message names it: `the mark "marks" (symbols)`, `the axis grid (rules)`. */
function markDescription(mark: { marktype?: string; role?: string; name?: string } | undefined): string {
  const type = mark?.marktype ? ` (${mark.marktype}s)` : '';
  if (mark?.role && mark.role !== 'mark') return `the ${mark.role.replace(/-/g, ' ')}${type}`;
  return mark?.name ? `the mark "${mark.name}"${type}` : `a mark${type}`;
}

/** The names of the fields that some row of the spec's inline data has. */
function inlineFields(spec: VegaSpec): Set<string> {
  const fields = new Set<string>();
  for (const data of (spec as { data?: { values?: unknown }[] }).data ?? []) {
    if (!Array.isArray(data.values)) continue;
    for (const row of data.values) if (row !== null && typeof row === 'object') for (const key of Object.keys(row)) fields.add(key);
  }
  return fields;
}

async function svgOf(view: vega.View): Promise<string> {
  // Clip-path and gradient ids count up per process; restart them so each figure is self-contained.
  vega.resetSVGDefIds();
  return compactNumbers(await view.toSVG());
}

/** The drawing's size in SVG units, from the root element Vega wrote. */
export function svgSize(svg: string): Size {
  const root = /<svg\b[^>]*>/.exec(svg.slice(0, svg.indexOf('>') + 1))?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) {
    throw new Error(`svgSize: the root <svg> element needs numeric width and height attributes, got "${root.slice(0, 200)}"`);
  }
  return { width, height };
}

/**
 * Vega writes coordinates with full double precision; a hundredth of a unit (0.01 pt) is far below
 * what any output can show, and the SVG files get much smaller.
 */
export function compactNumbers(svg: string): string {
  return svg.replace(GEOMETRY_ATTRIBUTE, (_attribute: string, name: string, value: string) =>
    `${name}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Number(Number(n).toFixed(2))))}"`,
  );
}

/** Attributes that hold coordinates only; text and labels are never touched. */
const GEOMETRY_ATTRIBUTE = /\b(d|transform|x|y|x1|x2|y1|y2|width|height|r|cx|cy|points)="([^"]*)"/g;

/**
 * Loads fonts and renderers and draws a chart with the parts figures are made of (concatenated
 * layered panels, log and linear scales, points, lines, rules, text, a legend, a title) in every
 * format once, so that a fresh thread (and its painting thread) has compiled those code paths
 * before the first figure.
 */
export async function warmUpRendering(painter: Painter = paintRecording): Promise<void> {
  useFontMetrics();
  registerCanvasFonts();
  const { painted } = await layOutFigure(compileVegaLite(WARM_UP_CHART), { pngScale: 3 }, painter);
  await painted;
}

const warmUpPanel = (group: string): Record<string, unknown> => ({
  width: 60,
  height: 40,
  transform: [{ filter: { field: 'group', equal: group } }],
  layer: [
    {
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'cost', type: 'quantitative', scale: { type: 'log' }, axis: { format: '$~g' } },
        y: { field: 'accuracy', type: 'quantitative', scale: { zero: false } },
        color: { field: 'series', type: 'nominal' },
        tooltip: [{ field: 'k' }, { field: 'accuracy', format: '.3f' }],
      },
    },
    { mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { datum: 0.7 } } },
    { mark: { type: 'text', dx: 4, align: 'left' }, encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'k' } } },
  ],
});

const WARM_UP_CHART = {
  title: { text: 'warm-up', subtitle: 'two rows of two panels' },
  data: {
    values: Array.from({ length: 48 }, (_, i) => ({ k: (i % 12) + 1, cost: ((i % 12) + 1) / 10, accuracy: 1 - 1 / ((i % 12) + 2), series: i % 24 < 12 ? 'a' : 'b', group: i < 24 ? 'one' : 'two' })),
  },
  vconcat: ['one', 'two'].map((row) => ({ hconcat: [warmUpPanel(row), warmUpPanel(row)], resolve: { scale: { x: 'independent' } } })),
} as unknown as VegaLiteSpec;

let metricsInstalled = false;

/** vega-scenegraph's text measurement hook (exported by vega, absent from its typings). */
interface TextMetrics {
  width(item: unknown, text: unknown): number;
}

function useFontMetrics(): void {
  if (metricsInstalled) return;
  const cache = new Map<string, number>();
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) => {
    const it = (item ?? {}) as { fontSize?: number; fontWeight?: unknown; fontStyle?: unknown };
    const size = typeof it.fontSize === 'number' ? it.fontSize : 11;
    const face = faceOf(it.fontWeight, it.fontStyle);
    const str = String(text ?? '');
    const key = `${face}\u0000${size}\u0000${str}`;
    let width = cache.get(key);
    if (width === undefined) {
      width = textWidth(face, size, str);
      cache.set(key, width);
    }
    return width;
  };
  metricsInstalled = true;
}
