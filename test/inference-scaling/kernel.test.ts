import { describe, expect, it } from 'vitest';
import { streamSeed } from '../../harness/identity.js';
import { findEntry, MODEL_CATALOG } from '../../experiments/inference-scaling/catalog.js';
import type { Curves } from '../../experiments/inference-scaling/curves.js';
import { candidateKs, normalsConsumed, simulateCurves, type CallModel, type SimOptions } from '../../experiments/inference-scaling/kernel.js';
import { NormalSampler, stateFromSeed, substreamState, Xoshiro128 } from '../../experiments/inference-scaling/rng.js';
import { simOptions } from './fixtures.js';

const SEED = 'c0ffee00';
const BUDGETS = { C_max: 0.05, T_max: 30 };

/**
 * The stochastic model written out plainly: every sample kept, every k recomputed from its
 * own calls. Uses the kernel's documented stream layout (trial t = substream t; three normals
 * per call: input, output, accuracy).
 */
function referenceSamples(model: CallModel, o: SimOptions, seed: string) {
  const ks = candidateKs(o.k_max, o.P, o.step);
  const samples = ks.map(() => ({ C: [] as number[], T: [] as number[], A: [] as number[] }));
  const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  const draw = (streamName: unknown, trial: number, calls: number) => {
    const state = new Uint32Array(4);
    substreamState(stateFromSeed(streamSeed(seed, streamName as never)), trial, state);
    const z = new Float64Array(3 * calls);
    new NormalSampler(new Xoshiro128(state)).fill(z);
    return Array.from({ length: calls }, (_, i) => {
      const lin = clip(model.mu_in + model.sd_in * z[3 * i]!, 1, 16 * model.mu_in);
      const lout = clip(model.mu_out + model.sd_out * z[3 * i + 1]!, 1, 16 * lin);
      const a = clip(model.mu_A + model.sd_A * o.sd_A_scale * z[3 * i + 2]!, 0, 1);
      return { c: model.c_in * lin + model.c_out * lout, t: model.t_in * lin + model.t_out * lout, a };
    });
  };
  for (let trial = 0; trial < o.M; trial++) {
    const shared = o.sampling === 'crn' ? draw('calls', trial, ks[ks.length - 1]!) : [];
    ks.forEach((k, j) => {
      const calls = (o.sampling === 'crn' ? shared : draw({ calls: k }, trial, k)).slice(0, k);
      const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
      let T = sum(calls.map((c) => c.t)) / o.P;
      if (o.latency === 'waves') {
        T = 0;
        for (let w = 0; w < k; w += o.P) T += Math.max(...calls.slice(w, w + o.P).map((c) => c.t));
      }
      samples[j]!.C.push(sum(calls.map((c) => c.c)));
      samples[j]!.T.push(T);
      samples[j]!.A.push(Math.max(...calls.map((c) => c.a)));
    });
  }
  return { ks, samples };
}

function type7(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const r = Math.floor(h);
  return r + 1 < sorted.length ? sorted[r]! + (h - r) * (sorted[r + 1]! - sorted[r]!) : sorted[r]!;
}

const strictlyIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
const nonDecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]!);

describe('Monte Carlo kernel', () => {
  const model = findEntry(MODEL_CATALOG, 'nemotron-h-47b', 'model');

  it.each([
    ['crn', 'paper', 'P'],
    ['crn', 'waves', 1],
    ['independent', 'paper', 1],
    ['independent', 'waves', 'P'],
  ] as const)('agrees with a plain implementation (%s, %s latency, step %s)', (sampling, latency, step) => {
    // M below the summary's pilot size: the quantile bins span exactly [min, max].
    const o = simOptions({ M: 50, k_max: 13, P: 3, sampling, latency, step, sd_A_scale: 1.5 });
    const curves = simulateCurves(model, o, BUDGETS, SEED);
    const { ks, samples } = referenceSamples(model, o, SEED);
    expect(curves.k).toEqual(ks);
    expect(curves.trials).toBe(50);
    ks.forEach((_, j) => {
      const s = samples[j]!;
      for (const [name, values] of [['cost', s.C], ['latency', s.T], ['accuracy', s.A]] as const) {
        const m = curves[name];
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
        expect(m.mean[j]).toBeCloseTo(mean, 12);
        expect(Math.abs(m.sd[j]! - sd)).toBeLessThanOrEqual(1e-9 * sd + 1e-15);
        const bin = (Math.max(...values) - Math.min(...values)) / 256;
        for (const [key, p] of [['q025', 0.025], ['q50', 0.5], ['q975', 0.975]] as const) {
          expect(Math.abs(m[key][j]! - type7(values, p))).toBeLessThanOrEqual(bin * (1 + 1e-9) + 1e-15);
        }
      }
      const share = (ok: (i: number) => boolean) => s.C.filter((_, i) => ok(i)).length / s.C.length;
      expect(curves.pCost[j]).toBe(share((i) => s.C[i]! <= BUDGETS.C_max));
      expect(curves.pLatency[j]).toBe(share((i) => s.T[i]! <= BUDGETS.T_max));
      expect(curves.pBoth[j]).toBe(share((i) => s.C[i]! <= BUDGETS.C_max && s.T[i]! <= BUDGETS.T_max));
    });
  });

  it('gives monotone curves under common random numbers', () => {
    for (const m of MODEL_CATALOG) {
      for (const step of ['P', 1] as const) {
        const paper = simulateCurves(m, simOptions({ step, M: 200 }), BUDGETS, SEED);
        expect(strictlyIncreasing(paper.cost.mean)).toBe(true);
        expect(strictlyIncreasing(paper.latency.mean)).toBe(true);
        expect(nonDecreasing(paper.accuracy.mean)).toBe(true);
        // A call that joins an unfinished wave adds nothing unless it is that wave's slowest.
        const waves = simulateCurves(m, simOptions({ step, M: 200, latency: 'waves' }), BUDGETS, SEED);
        expect((step === 'P' ? strictlyIncreasing : nonDecreasing)(waves.latency.mean)).toBe(true);
      }
    }
  });

  it('never reports less latency with waves than with the paper formula', () => {
    for (const P of [1, 3, 4]) {
      const o = simOptions({ P, k_max: 40, step: 1, M: 200 });
      const paper = simulateCurves(model, o, BUDGETS, SEED);
      const waves = simulateCurves(model, { ...o, latency: 'waves' }, BUDGETS, SEED);
      // Per trial a wave is as slow as its slowest call, at least the mean of up to P calls.
      waves.latency.mean.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(paper.latency.mean[i]! * (1 - 1e-12)));
      expect(waves.cost).toEqual(paper.cost);
      if (P === 1) expect(waves.latency.mean).toEqual(paper.latency.mean);
      else expect(waves.latency.mean[waves.k.length - 1]!).toBeGreaterThan(paper.latency.mean[paper.k.length - 1]!);
    }
  });

  it('reads every k off the same draws, whatever k_max is', () => {
    const long = simulateCurves(model, simOptions({ k_max: 128, M: 100 }), BUDGETS, SEED);
    const short = simulateCurves(model, simOptions({ k_max: 64, M: 100 }), BUDGETS, SEED);
    const n = short.k.length;
    for (const metric of ['cost', 'latency', 'accuracy'] as const) expect(long[metric].mean.slice(0, n)).toEqual(short[metric].mean);
  });

  it('is deterministic in its seed', () => {
    const o = simOptions({ M: 64, k_max: 32 });
    const a: Curves = simulateCurves(model, o, BUDGETS, SEED);
    expect(JSON.stringify(simulateCurves(model, o, BUDGETS, SEED))).toBe(JSON.stringify(a));
    expect(simulateCurves(model, o, BUDGETS, 'another-seed').cost.mean).not.toEqual(a.cost.mean);
    expect(simulateCurves(model, { ...o, sampling: 'independent' }, BUDGETS, SEED).cost.mean).not.toEqual(a.cost.mean);
  });

  it('lists candidates and counts its normals', () => {
    expect(candidateKs(10, 4, 'P')).toEqual([4, 8]);
    expect(candidateKs(3, 4, 1)).toEqual([1, 2, 3]);
    expect(normalsConsumed(simOptions({ M: 10, k_max: 10, P: 4 }))).toBe(10 * 3 * 8);
    expect(normalsConsumed(simOptions({ M: 10, k_max: 10, P: 4, sampling: 'independent' }))).toBe(10 * 3 * 12);
  });

  it('rejects options that leave nothing to simulate', () => {
    expect(() => simulateCurves(model, simOptions({ k_max: 2, P: 4 }), BUDGETS, SEED)).toThrow(
      "no candidate k: step 'P' with P=4 > k_max=2 leaves none. Raise k_max to at least 4, lower P, or use step 1.",
    );
    expect(() => simulateCurves(model, simOptions({ M: 0 }), BUDGETS, SEED)).toThrow(/option M must be an integer >= 1, received 0/);
    expect(() => simulateCurves(model, simOptions({ sd_A_scale: 0 }), BUDGETS, SEED)).toThrow(/sd_A_scale must be a finite number > 0/);
  });
});
