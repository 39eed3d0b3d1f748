/**
 * The 2D baselines' latency violations (claim 4): how often each selector's pick breaks T_max,
 * and by how much, for the accuracy-vs-cost picks (accuracy-max-2d, knee-2d) beside the 3D
 * accuracy-max and the fixed k, of those the study runs.
 */
import { listInWords } from '../../../../harness/text.js';
import { noResultsNote, type Analysis } from '../analysis.js';
import { round } from '../format.js';
import { ACCURACY_MAX, FIXED_K, TWO_D_SELECTORS } from '../selectors.js';
import { intervalAxes, intervalChart, lacksIntervals, NO_INTERVAL } from './intervals.js';
import { rowsFigure, tip, TOOLTIP_FORMAT, type Figure, type Obj } from './theme.js';

const RATIO = 'latency at k* / T_max';
const BREAKS = 'seeds breaking T_max (%)';

export function latencyFigure(a: Analysis): Figure {
  // In the study's order, as every figure lists the selectors.
  const compared = new Set([...TWO_D_SELECTORS, ACCURACY_MAX, FIXED_K]);
  const shown = a.data.selectors.filter((s) => compared.has(s));
  const rows: Obj[] = [];
  for (const condition of a.data.conditions) {
    const tMax = condition.constraints?.T_max ?? null;
    for (const model of a.data.models) {
      for (const selector of shown) {
        const cell = a.cell(condition.id, model.id, selector);
        if (!cell) continue;
        const base = { condition: condition.label, model: model.label, selector, seeds: cell.picks, mode: cell.spread.mode, latencyS: round(cell.latency.mean) };
        if (tMax !== null) {
          const r = (v: number | null) => round(v === null ? null : v / tMax);
          rows.push({ ...base, measure: RATIO, mean: r(cell.latency.mean), lo: r(cell.latency.lo), hi: r(cell.latency.hi), reference: 1 });
        }
        const b = cell.breaksLatency;
        // Accuracy-max picks inside the 3D feasible set: its share is 0 by construction.
        if (selector !== ACCURACY_MAX) rows.push({ ...base, measure: BREAKS, mean: b ? round(100 * b.share) : null, lo: b ? round(100 * b.lo) : null, hi: b ? round(100 * b.hi) : null, reference: null });
      }
    }
  }
  // Title and subtitle name the selectors the study runs alone.
  const twoD = shown.filter((s) => TWO_D_SELECTORS.includes(s));
  const [oneD, threeD] = [shown.includes(FIXED_K), shown.includes(ACCURACY_MAX)];
  const baselines = oneD ? '2D and 1D baselines' : `2D baseline${twoD.length > 1 ? 's' : ''}`;
  const title = `Latency at the pick: the ${baselines}${threeD ? ' against 3D' : ''}`;
  const ratioInterval = lacksIntervals(rows.filter((r) => r.measure === RATIO)) ? NO_INTERVAL : '95% bootstrap interval';
  const subtitle = [
    `Left: mean latency at k* over T_max (dashed: the budget), ${ratioInterval}. Right: share of seeds whose pick has mean latency above T_max, Wilson 95% interval${threeD ? ' (accuracy-max picks inside the 3D feasible set: never)' : ''}. 2D: ${listInWords(twoD)}, which ignore${twoD.length > 1 ? '' : 's'} latency${oneD ? `; 1D: ${FIXED_K}` : ''}.${noResultsNote(a, a.data.conditions, 'empty row')}`,
  ];
  return rowsFigure({
    name: 'latency-violations',
    title,
    subtitle,
    claim: 4,
    rows,
    body: intervalChart({
      ...intervalAxes(a, shown),
      measures: [RATIO, BREAKS],
      xTitle: null,
      format: '.2f',
      measureFormats: { [BREAKS]: TOOLTIP_FORMAT.percent },
      width: 150,
      step: 11,
      layout: 'measure-columns',
      // Padded, so that a budget line at the end of the axis stays clear of the frame.
      xScale: { zero: true, padding: 6 },
      // Padded too, so that a share of 0% or 100% is a whole point inside the frame.
      measureScales: { [BREAKS]: { domain: [0, 100], padding: 6, nice: false } },
      tooltip: [tip('measure', 'measure'), tip('mode', 'most frequent k*', 'd'), tip('latencyS', 'mean latency at k* (s)', TOOLTIP_FORMAT.latency), tip('seeds', 'seeds with a pick', 'd')],
      under: [
        {
          transform: [{ filter: 'isValid(datum.reference)' }, { aggregate: [{ op: 'min', field: 'reference', as: 'reference' }], groupby: ['condition', 'measure'] }],
          mark: { type: 'rule', color: '#333333', strokeDash: [4, 3] },
          encoding: { x: { field: 'reference', type: 'quantitative' } },
        },
      ],
    }),
  });
}
