/**
 * Descriptive statistics of one sample. Pure; every function accepts the values in any order
 * and returns null where the quantity is undefined for the sample size (never NaN).
 */

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (denominator n - 1); null below two values. */
export function sampleSd(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values) as number;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (n - 1));
}

export function sortedAscending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * Quantile of an ascending sample by linear interpolation between order statistics
 * (Hyndman & Fan type 7, the default of R and numpy): h = (n - 1) p.
 */
export function quantileOfSorted(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must lie in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  if (lo + 1 >= n) return below;
  const above = sorted[lo + 1] as number;
  return below + (h - lo) * (above - below);
}

/**
 * The same quantile as `quantileOfSorted`, of values in any order, found by selection in O(n)
 * instead of a sort; reorders `values` (partially) in place. NaN values are not allowed.
 */
export function quantileInPlace(values: Float64Array, p: number): number | null {
  const n = values.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must lie in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const below = selectInPlace(values, lo);
  if (lo + 1 >= n) return below;
  // After selection everything past `lo` is >= below; the next order statistic is their minimum.
  let above = values[lo + 1] as number;
  for (let i = lo + 2; i < n; i++) if ((values[i] as number) < above) above = values[i] as number;
  return below + (h - lo) * (above - below);
}

/**
 * The k-th smallest value (0-based), leaving values[0, k) <= values[k] <= values(k, n) (Wirth's
 * selection: Hoare partitioning around the value at k, which stays balanced on repeated values).
 */
function selectInPlace(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[k] as number;
    let i = left;
    let j = right;
    do {
      while ((values[i] as number) < pivot) i++;
      while (pivot < (values[j] as number)) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) left = i;
    if (k < i) right = j;
  }
  return values[k] as number;
}

export function quantile(values: readonly number[], p: number): number | null {
  return quantileOfSorted(sortedAscending(values), p);
}

export interface Mode {
  value: number;
  count: number;
  /** count / n */
  share: number;
}

/** The most frequent value; ties go to the smallest value so the answer never depends on order. */
export function modeOf(values: readonly number[]): Mode | null {
  if (values.length === 0) return null;
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== null && v < best)) {
      best = v;
      bestCount = c;
    }
  }
  return { value: best as number, count: bestCount, share: bestCount / values.length };
}

export interface Spread {
  n: number;
  mean: number | null;
  sd: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
  /** q75 - q25 */
  iqr: number | null;
}

export function describeSample(values: readonly number[]): Spread {
  const sorted = sortedAscending(values);
  const q25 = quantileOfSorted(sorted, 0.25);
  const q75 = quantileOfSorted(sorted, 0.75);
  return {
    n: sorted.length,
    mean: mean(sorted),
    sd: sampleSd(sorted),
    min: sorted.length > 0 ? (sorted[0] as number) : null,
    q25,
    median: quantileOfSorted(sorted, 0.5),
    q75,
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : null,
    iqr: q25 === null || q75 === null ? null : q75 - q25,
  };
}
