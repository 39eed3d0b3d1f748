/**
 * Accuracy vs k and cost vs k for one condition, one panel per model (STUDY.md section 7,
 * figures 2 and 3): the mean curve with the spread of single requests, feasible and Pareto k
 * marked, the budget line, and each selector's most frequent k* as a ring.
 */
import { countOf } from '../../../../harness/text.js';
import { modelsIn, noResultsNote, type Analysis } from '../analysis.js';
import { curveKey, type Condition, type CurvePoint } from '../data.js';
import { feasibleSetNote } from '../factors.js';
import { fmt, round } from '../format.js';
import { textWidthUpperBound } from '../../../../harness/render/text-width.js';
import { budgetLabelPlace, LABEL_GAP, labelBox, paddedDomain, paddedScale, type BudgetLabelPlace, type LabelBox, type LabelPlacement, type Obstacles } from './label-place.js';
import { axisExtent, panelPerModel, POINT_SHARE_TIPS, powerOfTwoTicks, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, withHalo, DECADE_AXIS, decadeAxisExtent, HALO_RADIUS, type Figure, type Obj } from './theme.js';

export type CurveMetric = 'accuracy' | 'cost';

const PANEL = { width: 136, height: 92 };
/**
 * What a k is in most seeds, drawn alike in every figure of curves: dark if on the Pareto front
 * of the feasible set, grey if feasible, light if not.
 */
export const POINT_CLASS_SCALE: Obj = { domain: ['Pareto', 'feasible', 'not feasible'], range: ['#222222', '#8a8a8a', '#d4d4d4'] };

/** Ring size (area of the bounding square) per selector: coinciding picks nest instead of hiding. */
export function ringSize(rank: number): number {
  return round((2 * ringRadius(rank)) ** 2, 4) as number;
}

function ringRadius(rank: number): number {
  return 2.6 + 0.95 * rank;
}

/**
 * Room inside the plot for the largest ring: a ring sticking out above a panel would push that
 * panel's header up, out of line with its neighbours', and one sticking out at the right would
 * push the next column right.
 */
export const RING_PADDING = Math.ceil(ringRadius(7) + 2);

/** The values a panel's y scale spans: every curve row's and the budget's. */
function yValues(rows: readonly Obj[], limit: number | null): number[] {
  const values = rows.filter((r) => r.kind === 'curve' || r.kind === 'pick').flatMap((r) => [r.lo, r.mean, r.hi].filter((v): v is number => typeof v === 'number'));
  return limit === null ? values : [limit, ...values];
}

/**
 * The room the cost axis takes: the widest decade label of its domain. The cost panels give up
 * what that room exceeds the accuracy axis's, so that the cost figure is as wide as the accuracy
 * one whatever the costs.
 */
function costAxisExtent(rows: readonly Obj[], limit: number | null): number {
  const [lo, hi] = paddedDomain('log', yValues(rows, limit), PANEL.height, RING_PADDING);
  return hi > 0 ? decadeAxisExtent(lo, hi, '$') : 0;
}

/** A band thinner than this, in points, is hidden by the 1 pt line over it. */
const THINNEST_BAND_SEEN = 2;

/**
 * What the subtitle adds where no band can be seen: a request's cost varies by a few percent
 * about its mean, which on an axis of several decades is narrower than the line.
 */
function bandNote(rows: readonly Obj[], metric: CurveMetric, limit: number | null): string {
  const y = paddedScale(metric === 'cost' ? 'log' : 'linear', yValues(rows, limit), PANEL.height, RING_PADDING);
  const bands = rows.filter((r) => r.kind === 'curve' && typeof r.lo === 'number' && typeof r.hi === 'number' && typeof r.mean === 'number' && (r.mean as number) > 0);
  if (bands.length === 0 || bands.some((r) => Math.abs(y(r.hi as number) - y(r.lo as number)) >= THINNEST_BAND_SEEN)) return '';
  const widest = Math.max(...bands.map((r) => Math.max((r.hi as number) / (r.mean as number) - 1, 1 - (r.lo as number) / (r.mean as number))));
  return `; within ${fmt.share(widest)} of the line, too narrow to see at this scale`;
}

/** The room the accuracy axis's labels (0.80, 0.85, ...) take beside a panel. */
const ACCURACY_EXTENT = axisExtent(['0.00']);

/**
 * k on a log axis: the picks crowd the small k (most lie at 4 to 20 of 128), which a linear axis
 * squeezes into its first sixth; and cost, proportional to k, is then a straight line. At least
 * as many ticks as values, or Vega thins them out.
 */
function kAxis(least: number, largest: number): Obj {
  const values = powerOfTwoTicks(least, largest);
  // One candidate k: an octave either side of it, not a domain of no width, where every tick falls on it.
  const domain = least === largest ? { domain: [least / 2, least * 2] } : {};
  return {
    field: 'k',
    type: 'quantitative',
    title: 'k (samples, log)',
    scale: { type: 'log', base: 2, padding: RING_PADDING, nice: false, ...domain },
    axis: { values, tickCount: values.length, format: 'd' },
  };
}

/** The smallest and largest k of the curves drawn ([1, 1] without any). */
function kRange(rows: readonly Obj[]): [number, number] {
  const ks = rows.filter((r) => r.kind === 'curve').map((r) => r.k as number);
  return ks.length ? [Math.min(...ks), Math.max(...ks)] : [1, 1];
}

/** One row per model panel: the data of marks drawn once per panel (budget lines, labels). */
export const ONE_PER_MODEL: Obj = { aggregate: [{ op: 'count', as: 'n' }], groupby: ['model'] };

/** A dashed budget line (C_max, T_max or acc_min) across each model's panel. */
export function budgetRule(channel: 'x' | 'y', value: number): Obj {
  return { transform: [ONE_PER_MODEL], mark: { type: 'rule', color: '#333333', strokeDash: [4, 3], strokeWidth: 0.8 }, encoding: { [channel]: { datum: value } } };
}

/** A point's class in POINT_CLASS_SCALE. */
export function pointClass(p: CurvePoint): string {
  if ((p.paretoShare ?? 0) >= 0.5) return 'Pareto';
  return (p.feasibleShare ?? 0) >= 0.5 ? 'feasible' : 'not feasible';
}

/** The pooled curve point at k, if k is a candidate. */
export function pointAt(points: readonly CurvePoint[], k: number | null): CurvePoint | undefined {
  return k === null ? undefined : points.find((p) => p.k === k);
}

/** Rings: for each selector with picks, its modal k* placed on the pooled curve. */
export function pickRows(a: Analysis, condition: Condition, model: string, points: readonly CurvePoint[]): Obj[] {
  const rows: Obj[] = [];
  a.data.selectors.forEach((selector, rank) => {
    const cell = a.cell(condition.id, model, selector);
    const at = pointAt(points, cell?.spread.mode ?? null);
    if (!cell || !at) return;
    rows.push({
      kind: 'pick',
      selector,
      k: at.k,
      cost: round(at.cost.mean),
      latency: round(at.latency.mean),
      accuracy: round(at.accuracy.mean),
      ring: ringSize(rank),
      modeShare: round(cell.spread.modeShare),
      meanK: round(cell.kStar.mean),
      noneShare: round(cell.none?.share ?? null),
    });
  });
  return rows;
}

/** Whether no k is feasible for a model in any seed of the condition (its curve drawn all light). */
export function noFeasibleK(a: Analysis, condition: Condition, model: string): boolean {
  const points = a.data.curves.get(curveKey(condition.id, model)) ?? [];
  return points.length > 0 && points.every((p) => p.feasibleShare === 0);
}

/**
 * What the subtitle says of rings left out, where a panel with feasible k lacks one: a selector
 * that picked no k in any seed has no most frequent k*, so no ring, which a reader would take
 * for one nested in another. (A panel without feasible k says so itself.)
 */
export function missingRingsNote(a: Analysis, condition: Condition): string {
  const lacking = modelsIn(a, condition.id).some(
    (m) => !noFeasibleK(a, condition, m.id) && a.data.selectors.some((s) => { const c = a.cell(condition.id, m.id, s); return c !== undefined && c !== null && c.spread.mode === null; }),
  );
  return lacking ? ' No ring: no k picked in any seed.' : '';
}

/**
 * A ring whose k* fewer than half the seeds with a pick chose is dashed: the selector's most
 * frequent k* is then no settled choice (its mean, which the picks figure shows, may lie far off).
 * Any other ring has no dash pattern at all: Skia's PDF writer draws a gapless one such as [1, 0]
 * as one filled piece per point of outline, which made the projections' PDFs 2.5 times larger.
 */
const UNSETTLED = 0.5;
export const RING_DASH: Obj = { condition: { test: `datum.modeShare < ${UNSETTLED}`, value: [2.5, 1.5] } };

/** What the subtitle says of dashed rings, where a pick row (of `rows`) has one. */
export function dashedRingsNote(rows: readonly Obj[]): string {
  return rows.some((r) => r.kind === 'pick' && typeof r.modeShare === 'number' && r.modeShare < UNSETTLED) ? ' Dashed ring: a k* fewer than half the seeds chose.' : '';
}

/** Area of a curve point's bounding square; and a ring's outline width. */
const CURVE_POINT_SIZE = 11;
const RING_STROKE = 1.3;
/** Text in a panel: the budget's label, the note of a model with no feasible k. */
const PANEL_TEXT_SIZE = 7;

/**
 * The model panels as Vega lays them out, for placing text in them (label-place.ts): the y scale
 * they share (of every curve row's values and the budget) and, per model, what its panel draws
 * that text should not cover, on the log k axis they share.
 */
function panelLayout(rows: readonly Obj[], metric: CurveMetric, limit: number | null, width: number): { y: (value: number) => number; obstacles: (model: string) => Obstacles } {
  const drawn = rows.filter((r) => r.kind === 'curve' || r.kind === 'pick');
  const x = paddedScale('log', drawn.map((r) => r.k as number), width, RING_PADDING);
  const y = paddedScale(metric === 'cost' ? 'log' : 'linear', yValues(rows, limit), PANEL.height, RING_PADDING, { reversed: true });
  const obstacles = (model: string): Obstacles => {
    const own = drawn.filter((r) => r.model === model && typeof r.mean === 'number');
    const curve = own.filter((r) => r.kind === 'curve').map((r) => ({ x: x(r.k as number), y: y(r.mean as number) }));
    // A ring with its outline, and the point in it: text inside a ring would be hard to read too.
    const rings = own.filter((r) => r.kind === 'pick').map((r) => ({ x: x(r.k as number), y: y(r.mean as number), r: Math.sqrt(r.ring as number) / 2 + RING_STROKE / 2 }));
    const points = curve.map((p) => ({ ...p, r: Math.sqrt(CURVE_POINT_SIZE) / 2 }));
    return { lines: [curve.map((p) => [p.x, p.y] as const)], discs: [...points, ...rings] };
  };
  return { y, obstacles };
}

/** A text row's label box at PANEL_TEXT_SIZE, its halo around it. */
function panelTextBox(text: string): LabelBox {
  return { width: textWidthUpperBound(text, PANEL_TEXT_SIZE), fontSize: PANEL_TEXT_SIZE, margin: HALO_RADIUS };
}

/** A text row's place, and whether it needs a halo: only where it covers something drawn. */
function placed({ place, covers }: LabelPlacement): { place: BudgetLabelPlace; halo: boolean } {
  return { place, halo: covers > 0 };
}

/**
 * The text of the rows of `kind` in each panel at either end of a horizontal line at `y` (an
 * encoding), on the side of it that each row's `place` says. A text clear of everything is one
 * text mark: a PDF reader finds and copies it once. One that covers something (no place was
 * clear) is drawn over a white halo (withHalo), eight more copies of it.
 */
export function placedText(rows: readonly Obj[], kind: string, y: Obj, text: string): Obj[] {
  const groups = new Map<string, { place: BudgetLabelPlace; halo: boolean }>();
  for (const r of rows.filter((row) => row.kind === kind)) groups.set(`${String(r.place)} ${String(r.halo)}`, { place: r.place as BudgetLabelPlace, halo: r.halo === true });
  return [...groups.values()].flatMap(({ place, halo }) => {
    const [above, left] = [place.startsWith('above'), place.endsWith('left')];
    const layer = {
      transform: [{ filter: `datum.kind === '${kind}' && datum.place === '${place}' && datum.halo === ${halo}` }],
      mark: { type: 'text', align: left ? 'left' : 'right', baseline: above ? 'bottom' : 'top', dx: left ? LABEL_GAP.dx : -LABEL_GAP.dx, dy: above ? -LABEL_GAP.dy : LABEL_GAP.dy, fontSize: PANEL_TEXT_SIZE, color: '#333333' },
      encoding: { x: { value: left ? 0 : 'width' }, y, text: { value: text } },
    };
    return halo ? withHalo(layer) : [layer];
  });
}

const NO_FEASIBLE_K = 'no feasible k';

export function curveFigure(a: Analysis, condition: Condition, metric: CurveMetric): Figure {
  const rows: Obj[] = [];
  const models = modelsIn(a, condition.id);
  for (const model of models) {
    const points = a.data.curves.get(curveKey(condition.id, model.id)) ?? [];
    for (const p of points) {
      const band = p[metric];
      rows.push({
        kind: 'curve',
        model: model.label,
        k: p.k,
        mean: round(band.mean),
        lo: round(band.lo),
        hi: round(band.hi),
        status: pointClass(p),
        feasibleShare: round(p.feasibleShare),
        paretoShare: round(p.paretoShare),
      });
    }
    for (const pick of pickRows(a, condition, model.id, points)) rows.push({ ...pick, model: model.label, mean: pick[metric] });
  }
  const c = condition.constraints;
  const limit = c === null ? null : metric === 'accuracy' ? c.acc_min : c.C_max;
  const limitText = limit === null ? '' : metric === 'accuracy' ? `acc_min ${limit}` : `C_max ${fmt.dollars(limit)}`;
  // A cost panel's label is short, to find room between the rings near the line; the subtitle
  // gives the budget.
  const panelLabel = metric === 'accuracy' ? limitText : 'C_max';
  const format = metric === 'accuracy' ? TOOLTIP_FORMAT.accuracy : TOOLTIP_FORMAT.cost;
  // Cost grows in proportion to k, and differs between models by two orders of magnitude: a log
  // axis keeps the cheap picks and the budget line readable in every panel, and one axis shared
  // by the panels lets the models' costs be compared by eye, the budget line level across a row.
  const costExtent = metric === 'cost' ? costAxisExtent(rows, limit) : 0;
  const panelWidth = PANEL.width - Math.max(0, costExtent - ACCURACY_EXTENT);
  if (limit !== null) {
    const { y, obstacles } = panelLayout(rows, metric, limit, panelWidth);
    for (const model of models) {
      const drawn = obstacles(model.label);
      const budget = budgetLabelPlace(panelWidth, PANEL.height, y(limit), panelTextBox(panelLabel), drawn);
      rows.push({ kind: 'budget', model: model.label, ...placed(budget) });
      // A model no k is feasible for in any seed says so, at the panel's top edge, clear of the budget's label too.
      if (noFeasibleK(a, condition, model.id)) {
        const clear = { ...drawn, boxes: [labelBox(budget.place, panelWidth, y(limit), panelTextBox(panelLabel))] };
        rows.push({ kind: 'note', model: model.label, ...placed(budgetLabelPlace(panelWidth, PANEL.height, 0, panelTextBox(NO_FEASIBLE_K), clear)) });
      }
    }
  }
  const y =
    metric === 'cost'
      ? { field: 'mean', type: 'quantitative', title: 'cost per request ($, log)', scale: { type: 'log', nice: false, padding: RING_PADDING }, axis: { ...DECADE_AXIS, format: '$~g', minExtent: costExtent, maxExtent: costExtent } }
      : { field: 'mean', type: 'quantitative', title: 'accuracy (best of k)', scale: { zero: false, nice: false, padding: RING_PADDING } };
  const layers: Obj[] = [
    {
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'area', color: '#7a9cc6', opacity: 0.28 },
      encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    },
    {
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'line', color: '#3b5b85', strokeWidth: 1 },
      encoding: { x: kAxis(...kRange(rows)), y },
    },
    {
      name: 'curve_points',
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'point', filled: true, size: CURVE_POINT_SIZE, strokeWidth: 0 },
      encoding: {
        x: { field: 'k', type: 'quantitative' },
        y: { field: 'mean', type: 'quantitative' },
        fill: { field: 'status', type: 'nominal', scale: POINT_CLASS_SCALE, title: 'k (most seeds)' },
        tooltip: [
          tip('model', 'model'),
          tip('k', 'k', 'd'),
          tip('mean', `mean ${metric}`, format),
          tip('lo', '2.5% (single request)', format),
          tip('hi', '97.5% (single request)', format),
          ...POINT_SHARE_TIPS,
        ],
      },
    },
    ...(limit === null ? [] : [budgetRule('y', limit)]),
    {
      transform: [{ filter: "datum.kind === 'pick'" }],
      mark: { type: 'point', filled: false, strokeWidth: RING_STROKE, opacity: 1 },
      encoding: {
        x: { field: 'k', type: 'quantitative' },
        y: { field: 'mean', type: 'quantitative' },
        size: { field: 'ring', type: 'quantitative', scale: null },
        strokeDash: RING_DASH,
        // Three to a row, so that the legend is no wider than the panels beside the point classes'.
        stroke: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector (most frequent k*)', legend: { columns: 3 } },
        tooltip: [
          tip('model', 'model'),
          tip('selector', 'selector'),
          tip('k', 'most frequent k*', 'd'),
          tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share),
          tip('meanK', 'mean k*', TOOLTIP_FORMAT.k),
          tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share),
          tip('mean', `${metric} at the most frequent k*`, format),
        ],
      },
    },
    // The budget's label last, over the rings, clear of the dashed line (descenders included).
    ...(limit === null ? [] : placedText(rows, 'budget', { datum: limit }, panelLabel)),
    ...placedText(rows, 'note', { value: 0 }, NO_FEASIBLE_K),
  ];
  const what = metric === 'accuracy' ? 'Accuracy' : 'Total cost per request';
  const title = `${what} vs k: ${condition.label}`;
  const seeds = a.data.replicates.length;
  const subtitle = [
    `Line: mean over ${countOf(seeds, 'seed')} of each seed's Monte Carlo mean; band: the 2.5-97.5% range of a single request (mean over seeds${bandNote(rows, metric, limit)}). Dark: k Pareto in most seeds; grey: feasible; light: not feasible${limit === null ? '' : `; dashed: ${limitText}`}; rings: each selector's most frequent k*, nested where they coincide.${dashedRingsNote(rows)}${missingRingsNote(a, condition)}${noResultsNote(a, [condition], 'no panel')}${feasibleSetNote(condition.rule, ' ', '.')}`,
  ];
  return rowsFigure({
    name: `${metric}-vs-k--${condition.slug}`,
    title,
    subtitle,
    rows,
    body: {
      ...panelPerModel(models.map((m) => m.label), panelWidth),
      spec: { width: panelWidth, height: PANEL.height, layer: layers },
    },
  });
}
