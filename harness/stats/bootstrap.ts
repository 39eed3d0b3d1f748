/**
 * Seeded percentile bootstrap for statistics of group means.
 *
 * Each group is resampled with replacement within itself (a stratified bootstrap: one group
 * for a plain mean, one per stratum for a pooled mean over fixed strata, two for a difference
 * or ratio of two independent means). The generator is seeded from the identity of the
 * quantity, so an interval never depends on what else was computed, in which order, or in how
 * many processes; and the values of a group are sorted first, so it never depends on the
 * order they were loaded in either.
 */
import type { Json } from '../experiment.js';
import { quantileInPlace } from './describe.js';
import { Xoshiro128 } from './random.js';

export interface BootstrapOptions {
  /** What the quantity is (e.g. `{ metric: 'cost', cell: {...} }`): the seed derives from it. */
  identity: Json;
  /** Number of resamples; default 2000. 0 gives the estimate alone (bounds null), as a quick preview. */
  resamples?: number;
  /** Coverage of the interval; default 0.95. */
  level?: number;
}

export interface Interval {
  /** The statistic on the data as given. */
  estimate: number;
  /** Percentile bounds; null when resampling cannot vary the statistic (no group has 2 values). */
  lo: number | null;
  hi: number | null;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_LEVEL = 0.95;

/**
 * Percentile interval of `statistic(means of the groups)`. Returns null when a group is
 * empty. Replicates where the statistic is not a number (e.g. 0/0) make the bounds null.
 */
export function bootstrapMeans(
  groups: readonly (readonly number[])[],
  statistic: (means: readonly number[]) => number,
  options: BootstrapOptions,
): Interval | null {
  return percentileInterval(groups, options, statistic, (resampled, replicates) => {
    const means = new Array<number>(resampled.length);
    for (let b = 0; b < replicates.length; b++) {
      for (let g = 0; g < resampled.length; g++) means[g] = (resampled[g] as Float64Array)[b] as number;
      replicates[b] = statistic(means);
    }
  });
}

/** Mean of one sample with its percentile interval. */
export function bootstrapMeanInterval(values: readonly number[], options: BootstrapOptions): Interval | null {
  return percentileInterval([values], options, (means) => means[0] as number, ([resampled], replicates) => replicates.set(resampled as Float64Array));
}

/**
 * Mean over fixed strata (e.g. models), resampling within each stratum; the estimate equals the
 * plain mean of all values.
 */
export function bootstrapStratifiedMeanInterval(
  strata: readonly (readonly number[])[],
  options: BootstrapOptions,
): Interval | null {
  const sizes = strata.map((s) => s.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const pooled = (means: readonly number[]) => means.reduce((acc, v, i) => acc + v * (sizes[i] as number), 0) / total;
  return percentileInterval(strata, options, pooled, (resampled, replicates) => {
    // The same operations in the same order as `pooled`, so the same bits, a column at a time.
    replicates.fill(0);
    resampled.forEach((column, i) => {
      const size = sizes[i] as number;
      for (let b = 0; b < replicates.length; b++) replicates[b] = (replicates[b] as number) + (column[b] as number) * size;
    });
    for (let b = 0; b < replicates.length; b++) replicates[b] = (replicates[b] as number) / total;
  });
}

/**
 * Mean of clustered values over fixed strata, resampling whole clusters within each stratum: for
 * values that are not independent of one another within a cluster (e.g. one seed's values in
 * several scenarios simulated from the same random numbers), which must be drawn together.
 * `strata[s][c]` holds the values of cluster c of stratum s; a cluster without values is left out.
 * Each resample draws as many clusters as its stratum has, with replacement, and takes the mean
 * of every value drawn (their sum over their count). The estimate is the plain mean of all values.
 * The clusters are ordered by their sums and sizes before resampling, and a cluster's values
 * summed in ascending order, so the interval never depends on the order they were loaded in.
 * With one value per cluster this is a stratified bootstrap of the values (not to the bit).
 */
export function bootstrapClusteredMeanInterval(strata: readonly (readonly (readonly number[])[])[], options: BootstrapOptions): Interval | null {
  const { resamples, level } = checkedOptions(options);
  const kept = strata.map((clusters) => clusters.filter((c) => c.length > 0)).filter((clusters) => clusters.length > 0);
  if (kept.length === 0) return null;
  const estimate = meanOf(Float64Array.from(kept.flat(2)).sort());
  if (resamples === 0 || kept.every((clusters) => clusters.length < 2)) return { estimate, lo: null, hi: null };

  const sums = new Float64Array(resamples);
  const counts = new Float64Array(resamples);
  const means = [new Float64Array(resamples), new Float64Array(resamples)];
  const rng = Xoshiro128.fromIdentity({ bootstrap: options.identity });
  for (const clusters of kept) {
    const totals = clusters
      .map((c) => [sumOf(Float64Array.from(c).sort()), c.length] as const)
      .sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1]));
    const n = totals.length;
    rng.resampleJointMeans([Float64Array.from(totals, (t) => t[0]), Float64Array.from(totals, (t) => t[1])], means, resamples);
    for (let b = 0; b < resamples; b++) {
      sums[b] = (sums[b] as number) + (means[0]![b] as number) * n;
      counts[b] = (counts[b] as number) + (means[1]![b] as number) * n;
    }
  }
  return percentileBounds(estimate, sums.map((sum, b) => sum / (counts[b] as number)), level);
}

/**
 * Mean and percentile interval of each of several measures taken on the same units (e.g. the
 * cost, latency and accuracy of one selector's pick in each seed), from one resampling of the
 * units: each resample draws n units with replacement and takes every measure's mean over the
 * same drawn units (the case-resampling bootstrap). A measure's interval is as valid as one
 * from a resampling of its own; the measures keep their correlation across resamples; and one
 * draw serves every measure, so five measures cost about two and a half times one, not five.
 *
 * `columns[c][u]` is measure c on unit u; every column has a value for every unit. The units are
 * sorted by their values (first column, then the next on ties...) before resampling, so the
 * intervals never depend on the order the units were loaded in. With one column this is
 * `bootstrapMeanInterval`, to the bit. Returns null for each measure when there are no units.
 */
export function bootstrapJointMeanIntervals(columns: readonly (readonly number[])[], options: BootstrapOptions): (Interval | null)[] {
  const { resamples, level } = checkedOptions(options);
  const n = columns[0]?.length ?? 0;
  const uneven = columns.find((c) => c.length !== n);
  if (uneven) throw new RangeError(`bootstrapJointMeanIntervals: every measure needs one value per unit: ${n} units, a measure with ${uneven.length} values`);
  if (n === 0) return columns.map(() => null);

  const order = Array.from({ length: n }, (_, u) => u).sort((a, b) => {
    for (const column of columns) {
      const x = column[a] as number;
      const y = column[b] as number;
      if (x !== y) return x < y ? -1 : 1; // not x - y: Infinity - Infinity is NaN
    }
    return 0;
  });
  const ordered = columns.map((column) => Float64Array.from(order, (u) => column[u] as number));
  // Each estimate sums its own values in ascending order, as the single-measure bootstrap does.
  const estimates = columns.map((column) => meanOf(Float64Array.from(column).sort()));
  if (resamples === 0 || n < 2) return estimates.map((estimate) => ({ estimate, lo: null, hi: null }));

  const means = columns.map(() => new Float64Array(resamples));
  Xoshiro128.fromIdentity({ bootstrap: options.identity }).resampleJointMeans(ordered, means, resamples);
  return means.map((replicates, c) => percentileBounds(estimates[c] as number, replicates, level));
}

/**
 * The bootstrap shared by the statistics above: `estimate` of the groups' means, and
 * `replicate`, which writes the statistic of every resample (column b of each group's resampled
 * means) into `replicates`. Each statistic has its own loop over the resamples, rather than one
 * loop calling every statistic, so that V8 optimizes each loop once (one shared loop was
 * re-optimized for every new statistic it met).
 */
function percentileInterval(
  groups: readonly (readonly number[])[],
  options: BootstrapOptions,
  estimate: (means: readonly number[]) => number,
  replicate: (resampled: readonly Float64Array[], replicates: Float64Array) => void,
): Interval | null {
  const { resamples, level } = checkedOptions(options);
  if (groups.length === 0 || groups.some((g) => g.length === 0)) return null;

  const sorted = groups.map((g) => Float64Array.from(g).sort());
  const value = estimate(sorted.map(meanOf));
  if (resamples === 0 || sorted.every((g) => g.length < 2)) return { estimate: value, lo: null, hi: null };

  const resampled = sorted.map(() => new Float64Array(resamples));
  Xoshiro128.fromIdentity({ bootstrap: options.identity }).resampleMeans(sorted, resampled, resamples);
  const replicates = new Float64Array(resamples);
  replicate(resampled, replicates);
  return percentileBounds(value, replicates, level);
}

function checkedOptions(options: BootstrapOptions): { resamples: number; level: number } {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`bootstrap: resamples must be a non-negative integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must lie in (0, 1), got ${level}`);
  return { resamples, level };
}

/** The interval from the replicates (reordered in place); no bounds when a replicate is NaN. */
function percentileBounds(estimate: number, replicates: Float64Array, level: number): Interval {
  if (replicates.some(Number.isNaN)) return { estimate, lo: null, hi: null };
  const tail = (1 - level) / 2;
  return { estimate, lo: quantileInPlace(replicates, tail), hi: quantileInPlace(replicates, 1 - tail) };
}

function sumOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

function meanOf(values: Float64Array): number {
  return sumOf(values) / values.length;
}
