/**
 * The sign-flip (permutation) test of paired differences: under "no difference", each unit's
 * difference is as likely negative as positive, so the p-value is the share of the 2^n sign
 * assignments whose sum is at least as far from 0 as the one observed. Exact at any n (no
 * asymptotics, unlike a bootstrap interval of a few units). Whole-number differences (k*'s) are
 * counted exactly, through the distribution of the signed sum built one unit at a time; others
 * are enumerated up to EXACT_UNITS units and above that estimated from seeded random
 * assignments, never below 1 / (1 + assignments).
 */
import type { Json } from '../experiment.js';
import { Xoshiro128 } from './random.js';

/** Up to this many units, every one of the 2^n assignments of other than whole numbers is counted. */
export const EXACT_UNITS = 16;
/** Random assignments of more units than that. */
export const SIGN_FLIP_ASSIGNMENTS = 20_000;
/** The widest range of signed sums counted exactly for whole-number differences (after their common divisor). */
const MAX_SUM_RANGE = 1 << 20;

/**
 * Two-sided p-value of the mean of `differences` against 0; null for no units. Seeded from
 * `identity` where it is estimated, so the same data always give the same value.
 */
export function signFlipPValue(differences: readonly number[], identity: Json, assignments = SIGN_FLIP_ASSIGNMENTS): number | null {
  const n = differences.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(differences).sort();
  return wholeNumberPValue(sorted) ?? (n <= EXACT_UNITS ? enumeratedPValue(sorted) : estimatedPValue(sorted, identity, assignments));
}

/**
 * Exact for whole numbers: the probability of each signed sum, unit by unit (each adds +|d| or
 * -|d| with probability 1/2), over the sums divided by the differences' greatest common divisor.
 * Null when they are not whole numbers or their sums span more than MAX_SUM_RANGE.
 */
function wholeNumberPValue(sorted: Float64Array): number | null {
  if (!sorted.every((d) => Number.isSafeInteger(d))) return null;
  const magnitudes = [...sorted].map(Math.abs).filter((d) => d > 0);
  if (magnitudes.length === 0) return 1;
  const divisor = magnitudes.reduce(gcd);
  const steps = magnitudes.map((d) => d / divisor);
  const total = steps.reduce((a, b) => a + b, 0);
  if (2 * total + 1 > MAX_SUM_RANGE) return null;
  // probability[s + total]: the chance that the signed sum of the units so far is s.
  let probability = new Float64Array(2 * total + 1);
  probability[total] = 1;
  for (const step of steps) {
    const next = new Float64Array(probability.length);
    for (let s = step; s < probability.length - step; s++) {
      const p = probability[s]!;
      if (p === 0) continue;
      next[s - step] = next[s - step]! + p / 2;
      next[s + step] = next[s + step]! + p / 2;
    }
    probability = next;
  }
  const observed = Math.abs([...sorted].reduce((a, b) => a + b, 0)) / divisor;
  let tail = 0;
  for (let s = 0; s < probability.length; s++) if (Math.abs(s - total) >= observed) tail += probability[s]!;
  return Math.min(1, tail);
}

function enumeratedPValue(sorted: Float64Array): number {
  const n = sorted.length;
  const reaches = reachesObserved(sorted);
  let count = 0;
  for (let signs = 0; signs < 2 ** n; signs++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += signs & (1 << i) ? -sorted[i]! : sorted[i]!;
    if (reaches(s)) count++;
  }
  return count / 2 ** n;
}

function estimatedPValue(sorted: Float64Array, identity: Json, assignments: number): number {
  const n = sorted.length;
  const reaches = reachesObserved(sorted);
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

/** Whether a signed sum is as far from 0 as the observed one (sums equal up to rounding count). */
function reachesObserved(sorted: Float64Array): (sum: number) => boolean {
  const observed = Math.abs(sorted.reduce((a, b) => a + b, 0));
  return (s) => Math.abs(s) >= observed - 1e-9 * (1 + observed);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
