/**
 * Which candidates meet the constraints.
 *
 * 'means' (the paper): mean C(k) <= C_max, mean T(k) <= T_max, mean A(k) >= acc_min.
 * 'chance': the budgets must hold together in at least 1 - delta of the Monte Carlo trials,
 * P(C <= C_max and T <= T_max) >= 1 - delta, and mean A(k) >= acc_min (accuracy is a target
 * for the expected quality, not a per-request budget).
 * The '2d' view drops latency, as an accuracy-vs-cost analysis would.
 */
import type { Curves } from './curves.js';

export type FeasibilityRule = 'means' | 'chance';

export interface Constraints {
  C_max: number;
  T_max: number;
  acc_min: number;
  feasibility: FeasibilityRule;
  /** Allowed share of trials that break a budget, for 'chance'. */
  delta: number;
}

export type View = '3d' | '2d';

export function isFeasible(curves: Curves, constraints: Constraints, i: number, view: View = '3d'): boolean {
  if (!(curves.accuracy.mean[i]! >= constraints.acc_min)) return false;
  if (constraints.feasibility === 'chance') {
    const p = view === '3d' ? curves.pBoth[i]! : curves.pCost[i]!;
    return p >= 1 - constraints.delta;
  }
  if (!(curves.cost.mean[i]! <= constraints.C_max)) return false;
  return view === '2d' || curves.latency.mean[i]! <= constraints.T_max;
}

/** Indices of the feasible candidates, ascending in k. */
export function feasibleIndices(curves: Curves, constraints: Constraints, view: View = '3d'): number[] {
  const out: number[] = [];
  for (let i = 0; i < curves.k.length; i++) if (isFeasible(curves, constraints, i, view)) out.push(i);
  return out;
}

/** Which constraints candidate i's means break (whatever the feasibility rule). */
export function breaksByMeans(curves: Curves, constraints: Constraints, i: number): { cost: boolean; latency: boolean; accuracy: boolean } {
  return {
    cost: curves.cost.mean[i]! > constraints.C_max,
    latency: curves.latency.mean[i]! > constraints.T_max,
    accuracy: curves.accuracy.mean[i]! < constraints.acc_min,
  };
}
