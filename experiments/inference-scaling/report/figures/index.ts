/** Every figure of the report, in page order. */
import { baselineView, conditionsView, type Analysis } from '../analysis.js';
import { LABEL_PARTS, slugify } from '../data.js';
import { ACCURACY_MAX, KNEES, lacking, TWO_D_SELECTORS } from '../selectors.js';
import { ablationFigures } from './ablation.js';
import { curveFigure } from './curves.js';
import { latencyFigure } from './latency.js';
import { sizeClassFigure } from './models.js';
import { balanceFigure, picksFigure } from './picks.js';
import { projectionsFigure } from './projections.js';
import { savingsFigure } from './savings.js';
import { stabilityFigure, stabilitySummaryFigure } from './stability.js';
import { sweepFigures } from './sweep.js';
import { qualified, type Figure } from './theme.js';

const oneSeed = (a: Analysis) => (a.data.replicates.length < 2 ? 'one seed in the results, so every k* is trivially stable' : null);

/**
 * The figures a study may lack what they need for: the selectors they compare, or seeds to
 * compare. What each shows, and what a study lacks for it (null: nothing). Such a study does not
 * get the figure drawn empty or trivial; the page says which it left out and why
 * (leftOutFigures).
 */
const CONDITIONAL: readonly { name: string; shows: string; lacks: (a: Analysis) => string | null }[] = [
  { name: 'savings', shows: 'what each knee saves against accuracy-max', lacks: (a) => lacking(a.data.selectors, [[ACCURACY_MAX], KNEES]) },
  { name: 'stability', shows: "each selector's k* across seeds", lacks: oneSeed },
  { name: 'stability-summary', shows: 'how often a selector repeats its k*', lacks: oneSeed },
  { name: 'size-classes', shows: 'smaller against larger models at their accuracy-max picks', lacks: (a) => lacking(a.data.selectors, [[ACCURACY_MAX]]) },
  { name: 'latency-violations', shows: "the 2D accuracy-vs-cost picks' latency against T_max", lacks: (a) => lacking(a.data.selectors, [TWO_D_SELECTORS]) },
];

export interface LeftOutFigure {
  name: string;
  /** What the figure would show. */
  shows: string;
  /** Why the study does not have it: what it lacks. */
  reason: string;
}

/** The figures this study does not get, for want of the selectors or seeds they compare. */
export function leftOutFigures(a: Analysis): LeftOutFigure[] {
  return CONDITIONAL.flatMap(({ name, shows, lacks }) => {
    const reason = lacks(a);
    return reason === null ? [] : [{ name, shows, reason }];
  });
}

/** The figures that set the study's conditions side by side, in page order. */
const ACROSS_CONDITIONS: readonly ((a: Analysis) => Figure)[] = [picksFigure, balanceFigure, savingsFigure, stabilityFigure, stabilitySummaryFigure, sizeClassFigure, latencyFigure];

/**
 * In a study with variants, the paper's figures show the baseline; each factor has its own figure.
 * In a study with swept values, each figure across conditions is drawn once per swept value, with
 * that value's scenarios (`picks--sim.m-100`): all of them in one figure would outgrow a page.
 */
export function allFigures(a: Analysis): Figure[] {
  const main = baselineView(a);
  const leftOut = new Set(leftOutFigures(a).map((f) => f.name));
  const values = sweptValues(main);
  const across = ACROSS_CONDITIONS.flatMap((draw) => {
    if (values.size <= 1) return [draw(main)];
    return [...values].map(([value, conditions]) => {
      const figure = draw(conditionsView(main, (c) => conditions.has(c.id), (c) => c.scenario));
      return qualified(figure, `${figure.name}--${slugify(value)}`, value);
    });
  });
  return [
    ...across,
    ...ablationFigures(a),
    ...sweepFigures(main),
    ...main.data.conditions.flatMap((c) => [curveFigure(main, c, 'accuracy'), curveFigure(main, c, 'cost'), projectionsFigure(main, c)]),
  ].filter((figure) => !leftOut.has(figure.name.split('--')[0]!));
}

/** The conditions' ids per swept value, as a condition's label names it after its scenario ('' without). */
function sweptValues(a: Analysis): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>();
  for (const c of a.data.conditions) {
    const value = c.label === c.scenario ? '' : c.label.slice(c.scenario.length + LABEL_PARTS.length);
    values.set(value, (values.get(value) ?? new Set()).add(c.id));
  }
  return values;
}

/**
 * Whether a figure shows no bootstrap interval, so that its spec is the same from the estimates
 * alone (`analyzeEstimates`, a few tens of milliseconds): the report draws these
 * while the intervals are computed. A test checks the claim for each; were it wrong, the report
 * would notice the differing spec and draw the figure again, so the output never depends on it.
 */
export function showsNoIntervals(figure: Figure): boolean {
  return INTERVAL_FREE.some((name) => figure.name === name || figure.name.startsWith(`${name}--`));
}

const INTERVAL_FREE = ['stability', 'stability-summary', 'accuracy-vs-k', 'cost-vs-k', 'projections'];

export type { Figure };
