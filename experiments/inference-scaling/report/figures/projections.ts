/**
 * The 3D feasible space of one condition seen in its three 2D projections (cost-latency,
 * cost-accuracy, latency-accuracy; STUDY.md section 7, figure 1): every k's pooled mean, the
 * Pareto and feasible points, the budget lines, the utopia point (0, 0, 1) and the selectors'
 * most frequent picks. One row per model: each projection is a facet by model (a Vega-Lite facet
 * compiles and parses in a quarter of the time of the same panels concatenated one by one).
 */
import type { Analysis } from '../analysis.js';
import { curveKey, type Condition } from '../data.js';
import { round } from '../format.js';
import { budgetRule, ONE_PER_MODEL, pickRows, pointClass, POINT_CLASS_SCALE, RING_PADDING } from './curves.js';
import { AXIS, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, withHalo, DECADE_AXIS, type Figure, type Obj } from './theme.js';

type Axis = 'cost' | 'latency' | 'accuracy';

const PANEL = { width: 128, height: 62 };
/** Baseline of a bottom axis title below the plot, in points, as Vega lays it out with this theme's axis config. */
const X_TITLE_OFFSET = 24;
const PROJECTIONS: readonly [Axis, Axis][] = [
  ['cost', 'latency'],
  ['cost', 'accuracy'],
  ['latency', 'accuracy'],
];
const TITLES: Record<Axis, string> = { cost: 'cost ($, log)', latency: 'latency (s)', accuracy: 'accuracy' };
const FORMATS: Record<Axis, string> = { cost: TOOLTIP_FORMAT.cost, latency: TOOLTIP_FORMAT.latency, accuracy: TOOLTIP_FORMAT.accuracy };

export function projectionsFigure(a: Analysis, condition: Condition): Figure {
  const rows: Obj[] = [];
  for (const model of a.data.models) {
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
  const limits: Record<Axis, number | null> = { cost: c?.C_max ?? null, latency: c?.T_max ?? null, accuracy: c?.acc_min ?? null };
  const column = (x: Axis, y: Axis, labelled: boolean): Obj => {
    const enc = (axis: Axis, channel: 'x' | 'y') => ({
      field: axis,
      type: 'quantitative',
      title: null,
      scale: axis === 'cost' ? { type: 'log', padding: RING_PADDING } : { zero: false, padding: RING_PADDING },
      axis: axis === 'cost' ? { ...DECADE_AXIS, format: '$~g' } : { tickCount: channel === 'x' ? 4 : 3 },
    });
    const limitRule = (axis: Axis, channel: 'x' | 'y'): Obj[] => {
      const limit = limits[axis];
      return limit === null ? [] : [budgetRule(channel, limit)];
    };
    const tooltip = [tip('model', 'model'), tip('k', 'k', 'd'), tip('cost', 'cost', FORMATS.cost), tip('latency', 'latency (s)', FORMATS.latency), tip('accuracy', 'accuracy', FORMATS.accuracy)];
    const panel = `${TITLES[y]} vs ${TITLES[x]}`;
    return {
      // A one-value column facet carries the panel's title, centred over the plots as a panel title is.
      transform: [{ calculate: JSON.stringify(panel), as: 'panel' }],
      facet: {
        row: { field: 'model', type: 'nominal', sort: models, header: null },
        column: { field: 'panel', type: 'nominal', title: null, header: { labelFontWeight: 'bold', labelPadding: 6 } },
      },
      // Rows laid out by their plots alone, so the bottom row's x-axis title does not make every row taller;
      // the spacing leaves room for each row's x axis (the 15 points Vega gives it, and 4 between rows).
      bounds: 'flush',
      spacing: { row: 19 },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: PANEL.width,
        height: PANEL.height,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'point'" }],
            mark: { type: 'point', filled: true, size: 10, strokeWidth: 0 },
            encoding: {
              x: enc(x, 'x'),
              y: enc(y, 'y'),
              fill: { field: 'class', type: 'nominal', scale: POINT_CLASS_SCALE, title: 'k (most seeds)' },
              tooltip: [...tooltip, tip('paretoShare', 'Pareto in (share of seeds)', TOOLTIP_FORMAT.share)],
            },
          },
          ...limitRule(x, 'x'),
          ...limitRule(y, 'y'),
          {
            transform: [ONE_PER_MODEL, { calculate: '1', as: 'accuracy' }, { calculate: '0', as: 'latency' }],
            // The utopia point (0, 0, 1); a log cost axis has no 0, so there it sits on the left edge.
            mark: { type: 'point', shape: 'cross', size: 30, color: '#009E73', opacity: 0.9, clip: false },
            encoding: {
              x: x === 'cost' ? { value: 0 } : { field: x, type: 'quantitative' },
              y: { field: y, type: 'quantitative' },
              tooltip: { value: 'utopia (cost 0, latency 0, accuracy 1)' },
            },
          },
          ...(labelled
            ? // The model's name inside its first panel, top left: low cost with high latency never
              // occurs there; a budget line may pass under it.
              withHalo({
                transform: [ONE_PER_MODEL],
                mark: { type: 'text', align: 'left', baseline: 'top', x: 4, y: 3, fontSize: 8, fontWeight: 'bold', color: '#222222' },
                encoding: { text: { field: 'model', type: 'nominal' } },
              })
            : []),
          {
            // The x-axis title, under the bottom row only (a facet titles every row's axis or none),
            // where Vega puts a bottom axis title in this theme: ticks, labels, then the title's padding.
            transform: [ONE_PER_MODEL, { filter: { field: 'model', equal: bottomRow } }],
            mark: { type: 'text', align: 'center', baseline: 'alphabetic', x: PANEL.width / 2, y: PANEL.height + X_TITLE_OFFSET, fontSize: AXIS.titleFontSize, color: AXIS.titleColor, clip: false },
            encoding: { text: { value: TITLES[x] } },
          },
          {
            transform: [{ filter: "datum.kind === 'pick'" }],
            mark: { type: 'point', filled: false, strokeWidth: 1.2 },
            encoding: {
              x: { field: x, type: 'quantitative' },
              y: { field: y, type: 'quantitative' },
              size: { field: 'ring', type: 'quantitative', scale: null },
              stroke: { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector (most frequent k*)' },
              tooltip: [tip('selector', 'selector'), ...tooltip, tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share)],
            },
          },
        ],
      },
    };
  };
  const models = a.data.models.map((m) => m.label);
  // A model without a single row (e.g. not run yet) has no row in the facet.
  const bottomRow = models.filter((m) => rows.some((r) => r.model === m)).at(-1) ?? null;
  const title = `The feasible space in 2D: ${condition.label}`;
  const subtitle = [
    `Each point is one k (mean over seeds). Dark: Pareto in most seeds; grey: feasible; light: not feasible. Dashed: budgets (C_max, T_max, acc_min); green cross: utopia (0, 0, 1), on the left edge of log cost axes; rings: each selector's most frequent k*.`,
  ];
  return rowsFigure({
    name: `projections--${condition.slug}`,
    title,
    subtitle,
    rows,
    body: { hconcat: PROJECTIONS.map(([x, y], j) => column(x, y, j === 0)) },
  });
}
