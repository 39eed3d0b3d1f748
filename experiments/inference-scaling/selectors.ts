/**
 * The selection methods (STUDY.md section 5): each maps one cell's curves and constraints to a
 * pick of k or to an explicit "none" with its reason. Pure functions of their inputs; every
 * method reads the same means, so the differences between methods are paired. What each picks:
 * SELECTOR_DEFINITIONS (the report's method section lists them). Ties go to the smallest k.
 */
import { balance } from './balance.js';
import type { Curves } from './curves.js';
import { breaksByMeans, feasibleIndices, isFeasible, type Constraints } from './feasibility.js';
import { knee3d, kneeChord, kneePaper, type Knee, type Point3 } from './knee.js';
import { paretoIndices } from './pareto.js';

export const SELECTOR_IDS = [
  'accuracy-max',
  'max-cube',
  'utopia',
  'knee-paper',
  'knee-3d',
  'knee-chord',
  'fixed-k',
  'accuracy-max-2d',
  'knee-2d',
] as const;
export type SelectorId = (typeof SELECTOR_IDS)[number];

/** What each selector picks, in words. F: the feasible set under the cell's feasibility rule. */
export const SELECTOR_DEFINITIONS: Record<SelectorId, string> = {
  'accuracy-max': 'the k of F with the highest mean accuracy',
  'max-cube': 'the k of F with the largest (1 - C/C_max)(1 - T/T_max) A',
  utopia: 'the Pareto point of F nearest the utopia point, by |(C/C_max, T/T_max, 1 - A)|',
  'knee-paper': "the authors' curvature knee of F's Pareto front, as published: derivatives over the list index, the cross product of cost and latency only",
  'knee-3d': "the curvature knee of F's Pareto front, derivatives with respect to k, the full 3D cross product",
  'knee-chord': "the point of F's Pareto front farthest from the chord joining its first and last points",
  'fixed-k': 'the 1D baseline: the study\'s fixed_k, whatever the budgets',
  'accuracy-max-2d': 'the 2D baseline: the highest mean accuracy under the cost and accuracy constraints only, latency ignored',
  'knee-2d': "the 2D baseline's knee: knee-3d's curvature knee of the accuracy-vs-cost Pareto front under the cost and accuracy constraints only, points (C/C_max, A)",
};

/** What each selector's score measures. */
export const SCORE_KIND: Record<SelectorId, string | null> = {
  'accuracy-max': 'mean accuracy',
  'max-cube': 'cube volume',
  utopia: 'utopia distance',
  'knee-paper': 'curvature (2D cross product, index spacing)',
  'knee-3d': 'curvature (3D, k spacing)',
  'knee-chord': 'distance from chord',
  'fixed-k': null,
  'accuracy-max-2d': 'mean accuracy',
  'knee-2d': 'curvature (cost-accuracy plane, k spacing)',
};

/** The selectors that see only the cost and accuracy constraints (claim 4's 2D baselines). */
export const TWO_D_SELECTORS: readonly SelectorId[] = ['accuracy-max-2d', 'knee-2d'];

export const NONE_REASONS = {
  noFeasible: 'no feasible k',
  noFeasible2d: 'no k meets the cost and accuracy constraints',
  fewPareto: 'fewer than 3 Pareto points',
  noCurvature: 'curvature undefined at every interior Pareto point',
  notCandidate: (k: number, ks: readonly number[]) => `k=${k} is not a candidate k (candidates: ${ks.join(', ')})`,
} as const;

export interface SelectionOptions {
  /** The 1D baseline's k. */
  fixedK: number;
}

export interface CellDiagnostics {
  /** |F| under the cell's feasibility rule. */
  feasibleCount: number;
  /** Pareto points of F. */
  paretoCount: number;
}

export interface PickDiagnostics extends CellDiagnostics {
  score: number | null;
  scoreKind: string | null;
  /** Claim 1's worst normalized regret over F (null when F is empty). */
  balance: number | null;
  /** Whether k* is in F. */
  feasible: boolean;
  /** Which constraints the means at k* break. */
  breaksCost: boolean;
  breaksLatency: boolean;
  breaksAccuracy: boolean;
  /** For the 2D baselines: the size of the 2D feasible set they searched. */
  feasible2dCount?: number;
}

export type Selection =
  | { status: 'pick'; k: number; index: number; cost: number; latency: number; accuracy: number; diagnostics: PickDiagnostics }
  | { status: 'none'; reason: string; diagnostics: CellDiagnostics & { feasible2dCount?: number } };

type Choice = { index: number; score: number | null } | { reason: string };

interface Context {
  curves: Curves;
  constraints: Constraints;
  feasible: number[];
  pareto: number[];
  /** Feasible under the cost and accuracy constraints only. */
  feasible2d: number[];
}

/** The first index with the greatest value (the smallest k on ties), or null for an empty list. */
function argBest(indices: readonly number[], value: (i: number) => number, better: (a: number, b: number) => boolean): { index: number; score: number } | null {
  let best: { index: number; score: number } | null = null;
  for (const i of indices) {
    const v = value(i);
    if (best === null || better(v, best.score)) best = { index: i, score: v };
  }
  return best;
}

const greater = (a: number, b: number) => a > b;
const less = (a: number, b: number) => a < b;

function normalized(ctx: Context, i: number): Point3 {
  const { curves, constraints } = ctx;
  return [curves.cost.mean[i]! / constraints.C_max, curves.latency.mean[i]! / constraints.T_max, curves.accuracy.mean[i]!];
}

/** A knee of the Pareto front `front` (indices ascending in k), each point placed by `place`. */
function kneeOf(ctx: Context, front: readonly number[], place: (i: number) => Point3, knee: (points: Point3[], ks: number[]) => Knee | null): Choice {
  if (front.length < 3) return { reason: NONE_REASONS.fewPareto };
  const found = knee(
    front.map(place),
    front.map((i) => ctx.curves.k[i]!),
  );
  return found ? { index: front[found.position]!, score: found.score } : { reason: NONE_REASONS.noCurvature };
}

function fromKnee(ctx: Context, knee: (points: Point3[], ks: number[]) => Knee | null): Choice {
  if (ctx.feasible.length === 0) return { reason: NONE_REASONS.noFeasible };
  return kneeOf(ctx, ctx.pareto, (i) => normalized(ctx, i), knee);
}

function overFeasible(ctx: Context, value: (i: number) => number, better = greater): Choice {
  return argBest(ctx.feasible, value, better) ?? { reason: NONE_REASONS.noFeasible };
}

const METHODS: Record<SelectorId, (ctx: Context, options: SelectionOptions) => Choice> = {
  'accuracy-max': (ctx) => overFeasible(ctx, (i) => ctx.curves.accuracy.mean[i]!),
  'max-cube': (ctx) => {
    const { curves, constraints } = ctx;
    return overFeasible(ctx, (i) => (1 - curves.cost.mean[i]! / constraints.C_max) * (1 - curves.latency.mean[i]! / constraints.T_max) * curves.accuracy.mean[i]!);
  },
  utopia: (ctx) => {
    const distance = (i: number) => {
      const [c, t, a] = normalized(ctx, i);
      return Math.hypot(c, t, 1 - a);
    };
    return argBest(ctx.pareto, distance, less) ?? { reason: NONE_REASONS.noFeasible };
  },
  'knee-paper': (ctx) => fromKnee(ctx, (points) => kneePaper(points)),
  'knee-3d': (ctx) => fromKnee(ctx, knee3d),
  'knee-chord': (ctx) => fromKnee(ctx, (points) => kneeChord(points)),
  'fixed-k': (ctx, options) => {
    const index = ctx.curves.k.indexOf(options.fixedK);
    return index >= 0 ? { index, score: null } : { reason: NONE_REASONS.notCandidate(options.fixedK, ctx.curves.k) };
  },
  'accuracy-max-2d': (ctx) => argBest(ctx.feasible2d, (i) => ctx.curves.accuracy.mean[i]!, greater) ?? { reason: NONE_REASONS.noFeasible2d },
  'knee-2d': (ctx) => {
    if (ctx.feasible2d.length === 0) return { reason: NONE_REASONS.noFeasible2d };
    // Latency's coordinate held at 0: knee3d's curvature is then that of the plane curve (C/C_max, A).
    const place = (i: number): Point3 => [ctx.curves.cost.mean[i]! / ctx.constraints.C_max, 0, ctx.curves.accuracy.mean[i]!];
    return kneeOf(ctx, paretoIndices(ctx.curves, ctx.feasible2d, '2d'), place, knee3d);
  },
};

/** Runs one selector on one cell's curves. */
export function select(id: SelectorId, curves: Curves, constraints: Constraints, options: SelectionOptions): Selection {
  const method = METHODS[id];
  if (!method) throw new Error(`unknown selector "${String(id)}". Valid selectors: ${SELECTOR_IDS.join(', ')}.`);
  const feasible = feasibleIndices(curves, constraints);
  const ctx: Context = { curves, constraints, feasible, pareto: paretoIndices(curves, feasible), feasible2d: feasibleIndices(curves, constraints, '2d') };
  const cell: CellDiagnostics & { feasible2dCount?: number } = { feasibleCount: feasible.length, paretoCount: ctx.pareto.length };
  if (TWO_D_SELECTORS.includes(id)) cell.feasible2dCount = ctx.feasible2d.length;
  const choice = method(ctx, options);
  if ('reason' in choice) return { status: 'none', reason: choice.reason, diagnostics: cell };
  const i = choice.index;
  const breaks = breaksByMeans(curves, constraints, i);
  return {
    status: 'pick',
    k: curves.k[i]!,
    index: i,
    cost: curves.cost.mean[i]!,
    latency: curves.latency.mean[i]!,
    accuracy: curves.accuracy.mean[i]!,
    diagnostics: {
      ...cell,
      score: choice.score,
      scoreKind: SCORE_KIND[id],
      balance: balance(curves, feasible, i),
      feasible: isFeasible(curves, constraints, i),
      breaksCost: breaks.cost,
      breaksLatency: breaks.latency,
      breaksAccuracy: breaks.accuracy,
    },
  };
}
