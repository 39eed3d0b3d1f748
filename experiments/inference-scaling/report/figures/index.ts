/** Every figure of the report, in page order. */
import { baselineView, conditionsView, type Analysis } from '../analysis.js';
import { modelPairsLack } from '../claims.js';
import { LABEL_PARTS, slugify, type Pick } from '../data.js';
import { ACCURACY_MAX, KNEES, lacking, TWO_D_SELECTORS } from '../selectors.js';
import { ablationFigures } from './ablation.js';
import { curveFigure } from './curves.js';
import { latencyFigure } from './latency.js';
import { comparedConditions, sizeClassFigure } from './models.js';
import { balanceFigure, picksFigure } from './picks.js';
import { projectionsFigure } from './projections.js';
import { savingsFigure } from './savings.js';
import { stabilityFigure, stabilitySummaryFigure } from './stability.js';
import { sweepFigures } from './sweep.js';
import { qualified, type Figure } from './theme.js';

const oneSeed = (a: Analysis) => (a.data.replicates.length < 2 ? 'one seed in the results, so every k* is trivially stable' : null);

/** Whether some seed's pick passes `test`. */
const anyPick = (a: Analysis, test: (p: Pick) => boolean) => a.data.picks.some(test);
/** A pick of a k (by one of `selectors`, when given). */
const picked =
  (selectors?: readonly string[]) =>
  (p: Pick): boolean =>
    p.kStar !== null && (selectors === undefined || selectors.includes(p.selector));

const noPick = (a: Analysis) => (anyPick(a, picked()) ? null : 'no selector picked a k in any seed');

/** Whether, in some seed, accuracy-max and a knee both picked a k: what the savings compare. */
function anySavings(a: Analysis): boolean {
  const seed = (p: Pick) => `${p.condition}\u0000${p.model}\u0000${p.replicate}`;
  const reference = new Set(a.data.picks.filter(picked([ACCURACY_MAX])).map(seed));
  return anyPick(a, (p) => picked(KNEES)(p) && reference.has(seed(p)));
}

/** The first of `reasons` that applies, or null. */
const firstReason =
  (...reasons: ((a: Analysis) => string | null)[]) =>
  (a: Analysis): string | null => {
    for (const reason of reasons) {
      const found = reason(a);
      if (found !== null) return found;
    }
    return null;
  };

/**
 * The figures a study may lack what they need for: the selectors they compare, seeds to compare,
 * or picks to show (a study whose budgets no k meets). What each shows, and what a study lacks
 * for it (null: nothing). Such a study does not get the figure drawn empty or trivial; the page
 * says which it left out and why (leftOutFigures).
 */
const CONDITIONAL: readonly { name: string; shows: string; lacks: (a: Analysis) => string | null }[] = [
  { name: 'picks', shows: "each selector's k* per model", lacks: noPick },
  { name: 'balance', shows: "each selector's balance per model", lacks: (a) => (anyPick(a, (p) => p.balance !== null) ? null : 'no pick inside a feasible set, which balance is measured over, in any seed') },
  {
    name: 'savings',
    shows: 'what each knee saves against accuracy-max',
    lacks: firstReason(
      (a) => lacking(a.data.selectors, [[ACCURACY_MAX], KNEES]),
      (a) => (anySavings(a) ? null : 'no seed in which accuracy-max and a knee both picked a k'),
    ),
  },
  { name: 'stability', shows: "each selector's k* across seeds", lacks: firstReason(oneSeed, noPick) },
  { name: 'stability-summary', shows: 'how often a selector repeats its k*', lacks: firstReason(oneSeed, noPick) },
  {
    name: 'size-classes',
    shows: 'smaller against larger models at their accuracy-max picks',
    lacks: firstReason(
      (a) => modelPairsLack(a.data).join('; ') || null,
      (a) => (anyPick(a, picked([ACCURACY_MAX])) ? null : 'accuracy-max picked no k in any seed'),
      (a) => (comparedConditions(a).length > 0 ? null : 'no scenario in which accuracy-max picked a k for models of two size classes'),
    ),
  },
  {
    name: 'latency-violations',
    shows: "the 2D accuracy-vs-cost picks' latency against T_max",
    lacks: firstReason(
      (a) => lacking(a.data.selectors, [TWO_D_SELECTORS]),
      (a) => (anyPick(a, picked(TWO_D_SELECTORS)) ? null : 'no 2D selector picked a k in any seed'),
    ),
  },
];

export interface LeftOutFigure {
  name: string;
  /** What the figure would show. */
  shows: string;
  /** Why the study does not have it: what it lacks. */
  reason: string;
}

/**
 * The figures this study does not get, for want of the selectors, seeds or picks they show; judged
 * on the figures' own view of the results (the baseline variant's, in a study with variants).
 */
export function leftOutFigures(a: Analysis): LeftOutFigure[] {
  const shown = baselineView(a);
  return CONDITIONAL.flatMap(({ name, shows, lacks }) => {
    const reason = lacks(shown);
    return reason === null ? [] : [{ name, shows, reason }];
  });
}

/** The figures that set the study's conditions side by side, in page order. */
const ACROSS_CONDITIONS: readonly ((a: Analysis) => Figure)[] = [picksFigure, balanceFigure, savingsFigure, stabilityFigure, stabilitySummaryFigure, sizeClassFigure, latencyFigure];

/**
 * In a study with variants, the paper's figures show the baseline; each factor has its own figure.
 * A figure that sets the conditions side by side shows at most CONDITIONS_PER_FIGURE of them,
 * since more would outgrow a page: a study with swept values gets it once per swept value, with
 * that value's scenarios (`picks--sim.m-100`), and more scenarios than that are split into parts
 * (`picks--part-1-of-2`, `picks--sim.m-100--part-2-of-2`), each named in the figure's title.
 */
export function allFigures(a: Analysis): Figure[] {
  const main = baselineView(a);
  const leftOut = new Set(leftOutFigures(a).map((f) => f.name));
  // The paper's figures of a study with variants say which variant they show.
  const variant = a.ablation ? [`${a.ablation.baseline} variant`] : [];
  const titled = (figure: Figure, parts: readonly string[], name = figure.name) => (parts.length === 0 ? figure : qualified(figure, name, parts.join(', ')));
  const pages = conditionPages(main);
  const across = ACROSS_CONDITIONS.flatMap((draw) => {
    if (pages.length === 1) return [titled(draw(main), variant)];
    return pages.map((page) => {
      const figure = draw(conditionsView(main, (c) => page.conditions.has(c.id), (c) => c.scenario));
      return titled(figure, [...variant, ...page.parts], [figure.name, ...page.parts.map(slugify)].join('--'));
    });
  });
  const perCondition = main.data.conditions.flatMap((c) => [curveFigure(main, c, 'accuracy'), curveFigure(main, c, 'cost'), projectionsFigure(main, c)]);
  return [...across, ...ablationFigures(a), ...sweepFigures(main), ...perCondition.map((figure) => titled(figure, variant))].filter(
    (figure) => !leftOut.has(figure.name.split('--')[0]!),
  );
}

/** The most conditions one figure sets side by side: the paper's three scenarios fit a page. */
export const CONDITIONS_PER_FIGURE = 3;

interface ConditionPage {
  /** What sets the page apart, in its title and (slugified) its name: the swept value, the part. */
  parts: string[];
  conditions: Set<string>;
}

/** The conditions' ids per figure across conditions, in the study's order. */
function conditionPages(a: Analysis): ConditionPage[] {
  return [...sweptValues(a)].flatMap(([value, ids]) => {
    const chunks = chunked([...ids], CONDITIONS_PER_FIGURE);
    return chunks.map((chunk, i) => ({
      parts: [value, chunks.length > 1 ? `part ${i + 1} of ${chunks.length}` : ''].filter((part) => part !== ''),
      conditions: new Set(chunk),
    }));
  });
}

/** `items` in consecutive runs of at most `size`, as even in length as they can be (7 as 3, 2, 2). */
function chunked<T>(items: readonly T[], size: number): T[][] {
  const count = Math.ceil(items.length / size);
  const [shorter, longer] = [Math.floor(items.length / count), items.length % count];
  const start = (i: number) => i * shorter + Math.min(i, longer);
  return Array.from({ length: count }, (_, i) => items.slice(start(i), start(i + 1)));
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
