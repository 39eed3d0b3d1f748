/**
 * For a study that sweeps a parameter (e.g. the Monte Carlo size sim.M): each selector's k*
 * against the swept value, one panel per model, one figure per scenario (and per combination of
 * the other swept values); zipped parameters, swept together, against their values together.
 * Only a study with sweeps has these figures.
 */
import { canonicalJson } from '../../../../harness/identity.js';
import { VARIANT_FIELD } from '../../../../harness/manifest.js';
import type { Json } from '../../../../harness/experiment.js';
import type { Analysis } from '../analysis.js';
import type { Condition } from '../data.js';
import { wordsOf } from '../factors.js';
import { listInWords } from '../../../../harness/text.js';
import { wrapText } from '../../../../harness/render/text-width.js';
import { round } from '../format.js';
import { lacksIntervals, NO_INTERVAL } from './intervals.js';
import { AXIS, axisExtent, panelPerModel, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, type Figure, type Obj } from './theme.js';

const valueText = (v: Json | undefined): string => (typeof v === 'string' ? v : canonicalJson(v ?? null));

/** Between the values of zipped parameters in an axis label and a tooltip. */
const ZIPPED = ', ';

export function sweepFigures(a: Analysis): Figure[] {
  // A study's variants have their own figures (one per factor: figures/ablation.ts).
  const keys = [...new Set(a.data.conditions.flatMap((c) => Object.keys(c.variant)))].filter((k) => a.data.variants === null || k !== VARIANT_FIELD).sort();
  const figures: Figure[] = [];
  for (const swept of sweptTogether(a.data.conditions, keys)) {
    const groups = new Map<string, Condition[]>();
    for (const c of a.data.conditions) {
      const rest = Object.fromEntries(Object.entries(c.variant).filter(([k]) => !swept.includes(k)));
      const id = canonicalJson({ scenario: c.scenario, rest });
      groups.set(id, [...(groups.get(id) ?? []), c]);
    }
    for (const conditions of groups.values()) {
      const values = [...new Set(conditions.map((c) => sweptValue(c, swept)))];
      if (values.length < 2) continue;
      figures.push(sweepFigure(a, swept, conditions, values));
    }
  }
  return figures;
}

/**
 * The swept parameters as the figures draw k* against them: each alone, and zipped ones (each
 * value of one going with one value of the other in every condition, as a study's `zip` sweeps
 * them) together, since no condition varies one of them alone.
 */
export function sweptTogether(conditions: readonly Condition[], keys: readonly string[]): string[][] {
  const values = (key: string) => new Set(conditions.map((c) => valueText(c.variant[key])));
  const determines = (from: string, to: string) => {
    const seen = new Map<string, string>();
    return conditions.every((c) => {
      const [x, y] = [valueText(c.variant[from]), valueText(c.variant[to])];
      return (seen.get(x) ?? seen.set(x, y).get(x)) === y;
    });
  };
  const out: string[][] = [];
  for (const key of keys) {
    const zipped = values(key).size > 1 ? out.find(([first]) => values(first!).size > 1 && determines(first!, key) && determines(key, first!)) : undefined;
    if (zipped) zipped.push(key);
    else out.push([key]);
  }
  return out;
}

function sweptValue(c: Condition, swept: readonly string[]): string {
  return swept.map((k) => valueText(c.variant[k])).join(ZIPPED);
}

/**
 * A swept parameter in words for a sweep figure of `scenario`: its name in the title, its axis
 * title (with its unit), and what its k* show. A parameter without words is named by its path.
 */
export function sweepWords(path: string, scenario: string): { name: string; axis: string; shows: string } {
  const words = wordsOf(path);
  if (!words) return { name: path, axis: path, shows: `How far a selector's k* moves with ${path} shows how much its pick depends on it.` };
  const elsewhere = words.scenario !== undefined && words.scenario !== scenario;
  return {
    name: `the ${words.title}`,
    axis: words.unit ? `${words.title} (${words.unit})` : words.title,
    shows: elsewhere
      ? `The ${words.title} applies to ${words.scenario} only: the picks of ${scenario} do not depend on it.`
      : (words.sweep ?? `How far a selector's k* moves with the ${words.title} shows how much its pick depends on it.`),
  };
}

function sweepFigure(a: Analysis, swept: readonly string[], conditions: Condition[], values: string[]): Figure {
  const first = conditions[0] as Condition;
  const rest = Object.entries(first.variant)
    .filter(([k]) => !swept.includes(k))
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(', ');
  const rows: Obj[] = [];
  for (const c of conditions) {
    for (const model of a.data.models) {
      for (const selector of a.data.selectors) {
        const cell = a.cell(c.id, model.id, selector);
        if (!cell || cell.kStar.mean === null) continue;
        rows.push({
          value: sweptValue(c, swept),
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
  const words = swept.map((k) => sweepWords(k, first.scenario));
  const named = words.some((w, i) => w.name !== swept[i]);
  const extent = kAxisExtent(rows);
  // A k of four digits or more takes its axis's room from the panel.
  const width = 118 - Math.max(0, extent - digitsExtent(3));
  // Zipped parameters a line each, as their values in the labels.
  const axisTitle = words.flatMap((w) => wrapText(w.axis, width, AXIS.titleFontSize));
  // A gap between the values' groups of dots, so that one value's last selector is not taken for the next's first.
  const x = {
    field: 'value',
    type: 'ordinal',
    sort: values,
    title: axisTitle.length === 1 ? axisTitle[0] : axisTitle,
    scale: { paddingInner: 0.3 },
    // Zipped values a line each, so that the labels of neighbouring values keep apart.
    axis: { labelAngle: 0, ...(swept.length > 1 ? { labelExpr: `split(datum.label, '${ZIPPED}')`, labelOverlap: false } : {}) },
  };
  const xOffset = { field: 'selector', type: 'nominal', sort: [...a.data.selectors] };
  const color = { field: 'selector', type: 'nominal', scale: selectorColourScale(a.data.selectors), title: 'selector' };
  const title = `k* against ${listInWords(words.map((w) => w.name))}${swept.length > 1 ? ' together' : ''}: ${first.scenario}${rest ? ` (${rest})` : ''}`;
  const together = swept.length > 1 ? [`Swept together (zipped): each value on the axis gives ${words.map((w) => w.axis).join(', then ')}, a line each.`] : [];
  const subtitle = [
    [`Dot: mean k* over seeds; ${lacksIntervals(rows) ? NO_INTERVAL : 'line: 95% bootstrap interval'}.`, ...together, ...new Set(words.map((w) => w.shows)), ...(named ? [`In the study: ${swept.join(', ')}.`] : [])].join(' '),
  ];
  const slug = [...swept, first.scenario, rest].filter(Boolean).join(' ').toLowerCase().replace(/[^a-z0-9.]+/g, '-');
  return rowsFigure({
    name: `sweep--${slug}`,
    title,
    subtitle,
    rows,
    body: {
      ...panelPerModel(a.data.models.map((m) => m.label), width, { scale: { y: 'independent' } }),
      spec: {
        width,
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
              tooltip: [tip('model', 'model'), tip('selector', 'selector'), tip('value', swept.join(ZIPPED)), tip('mean', 'mean k*', TOOLTIP_FORMAT.k), tip('lo', '95% low', TOOLTIP_FORMAT.k), tip('hi', '95% high', TOOLTIP_FORMAT.k), tip('modeShare', 'seeds at modal k*', TOOLTIP_FORMAT.share), tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k)],
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
