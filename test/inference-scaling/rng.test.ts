import { describe, expect, it } from 'vitest';
import { streamSeed } from '../../harness/identity.js';
import { normalCdf } from '../../experiments/inference-scaling/normal.js';
import { NormalSampler, stateFromSeed, substreamState, Xoshiro128 } from '../../experiments/inference-scaling/rng.js';

const ROOT = 'a3f1c0de5eed';

function normals(seed: string, n: number): Float64Array {
  const out = new Float64Array(n);
  new NormalSampler(new Xoshiro128(stateFromSeed(seed))).fill(out);
  return out;
}

describe('xoshiro128**', () => {
  it('matches the reference implementation from state (1, 2, 3, 4)', () => {
    const out = new Float64Array(10);
    new Xoshiro128(Uint32Array.of(1, 2, 3, 4)).fill(out);
    // Outputs of Blackman & Vigna's reference xoshiro128starstar.c.
    expect(Array.from(out, (u) => u * 2 ** 32)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it('continues the same sequence across fill calls', () => {
    const whole = new Float64Array(100);
    new Xoshiro128(Uint32Array.of(9, 8, 7, 6)).fill(whole);
    const parts = new Float64Array(100);
    const g = new Xoshiro128(Uint32Array.of(9, 8, 7, 6));
    g.fill(parts, 0, 33);
    g.fill(parts, 33, 34);
    g.fill(parts, 34, 100);
    expect(parts).toEqual(whole);
  });

  it('never starts from the all-zero state', () => {
    const g = new Xoshiro128(new Uint32Array(4));
    const out = new Float64Array(8);
    g.fill(out);
    expect(out.some((u) => u !== 0)).toBe(true);
  });
});

describe('seeds', () => {
  it('same seed, same bytes', () => {
    const a = normals(streamSeed(ROOT, 'calls'), 4096);
    const b = normals(streamSeed(ROOT, 'calls'), 4096);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('different identity, different stream', () => {
    const a = normals(streamSeed(ROOT, { calls: 4 }), 64);
    const b = normals(streamSeed(ROOT, { calls: 8 }), 64);
    const c = normals(streamSeed('another-root', { calls: 4 }), 64);
    expect(a.some((x, i) => x !== b[i])).toBe(true);
    expect(a.some((x, i) => x !== c[i])).toBe(true);
    expect(stateFromSeed('x')).not.toEqual(stateFromSeed('y'));
  });

  it('substreams differ by index and are uncorrelated', () => {
    const root = stateFromSeed(ROOT);
    const n = 100_000;
    const first = new Float64Array(n);
    const state = new Uint32Array(4);
    const g = new Xoshiro128(root);
    const seen = new Set<string>();
    for (let t = 0; t < n; t++) {
      substreamState(root, t, state);
      seen.add(state.join(','));
      g.setState(state);
      g.fill(first, t, t + 1);
    }
    expect(seen.size).toBe(n);
    // Lag-1 correlation of the first uniform of consecutive substreams: SE = 1/sqrt(n).
    const mean = first.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let t = 0; t < n; t++) {
      den += (first[t]! - mean) ** 2;
      if (t + 1 < n) num += (first[t]! - mean) * (first[t + 1]! - mean);
    }
    expect(Math.abs(num / den)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
  });
});

describe('normal sampler', () => {
  const n = 1_000_000;
  const z = normals(streamSeed(ROOT, 'normal-test'), n);

  it('has mean 0 and variance 1 within 4 standard errors', () => {
    let sum = 0;
    for (const x of z) sum += x;
    const mean = sum / n;
    let ss = 0;
    for (const x of z) ss += (x - mean) ** 2;
    const variance = ss / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    // Var of the sample variance of normals: 2/(n-1).
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / (n - 1)));
  });

  it.each([1.96, 3])('has the normal share of |z| > %s within 4 standard errors', (cut) => {
    let count = 0;
    for (const x of z) if (Math.abs(x) > cut) count++;
    const p = 2 * normalCdf(-cut);
    expect(Math.abs(count / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('is symmetric: one-sided tails balance', () => {
    let above = 0;
    let below = 0;
    for (const x of z) {
      if (x > 1.96) above++;
      else if (x < -1.96) below++;
    }
    const p = normalCdf(-1.96);
    // above - below has variance about 2 n p.
    expect(Math.abs(above - below)).toBeLessThan(4 * Math.sqrt(2 * n * p));
  });

  it('passes a Kolmogorov-Smirnov test against Phi', () => {
    const sample = z.slice(0, 200_000).sort();
    let d = 0;
    sample.forEach((x, i) => {
      const f = normalCdf(x);
      d = Math.max(d, Math.abs(f - i / sample.length), Math.abs((i + 1) / sample.length - f));
    });
    // sqrt(n) D exceeds 1.95 with probability 0.001 under the null.
    expect(Math.sqrt(sample.length) * d).toBeLessThan(1.95);
  });

  it('does not depend on how the output is chunked', () => {
    const seed = streamSeed(ROOT, 'chunks');
    const whole = normals(seed, 1001);
    const sampler = new NormalSampler(new Xoshiro128(stateFromSeed(seed)), 16);
    const parts = new Float64Array(1001);
    for (const [from, to] of [[0, 1], [1, 4], [4, 5], [5, 500], [500, 1001]] as const) sampler.fill(parts, from, to);
    expect(parts).toEqual(whole);
  });

  it('rejects a bad buffer size', () => {
    expect(() => new NormalSampler(new Xoshiro128(stateFromSeed('s')), 3)).toThrow(/even integer >= 2, received 3/);
  });
});
