/**
 * The 3D feasible space of one condition seen in its three 2D projections (cost-latency,
 * cost-accuracy, latency-accuracy; STUDY.md section 7, figure 1): every k's pooled mean, the
 * Pareto and feasible points, the budget lines, the utopia point (0, 0, 1) and the selectors'
 * most frequent picks. One row per model: each projection is a facet by model (a Vega-Lite facet
 * compiles and parses in a quarter of the time of the same panels concatenated one by one).
 */
import { modelsIn, noResultsNote, type Analysis } from '../analysis.js';
import { curveKey, type Condition } from '../data.js';
import { feasibleSetNote } from '../factors.js';
import { round } from '../format.js';
import { budgetRule, dashedRingsNote, missingRingsNote, noFeasibleK, ONE_PER_MODEL, pickRows, pointClass, POINT_CLASS_SCALE, RING_DASH, RING_PADDING } from './curves.js';
import { coverCount, paddedDomain, paddedScale, textBoxAt, type Disc, type Obstacles } from './label-place.js';
import { axisExtent, decadeAxisExtent, labelsAs, legendWidth, legendWithin, namesWithin, POINT_SHARE_TIPS, rowsFigure, subtitleLines, SUBTITLE_LINE_HEIGHT, selectorColourScale, tip, TOOLTIP_FORMAT, withHalo, DECADE_AXIS, everyNthDecadeAxis, HALO_RADIUS, type Figure, type Obj } from './theme.js';
import { textWidthUpperBound } from '../../../../harness/render/text-width.js';
import { listInWords } from '../../../../harness/text.js';

type Axis = 'cost' | 'latency' | 'accuracy';

// 43 high: nine rows, a subtitle of three lines and a note above it (an incomplete study's) fit a page;
// 124 wide: the last column's end label, which an axis kept to its data (roundedToDecades) puts near its
// end, fits the text width.
const PANEL = { width: 124, height: 43 };
/** Points between one model's row of panels and the next. */
const ROW_SPACING = 4;
/** The rows and subtitle lines PANEL.height leaves room for on a page. */
const PAGE = { rows: 9, subtitleLines: 3 };

/**
 * The panels' height: PANEL.height, less what a subtitle longer than PAGE's (a rule of feasibility
 * not the paper's, said in it) needs beyond the room of the rows there are fewer than PAGE's.
 */
function panelHeight(lines: number, rows: number): number {
  const over = Math.max(0, lines - PAGE.subtitleLines) * SUBTITLE_LINE_HEIGHT - Math.max(0, PAGE.rows - rows) * (PANEL.height + ROW_SPACING);
  return over <= 0 ? PANEL.height : PANEL.height - Math.ceil(over / rows);
}
/** Cost and latency span decades from model to model and from k to k. */
function isLog(axis: Axis): boolean {
  return axis !== 'accuracy';
}
const PROJECTIONS: readonly [Axis, Axis][] = [
  ['cost', 'latency'],
  ['cost', 'accuracy'],
  ['latency', 'accuracy'],
];
/** The x axes' titles. */
const TITLES: Record<Axis, string> = { cost: 'cost ($, log)', latency: 'latency (s, log)', accuracy: 'accuracy' };
/** The units in a column's header; its axis title says which axes are log. */
const HEADERS: Record<Axis, string> = { cost: 'cost ($)', latency: 'latency (s)', accuracy: 'accuracy' };
const FORMATS: Record<Axis, string> = { cost: TOOLTIP_FORMAT.cost, latency: TOOLTIP_FORMAT.latency, accuracy: TOOLTIP_FORMAT.accuracy };
/** Area of a point's bounding square; a ring's outline width; the utopia cross's area. */
const POINT_SIZE = 10;
const RING_STROKE = 1.2;
const UTOPIA_SIZE = 30;
/**
 * The model's name, inside its first panel at the top left, within the scale's padding, which no
 * point enters (latency rises with cost).
 */
const NAME = { x: 4, y: 2, fontSize: 8 };

type Limits = Record<Axis, number | null>;

/** The values a scale's domain covers: the points' and rings', and the budget's line. */
function scaleValues(axis: Axis, drawn: readonly Obj[], limits: Limits): number[] {
  return [...drawn.map((r) => r[axis] as number), ...(limits[axis] === null ? [] : [limits[axis]!])];
}

/** The room the first column's latency axis takes beside its panels at the paper's latencies (labels to 10000 s). */
const LATENCY_EXTENT = axisExtent(['10000']);

/**
 * The room the first column's latency axes take: the widest decade label of any model's domain
 * (a k_max of 1024 reaches 1000000 s). The first column's panels give up what that exceeds the
 * paper's, so that the figure keeps to the text width.
 */
function latencyAxisExtent(rows: readonly Obj[], limits: Limits, height: number): number {
  const drawn = rows.filter((r) => r.kind === 'point' || r.kind === 'pick');
  const models = [...new Set(drawn.map((r) => r.model as string))];
  return Math.max(0, ...models.map((model) => decadeAxisExtent(...paddedDomain('log', scaleValues('latency', drawn.filter((r) => r.model === model), limits), height, RING_PADDING, { decades: true }))));
}

/** The most labels a row's latency axis takes: more would overlap in a panel (PANEL.height high), and Vega would hide every other. */
const LATENCY_LABELS = 3;

/**
 * Every how many decades the latency axes are labelled: every other (1, 100, 10000) where each
 * row's domain holds at most LATENCY_LABELS of them, fewer where a row spans more (a k_max of
 * 1024 reaches from 0.01 to 1000000 s); one step for all rows, so that they read alike.
 */
function latencyDecadeStep(rows: readonly Obj[], limits: Limits, height: number): number {
  const drawn = rows.filter((r) => r.kind === 'point' || r.kind === 'pick');
  const models = [...new Set(drawn.map((r) => r.model as string))];
  const span = Math.max(0, ...models.map((model) => {
    const [lo, hi] = paddedDomain('log', scaleValues('latency', drawn.filter((r) => r.model === model), limits), height, RING_PADDING, { decades: true });
    return Math.round(Math.log10(hi / lo));
  }));
  let step = 2;
  while (Math.floor(span / step) + 1 > LATENCY_LABELS) step += 2;
  return step;
}

/** The subtitle's word on the models no k is feasible for: named, but counted where naming them would lengthen it past a page. */
function infeasibleNote(models: readonly string[], of: number): string {
  if (models.length === 0) return '';
  if (models.length === of) return ' No feasible k for any model.';
  return models.length <= 3 ? ` No feasible k for ${listInWords(models)}.` : ` No feasible k for ${models.length} of the ${of} models (their points all light).`;
}

/** A shared log x axis spanning this many decades keeps to the data: at least two decade labels lie within. */
const DECADES_KEPT = 2;

/**
 * Whether a log x axis is rounded out to whole decades (Vega's `nice`): only one spanning fewer
 * than DECADES_KEPT decades, so that it has labelled decades at all. Rounded, a wide one ran on
 * most of a decade past its data (latency to 10,000 s for a largest 688 s). The y axes, one per
 * model and often short, are always rounded.
 */
function roundedToDecades(axis: Axis, rows: readonly Obj[], limits: Limits): boolean {
  const values = scaleValues(axis, rows.filter((r) => r.kind === 'point' || r.kind === 'pick'), limits).filter((v) => v > 0);
  return values.length === 0 || Math.log10(Math.max(...values) / Math.min(...values)) < DECADES_KEPT;
}

/**
 * The models' names as drawn in the first panel, `width` wide: within it, clear of its frame on
 * either side (a longer one is cut, see namesWithin).
 */
function namesInPanel(models: readonly string[], width: number): Map<string, string> {
  return namesWithin(models, width - 2 * NAME.x, NAME.fontSize, 'bold');
}

/**
 * One `name` row per model drawn, saying whether its name (as `shown`) covers anything in the
 * first panel (cost against latency) as Vega lays it out: a ring, a point, the utopia cross or a
 * budget line. Only a name that does is drawn over a white halo (eight more copies of it in a
 * PDF's text).
 */
function nameRows(rows: readonly Obj[], shown: ReadonlyMap<string, string>, limits: Limits, width: number, height: number): Obj[] {
  const [xAxis, yAxis] = PROJECTIONS[0]!;
  const drawn = rows.filter((r) => r.kind === 'point' || r.kind === 'pick');
  const x = paddedScale('log', scaleValues(xAxis, drawn, limits), width, RING_PADDING, { decades: roundedToDecades(xAxis, rows, limits) });
  const out: Obj[] = [];
  for (const [model, name] of shown) {
    const own = drawn.filter((r) => r.model === model);
    if (own.length === 0) continue;
    const y = paddedScale('log', scaleValues(yAxis, own, limits), height, RING_PADDING, { reversed: true, decades: true });
    const disc = (r: Obj, radius: number): Disc => ({ x: x(r[xAxis] as number), y: y(r[yAxis] as number), r: radius });
    const lines: [number, number][][] = [];
    if (limits[xAxis] !== null) lines.push([[x(limits[xAxis]!), 0], [x(limits[xAxis]!), height]]);
    if (limits[yAxis] !== null) lines.push([[0, y(limits[yAxis]!)], [width, y(limits[yAxis]!)]]);
    const obstacles: Obstacles = {
      lines,
      discs: [
        ...own.map((r) => disc(r, r.kind === 'pick' ? Math.sqrt(r.ring as number) / 2 + RING_STROKE / 2 : Math.sqrt(POINT_SIZE) / 2)),
        { x: 0, y: height, r: Math.sqrt(UTOPIA_SIZE) / 2 },
      ],
    };
    const box = textBoxAt(NAME.x, NAME.y, { width: textWidthUpperBound(name, NAME.fontSize, 'bold'), fontSize: NAME.fontSize, margin: HALO_RADIUS });
    out.push({ kind: 'name', model, halo: coverCount(box, obstacles) > 0 });
  }
  return out;
}

/** The models' names (as `shown`): one text mark for those clear of everything, the others over their halo, drawn last. */
function nameLayers(rows: readonly Obj[], shown: ReadonlyMap<string, string>): Obj[] {
  const cut = labelsAs(shown, 'datum.model');
  return [false, true]
    .filter((halo) => rows.some((r) => r.kind === 'name' && r.halo === halo))
    .flatMap((halo) => {
      const layer = {
        transform: [{ filter: `datum.kind === 'name' && datum.halo === ${halo}` }, ...(cut ? [{ calculate: cut, as: 'name' }] : [])],
        mark: { type: 'text', align: 'left', baseline: 'top', x: NAME.x, y: NAME.y, fontSize: NAME.fontSize, fontWeight: 'bold', color: '#222222' },
        encoding: { text: { field: cut ? 'name' : 'model', type: 'nominal' } },
      };
      return halo ? withHalo(layer) : [layer];
    });
}

export function projectionsFigure(a: Analysis, condition: Condition): Figure {
  const rows: Obj[] = [];
  const shown = modelsIn(a, condition.id);
  for (const model of shown) {
    const points = a.data.curves.get(curveKey(condition.id, model.id)) ?? [];
    for (const p of points) {
      rows.push({
        kind: 'point',
        model: model.label,
        k: p.k,
        cost: round(p.cost.mean),
        latency: round(p.latency.mean),
        accuracy: round(p.accuracy.mean),
        class: pointClass(p),
        feasibleShare: round(p.feasibleShare),
        paretoShare: round(p.paretoShare),
      });
    }
    for (const pick of pickRows(a, condition, model.id, points)) rows.push({ ...pick, model: model.label });
  }
  const c = condition.constraints;
  const limits: Limits = { cost: c?.C_max ?? null, latency: c?.T_max ?? null, accuracy: c?.acc_min ?? null };
  const title = `The feasible space in 2D: ${condition.label}`;
  const infeasible = shown.filter((m) => noFeasibleK(a, condition, m.id)).map((m) => m.label);
  const subtitle = [
    `Points: each k, mean over seeds (dark: Pareto in most seeds; grey: feasible; light: not feasible). Dashed: budgets. Green cross: utopia (0, 0, 1), at the axes' low edge. Rings: each selector's most frequent k*, nested where they coincide.${dashedRingsNote(rows)}${missingRingsNote(a, condition)}${infeasibleNote(infeasible, shown.length)}${noResultsNote(a, [condition], 'no panel')}${feasibleSetNote(condition.rule, ' ', '.')}`,
  ];
  const height = panelHeight(subtitleLines(subtitle).length, shown.length);
  const latencyExtent = latencyAxisExtent(rows, limits, height);
  const firstWidth = PANEL.width - Math.max(0, latencyExtent - LATENCY_EXTENT);
  // The selectors' legend after the point classes', both from the first axis's left edge.
  const selectorLegend = legendWithin(a.data.selectors, latencyExtent + legendWidth(POINT_CLASS_SCALE.domain as string[]));
  const yDecadeStep = latencyDecadeStep(rows, limits, height);
  const names = namesInPanel(shown.map((m) => m.label), firstWidth);
  rows.push(...nameRows(rows, names, limits, firstWidth, height));
  const column = (x: Axis, y: Axis, labelled: boolean): Obj => {
    const enc = (axis: Axis, channel: 'x' | 'y') => ({
      field: axis,
      type: 'quantitative',
      title: channel === 'x' ? TITLES[axis] : null,
      // Not rounded out to nice values: with a budget far below the points, a rounded domain ran
      // past 1, to 1.10, and the labels between were dropped for want of room.
      scale: isLog(axis) ? { type: 'log', padding: RING_PADDING, ...(channel === 'x' && !roundedToDecades(axis, rows, limits) ? { nice: false } : {}) } : { zero: false, nice: false, padding: RING_PADDING },
      // Every other decade labelled where they do not all fit (never an uneven gap). A row is too
      // short for every decade, and Vega would thin each row's from its own lowest label (1, 100,
      // 10000 in one, 0.1, 10, 1000 in the next): the y axes show the even decades only.
      axis: isLog(axis)
        ? { ...(channel === 'y' ? everyNthDecadeAxis(yDecadeStep) : DECADE_AXIS), format: axis === 'cost' ? '$~g' : '~g', labelOverlap: 'parity' }
        : { tickCount: 3, ...(axis === 'accuracy' ? { format: '.2f' } : {}) },
    });
    const limitRule = (axis: Axis, channel: 'x' | 'y'): Obj[] => {
      const limit = limits[axis];
      return limit === null ? [] : [budgetRule(channel, limit)];
    };
    // The utopia point (0, 0, 1): a log axis has no 0, so there it sits on the axis's low edge.
    const utopia = (axis: Axis, channel: 'x' | 'y'): Obj => {
      if (!isLog(axis)) return { field: axis, type: 'quantitative' };
      return { value: channel === 'x' ? 0 : height };
    };
    const tooltip = [tip('model', 'model'), tip('k', 'k', 'd'), tip('cost', 'cost', FORMATS.cost), tip('latency', 'latency (s)', FORMATS.latency), tip('accuracy', 'accuracy', FORMATS.accuracy)];
    const panel = `${HEADERS[y]} vs ${HEADERS[x]}`;
    return {
      // A one-value column facet carries the panel's title, centred over the plots as a panel title is.
      transform: [{ calculate: JSON.stringify(panel), as: 'panel' }],
      facet: {
        row: { field: 'model', type: 'nominal', sort: models, header: null },
        column: { field: 'panel', type: 'nominal', title: null, header: { labelFontWeight: 'bold', labelPadding: 6 } },
      },
      // Rows laid out by their plots alone, so that labels reaching past a plot do not move its row.
      bounds: 'flush',
      spacing: { row: ROW_SPACING },
      // One x scale per projection, shared by the models: the rows of a column are read against
      // one axis, drawn once under the bottom row, which leaves the rows close enough for a page.
      resolve: { scale: { x: 'shared', y: 'independent' } },
      spec: {
        width: labelled ? firstWidth : PANEL.width,
        height,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'point'" }],
            mark: { type: 'point', filled: true, size: POINT_SIZE, strokeWidth: 0 },
            encoding: {
              x: enc(x, 'x'),
              y: enc(y, 'y'),
              fill: { field: 'class', type: 'nominal', scale: POINT_CLASS_SCALE, title: 'k (most seeds)' },
              tooltip: [...tooltip, ...POINT_SHARE_TIPS],
            },
          },
          ...limitRule(x, 'x'),
          ...limitRule(y, 'y'),
          {
            transform: [ONE_PER_MODEL, { calculate: '1', as: 'accuracy' }],
            mark: { type: 'point', shape: 'cross', size: UTOPIA_SIZE, color: '#009E73', clip: false },
            encoding: { x: utopia(x, 'x'), y: utopia(y, 'y'), tooltip: { value: 'utopia (cost 0, latency 0, accuracy 1)' } },
          },
          {
            transform: [{ filter: "datum.kind === 'pick'" }],
            // Opaque, as in the curves' figures: a ring at Vega-Lite's default opacity turns
            // fixed-k's grey into the grey of a feasible point.
            mark: { type: 'point', filled: false, strokeWidth: RING_STROKE, opacity: 1 },
            encoding: {
              x: { field: x, type: 'quantitative' },
              y: { field: y, type: 'quantitative' },
              size: { field: 'ring', type: 'quantitative', scale: null },
              strokeDash: RING_DASH,
              stroke: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector (most frequent k*)', ...selectorLegend },
              tooltip: [tip('selector', 'selector'), ...tooltip, tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share)],
            },
          },
          ...(labelled ? nameLayers(rows, names) : []),
        ],
      },
    };
  };
  const models = shown.map((m) => m.label);
  return rowsFigure({
    name: `projections--${condition.slug}`,
    title,
    subtitle,
    rows,
    body: { hconcat: PROJECTIONS.map(([x, y], j) => column(x, y, j === 0)) },
  });
}
