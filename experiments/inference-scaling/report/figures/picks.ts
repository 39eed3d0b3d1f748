/**
 * Picks per selector across models and scenarios, and the claim-1 measure (balance) per selector.
 */
import type { Analysis } from '../analysis.js';
import { round } from '../format.js';
import { intervalAxes, intervalChart } from './intervals.js';
import { rowsFigure, tip, TOOLTIP_FORMAT, type Figure, type Obj } from './theme.js';

function cellRows(a: Analysis, value: (c: NonNullable<ReturnType<Analysis['cell']>>) => { mean: number | null; lo: number | null; hi: number | null }, selectors: readonly string[]): Obj[] {
  const rows: Obj[] = [];
  for (const condition of a.data.conditions) {
    for (const model of a.data.models) {
      for (const selector of selectors) {
        const cell = a.cell(condition.id, model.id, selector);
        if (!cell) continue;
        const v = value(cell);
        rows.push({
          condition: condition.label,
          model: model.label,
          selector,
          mean: round(v.mean),
          lo: round(v.lo),
          hi: round(v.hi),
          mode: cell.spread.mode,
          modeShare: round(cell.spread.modeShare),
          iqr: round(cell.spread.iqr),
          noneShare: round(cell.none?.share ?? null),
          seeds: cell.trials,
        });
      }
    }
  }
  return rows;
}

/** A dot per selector at its mean over seeds with the 95% interval, conditions side by side. */
function selectorCellsChart(a: Analysis, xTitle: string, format: string, tooltip: Obj[], x: { scale: Obj; axis?: Obj } = { scale: { zero: true } }): Obj {
  return intervalChart({ ...intervalAxes(a), xTitle, format, width: 104, sharedX: true, step: 30, layout: 'columns', xScale: x.scale, xAxis: x.axis, tooltip });
}

/** Tick values for balance on its symlog axis: 0, 1 and a 1-2-5 series beyond. */
const BALANCE_TICKS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export function picksFigure(a: Analysis): Figure {
  const rows = cellRows(a, (c) => c.kStar, a.data.selectors);
  const title = 'k* per selector, model and scenario';
  const subtitle = [
    'Dot: mean k* over the seeds with a pick; line: 95% bootstrap interval. A selector without a dot for a model picked no k in any seed: no k was feasible or, for a knee, the Pareto front had fewer than three points.',
  ];
  const tooltip = [tip('mode', 'most frequent k*', 'd'), tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share), tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k), tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share)];
  return rowsFigure({ name: 'picks', title, subtitle, body: selectorCellsChart(a, 'k*', TOOLTIP_FORMAT.k, tooltip), rows });
}

export function balanceFigure(a: Analysis): Figure {
  const rows = cellRows(a, (c) => c.balance, a.data.selectors);
  const title = 'Balance at k* (claim 1; lower is better)';
  const subtitle = [
    'Balance: worst normalized regret of the pick over the feasible set, max(r_C, r_T, r_A). Dot: mean over seeds; line: 95% bootstrap interval. Axis linear up to 1, logarithmic beyond.',
  ];
  // Symlog: the selectors that respect the budgets lie between 0 and 1, a pick outside them (the
  // 2D baseline) can lie far beyond; on a linear axis those few would squeeze all the rest into a sliver.
  const scale = { type: 'symlog', constant: 1, domainMin: 0 };
  // Vega's symlog ticks skip the linear part; these mark both parts, up to the largest value drawn
  // (a tick count below theirs would have Vega thin them out). Whole numbers, formatted as such:
  // '~g' takes its precision from the tick spacing, which writes 10 as 1e+1 on some domains.
  const top = Math.max(0, ...rows.flatMap((r) => [r.mean, r.hi]).filter((v): v is number => typeof v === 'number'));
  const values = BALANCE_TICKS.filter((v) => v <= top);
  return rowsFigure({ name: 'balance', title, subtitle, body: selectorCellsChart(a, 'balance', '.3f', [tip('seeds', 'seeds', 'd')], { scale, axis: { values, tickCount: values.length, format: 'd', labelOverlap: false } }), rows });
}
