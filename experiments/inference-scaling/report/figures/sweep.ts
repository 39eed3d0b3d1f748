/**
 * For a study that sweeps a parameter (e.g. the Monte Carlo size sim.M): each selector's k*
 * against the swept value, one panel per model, one figure per scenario (and per combination of
 * the other swept values). Only a study with sweeps has these figures.
 */
import { canonicalJson } from '../../../../harness/identity.js';
import { VARIANT_FIELD } from '../../../../harness/manifest.js';
import type { Json } from '../../../../harness/experiment.js';
import type { Analysis } from '../analysis.js';
import type { Condition } from '../data.js';
import { parameterWords } from '../factors.js';
import { round } from '../format.js';
import { lacksIntervals, NO_INTERVAL } from './intervals.js';
import { axisExtent, panelPerModel, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, type Figure, type Obj } from './theme.js';

const valueText = (v: Json | undefined): string => (typeof v === 'string' ? v : canonicalJson(v ?? null));

export function sweepFigures(a: Analysis): Figure[] {
  // A study's variants have their own figures (one per factor: figures/ablation.ts).
  const keys = [...new Set(a.data.conditions.flatMap((c) => Object.keys(c.variant)))].filter((k) => a.data.variants === null || k !== VARIANT_FIELD).sort();
  const figures: Figure[] = [];
  for (const key of keys) {
    const groups = new Map<string, Condition[]>();
    for (const c of a.data.conditions) {
      const rest = Object.fromEntries(Object.entries(c.variant).filter(([k]) => k !== key));
      const id = canonicalJson({ scenario: c.scenario, rest });
      groups.set(id, [...(groups.get(id) ?? []), c]);
    }
    for (const conditions of groups.values()) {
      const values = [...new Set(conditions.map((c) => valueText(c.variant[key])))];
      if (values.length < 2) continue;
      figures.push(sweepFigure(a, key, conditions, values));
    }
  }
  return figures;
}

function sweepFigure(a: Analysis, key: string, conditions: Condition[], values: string[]): Figure {
  const first = conditions[0] as Condition;
  const rest = Object.entries(first.variant)
    .filter(([k]) => k !== key)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(', ');
  const rows: Obj[] = [];
  for (const c of conditions) {
    for (const model of a.data.models) {
      for (const selector of a.data.selectors) {
        const cell = a.cell(c.id, model.id, selector);
        if (!cell || cell.kStar.mean === null) continue;
        rows.push({
          value: valueText(c.variant[key]),
          model: model.label,
          selector,
          mean: round(cell.kStar.mean),
          lo: round(cell.kStar.lo),
          hi: round(cell.kStar.hi),
          modeShare: round(cell.spread.modeShare),
          iqr: round(cell.spread.iqr),
        });
      }
    }
  }
  const words = parameterWords(key);
  const extent = kAxisExtent(rows);
  // A gap between the values' groups of dots, so that one value's last selector is not taken for the next's first.
  const x = { field: 'value', type: 'ordinal', sort: values, title: words === key ? key : `${words} (${key})`, scale: { paddingInner: 0.3 }, axis: { labelAngle: 0 } };
  const xOffset = { field: 'selector', type: 'nominal', sort: [...a.data.selectors] };
  const color = { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector' };
  const title = `k* against the ${words === key ? key : words}: ${first.scenario}${rest ? ` (${rest})` : ''}`;
  const subtitle = [`Dot: mean k* over seeds; ${lacksIntervals(rows) ? NO_INTERVAL : 'line: 95% bootstrap interval'}. A selector whose k* settles stops moving as the value grows.`];
  const slug = [key, first.scenario, rest].filter(Boolean).join(' ').toLowerCase().replace(/[^a-z0-9.]+/g, '-');
  return rowsFigure({
    name: `sweep--${slug}`,
    title,
    subtitle,
    rows,
    body: {
      ...panelPerModel(a.data.models.map((m) => m.label), { scale: { y: 'independent' } }),
      spec: {
        // A k of four digits or more takes its axis's room from the panel.
        width: 118 - Math.max(0, extent - digitsExtent(3)),
        height: 80,
        layer: [
          { transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'rule', strokeWidth: 1 }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
          {
            mark: { type: 'point', filled: true, size: 14 },
            encoding: {
              x,
              xOffset,
              // Every panel's axis as wide as the widest k's label: the panels line up whatever their ranges.
              y: { field: 'mean', type: 'quantitative', title: 'k*', scale: { zero: true, padding: 6 }, axis: { minExtent: extent, maxExtent: extent } },
              color,
              tooltip: [tip('model', 'model'), tip('selector', 'selector'), tip('value', key), tip('mean', 'mean k*', TOOLTIP_FORMAT.k), tip('lo', '95% low', TOOLTIP_FORMAT.k), tip('hi', '95% high', TOOLTIP_FORMAT.k), tip('modeShare', 'seeds at modal k*', TOOLTIP_FORMAT.share), tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k)],
            },
          },
        ],
      },
    },
  });
}

/** The room beside a panel for the k* axis's labels: as many digits as the largest k drawn. */
function kAxisExtent(rows: readonly Obj[]): number {
  const largest = Math.max(1, ...rows.flatMap((r) => [r.mean, r.hi]).filter((v): v is number => typeof v === 'number'));
  return digitsExtent(String(Math.ceil(largest)).length);
}

function digitsExtent(digits: number): number {
  return axisExtent(['0'.repeat(digits)]);
}
