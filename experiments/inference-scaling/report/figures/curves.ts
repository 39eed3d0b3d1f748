/**
 * Accuracy vs k and cost vs k for one condition, one panel per model (STUDY.md section 7,
 * figures 2 and 3): the mean curve with the spread of single requests, feasible and Pareto k
 * marked, the budget line, and each selector's most frequent k* as a ring.
 */
import { countOf } from '../../../../harness/text.js';
import type { Analysis } from '../analysis.js';
import { curveKey, type Condition, type CurvePoint } from '../data.js';
import { round } from '../format.js';
import { axisExtent, panelPerModel, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, withHalo, DECADE_AXIS, decadeAxisExtent, type Figure, type Obj } from './theme.js';

export type CurveMetric = 'accuracy' | 'cost';

const PANEL = { width: 104, height: 84 };
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

/**
 * The cost panels' y axes all take the room of the widest decade label any of them may show, so
 * that the panels line up, and the panels give up what that room exceeds the accuracy axis's, so
 * that the cost figure is as wide as the accuracy one whatever the costs.
 */
function costAxisExtent(rows: readonly Obj[], limit: number | null): number {
  const byModel = new Map<unknown, { lo: number; hi: number }>();
  for (const row of rows) {
    const values = [row.lo, row.mean, row.hi, limit].filter((v): v is number => typeof v === 'number' && v > 0);
    const range = byModel.get(row.model) ?? { lo: Infinity, hi: 0 };
    byModel.set(row.model, { lo: Math.min(range.lo, ...values), hi: Math.max(range.hi, ...values) });
  }
  // The scale's domain: the values, widened by its padding (the same share of the span in log
  // space at either end), not rounded out to decades (nice: false on the scale).
  const domain = ({ lo, hi }: { lo: number; hi: number }) => {
    const widen = 10 ** ((Math.log10(hi / lo) * RING_PADDING) / (PANEL.height - 2 * RING_PADDING));
    return decadeAxisExtent(lo / widen, hi * widen, '$');
  };
  return Math.max(0, ...[...byModel.values()].filter((r) => r.hi > 0).map(domain));
}

/** The room the accuracy axis's labels (0.80, 0.85, ...) take beside a panel. */
const ACCURACY_EXTENT = axisExtent(['0.00']);

/**
 * k on a log axis: the picks crowd the small k (most lie at 4 to 20 of 128), which a linear axis
 * squeezes into its first sixth; and cost, proportional to k, is then a straight line. Ticked at
 * every other power of two down from the largest k drawn (128, 32, 8, 2): a label at each power
 * would run into the next in a panel a third of a column wide. At least as many ticks as
 * values, or Vega thins them out.
 */
function kAxis(largestK: number): Obj {
  const values: number[] = [];
  for (let v = 2 ** Math.floor(Math.log2(Math.max(1, largestK))); v >= 1; v /= 4) values.unshift(v);
  return {
    field: 'k',
    type: 'quantitative',
    title: 'k (samples, log)',
    scale: { type: 'log', base: 2, padding: RING_PADDING, nice: false },
    axis: { values, tickCount: values.length, format: 'd' },
  };
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

/** Where a panel's budget label lies: at which end of the dashed line, and on which side of it. */
export type BudgetLabelPlace = 'above-right' | 'below-right' | 'above-left';

/**
 * Where a cost panel's budget label lies clear of the curve and the rings. Cost grows in
 * proportion to k, so on the log-log panel the curve is a straight line that meets C_max once,
 * at the largest k within budget, and the rings lie at or left of it, under the line, the largest
 * a ninth of the panel across. The label takes about a fifth of the line: above its right end
 * while the curve meets the line early (or never: it runs above it), so that the curve is well
 * above the label there; below its right end while the curve meets the line before the middle
 * (above it, the curve would cross the label); above its left end when it meets the line after
 * the middle or never leaves the budget (the curve is under the line on the left).
 */
export function costLabelPlace(points: readonly CurvePoint[], cMax: number): BudgetLabelPlace {
  const ks = points.map((p) => p.k);
  const within = points.filter((p) => p.cost.mean <= cMax).map((p) => p.k);
  if (ks.length === 0 || within.length === 0) return 'above-right';
  const [lo, hi] = [Math.log2(Math.min(...ks)), Math.log2(Math.max(...ks))];
  const meets = hi === lo ? 1 : (Math.log2(Math.max(...within)) - lo) / (hi - lo);
  return meets < 0.25 ? 'above-right' : meets < 0.5 ? 'below-right' : 'above-left';
}

export function curveFigure(a: Analysis, condition: Condition, metric: CurveMetric): Figure {
  const rows: Obj[] = [];
  for (const model of a.data.models) {
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
  if (limit !== null) {
    for (const model of a.data.models) {
      const points = a.data.curves.get(curveKey(condition.id, model.id)) ?? [];
      rows.push({ kind: 'budget', model: model.label, place: metric === 'cost' ? costLabelPlace(points, limit) : 'above-right' });
    }
  }
  const limitText = limit === null ? '' : metric === 'accuracy' ? `acc_min ${limit}` : `C_max $${limit}`;
  // A cost panel's label is short, to stay clear of the rings near the line (costLabelPlace);
  // the subtitle gives the budget.
  const panelLabel = metric === 'accuracy' ? limitText : 'C_max';
  const format = metric === 'accuracy' ? TOOLTIP_FORMAT.accuracy : TOOLTIP_FORMAT.cost;
  // Cost grows in proportion to k across two orders of magnitude between models: a log axis
  // keeps the cheap picks and the budget line readable in every panel.
  const costExtent = metric === 'cost' ? costAxisExtent(rows, limit) : 0;
  const y =
    metric === 'cost'
      ? { field: 'mean', type: 'quantitative', title: 'cost per request ($, log)', scale: { type: 'log', nice: false, padding: RING_PADDING }, axis: { ...DECADE_AXIS, format: '$~g', minExtent: costExtent, maxExtent: costExtent } }
      : { field: 'mean', type: 'quantitative', title: 'accuracy (best of k)', scale: { zero: false, padding: RING_PADDING } };
  const layers: Obj[] = [
    {
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'area', color: '#7a9cc6', opacity: 0.28 },
      encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    },
    {
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'line', color: '#3b5b85', strokeWidth: 1 },
      encoding: { x: kAxis(Math.max(1, ...rows.filter((r) => r.kind === 'curve').map((r) => r.k as number))), y },
    },
    {
      name: 'curve_points',
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'point', filled: true, size: 11, strokeWidth: 0 },
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
          tip('feasibleShare', 'feasible in (share of seeds)', TOOLTIP_FORMAT.share),
          tip('paretoShare', 'Pareto in (share of seeds)', TOOLTIP_FORMAT.share),
        ],
      },
    },
    ...(limit === null ? [] : [budgetRule('y', limit)]),
    {
      transform: [{ filter: "datum.kind === 'pick'" }],
      mark: { type: 'point', filled: false, strokeWidth: 1.3, opacity: 1 },
      encoding: {
        x: { field: 'k', type: 'quantitative' },
        y: { field: 'mean', type: 'quantitative' },
        size: { field: 'ring', type: 'quantitative', scale: null },
        // Three to a row, so that the legend is no wider than the panels beside the point classes'.
        stroke: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector (most frequent k*)', legend: { columns: 3 } },
        tooltip: [
          tip('model', 'model'),
          tip('selector', 'selector'),
          tip('k', 'most frequent k*', 'd'),
          tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share),
          tip('meanK', 'mean k*', TOOLTIP_FORMAT.k),
          tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share),
          tip('mean', `${metric} at k*`, format),
        ],
      },
    },
    // The budget's label last, over the rings, clear of the dashed line (descenders included).
    ...(limit === null
      ? []
      : [...new Set(rows.filter((r) => r.kind === 'budget').map((r) => r.place as BudgetLabelPlace))].flatMap((place) => {
          const [above, left] = [place.startsWith('above'), place.endsWith('left')];
          return withHalo({
            transform: [{ filter: `datum.kind === 'budget' && datum.place === '${place}'` }],
            mark: { type: 'text', align: left ? 'left' : 'right', baseline: above ? 'bottom' : 'top', dx: left ? 2 : -2, dy: above ? -2.5 : 2.5, fontSize: 7, color: '#333333' },
            encoding: { x: { value: left ? 0 : 'width' }, y: { datum: limit }, text: { value: panelLabel } },
          });
        })),
  ];
  const what = metric === 'accuracy' ? 'Accuracy' : 'Total cost per request';
  const title = `${what} vs k: ${condition.label}`;
  const seeds = a.data.replicates.length;
  const subtitle = [
    `Line: mean over ${countOf(seeds, 'seed')} of each seed's Monte Carlo mean; band: the 2.5-97.5% range of a single request (mean over seeds). Dark: k Pareto in most seeds; grey: feasible; light: not feasible${limit === null ? '' : `; dashed: ${limitText}`}; rings: each selector's most frequent k*.`,
  ];
  return rowsFigure({
    name: `${metric}-vs-k--${condition.slug}`,
    title,
    subtitle,
    rows,
    body: {
      ...panelPerModel(a.data.models.map((m) => m.label)),
      spec: { width: PANEL.width - Math.max(0, costExtent - ACCURACY_EXTENT), height: PANEL.height, layer: layers },
      resolve: { scale: { y: metric === 'cost' ? 'independent' : 'shared' } },
    },
  });
}
