/**
 * Smaller vs larger models at their accuracy-max picks (claim 3): accuracy and cost at k* side
 * by side, models grouped by size class, with 95% bootstrap intervals.
 */
import type { Analysis } from '../analysis.js';
import type { Condition, ModelInfo } from '../data.js';
import { listInWords } from '../../../../harness/text.js';
import { round } from '../format.js';
import { ACCURACY_MAX } from '../selectors.js';
import { lacksIntervals, NO_INTERVAL } from './intervals.js';
import { decadesAround } from './label-place.js';
import { DECADE_AXIS, modelNameAxis, rowsFigure, SIZE_CLASS_ORDER, sizeClassScales, tip, TOOLTIP_FORMAT, withoutScaleNote, type Figure, type Obj } from './theme.js';

const ACCURACY = 'accuracy at k*';
const COST = 'cost per request at k* ($, log)';

/** The models accuracy-max picked a k for in `condition`, in some seed. */
function modelsPicked(a: Analysis, condition: Condition): ModelInfo[] {
  return a.data.models.filter((m) => (a.cell(condition.id, m.id, ACCURACY_MAX)?.accuracy.mean ?? null) !== null);
}

/** The size classes, in SIZE_CLASS_ORDER, of the models accuracy-max picked a k for in `condition`. */
function classesPicked(a: Analysis, condition: Condition): string[] {
  const picked = new Set(modelsPicked(a, condition).map((m) => m.size));
  return SIZE_CLASS_ORDER.filter((size) => picked.has(size));
}

/**
 * The conditions the figure draws: those where accuracy-max picked a k for models of two size
 * classes or more. Any other has nothing to compare: a panel of one class alone would only blow
 * its models' small differences up to the panel's width (and one of no pick has nothing for its
 * log axis to span).
 */
export function comparedConditions(a: Analysis): Condition[] {
  return a.data.conditions.filter((c) => classesPicked(a, c).length >= 2);
}

export function sizeClassFigure(a: Analysis): Figure {
  const rank = (size: string | null) => {
    const i = (SIZE_CLASS_ORDER as readonly string[]).indexOf(size ?? '');
    return i < 0 ? SIZE_CLASS_ORDER.length : i;
  };
  const models = [...a.data.models].sort((x, y) => rank(x.size) - rank(y.size));
  const rows: Obj[] = [];
  for (const condition of a.data.conditions) {
    for (const model of models) {
      const cell = a.cell(condition.id, model.id, ACCURACY_MAX);
      if (!cell) continue;
      const base = { condition: condition.label, model: model.label, size: model.size ?? 'unknown', k: round(cell.kStar.mean), noneShare: round(cell.none?.share ?? null) };
      rows.push({ ...base, measure: ACCURACY, mean: round(cell.accuracy.mean), lo: round(cell.accuracy.lo), hi: round(cell.accuracy.hi), format: TOOLTIP_FORMAT.accuracy });
      rows.push({ ...base, measure: COST, mean: round(cell.cost.mean), lo: round(cell.cost.lo), hi: round(cell.cost.hi) });
    }
  }
  const shown = comparedConditions(a);
  // The legend lists the classes drawn alone.
  const scales = sizeClassScales([...new Set(shown.flatMap((c) => classesPicked(a, c)))]);
  const size = { field: 'size', type: 'nominal', sort: [...SIZE_CLASS_ORDER], title: 'size class' };
  const panel = (condition: Condition, measure: string, scale: Obj, format: string, first: boolean, bottom: boolean): Obj => {
    // A row for every model run in the condition: one with no pick keeps its row, without a mark.
    const run = models.filter((m) => a.cell(condition.id, m.id, ACCURACY_MAX)).map((m) => m.label);
    const y = { field: 'model', type: 'nominal', scale: { domain: run }, title: null, axis: { labelLimit: 110, ticks: false, domain: false, ...modelNameAxis(models.map((m) => m.label)) } };
    return {
      width: 150,
      height: 11 * run.length,
      transform: [{ filter: { field: 'condition', equal: condition.label } }, { filter: { field: 'measure', equal: measure } }],
      layer: [
        { transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'rule', strokeWidth: 1.1 }, encoding: { y, x: { field: 'lo', type: 'quantitative', scale }, x2: { field: 'hi' }, color: { ...size, scale: scales.colour } } },
        {
          transform: [{ filter: 'isValid(datum.mean)' }],
          mark: { type: 'point', filled: true, size: 22, opacity: 1 },
          encoding: {
            y: first ? y : { ...y, axis: null },
            x: { field: 'mean', type: 'quantitative', scale, title: bottom ? measure : null, axis: measure === COST ? { ...DECADE_AXIS, format: '$~g' } : { tickCount: 3 } },
            color: { ...size, scale: scales.colour },
            shape: { ...size, scale: scales.shape },
            tooltip: [tip('condition', 'condition'), tip('model', 'model'), tip('size', 'size class'), tip('mean', `mean ${withoutScaleNote(measure)}`, format), tip('lo', '95% low', format), tip('hi', '95% high', format), tip('k', 'mean k*', TOOLTIP_FORMAT.k), tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share)],
          },
        },
      ],
    };
  };
  const drawn = new Set(shown.map((c) => c.label));
  const intervals = lacksIntervals(rows.filter((r) => drawn.has(r.condition as string))) ? `; ${NO_INTERVAL}` : ' with 95% bootstrap intervals (often shorter than the mark)';
  const title = 'Smaller vs larger models at their accuracy-max picks';
  const subtitle = [`Accuracy and cost at accuracy-max's k*: mean over seeds${intervals}. A model without a mark had no feasible k in any seed.${notShownWords(a, shown)}`];
  return rowsFigure({
    name: 'size-classes',
    title,
    subtitle,
    claim: 3,
    rows,
    body: {
      vconcat: shown.map((c, i) => ({
        title: { text: c.label, anchor: 'start', fontSize: 8.5, offset: 4 },
        hconcat: [
          // Padded: a mark at the end of the domain (accuracy 1, a dollar) stays whole inside the frame.
          panel(c, ACCURACY, { zero: false, padding: 6 }, TOOLTIP_FORMAT.accuracy, true, i === shown.length - 1),
          panel(c, COST, costScale(rows.filter((r) => r.condition === c.label && r.measure === COST)), TOOLTIP_FORMAT.cost, false, i === shown.length - 1),
        ],
        resolve: { scale: { x: 'independent' } },
      })),
      spacing: 6,
      resolve: { scale: { x: 'independent' } },
    },
  });
}

/**
 * A condition's cost axis: the decades around its means and intervals, padded. Left to Vega, the
 * padding took a mean just under a dollar past it, and the axis rounded out to $10, half the
 * panel empty.
 */
function costScale(rows: readonly Obj[]): Obj {
  const costs = rows.flatMap((r) => [r.lo, r.mean, r.hi]).filter((v): v is number => typeof v === 'number' && v > 0);
  const padded = { type: 'log', padding: 6 };
  return costs.length ? { ...padded, domain: decadesAround(Math.min(...costs), Math.max(...costs)), nice: false } : padded;
}

/** The conditions the figure leaves out, grouped by why: no model with a pick, or models of one size class alone. */
function notShownWords(a: Analysis, shown: readonly Condition[]): string {
  const why = new Map<string, string[]>();
  for (const c of a.data.conditions.filter((c) => !shown.includes(c))) {
    const [only] = classesPicked(a, c);
    const none = modelsPicked(a, c).length === 0 ? 'no model' : only === undefined ? 'no model of a known size class' : null;
    const reason = none ? `where ${none} had one` : `where only ${only} models had one (nothing to compare)`;
    why.set(reason, [...(why.get(reason) ?? []), c.label]);
  }
  return why.size ? ` Not shown: ${[...why].map(([reason, labels]) => `${listInWords(labels)}, ${reason}`).join('; ')}.` : '';
}
