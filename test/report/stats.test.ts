import { describe, expect, it } from 'vitest';
import { Statistician } from '../../experiments/inference-scaling/report/statistics.js';
import {
  bootstrapJointMeanIntervals,
  bootstrapMeanInterval,
  bootstrapClusteredMeanInterval,
  bootstrapMeans,
  bootstrapStratifiedMeanInterval,
  describeSample,
  mean,
  modeOf,
  normalQuantile,
  pairByKey,
  pairedDeltas,
  quantile,
  quantileInPlace,
  sampleSd,
  signFlipPValue,
  SIGN_FLIP_ASSIGNMENTS,
  wilsonInterval,
  Xoshiro128,
} from '../../harness/stats/index.js';

/**
 * Where a percentile bootstrap's 95% interval of the mean of `xs` lies, resampling without end:
 * the 2.5% and 97.5% quantiles of the mean of n draws from the sample itself. The mean of n
 * draws has standard deviation sigma (the plug-in standard error), skewness g / sqrt(n) and excess
 * kurtosis k / n, where g and k are the sample's own; the Cornish-Fisher expansion to order 1/n
 * turns those into the quantiles (what it leaves out is of order n^-3/2, below 0.01 sigma here).
 */
function percentileBootstrapOfMean(xs: readonly number[]): { lo: number; hi: number; sigma: number } {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const moment = (p: number) => xs.reduce((a, x) => a + (x - m) ** p, 0) / n;
  const sd = Math.sqrt(moment(2));
  const g = moment(3) / sd ** 3;
  const k = moment(4) / sd ** 4 - 3;
  const sigma = sd / Math.sqrt(n);
  const at = (z: number) => m + sigma * (z + (g * (z * z - 1)) / (6 * Math.sqrt(n)) + (k * (z ** 3 - 3 * z)) / (24 * n) - (g * g * (2 * z ** 3 - 5 * z)) / (36 * n));
  return { lo: at(-1.959964), hi: at(1.959964), sigma };
}

/**
 * Four Monte Carlo standard errors of a 2.5% quantile estimated from B = 2,000 resamples, in units
 * of sigma: sqrt(p (1 - p) / B) / phi(1.96) = 0.0598 each.
 */
const BOOTSTRAP_TOLERANCE = (4 * Math.sqrt((0.025 * 0.975) / 2000)) / (Math.exp(-(1.959964 ** 2) / 2) / Math.sqrt(2 * Math.PI));

describe('descriptive statistics (hand-computed)', () => {
  it('mean and sample standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(mean([])).toBeNull();
    expect(sampleSd([7])).toBeNull();
  });

  it('quantiles by linear interpolation (type 7)', () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(quantile([10], 0.9)).toBe(10);
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
    const d = describeSample([4, 1, 3, 2]);
    expect(d).toMatchObject({ n: 4, min: 1, max: 4, q25: 1.75, median: 2.5, q75: 3.25, iqr: 1.5 });
  });

  it('quantiles by selection equal those of a sort, with ties, at every level', () => {
    const rng = Xoshiro128.fromIdentity('selection');
    for (const n of [1, 2, 3, 10, 101, 2000]) {
      for (const distinct of [2, 7, n]) {
        const values = Array.from({ length: n }, () => rng.nextIndex(distinct) - distinct / 3);
        for (const p of [0, 0.025, 0.25, 0.5, 0.975, 1]) {
          expect(quantileInPlace(Float64Array.from(values), p), `n ${n}, ${distinct} distinct, p ${p}`).toBe(quantile(values, p));
        }
      }
    }
    expect(quantileInPlace(new Float64Array(0), 0.5)).toBeNull();
    expect(() => quantileInPlace(Float64Array.of(1), -0.1)).toThrow(/\[0, 1\]/);
  });

  it('mode with share; ties go to the smallest value', () => {
    expect(modeOf([3, 1, 3, 1, 2])).toEqual({ value: 1, count: 2, share: 0.4 });
    expect(modeOf([1, 3, 3])).toEqual({ value: 3, count: 2, share: 2 / 3 });
    expect(modeOf([5])).toEqual({ value: 5, count: 1, share: 1 });
    expect(modeOf([])).toBeNull();
  });

  it('descriptions of an empty sample are null, never NaN', () => {
    expect(describeSample([])).toEqual({ n: 0, mean: null, sd: null, min: null, q25: null, median: null, q75: null, max: null, iqr: null });
  });
});

describe('xoshiro128**', () => {
  it('matches the reference sequence for the state (1, 2, 3, 4)', () => {
    const rng = Xoshiro128.fromHex('00000001000000020000000300000004');
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('resamples means from the same stream of uniforms as fill, resample by resample, group by group', () => {
    const groups = [Float64Array.of(1, 2, 4, 8, 16), Float64Array.of(-3, 5), Float64Array.of(0.5, 0.25, 0.125)];
    const resamples = 50;
    const means = groups.map(() => new Float64Array(resamples));
    Xoshiro128.fromIdentity('resample').resampleMeans(groups, means, resamples);
    const reference = Xoshiro128.fromIdentity('resample');
    for (let b = 0; b < resamples; b++) {
      groups.forEach((values, g) => {
        const units = new Float64Array(values.length);
        reference.fill(units);
        const sum = units.reduce((acc, u) => acc + (values[Math.floor(u * values.length)] as number), 0);
        expect(means[g]?.[b]).toBe(sum / values.length);
      });
    }
  });

  it('resamples joint means over one draw of units per resample, in passes of five columns over the same draws', () => {
    const n = 6;
    const columns = Array.from({ length: 7 }, (_, c) => Float64Array.from({ length: n }, (_, u) => (c + 1) * 10 + u + (u % 2 ? 0.5 : 0.25)));
    const resamples = 40;
    const means = columns.map(() => new Float64Array(resamples));
    const rng = Xoshiro128.fromIdentity('joint');
    rng.resampleJointMeans(columns, means, resamples);
    const reference = Xoshiro128.fromIdentity('joint');
    for (let b = 0; b < resamples; b++) {
      const units = new Float64Array(n);
      reference.fill(units);
      const drawn = Array.from(units, (u) => Math.floor(u * n));
      columns.forEach((values, c) => {
        const sum = drawn.reduce((acc, unit) => acc + (values[unit] as number), 0);
        expect(means[c]?.[b]).toBe(sum / n);
      });
    }
    // Left where one pass over n x resamples draws leaves it, whatever the number of columns.
    expect(Array.from(rng.state)).toEqual(Array.from(reference.state));
    expect(() => rng.resampleJointMeans([new Float64Array(2), new Float64Array(3)], [new Float64Array(1), new Float64Array(1)], 1)).toThrow(/one value per unit/);
  });

  it('rejects malformed and all-zero seeds', () => {
    expect(() => Xoshiro128.fromHex('xyz')).toThrow(/32 hex digits/);
    expect(() => Xoshiro128.fromHex('0'.repeat(32))).toThrow(/all-zero/);
  });

  it('draws indices uniformly (chi-square against 10 equal cells)', () => {
    const rng = Xoshiro128.fromIdentity('uniformity');
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.nextIndex(10)] += 1;
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
    expect(chi2).toBeLessThan(27.88);
  });
});

describe('percentile bootstrap', () => {
  const opts = { identity: 'test', resamples: 2000 };

  it('is empty for no data and has no interval for one value', () => {
    expect(bootstrapMeanInterval([], opts)).toBeNull();
    expect(bootstrapMeanInterval([3], opts)).toEqual({ estimate: 3, lo: null, hi: null });
  });

  it('collapses to the value for a constant sample', () => {
    expect(bootstrapMeanInterval([2, 2, 2, 2], opts)).toEqual({ estimate: 2, lo: 2, hi: 2 });
  });

  it('gives [0, 1] for the sample {0, 1}: resampled means are 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4', () => {
    expect(bootstrapMeanInterval([0, 1], opts)).toEqual({ estimate: 0.5, lo: 0, hi: 1 });
  });

  it('depends on the identity and the data, not on the order of the data', () => {
    const xs = [0.3, 1.7, 2.2, 0.9, 1.1, 3.4, 0.2, 2.8];
    const a = bootstrapMeanInterval(xs, opts);
    expect(bootstrapMeanInterval([...xs].reverse(), opts)).toEqual(a);
    expect(bootstrapMeanInterval(xs, { ...opts, identity: 'other' })).not.toEqual(a);
  });

  it('matches mean +- 1.96 plug-in standard errors for a normal sample', () => {
    const rng = Xoshiro128.fromIdentity('normal sample');
    const xs = Array.from({ length: 30 }, () => normalQuantile((rng.nextUint32() + 0.5) / 4294967296));
    const ci = bootstrapMeanInterval(xs, opts);
    const expected = percentileBootstrapOfMean(xs);
    expect(Math.abs((ci?.lo as number) - expected.lo)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
    expect(Math.abs((ci?.hi as number) - expected.hi)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
  });

  it('pools strata with the overall mean as estimate and resamples within each stratum', () => {
    const strata = [
      [1, 1, 1],
      [10, 10],
    ];
    const ci = bootstrapStratifiedMeanInterval(strata, opts);
    expect(ci?.estimate).toBeCloseTo(23 / 5, 12);
    // Constant strata cannot vary within themselves: the interval is the point.
    expect(ci?.lo).toBeCloseTo(23 / 5, 12);
    expect(ci?.hi).toBeCloseTo(23 / 5, 12);
  });

  it('gives a mean and a pooled mean the same bits as the general bootstrap of the same statistic', () => {
    const rng = new Xoshiro128(Uint32Array.of(7, 8, 9, 10));
    const draw = (n: number) => Array.from({ length: n }, () => rng.nextUnit() * 100 - 30);
    const values = draw(30);
    expect(bootstrapMeanInterval(values, opts)).toEqual(bootstrapMeans([values], (m) => m[0] as number, opts));
    const strata = [draw(30), draw(7), draw(19), draw(2)];
    const total = 30 + 7 + 19 + 2;
    const pooled = (m: readonly number[]) => m.reduce((acc, v, i) => acc + v * (strata[i] as number[]).length, 0) / total;
    // Many resample streams: a replicate off by a rounding rarely moves both bounds of one interval.
    for (let i = 0; i < 40; i++) {
      const options = { ...opts, identity: `stream ${i}` };
      const general = bootstrapMeans(strata, pooled, options);
      expect(bootstrapStratifiedMeanInterval(strata, options)).toEqual(general);
      expect(general?.lo).not.toBe(general?.hi);
    }
  });

  it('bootstraps two-sample statistics; a NaN replicate empties the bounds', () => {
    const diff = bootstrapMeans([[5, 5], [2, 2]], (m) => (m[0] as number) - (m[1] as number), opts);
    expect(diff).toEqual({ estimate: 3, lo: 3, hi: 3 });
    expect(bootstrapMeans([[0, 1], [0, 1]], (m) => (m[0] as number) / (m[1] as number), opts)?.lo).toBeNull();
    expect(bootstrapMeans([[1], []], () => 0, opts)).toBeNull();
    expect(() => bootstrapMeanInterval([1, 2], { ...opts, resamples: -1 })).toThrow(/resamples must be a non-negative integer, got -1/);
    expect(() => bootstrapMeanInterval([1, 2], { ...opts, resamples: 2.5 })).toThrow(/resamples/);
    // No resamples: the same estimate, no bounds.
    expect(bootstrapMeanInterval([3, 1, 2], { ...opts, resamples: 0 })).toEqual({ estimate: 2, lo: null, hi: null });
  });
});

describe('bootstrap of clustered values, whole clusters drawn', () => {
  const opts = { identity: 'cluster test', resamples: 2000 };
  const rng = new Xoshiro128(Uint32Array.of(21, 22, 23, 24));
  const normal = () => normalQuantile((rng.nextUint32() + 0.5) / 4294967296);

  it('treats a cluster of copies as one value: the interval is that of the clusters, not of every copy', () => {
    // 60 seeds, each value seen in three conditions that share its random numbers (here: equal).
    const seeds = Array.from({ length: 60 }, normal);
    const clustered = bootstrapClusteredMeanInterval([seeds.map((v) => [v, v, v])], opts)!;
    const expected = percentileBootstrapOfMean(seeds);
    expect(clustered.estimate).toBeCloseTo(mean(seeds)!, 12);
    expect(Math.abs(clustered.lo! - expected.lo)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
    expect(Math.abs(clustered.hi! - expected.hi)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
    // Taken as 180 independent values, the interval would be about sqrt(3) times narrower: beyond the tolerance.
    const naive = bootstrapMeanInterval(seeds.flatMap((v) => [v, v, v]), opts)!;
    expect(Math.abs(naive.lo! - expected.lo)).toBeGreaterThan(BOOTSTRAP_TOLERANCE * expected.sigma);
  });

  it('pools strata as the mean of every value, resampling within each stratum', () => {
    // Constant strata of clusters of one size cannot vary: the interval is the point.
    const constant = bootstrapClusteredMeanInterval([[[1, 1], [1, 1]], [[10], [10]]], opts)!;
    expect(constant).toEqual({ estimate: 4, lo: 4, hi: 4 });
    // Clusters of several sizes draw more or fewer values of their stratum: its weight in the pool varies.
    const sizes = bootstrapClusteredMeanInterval([[[1], [1, 1]], [[10, 10], [10]]], opts)!;
    expect(sizes.estimate).toBe(5.5);
    expect(sizes.lo!).toBeLessThan(5.5);
    expect(sizes.hi!).toBeGreaterThan(5.5);
    // Two strata of different sizes: the estimate weighs every value alike.
    const a = Array.from({ length: 30 }, () => [normal(), normal()]);
    const b = Array.from({ length: 10 }, () => [normal() + 5]);
    const ci = bootstrapClusteredMeanInterval([a, b], opts)!;
    expect(ci.estimate).toBeCloseTo(mean([...a.flat(), ...b.flat()])!, 12);
    expect(ci.lo!).toBeLessThan(ci.estimate);
    expect(ci.hi!).toBeGreaterThan(ci.estimate);
  });

  it('depends on the clusters, not on the order of the clusters or of their values; empty clusters are left out', () => {
    const strata = [Array.from({ length: 20 }, () => [normal(), normal(), normal()]), Array.from({ length: 15 }, () => [normal()])];
    const ci = bootstrapClusteredMeanInterval(strata, opts);
    const shuffled = strata.map((clusters) => [...clusters].reverse().map((c) => [...c].reverse()));
    expect(bootstrapClusteredMeanInterval(shuffled, opts)).toEqual(ci);
    expect(bootstrapClusteredMeanInterval([[[], ...strata[0]!], [...strata[1]!, []], []], opts)).toEqual(ci);
    expect(bootstrapClusteredMeanInterval(strata, { ...opts, identity: 'other' })).not.toEqual(ci);
  });

  it('has no interval without two clusters in some stratum, and nothing without values', () => {
    expect(bootstrapClusteredMeanInterval([], opts)).toBeNull();
    expect(bootstrapClusteredMeanInterval([[[]], [[], []]], opts)).toBeNull();
    expect(bootstrapClusteredMeanInterval([[[1, 3]], [[5]]], opts)).toEqual({ estimate: 3, lo: null, hi: null });
    expect(bootstrapClusteredMeanInterval([[[1], [3]]], { ...opts, resamples: 0 })).toEqual({ estimate: 2, lo: null, hi: null });
  });
});

describe('joint bootstrap of several measures of the same units', () => {
  const opts = { identity: 'joint test', resamples: 2000 };
  const rng = new Xoshiro128(Uint32Array.of(11, 12, 13, 14));
  const normal = () => normalQuantile((rng.nextUint32() + 0.5) / 4294967296);

  it('is, for one measure, the bootstrap of its mean, to the bit', () => {
    for (const n of [2, 3, 30, 31]) {
      for (let i = 0; i < 10; i++) {
        const values = Array.from({ length: n }, () => Math.round(normal() * 8) / 4); // ties included
        const options = { ...opts, identity: `one measure ${n} ${i}` };
        expect(bootstrapJointMeanIntervals([values], options)).toEqual([bootstrapMeanInterval(values, options)]);
      }
    }
  });

  it('depends on the units, not on the order they come in', () => {
    const a = Array.from({ length: 25 }, normal);
    const b = a.map((x) => x * x + normal());
    const c = a.map((x) => Math.round(x)); // ties broken by the later measures
    const joint = bootstrapJointMeanIntervals([c, a, b], opts);
    const order = a.map((_, u) => u).reverse().sort((u, v) => (u * 7) % 25 - (v * 7) % 25);
    expect(bootstrapJointMeanIntervals([c, a, b].map((m) => order.map((u) => m[u] as number)), opts)).toEqual(joint);
    expect(bootstrapJointMeanIntervals([c, a, b], { ...opts, identity: 'other' })).not.toEqual(joint);
    // Infinite values sort too (a comparator of x - y would give NaN for two of them).
    const infinite = c.map((x, u) => (u % 5 === 0 ? Infinity : u % 7 === 0 ? -Infinity : x));
    expect(bootstrapJointMeanIntervals([infinite, a].map((m) => order.map((u) => m[u] as number)), opts)).toEqual(bootstrapJointMeanIntervals([infinite, a], opts));
  });

  it('resamples the measures together: a measure that is twice another has twice its bounds', () => {
    const a = Array.from({ length: 30 }, normal);
    const [one, two] = bootstrapJointMeanIntervals([a, a.map((x) => 2 * x)], opts);
    expect(two?.lo).toBe(2 * (one?.lo as number));
    expect(two?.hi).toBe(2 * (one?.hi as number));
    // Resampled apart, the two would disagree in their Monte Carlo error.
    const apart = bootstrapMeanInterval(a.map((x) => 2 * x), { ...opts, identity: 'apart' });
    expect(apart?.lo).not.toBe(2 * (one?.lo as number));
  });

  it('matches mean +- 1.96 plug-in standard errors for each of two correlated normal measures', () => {
    const n = 30;
    const a = Array.from({ length: n }, normal);
    const b = a.map((x) => 0.6 * x + 0.8 * normal());
    bootstrapJointMeanIntervals([a, b], opts).forEach((ci, c) => {
      const xs = c === 0 ? a : b;
      const expected = percentileBootstrapOfMean(xs);
      expect(ci?.estimate).toBeCloseTo(mean(xs) as number, 12);
      expect(Math.abs((ci?.lo as number) - expected.lo)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
      expect(Math.abs((ci?.hi as number) - expected.hi)).toBeLessThan(BOOTSTRAP_TOLERANCE * expected.sigma);
    });
  });

  it('handles no units, one unit, no resamples and uneven measures', () => {
    expect(bootstrapJointMeanIntervals([[], []], opts)).toEqual([null, null]);
    expect(bootstrapJointMeanIntervals([[3], [4]], opts)).toEqual([
      { estimate: 3, lo: null, hi: null },
      { estimate: 4, lo: null, hi: null },
    ]);
    expect(bootstrapJointMeanIntervals([[1, 2, 3], [4, 4, 4]], { ...opts, resamples: 0 })).toEqual([
      { estimate: 2, lo: null, hi: null },
      { estimate: 4, lo: null, hi: null },
    ]);
    expect(bootstrapJointMeanIntervals([[1, 2, 3], [4, 4, 4]], opts)[1]).toEqual({ estimate: 4, lo: 4, hi: 4 });
    expect(() => bootstrapJointMeanIntervals([[1, 2], [1]], opts)).toThrow(/one value per unit: 2 units, a measure with 1 values/);
  });

  it("in a report's summaries, measures taken on every unit share one resampling; one with gaps is resampled alone", () => {
    const stats = new Statistician('study', 2000);
    const a = Array.from({ length: 20 }, normal);
    const b = a.map((x) => x + normal());
    const gaps = a.map((x, u) => (u % 4 === 0 ? null : x * 3));
    const withInfinity = a.map((x, u) => (u === 5 ? Infinity : x));
    const s = stats.summaries({ a, gaps, b, withInfinity }, { cell: 'x' });
    const [ja, jb] = bootstrapJointMeanIntervals([a, b], stats.options({ of: { cell: 'x' }, measures: ['a', 'b'] }));
    expect(s.a).toEqual({ n: 20, mean: ja?.estimate, sd: sampleSd(a), lo: ja?.lo, hi: ja?.hi });
    expect(s.b).toEqual({ n: 20, mean: jb?.estimate, sd: sampleSd(b), lo: jb?.lo, hi: jb?.hi });
    const present = gaps.filter((v): v is number => v !== null);
    const alone = bootstrapMeanInterval(present, stats.options({ of: { cell: 'x' }, measure: 'gaps' }));
    expect(s.gaps).toEqual({ n: 15, mean: alone?.estimate, sd: sampleSd(present), lo: alone?.lo, hi: alone?.hi });
    expect(s.withInfinity.n).toBe(19);
  });
});

describe('shares and pairs', () => {
  it('Wilson intervals (reference values)', () => {
    expect(wilsonInterval(0, 10)?.lo).toBe(0);
    expect(wilsonInterval(0, 10)?.hi).toBeCloseTo(0.2775328, 6);
    expect(wilsonInterval(5, 10)?.lo).toBeCloseTo(0.2365931, 6);
    expect(wilsonInterval(5, 10)?.hi).toBeCloseTo(0.7634069, 6);
    expect(wilsonInterval(10, 10)?.hi).toBe(1);
    expect(wilsonInterval(3, 30)?.lo).toBeCloseTo(0.0345999, 6);
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(4, 3)).toThrow(/successes/);
  });

  it('normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
  });

  it('pairs units present on both sides, in key order', () => {
    const pairs = pairByKey(
      new Map<number, number | null>([[3, 30], [1, 10], [2, null], [4, 40]]),
      new Map<number, number | null>([[1, 11], [2, 22], [3, 33]]),
    );
    expect(pairs).toEqual({ keys: [1, 3], left: [10, 30], right: [11, 33] });
    expect(pairedDeltas(pairs, (l, r) => r - l)).toEqual([1, 3]);
  });
});

describe('signFlipPValue: the sign-flip test of paired differences', () => {
  it('counts the sign assignments exactly up to 16 units', () => {
    expect(signFlipPValue([], 'x')).toBeNull();
    expect(signFlipPValue([4, 4], 'x')).toBe(0.5);
    expect(signFlipPValue([0, 0], 'x')).toBe(1);
    expect(signFlipPValue([1, 1, 1, 1, 1, 1], 'x')).toBe(2 / 64);
    // Six of seven 4 apart, one 0: the 0 flips freely, so two assignments of each extreme.
    expect(signFlipPValue([4, 4, 4, 4, 4, 4, 0], 'x')).toBe(4 / 128);
    // The order of the units does not matter.
    expect(signFlipPValue([3, -1, 2, 5], 'x')).toBe(signFlipPValue([5, 2, -1, 3], 'x'));
  });

  it('counts whole numbers exactly at any number of units, as enumerating every assignment does', () => {
    const enumerate = (d: number[]) => {
      const observed = Math.abs(d.reduce((a, b) => a + b, 0));
      let count = 0;
      for (let signs = 0; signs < 2 ** d.length; signs++) if (Math.abs(d.reduce((a, v, i) => a + (signs & (1 << i) ? -v : v), 0)) >= observed) count++;
      return count / 2 ** d.length;
    };
    for (const d of [[4, 8, -12, 4, 0, 8], [28, -4, 16, 16, 4, -8, 12, 0, 4, 20], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -13, 14]]) {
      expect(signFlipPValue(d, 'x')).toBeCloseTo(enumerate(d), 12);
    }
    // Thirty seeds, all 4 apart: 2 of 2^30 assignments, exactly.
    expect(signFlipPValue(Array.from({ length: 30 }, () => 4), 'x')).toBe(2 / 2 ** 30);
  });

  it('estimates it from seeded assignments for more than 16 units of other than whole numbers, the same for the same identity', () => {
    const all = Array.from({ length: 20 }, () => 2.5);
    // 2 of 2^20 assignments reach it: the estimate's floor, 1 / (1 + assignments), or just above.
    expect(signFlipPValue(all, 'x')).toBeLessThan(3 / (1 + SIGN_FLIP_ASSIGNMENTS));
    const mixed = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.5 + (i % 5)));
    expect(signFlipPValue(mixed, 'a')).toBe(signFlipPValue(mixed, 'a'));
    expect(signFlipPValue(mixed, 'a')).not.toBe(signFlipPValue(mixed, 'b'));
  });

  it('rejects at most 5% of samples without a difference, at any number of units', () => {
    // 400 samples of symmetric noise per size: the rejection rate stays within 0.05 plus three
    // standard errors of a rate estimated from 400 samples (sqrt(0.05 * 0.95 / 400) = 0.011).
    const random = Xoshiro128.fromIdentity('sign-flip calibration');
    for (const n of [2, 3, 6, 10, 20]) {
      let rejected = 0;
      for (let sample = 0; sample < 400; sample++) {
        const differences = Array.from({ length: n }, () => random.nextUnit() - 0.5);
        if (signFlipPValue(differences, { n, sample }, 2000)! <= 0.05) rejected++;
      }
      expect(rejected / 400, `n = ${n}`).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 400));
    }
  });
});
