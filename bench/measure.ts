/** Timing and the few statistics a benchmark needs. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A one-sided upper confidence bound on the median of the distribution `samples` come from,
 * without assuming its shape: the largest sample, which lies below the median only when every
 * sample does, with probability 2^-n. So five paired ratios all below 1 show, at 97%
 * confidence, that the ratio is below 1 in a typical round; a median below 1 alone does not.
 */
export function medianUpperBound(samples: readonly number[]): { bound: number; confidence: number } {
  if (samples.length === 0) throw new RangeError('median upper bound of no samples');
  return { bound: Math.max(...samples), confidence: 1 - 0.5 ** samples.length };
}

/** Seconds `work` takes, and what it returned. */
export function timed<T>(work: () => T): { seconds: number; value: T } {
  const start = performance.now();
  const value = work();
  return { seconds: (performance.now() - start) / 1000, value };
}

export async function timedAsync<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { seconds: (performance.now() - start) / 1000, value };
}

/**
 * Units per second of `work` (which returns the units it produced), run repeatedly for about
 * `seconds` after a warm-up of a third of that.
 */
export function rate(work: () => number, seconds: number): number {
  const warmUntil = performance.now() + (seconds * 1000) / 3;
  while (performance.now() < warmUntil) work();
  let produced = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    produced += work();
    now = performance.now();
  }
  return produced / ((now - start) / 1000);
}

/** 1, 2, 4, ... up to `cores`, with `cores` itself last when it is not a power of two. */
export function threadCounts(cores: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < cores; n *= 2) counts.push(n);
  counts.push(Math.max(1, cores));
  return counts;
}

/**
 * `items` in the order round `round` runs them: each round starts one further along, so over
 * rounds every item runs first, second, ... equally often (measurements taken side by side
 * share the machine's drift, and none always follows a particular other).
 */
export function inRotation<T>(items: readonly T[], round: number): T[] {
  const start = ((round % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
