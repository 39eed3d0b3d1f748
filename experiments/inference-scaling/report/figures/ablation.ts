/**
 * One figure per factor of a one-factor-at-a-time study, each showing what that factor is
 * expected to change (a factor the report does not know gets the k* shift):
 * - Monte Carlo size, sampling: the spread of k* across seeds, per selector;
 * - latency model: the baseline's picks that the other latency model makes infeasible;
 * - feasibility rule: picks that break a budget in more than delta of the runs;
 * - accuracy spread: how many smaller-vs-large model pairs still match at lower cost (claim 3);
 * - largest k: what each selector saves against accuracy-max, whose spending the cap bounds;
 * - k step and others: how far k* moves from the baseline's on the same seeds.
 */
import type { ShareInterval } from '../../../../harness/stats/index.js';
import type { LevelStats } from '../ablation.js';
import type { Analysis } from '../analysis.js';
import type { Factor } from '../factors.js';
import { round } from '../format.js';
import { ACCURACY_MAX, FEASIBLE_SET_SELECTORS } from '../selectors.js';
import { boldFacet, rowsFigure, selectorColourScale, tip, TOOLTIP_FORMAT, wrapped, type Figure, type Obj } from './theme.js';

type View = (a: Analysis, factor: Factor) => Figure;

const VIEWS: Readonly<Record<string, View>> = {
  'sim.M': spreadFigure,
  'sim.sampling': spreadFigure,
  'sim.latency': rejudgedFigure,
  feasibility: budgetFigure,
  'sim.sd_A_scale': modelPairsFigure,
  'sim.k_max': savedFigure,
};

/**
 * A y scale from zero with a margin at either end and no rounding out: the axis's labels sit on
 * their ticks (Vega sets a label at the very end of an axis flush with it, which put "0" above
 * its tick), and a point at zero clear of the frame.
 */
const MARGINED = { zero: true, nice: false, padding: 6 } as const;

/** Greys for the levels of a factor where colour already means the selector elsewhere. */
const LEVEL_GREYS = ['#252525', '#737373', '#a3a3a3', '#cccccc'];

export function ablationFigures(a: Analysis): Figure[] {
  return (a.ablation?.factors ?? []).map((factor) => (VIEWS[factor.id] ?? shiftFigure)(a, factor));
}

function levelsOf(a: Analysis, factor: Factor): LevelStats[] {
  return (a.ablation?.levels ?? []).filter((l) => l.factor === factor.id);
}

function groupsOf(a: Analysis, factor: Factor): string[] {
  return (a.ablation?.groups ?? []).filter((g) => g.factor.id === factor.id).map((g) => g.label);
}

const pct = (s: ShareInterval | null) => ({ mean: s ? round(100 * s.share) : null, lo: s ? round(100 * s.lo) : null, hi: s ? round(100 * s.hi) : null, n: s?.n ?? null });

function named(factor: Factor, title: string, subtitle: string[], body: Obj, rows: Obj[]): Figure {
  return rowsFigure({ name: `ablation--${factor.slug}`, title, subtitle, body, rows });
}

/**
 * A Vega expression that labels the baseline's level as such (`lines`: on a second line, as an
 * axis's narrow tick labels want), or none where the factor has no baseline level.
 */
function baselineLabel(factor: Factor, lines: boolean): Obj {
  const baseline = factor.levels.find((l) => l.baseline)?.label;
  if (baseline === undefined) return {};
  const marked = lines ? "[datum.label, '(baseline)']" : "datum.label + ' (baseline)'";
  // JSON's string syntax is an expression's, but for the line and paragraph separators, which an expression must escape.
  const literal = JSON.stringify(baseline).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return { labelExpr: `datum.label === ${literal} ? ${marked} : datum.label` };
}

function levelAxis(factor: Factor): Obj {
  return { field: 'level', type: 'ordinal', sort: factor.levels.map((l) => l.label), title: factor.title, axis: { labelAngle: 0, ...baselineLabel(factor, true) } };
}

/** A line through the factor's levels with a point at each; `y` titles the axis, `point` adds encodings to the points. */
function levelLine(x: Obj, y: Obj & { field: string }, color: Obj, pointSize: number, point: Obj): Obj[] {
  return [
    { mark: { type: 'line', strokeWidth: 1.1 }, encoding: { x, y: { field: y.field, type: 'quantitative' }, color } },
    { mark: { type: 'point', filled: true, size: pointSize }, encoding: { x, y, color, ...point } },
  ];
}

/** k* spread (IQR across seeds, mean over models) against the factor's levels, a line per selector. */
function spreadFigure(a: Analysis, factor: Factor): Figure {
  const selectors = FEASIBLE_SET_SELECTORS.filter((s) => a.data.selectors.includes(s));
  const rows = levelsOf(a, factor)
    .filter((l) => selectors.includes(l.selector) && l.kIqr !== null)
    .map((l) => ({
      group: l.group,
      level: l.value,
      selector: l.selector,
      iqr: round(l.kIqr?.mean ?? null),
      iqrMin: round(l.kIqr?.min ?? null),
      iqrMax: round(l.kIqr?.max ?? null),
      models: l.kIqr?.count ?? null,
      shift: round(l.kShift?.mean ?? null),
    }));
  const x = levelAxis(factor);
  const color = { field: 'selector', type: 'nominal', sort: selectors, scale: selectorColourScale(a.data.selectors, selectors), title: 'selector' };
  const title = `Spread of k* across seeds against the ${factor.title}`;
  const subtitle = [
    'Interquartile range of k* over the seeds, per model, then the mean over the models with a pick. A spread near 0 says a pick repeats across seeds, not that the data decide it: a knee that takes the second candidate k repeats by construction.' +
      (factor.id === 'sim.M' ? ' Where mean accuracy reaches 1, accuracy-max takes the first k at which every run does, which varies by seed and grows with M.' : ''),
    `Selectors at the same spread share a point (the last drawn shows); ${outsideFeasibleSet(a, selectors)}.`,
  ];
  return named(
    factor,
    title,
    subtitle,
    {
      ...wrapped(boldFacet('group', groupsOf(a, factor)), groupsOf(a, factor).length),
      spec: {
        width: 140,
        height: 120,
        layer: levelLine(x, { field: 'iqr', type: 'quantitative', title: 'IQR of k* across seeds', scale: MARGINED }, color, 20, {
          tooltip: [tip('group', 'scenario'), tip('level', factor.title), tip('selector', 'selector'), tip('iqr', 'mean IQR of k*', TOOLTIP_FORMAT.k), tip('iqrMin', 'least spread model', TOOLTIP_FORMAT.k), tip('iqrMax', 'most spread model', TOOLTIP_FORMAT.k), tip('models', 'models with a pick', 'd'), tip('shift', 'mean k* shift vs baseline', TOOLTIP_FORMAT.k)],
        }),
      },
    },
    rows,
  );
}

/** Which selectors a figure leaves out, in words: those that do not pick in the 3D feasible set. */
function outsideFeasibleSet(a: Analysis, shown: readonly string[]): string {
  const left = a.data.selectors.filter((s) => !shown.includes(s));
  return left.length === 0 ? 'every selector is shown' : `${left.join(', ')}, which do not pick in the 3D feasible set, are in the table only`;
}

/** Per selector: a measure with its interval, at each non-baseline level (offset), panels by scenario. */
interface PanelOptions {
  rows: Obj[];
  selectors: string[];
  yTitle: string;
  format: string;
  byLevel: boolean;
  zeroLine: boolean;
  tooltip: Obj[];
}

/** A factor's figure of selectorPanels. */
function selectorFigure(a: Analysis, factor: Factor, title: string, subtitle: string[], o: PanelOptions): Figure {
  return named(factor, title, subtitle, selectorPanels(a, factor, o), o.rows);
}

function selectorPanels(a: Analysis, factor: Factor, o: PanelOptions): Obj {
  const levels = factor.levels.filter((l) => o.byLevel || !l.baseline).map((l) => l.label);
  const x = { field: 'selector', type: 'nominal', sort: o.selectors, title: null, axis: { labelAngle: -40, labelFontSize: 7.5 } };
  const xOffset = { field: 'level', type: 'nominal', sort: levels };
  const color = o.byLevel
    ? { field: 'level', type: 'nominal', sort: levels, scale: { domain: levels, range: levels.map((_, i) => LEVEL_GREYS[i % LEVEL_GREYS.length]) }, title: factor.title, legend: baselineLabel(factor, false) }
    : { field: 'selector', type: 'nominal', sort: o.selectors, scale: selectorColourScale(a.data.selectors, o.selectors), legend: null };
  return {
    ...wrapped(boldFacet('group', groupsOf(a, factor)), groupsOf(a, factor).length),
    spec: {
      width: 140,
      height: 110,
      layer: [
        ...(o.zeroLine ? [{ mark: { type: 'rule', color: '#444444', strokeWidth: 0.6 }, encoding: { y: { datum: 0 } } }] : []),
        { transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }], mark: { type: 'rule', strokeWidth: 1.1 }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        {
          transform: [{ filter: 'isValid(datum.mean)' }],
          mark: { type: 'point', filled: true, size: 18 },
          encoding: {
            x,
            xOffset,
            y: { field: 'mean', type: 'quantitative', title: o.yTitle, scale: MARGINED, axis: { tickCount: 5 } },
            color,
            tooltip: [tip('group', 'scenario'), tip('selector', 'selector'), tip('level', factor.title), tip('mean', o.yTitle, o.format), tip('lo', '95% low', o.format), tip('hi', '95% high', o.format), ...o.tooltip],
          },
        },
      ],
    },
  };
}

function rejudgedFigure(a: Analysis, factor: Factor): Figure {
  const selectors = FEASIBLE_SET_SELECTORS.filter((s) => a.data.selectors.includes(s));
  const rows = levelsOf(a, factor)
    .filter((l) => !l.baseline && selectors.includes(l.selector))
    .map((l) => ({ group: l.group, level: l.value, selector: l.selector, ...pct(l.rejudged), shift: round(l.kShift?.mean ?? null) }));
  const baseline = factor.levels.find((l) => l.baseline)?.label ?? 'baseline';
  const others = factor.levels.filter((l) => !l.baseline).map((l) => l.label).join(', ');
  const title = `Picks made under the ${baseline} ${factor.title} that ${others} makes infeasible`;
  const subtitle = [
    `Share of the baseline's picks (${factor.title}: ${baseline}) that are infeasible on the curves of the same model and seed under ${others} (Wilson 95% interval).`,
  ];
  return selectorFigure(a, factor, title, subtitle, { rows, selectors, yTitle: 'baseline picks now infeasible (%)', format: TOOLTIP_FORMAT.percent, byLevel: false, zeroLine: false, tooltip: [tip('n', 'picks judged', 'd'), tip('shift', 'mean k* shift', TOOLTIP_FORMAT.k)] });
}

function budgetFigure(a: Analysis, factor: Factor): Figure {
  const selectors = [...a.data.selectors];
  const rows = levelsOf(a, factor).map((l) => ({ group: l.group, level: l.value, selector: l.selector, ...pct(l.budgetBreak) }));
  const title = `Picks that break a budget in more than delta of the runs, by ${factor.title}`;
  // The study's delta, where its conditions share one (ablation.ts judges each by its own).
  const deltas = [...new Set(a.data.conditions.map((c) => c.rule.delta))];
  const delta = deltas.length === 1 ? `delta (${round(deltas[0]! * 100)}%)` : "delta (each condition's own)";
  const subtitle = [`Share of picks whose cost or latency budget fails in more than ${delta} of the Monte Carlo runs, i.e. P(C <= C_max and T <= T_max) < 1 - delta at k* (Wilson 95% interval).`];
  return selectorFigure(a, factor, title, subtitle, { rows, selectors, yTitle: 'picks breaking a budget (%)', format: TOOLTIP_FORMAT.percent, byLevel: true, zeroLine: false, tooltip: [tip('n', 'picks', 'd')] });
}

function shiftFigure(a: Analysis, factor: Factor): Figure {
  const selectors = [...a.data.selectors];
  const rows = levelsOf(a, factor)
    .filter((l) => !l.baseline)
    .map((l) => ({ group: l.group, level: l.value, selector: l.selector, mean: round(l.kShift?.mean ?? null), lo: round(l.kShift?.lo ?? null), hi: round(l.kShift?.hi ?? null), accuracy: round(l.accuracyShift?.mean ?? null) }));
  const baseline = factor.levels.find((l) => l.baseline)?.label ?? 'baseline';
  const others = factor.levels.filter((l) => !l.baseline).map((l) => l.label).join(', ');
  const title = `How far k* moves when the ${factor.title} changes from ${baseline} to ${others}`;
  const subtitle = [
    `k* minus the baseline's k* on the same model and seed, mean over models and seeds (95% bootstrap interval).`,
  ];
  return selectorFigure(a, factor, title, subtitle, { rows, selectors, yTitle: 'k* shift vs baseline', format: TOOLTIP_FORMAT.k, byLevel: factor.levels.length > 2, zeroLine: true, tooltip: [tip('accuracy', 'accuracy gained (points)', '.2f')] });
}

/** What each selector saves against accuracy-max at every level, the baseline's included (a study without accuracy-max: the k* shift). */
function savedFigure(a: Analysis, factor: Factor): Figure {
  if (!a.data.selectors.includes(ACCURACY_MAX)) return shiftFigure(a, factor);
  // The selectors that pick in the feasible set, as accuracy-max does: the others may spend more than it (a 2D pick beyond T_max).
  const selectors = FEASIBLE_SET_SELECTORS.filter((s) => s !== ACCURACY_MAX && a.data.selectors.includes(s));
  const rows = levelsOf(a, factor)
    .filter((l) => l.costSaved !== null && selectors.includes(l.selector))
    .map((l) => ({ group: l.group, level: l.value, selector: l.selector, mean: round(l.costSaved?.mean ?? null), lo: round(l.costSaved?.lo ?? null), hi: round(l.costSaved?.hi ?? null), n: l.costSaved?.n ?? null }));
  const title = `Cost saved against accuracy-max, by ${factor.title}`;
  const subtitle = [
    `% of accuracy-max's cost that each selector saves on the same model and seed, mean over models and seeds (95% bootstrap interval), at each level of the ${factor.title}.`,
    `${outsideFeasibleSet(a, [ACCURACY_MAX, ...selectors])}.`,
  ];
  return selectorFigure(a, factor, title, subtitle, { rows, selectors, yTitle: 'cost saved vs accuracy-max (%)', format: TOOLTIP_FORMAT.percent, byLevel: true, zeroLine: true, tooltip: [tip('n', 'pairs (model and seed)', 'd')] });
}

/**
 * How many of the matches drawn are ties at accuracy 1, where a level (a larger accuracy spread)
 * lets both models of a pair reach it at every seed: a match the task no longer tells apart.
 */
function ceilingSentence(rows: readonly Obj[]): string {
  const tied = rows.reduce((n, r) => n + (r.tied as number), 0);
  const matching = rows.reduce((n, r) => n + (r.matching as number), 0);
  if (tied === 0) return 'No match is a tie of two models at accuracy 1.';
  const where = rows.filter((r) => (r.tied as number) > 0).map((r) => `${r.group} at ${r.level}: ${r.tied} of ${r.matching}`);
  return `${tied} of the ${matching} matches drawn are ties of two models at accuracy 1 in every seed, where the task no longer tells them apart (${where.join('; ')}).`;
}

/** Claim 3 under each level: smaller-vs-large model pairs that match at lower cost, per scenario. */
function modelPairsFigure(a: Analysis, factor: Factor): Figure {
  const ablation = a.ablation;
  const rows: Obj[] = [];
  for (const group of ablation?.groups.filter((g) => g.factor.id === factor.id) ?? []) {
    for (const level of factor.levels) {
      const condition = group.conditions.get(level.variant);
      const claims = ablation?.claims.find((c) => c.variant === level.variant)?.claims;
      const row = condition && claims?.rows.find((r) => r.claim === 3 && r.scope === condition.labelInVariant);
      const matching = row?.numbers.matching ?? null;
      const comparable = row?.numbers.comparable ?? null;
      if (matching === null || matching === undefined || !comparable) continue;
      const tied = row?.numbers.at_ceiling ?? 0;
      rows.push({ group: group.label, level: level.label, matching, comparable, tied, pairs: `${matching}/${comparable}`, share: round(matching / comparable), verdict: row?.verdict ?? null });
    }
  }
  const x = levelAxis(factor);
  const color = { value: LEVEL_GREYS[0] };
  const title = `Claim 3 against the ${factor.title}`;
  const subtitle = [
    'Share of (small or medium, large) model pairs where the smaller model, at its accuracy-max k*, is at least as accurate as the large one (within the interval) at a lower cost (two-sample bootstrap over seeds).',
    'Each point is labelled with the pairs that match over the pairs compared: a level may compare fewer.',
    ceilingSentence(rows),
  ];
  // Room above 100% for the label of a point there; the axis stops at 100%.
  const y = { field: 'share', type: 'quantitative', title: 'pairs matching at lower cost', scale: { domain: [0, 1.15], nice: false, padding: MARGINED.padding }, axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] } };
  return named(
    factor,
    title,
    subtitle,
    {
      ...wrapped(boldFacet('group', groupsOf(a, factor)), groupsOf(a, factor).length),
      spec: {
        width: 140,
        height: 120,
        layer: [
          ...levelLine(x, y, color, 24, {
            tooltip: [tip('group', 'scenario'), tip('level', factor.title), tip('matching', 'pairs matching', 'd'), tip('comparable', 'comparable pairs', 'd'), tip('tied', 'matches tied at accuracy 1', 'd'), tip('share', 'share', TOOLTIP_FORMAT.share), tip('verdict', 'claim 3 here')],
          }),
          { mark: { type: 'text', baseline: 'bottom', dy: -5, fontSize: 7, color: '#333333' }, encoding: { x, y: { field: 'share', type: 'quantitative' }, text: { field: 'pairs' } } },
        ],
      },
    },
    rows,
  );
}
