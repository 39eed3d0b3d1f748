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
function selectorCellsChart(a: Analysis, xTitle: string, format: string, tooltip: Obj[]): Obj {
  return intervalChart({ ...intervalAxes(a), xTitle, format, width: 104, sharedX: true, step: 30, layout: 'columns', xScale: { zero: true }, tooltip });
}

export function picksFigure(a: Analysis): Figure {
  const rows = cellRows(a, (c) => c.kStar, a.data.selectors);
  const title = 'k* per selector, model and scenario';
  const subtitle = [
    'Dot: mean k* over the seeds with a pick; line: 95% bootstrap interval.',
    'A selector without a dot for a model had no feasible k in any seed.',
  ];
  const tooltip = [tip('mode', 'most frequent k*', 'd'), tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share), tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k), tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share)];
  return rowsFigure({ name: 'picks', title, subtitle, body: selectorCellsChart(a, 'k*', TOOLTIP_FORMAT.k, tooltip), rows });
}

export function balanceFigure(a: Analysis): Figure {
  const rows = cellRows(a, (c) => c.balance, a.data.selectors);
  const title = 'Balance at k* (claim 1; lower is better)';
  const subtitle = [
    'Balance: worst normalized regret of the pick over the feasible set, max(r_C, r_T, r_A).',
    'Dot: mean over seeds; line: 95% bootstrap interval.',
  ];
  return rowsFigure({ name: 'balance', title, subtitle, body: selectorCellsChart(a, 'balance (worst normalized regret)', '.3f', [tip('seeds', 'seeds', 'd')]), rows });
}
