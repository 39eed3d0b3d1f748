import { describe, expect, it } from 'vitest';
import { NormalSampler, stateFromSeed, Xoshiro128 } from '../../experiments/inference-scaling/rng.js';
import { QUANTILE_LEVELS, StreamingSummary } from '../../experiments/inference-scaling/summary.js';

/** Exact sample quantile, R type 7 (numpy's default). */
function type7(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const r = Math.floor(h);
  const low = sorted[r]!;
  return r + 1 < sorted.length ? low + (h - r) * (sorted[r + 1]! - low) : low;
}

/** `rows` rows of three series: a normal, an exponential (skewed) and a clipped value with an atom at 1. */
function data(rows: number, seed: string): number[][] {
  const z = new Float64Array(rows * 2);
  new NormalSampler(new Xoshiro128(stateFromSeed(seed))).fill(z);
  return Array.from({ length: rows }, (_, r) => [10 + 2 * z[2 * r]!, Math.exp(z[2 * r + 1]!), Math.min(1, 0.95 + 0.05 * z[2 * r]!)]);
}

function summarize(rows: number[][], options = {}) {
  const summary = new StreamingSummary(rows[0]!.length, options);
  for (const row of rows) summary.add(Float64Array.from(row));
  return summary.finish();
}

describe('StreamingSummary', () => {
  it.each([
    ['all rows in the pilot', 40],
    ['rows beyond the pilot', 5000],
  ])('matches exact moments and type-7 quantiles within one bin (%s)', (_, rows) => {
    const table = data(rows, `summary-${rows}`);
    const s = summarize(table);
    expect(s.count).toBe(rows);
    for (let j = 0; j < 3; j++) {
      const column = table.map((row) => row[j]!);
      const mean = column.reduce((a, b) => a + b, 0) / rows;
      const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / (rows - 1));
      expect(s.mean[j]).toBeCloseTo(mean, 12);
      expect(s.sd[j]).toBeCloseTo(sd, 12);
      const sorted = [...column].sort((a, b) => a - b);
      expect(s.min[j]).toBe(sorted[0]);
      expect(s.max[j]).toBe(sorted[rows - 1]);
      // One bin: the pilot's span (the first 64 rows), widened by half of it on each side when rows came after it.
      const pilot = column.slice(0, 64);
      const bin = ((rows > 64 ? 2 : 1) * (Math.max(...pilot) - Math.min(...pilot))) / 256;
      expect(s.resolution[j]).toBeCloseTo(bin, 12);
      QUANTILE_LEVELS.forEach((p, i) => {
        expect(Math.abs(s.quantiles[i]![j]! - type7(sorted, p))).toBeLessThanOrEqual(bin * (1 + 1e-12));
      });
    }
  });

  it('stays within one bin of an atom at the maximum, never above it', () => {
    // 90% of the values equal 1 (accuracy at its clip): the median and 97.5% quantile are 1.
    const rows = Array.from({ length: 1000 }, (_, r) => [r % 10 === 0 ? r / 2000 : 1]);
    const s = summarize(rows);
    for (const q of [s.quantiles[1][0]!, s.quantiles[2][0]!]) {
      expect(q).toBeLessThanOrEqual(1);
      expect(1 - q).toBeLessThanOrEqual(s.resolution[0]!);
    }
  });

  it('handles a constant series and values outside the pilot range', () => {
    const constant = summarize(Array.from({ length: 100 }, () => [3]));
    expect([constant.mean[0], constant.sd[0], constant.quantiles[0][0], constant.quantiles[2][0]]).toEqual([3, 0, 3, 3]);
    // The pilot sees only 0..63, so the bins span -31.5..94.5 (63 widened by half on each side);
    // the later values, 640..6390, all lie above it.
    const rows = Array.from({ length: 640 }, (_, r) => [r < 64 ? r : r * 10]);
    const s = summarize(rows);
    const sorted = rows.map((row) => row[0]!).sort((a, b) => a - b);
    expect(s.max[0]).toBe(6390);
    expect(s.resolution[0]).toBe(126 / 256);
    // Inside the range: within one bin of the exact quantile.
    expect(Math.abs(s.quantiles[0][0]! - type7(sorted, 0.025))).toBeLessThanOrEqual(126 / 256);
    // Beyond it, the j-th of the 576 values above sits at (j + 0.5) / 576 of the way from the range's
    // edge (94.5) to the maximum, and a quantile interpolates between two such order statistics.
    const above = (j: number) => 94.5 + ((j + 0.5) / 576) * (6390 - 94.5);
    const beyond = (p: number) => {
      const h = 639 * p;
      const r = Math.floor(h);
      return above(r - 64) + (h - r) * (above(r - 63) - above(r - 64));
    };
    expect(s.quantiles[1][0]).toBeCloseTo(beyond(0.5), 9);
    expect(s.quantiles[2][0]).toBeCloseTo(beyond(0.975), 9);
    // So the estimate there is only as good as the values are even: 2893 against an exact median of 3195.
    expect(type7(sorted, 0.5)).toBe(3195);
  });

  it('gives the same bits whether rows arrive one by one or in blocks across the pilot boundary', () => {
    const table = data(300, 'blocks');
    const oneByOne = summarize(table);
    const blocked = new StreamingSummary(3);
    for (const [from, to] of [[0, 50], [50, 80], [80, 81], [81, 300]] as const) {
      blocked.addRows(Float64Array.from(table.slice(from, to).flat()), to - from);
    }
    expect(blocked.finish()).toEqual(oneByOne);
  });

  it('gives sd 0 for a single row and rejects an empty summary or bad options', () => {
    const one = summarize([[1.5, -2]]);
    expect(Array.from(one.sd)).toEqual([0, 0]);
    expect(Array.from(one.quantiles[1])).toEqual([1.5, -2]);
    expect(() => new StreamingSummary(2).finish()).toThrow(/no rows/);
    expect(() => new StreamingSummary(0)).toThrow(/series must be an integer >= 1, received 0/);
    expect(() => new StreamingSummary(1, { bins: 0.5 })).toThrow(/bins/);
  });
});
