/**
 * Per-k estimates of one (scenario, model, replicate) simulation: what the kernel produces and
 * every selector reads. Index i of each array describes candidate k[i]; k ascends.
 */

export interface MetricCurve {
  mean: number[];
  /** Standard deviation across Monte Carlo trials (divisor trials - 1). */
  sd: number[];
  q025: number[];
  q50: number[];
  q975: number[];
}

export interface Curves {
  k: number[];
  /** Total cost C(k) in dollars. */
  cost: MetricCurve;
  /** Total latency T(k) in seconds. */
  latency: MetricCurve;
  /** Best-of-k accuracy A(k). */
  accuracy: MetricCurve;
  /** Share of trials with C(k) <= C_max. */
  pCost: number[];
  /** Share of trials with T(k) <= T_max. */
  pLatency: number[];
  /** Share of trials meeting both budgets at once. */
  pBoth: number[];
  /** Monte Carlo trials behind each estimate. */
  trials: number;
}
