/** Pareto filtering in (min cost, min latency, max accuracy) over the candidates' means. */
import type { Curves } from './curves.js';

/** True when candidate q is no worse than p in all three objectives and strictly better in one. */
export function dominates(curves: Curves, q: number, p: number): boolean {
  const cq = curves.cost.mean[q]!, cp = curves.cost.mean[p]!;
  const tq = curves.latency.mean[q]!, tp = curves.latency.mean[p]!;
  const aq = curves.accuracy.mean[q]!, ap = curves.accuracy.mean[p]!;
  return cq <= cp && tq <= tp && aq >= ap && (cq < cp || tq < tp || aq > ap);
}

/** The members of `indices` that no other member dominates, in the order given. */
export function paretoIndices(curves: Curves, indices: readonly number[]): number[] {
  return indices.filter((p) => !indices.some((q) => q !== p && dominates(curves, q, p)));
}
