/** Shared builders for the inference-scaling tests. */
import type { Curves, MetricCurve } from '../../experiments/inference-scaling/curves.js';
import type { SimOptions } from '../../experiments/inference-scaling/kernel.js';

export const simOptions = (overrides: Partial<SimOptions> = {}): SimOptions => ({
  M: 300,
  k_max: 128,
  P: 4,
  step: 'P',
  sampling: 'crn',
  latency: 'paper',
  sd_A_scale: 1,
  ...overrides,
});

const metric = (mean: readonly number[]): MetricCurve => ({
  mean: [...mean],
  sd: mean.map(() => 0),
  q025: [...mean],
  q50: [...mean],
  q975: [...mean],
});

/** Curves with the given means; budget shares default to 1 (always within budget). */
export function curvesFromMeans(
  k: readonly number[],
  cost: readonly number[],
  latency: readonly number[],
  accuracy: readonly number[],
  shares: Partial<Pick<Curves, 'pCost' | 'pLatency' | 'pBoth'>> = {},
): Curves {
  const ones = k.map(() => 1);
  return {
    k: [...k],
    cost: metric(cost),
    latency: metric(latency),
    accuracy: metric(accuracy),
    pCost: shares.pCost ?? ones,
    pLatency: shares.pLatency ?? ones,
    pBoth: shares.pBoth ?? ones,
    trials: 100,
  };
}
