/**
 * Balance, the measure behind claim 1: the worst normalized regret of a pick over the
 * feasible set F of its (scenario, model, replicate),
 *   r_C = (C - C_lo)/(C_hi - C_lo), r_T likewise, r_A = (A_hi - A)/(A_hi - A_lo),
 *   balance = max(r_C, r_T, r_A)   (lower is better),
 * with C_lo, C_hi the least and greatest mean cost over F, and so on. A term whose range over F
 * is zero counts 0 for a pick at that one value, so a one-point F gives its own point 0. A pick
 * outside F (a baseline's) is scored by the same formula and may fall outside [0, 1]; where F
 * has one value of a measure and the pick another, no range scales its regret, and its balance
 * is null (not defined), as it is when F is empty.
 */
import type { Curves } from './curves.js';

export function balance(curves: Curves, feasible: readonly number[], i: number): number | null {
  if (feasible.length === 0) return null;
  const regret = (values: number[], lowerIsBetter: boolean): number => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const j of feasible) {
      lo = Math.min(lo, values[j]!);
      hi = Math.max(hi, values[j]!);
    }
    if (!(hi > lo)) return values[i] === lo ? 0 : Number.NaN;
    return lowerIsBetter ? (values[i]! - lo) / (hi - lo) : (hi - values[i]!) / (hi - lo);
  };
  const terms = [regret(curves.cost.mean, true), regret(curves.latency.mean, true), regret(curves.accuracy.mean, false)];
  return terms.some(Number.isNaN) ? null : Math.max(...terms);
}
