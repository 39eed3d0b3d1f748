/**
 * Pareto filtering over the candidates' means: in (min cost, min latency, max accuracy), or in
 * the '2d' view of an accuracy-vs-cost analysis, (min cost, max accuracy) alone.
 */
import type { Curves } from './curves.js';
import type { View } from './feasibility.js';

/** True when candidate q is no worse than p in every objective of the view and strictly better in one. */
export function dominates(curves: Curves, q: number, p: number, view: View = '3d'): boolean {
  const cq = curves.cost.mean[q]!, cp = curves.cost.mean[p]!;
  const aq = curves.accuracy.mean[q]!, ap = curves.accuracy.mean[p]!;
  if (view === '2d') return cq <= cp && aq >= ap && (cq < cp || aq > ap);
  const tq = curves.latency.mean[q]!, tp = curves.latency.mean[p]!;
  return cq <= cp && tq <= tp && aq >= ap && (cq < cp || tq < tp || aq > ap);
}

/** The members of `indices` that no other member dominates, in the order given. */
export function paretoIndices(curves: Curves, indices: readonly number[], view: View = '3d'): number[] {
  return indices.filter((p) => !indices.some((q) => q !== p && dominates(curves, q, p, view)));
}
