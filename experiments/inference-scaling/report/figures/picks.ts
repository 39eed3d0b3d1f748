/**
 * Picks per selector across models and scenarios, and the claim-1 measure (balance) per selector.
 */
import { noResultsNote, type Analysis } from '../analysis.js';
import { feasibleSetNote } from '../factors.js';
import { round } from '../format.js';
import { intervalAxes, intervalChart, lacksIntervals, NO_INTERVAL, type IntervalChartOptions } from './intervals.js';
import { logKDomain, powerOfTwoTicks, rowsFigure, tip, TOOLTIP_FORMAT, type Figure, type Obj } from './theme.js';

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
          outsideShare: round(cell.infeasible?.share ?? null),
          seeds: cell.trials,
        });
      }
    }
  }
  return rows;
}

/** A dot per selector at its mean over seeds with the 95% interval, conditions side by side. */
function selectorCellsChart(a: Analysis, xTitle: string, format: string, tooltip: Obj[], extra: Partial<IntervalChartOptions> = {}): Obj {
  return intervalChart({ ...intervalAxes(a), xTitle, format, width: 104, sharedX: true, step: 30, layout: 'columns', xScale: { zero: true }, tooltip, ...extra });
}

/**
 * Where a balance beyond 1 is drawn: past the end of F's range, at the axis label "> 1". Only a
 * pick outside F (the baselines) scores above 1, and it can score far above (the 2D baseline
 * over 10): an axis long enough for it would squeeze the range from 0 to 1, where claim 1's
 * comparisons lie, into a sliver.
 */
const BEYOND_F = 1.2;

/**
 * The rows whose pick lies outside the 3D feasible set in most seeds: a baseline's (a fixed k over
 * a budget, a 2D pick over T_max). Drawn hollow, so that a dot does not read as a feasible pick.
 */
const MOST = 0.5;
const MOSTLY_OUTSIDE = `datum.outsideShare > ${MOST}`;

export function picksFigure(a: Analysis): Figure {
  const rows = cellRows(a, (c) => c.kStar, a.data.selectors);
  const title = 'k* per selector, model and scenario';
  const outside = rows.some((r) => typeof r['mean'] === 'number' && typeof r.outsideShare === 'number' && r.outsideShare > MOST);
  const subtitle = [
    `Dot: mean k* over the seeds with a pick; ${lacksIntervals(rows) ? NO_INTERVAL : 'line: 95% bootstrap interval'}.${outside ? ' Hollow dot: the pick lies outside the feasible set F (over a budget) in most seeds.' : ''} A selector without a dot for a model picked no k in any seed: no k was feasible or, for a knee, the Pareto front had fewer than three points.${noResultsNote(a, a.data.conditions, 'empty row')}`,
  ];
  const tooltip = [
    tip('mode', 'most frequent k*', 'd'),
    tip('modeShare', 'seeds at that k*', TOOLTIP_FORMAT.share),
    tip('iqr', 'IQR of k*', TOOLTIP_FORMAT.k),
    tip('noneShare', 'seeds with no pick', TOOLTIP_FORMAT.share),
    tip('outsideShare', 'seeds with the pick outside F', TOOLTIP_FORMAT.share),
  ];
  // k on a log axis, as in every figure of curves: most picks lie at 4 to 16 of 128, which a
  // linear axis squeezes into its first eighth. The axis spans the picks and their intervals
  // exactly (a nice domain ran on past 128 and left too little room for every power of two), and
  // its end labels are centred on their ticks (flushed inside, 128 ran into 64 and was hidden).
  const ks = rows.flatMap((r) => [r.lo, r.mean, r.hi]).filter((v): v is number => typeof v === 'number' && v > 0);
  const [least, most] = ks.length ? [Math.min(...ks), Math.max(...ks)] : [1, 2];
  const values = powerOfTwoTicks(least, most);
  // Out to the ticks where the picks lie within an octave.
  const domain = logKDomain(Math.min(least, values[0]!), Math.max(most, values.at(-1)!));
  const logK = { xScale: { type: 'log', base: 2, domain, nice: false }, xAxis: { values, tickCount: values.length, format: 'd', labelFlush: false } };
  return rowsFigure({ name: 'picks', title, subtitle, body: selectorCellsChart(a, 'k* (log)', TOOLTIP_FORMAT.k, tooltip, { ...logK, ...(outside ? { hollow: MOSTLY_OUTSIDE } : {}) }), rows });
}

/** F where the conditions' rule is not the paper's: the one rule of them all, or where to find each. */
function feasibleSetNotes(a: Analysis): string {
  const notes = new Set(a.data.conditions.map((c) => feasibleSetNote(c.rule, ' ', '.')));
  return notes.size === 1 ? [...notes][0]! : ' F differs between the conditions: the method states it for each.';
}

export function balanceFigure(a: Analysis): Figure {
  // Beyond 1 the axis is not linear: any value there is drawn at "> 1".
  const clip = (v: unknown) => (typeof v === 'number' ? (v > 1 ? BEYOND_F : v) : null);
  const rows = cellRows(a, (c) => c.balance, a.data.selectors).map((r) => ({
    ...r,
    beyond: typeof r['mean'] === 'number' && r['mean'] > 1,
    atMean: clip(r['mean']),
    atLo: clip(r['lo']),
    atHi: clip(r['hi']),
  }));
  const past = rows.some((r) => r.atHi === BEYOND_F || r.atMean === BEYOND_F);
  const title = 'Balance at k* (claim 1; lower is better)';
  const subtitle = [
    `Balance: worst normalized regret of the pick over the feasible set F, max(r_C, r_T, r_A): 0 is the best of F in cost, latency and accuracy, 1 the worst of F in one of them. Dot: mean over seeds; ${lacksIntervals(rows) ? NO_INTERVAL : 'line: 95% bootstrap interval'}.${rows.some((r) => r.atMean === null) ? ' No dot: in no seed a pick with a balance: none, no feasible k to measure it against, or a pick outside F where F has one value of a measure and the pick another (no range scales its regret).' : ''}${noResultsNote(a, a.data.conditions, 'empty row')}${feasibleSetNotes(a)}`,
    ...(rows.some((r) => r.beyond)
      ? ['A triangle at "> 1": a pick outside F (a baseline) whose mean balance exceeds 1; its value is in the scenario tables.']
      : past
        ? ['A line to "> 1": an interval that reaches beyond 1 (a baseline\'s pick outside F in some seeds).']
        : []),
  ];
  const ticks = [0, 0.5, 1, ...(past ? [BEYOND_F] : [])];
  // A tick count below the values' would have Vega thin them out.
  const axis = { values: ticks, tickCount: ticks.length, format: '.2~f', labelExpr: `datum.value > 1 ? '> 1' : datum.label`, labelOverlap: false, labelFlush: false };
  // The end of F's range, where the axis breaks.
  const under = past ? [{ mark: { type: 'rule', strokeDash: [3, 2], color: '#888888', strokeWidth: 0.8 }, encoding: { x: { datum: 1, type: 'quantitative' } } }] : [];
  const body = selectorCellsChart(a, 'balance', '.3f', [tip('mode', 'most frequent k*', 'd'), tip('seeds', 'seeds', 'd')], {
    xScale: { domain: [0, past ? BEYOND_F : 1], nice: false, zero: true },
    xAxis: axis,
    at: { mean: 'atMean', lo: 'atLo', hi: 'atHi' },
    shape: { condition: { test: 'datum.beyond', value: 'triangle-right' }, value: 'circle' },
    under,
  });
  return rowsFigure({ name: 'balance', title, subtitle, body, rows });
}
