/**
 * What each knee saves against accuracy-max on the same seeds, and what it gives up, beside the
 * figures quoted for the paper (dashed).
 */
import { noResultsNote, type Analysis } from '../analysis.js';
import { QUOTED } from '../claims.js';
import { leastDigit, round } from '../format.js';
import { ACCURACY_MAX, KNEES } from '../selectors.js';
import type { PairedMeasure } from '../statistics.js';
import { intervalAxes, intervalChart, lacksIntervals, NO_INTERVAL } from './intervals.js';
import { rowsFigure, tip, type Figure, type Obj } from './theme.js';

const MEASURES: readonly { key: PairedMeasure; label: string; quoted: [number, number] }[] = [
  { key: 'costSaved', label: 'cost saved (%)', quoted: [QUOTED.costSaved, QUOTED.costSaved] },
  { key: 'latencySaved', label: 'latency saved (%)', quoted: [QUOTED.latencySaved, QUOTED.latencySaved] },
  { key: 'accuracyLost', label: 'accuracy given up (% points)', quoted: [QUOTED.accuracyLostLo, QUOTED.accuracyLostHi] },
];

/** Percentage points below which two dots on these axes (0 to 100) print as one. */
const INDISTINGUISHABLE_POINTS = 0.5;

/**
 * How cost and latency saved compare, given their largest gap and the least gap the figure's
 * digits resolve: that gap as a bound a reader can take in (0.0003 -> "0.0003", 0.01234 ->
 * "0.013"), or, below the least, that bound (never 3.6e-15, which is noise).
 */
function gapWords(gap: number, least: number): string {
  if (gap === 0) return 'are equal';
  if (gap < least) return `differ by less than ${least < 1 ? least.toFixed(Math.round(-Math.log10(least))) : least} percentage points`;
  return `differ by ${Number(gap.toPrecision(2))} percentage points at most`;
}

export function savingsFigure(a: Analysis): Figure {
  const knees = KNEES.filter((k) => a.data.selectors.includes(k));
  const kneePairs = a.paired.filter((p) => p.reference === ACCURACY_MAX && knees.includes(p.selector));
  const rows: Obj[] = [];
  for (const p of kneePairs) {
    const condition = a.condition(p.condition).label;
    const model = a.data.models.find((m) => m.id === p.model)?.label ?? p.model;
    const kneeK = a.cell(p.condition, p.model, p.selector)?.spread.mode ?? null;
    const maxK = a.cell(p.condition, p.model, ACCURACY_MAX)?.spread.mode ?? null;
    for (const m of MEASURES) {
      const s = p[m.key];
      rows.push({ condition, model, selector: p.selector, measure: m.label, mean: round(s.mean), lo: round(s.lo), hi: round(s.hi), pairs: p.pairs, kneeK, maxK, quotedLo: m.quoted[0], quotedHi: m.quoted[1] });
    }
  }
  // Under the paper's latency model cost and latency both grow in proportion to k (up to Monte
  // Carlo noise), so the two savings nearly coincide; said, with the largest gap, when the data
  // show it, lest two matching columns look like a slip. The figure gives its values to
  // ROUND_DIGITS significant digits: a gap below their last digit, at the largest saving drawn, is
  // said as less than that digit.
  const savings = kneePairs.flatMap(({ costSaved: { mean: cost }, latencySaved: { mean: latency } }) => (cost === null || latency === null ? [] : [[cost, latency] as const]));
  const gaps = savings.map(([cost, latency]) => Math.abs(cost - latency));
  const largestGap = gaps.length > 0 ? Math.max(...gaps) : null;
  const least = leastDigit(Math.max(0, ...savings.flat().map(Math.abs)));
  const nearlyEqual = largestGap !== null && largestGap < INDISTINGUISHABLE_POINTS;
  const quoted = { aggregate: [{ op: 'min', field: 'quotedLo', as: 'quotedLo' }, { op: 'max', field: 'quotedHi', as: 'quotedHi' }], groupby: ['condition', 'measure'] };
  const title = 'Knee vs accuracy-max: savings and accuracy given up';
  const subtitle = [
    `Per seed on the same simulated curves, then mean over seeds; ${lacksIntervals(rows) ? NO_INTERVAL : 'line: 95% bootstrap interval'}. No dot: the knee or accuracy-max picked no k in any seed. Grey: the figures quoted for the paper's v1 (${QUOTED.costSaved}% cost, ${QUOTED.latencySaved}% latency, ${QUOTED.accuracyLostLo}-${QUOTED.accuracyLostHi} percentage points of accuracy).${noResultsNote(a, a.data.conditions, 'empty row')}`,
    ...(nearlyEqual ? [`Cost and latency saved ${gapWords(largestGap, least)}: in this latency model both grow in proportion to k.`] : []),
  ];
  return rowsFigure({
    name: 'savings',
    title,
    subtitle,
    rows,
    body: intervalChart({
      ...intervalAxes(a, knees),
      measures: MEASURES.map((m) => m.label),
      xTitle: null,
      format: '.1f',
      width: 116,
      step: 12,
      layout: 'measure-columns',
      tooltip: [tip('measure', 'measure'), tip('kneeK', "the knee's most frequent k*", 'd'), tip('maxK', "accuracy-max's most frequent k*", 'd'), tip('pairs', 'seeds paired', 'd')],
      under: [
        {
          transform: [quoted],
          mark: { type: 'rect', color: '#bbbbbb', opacity: 0.45 },
          encoding: { x: { field: 'quotedLo', type: 'quantitative' }, x2: { field: 'quotedHi' } },
        },
        {
          transform: [quoted],
          mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] },
          encoding: { x: { field: 'quotedLo', type: 'quantitative' } },
        },
        { transform: [quoted, { calculate: '0', as: 'zero' }], mark: { type: 'rule', color: '#444444', strokeWidth: 0.6 }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
      ],
    }),
  });
}
