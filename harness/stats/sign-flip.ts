/**
 * The sign-flip (permutation) test of paired differences: under "no difference", each unit's
 * difference is as likely negative as positive, so the p-value is the share of the 2^n sign
 * assignments whose mean is at least as far from 0 as the one observed. Exact at any n (no
 * asymptotics, unlike a bootstrap interval of a few units), enumerated up to EXACT_UNITS units;
 * above, estimated from seeded random assignments, never below 1 / (1 + assignments).
 */
import type { Json } from '../experiment.js';
import { Xoshiro128 } from './random.js';

/** Up to this many units, every one of the 2^n assignments is counted. */
export const EXACT_UNITS = 16;
/** Random assignments above EXACT_UNITS units. */
export const SIGN_FLIP_ASSIGNMENTS = 20_000;

/**
 * Two-sided p-value of the mean of `differences` against 0; null for no units. Seeded from
 * `identity` above EXACT_UNITS units, so the same data always give the same value.
 */
export function signFlipPValue(differences: readonly number[], identity: Json, assignments = SIGN_FLIP_ASSIGNMENTS): number | null {
  const n = differences.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(differences).sort();
  const observed = Math.abs(sum(sorted));
  // Sums that equal the observed one up to rounding count as reaching it.
  const reaches = (s: number) => Math.abs(s) >= observed - 1e-9 * (1 + observed);
  if (n <= EXACT_UNITS) {
    let count = 0;
    for (let signs = 0; signs < 2 ** n; signs++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += signs & (1 << i) ? -sorted[i]! : sorted[i]!;
      if (reaches(s)) count++;
    }
    return count / 2 ** n;
  }
  const random = Xoshiro128.fromIdentity({ signFlip: identity });
  const units = new Float64Array(n);
  let count = 0;
  for (let b = 0; b < assignments; b++) {
    random.fill(units);
    let s = 0;
    for (let i = 0; i < n; i++) s += units[i]! < 0.5 ? -sorted[i]! : sorted[i]!;
    if (reaches(s)) count++;
  }
  return (1 + count) / (1 + assignments);
}

function sum(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
