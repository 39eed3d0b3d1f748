/**
 * The Monte Carlo means against the exact oracle: |mean - E| <= 4 standard errors, the standard
 * error being the exact sd / sqrt(M). Fixed seeds; the configurations are drawn once from a
 * seeded generator and include ones where the clips bind.
 */
import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG } from '../../experiments/inference-scaling/catalog.js';
import { simulateCurves, type CallModel, type SimOptions } from '../../experiments/inference-scaling/kernel.js';
import { normalCdf, normalUpperTail } from '../../experiments/inference-scaling/normal.js';
import { exactMoments } from '../../experiments/inference-scaling/oracle.js';
import { stateFromSeed, Xoshiro128 } from '../../experiments/inference-scaling/rng.js';
import { simOptions } from './fixtures.js';

const BUDGETS = { C_max: 1, T_max: 100 };

function expectAgreement(model: CallModel, o: SimOptions, seed: string, ks: readonly number[]): void {
  const curves = simulateCurves(model, o, BUDGETS, seed);
  for (const k of ks) {
    const i = curves.k.indexOf(k);
    expect(i, `k=${k} is a candidate`).toBeGreaterThanOrEqual(0);
    const exact = exactMoments(model, k, o.P, o.sd_A_scale);
    for (const metric of ['cost', 'latency', 'accuracy'] as const) {
      const se = exact[metric].sd / Math.sqrt(o.M);
      const z = (curves[metric].mean[i]! - exact[metric].mean) / se;
      expect(Math.abs(z), `${metric} at k=${k}: MC ${curves[metric].mean[i]} vs exact ${exact[metric].mean} (z=${z.toFixed(2)})`).toBeLessThanOrEqual(4);
    }
  }
}

/** Model configurations from a seeded generator, several with binding clips, plus three forced to bind. */
function randomConfigs(count: number): CallModel[] {
  const u = new Float64Array(12 * count);
  new Xoshiro128(stateFromSeed('oracle-configs')).fill(u);
  let next = 0;
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * u[next++]!;
  const logUniform = (lo: number, hi: number) => Math.exp(uniform(Math.log(lo), Math.log(hi)));
  const configs: CallModel[] = [];
  for (let c = 0; c < count; c++) {
    const mu_in = logUniform(1, 3000);
    const mu_out = logUniform(1, 4000);
    configs.push({
      mu_in,
      sd_in: mu_in * uniform(0.02, 1.5),
      mu_out,
      sd_out: mu_out * uniform(0.02, 2),
      c_in: logUniform(1e-8, 1e-5),
      c_out: logUniform(1e-8, 1e-5),
      t_in: logUniform(1e-5, 1e-2),
      t_out: logUniform(1e-5, 1e-2),
      mu_A: uniform(0.3, 1),
      sd_A: logUniform(0.005, 0.3),
    });
  }
  const base = configs[0]!;
  configs.push({ ...base, mu_A: 0.99, sd_A: 0.05 }); // accuracy clip at 1 binds
  configs.push({ ...base, mu_A: 0.02, sd_A: 0.1 }); // accuracy clip at 0 binds
  configs.push({ ...base, mu_in: 3, sd_in: 4, mu_out: 80, sd_out: 60 }); // both length clips bind
  return configs;
}

describe('Monte Carlo vs exact oracle', () => {
  it.each(MODEL_CATALOG.map((m) => [m.id, m] as const))('agrees for %s', (_, model) => {
    expectAgreement(model, simOptions({ M: 4000 }), `oracle-${model.id}`, [4, 16, 64, 128]);
  });

  const configs = randomConfigs(21);

  it('covers configurations where the clips bind', () => {
    const binding = (p: (m: CallModel) => number) => configs.filter((m) => p(m) > 0.05).length;
    expect(binding((m) => normalUpperTail((1 - m.mu_A) / m.sd_A))).toBeGreaterThanOrEqual(3);
    expect(binding((m) => normalCdf((1 - m.mu_in) / m.sd_in))).toBeGreaterThanOrEqual(3);
    expect(binding((m) => normalCdf((1 - m.mu_out) / m.sd_out))).toBeGreaterThanOrEqual(3);
    expect(binding((m) => normalCdf(-m.mu_A / m.sd_A))).toBeGreaterThanOrEqual(1);
  });

  it.each(configs.map((m, i) => [i, m] as const))('agrees for random configuration %i', (i, model) => {
    const P = [1, 2, 3, 4, 8][i % 5]!;
    expectAgreement(model, simOptions({ M: 3000, k_max: 32, P, step: 1 }), `oracle-config-${i}`, [1, 4, 32]);
  });

  it.each(['gpt5', 'nemotron-nano-9b-v2', 'qwen3-30b-a3b'])('agrees with independent per-k streams for %s', (id) => {
    const model = MODEL_CATALOG.find((m) => m.id === id)!;
    expectAgreement(model, simOptions({ M: 2000, k_max: 32, sampling: 'independent' }), `oracle-independent-${id}`, [4, 16, 32]);
  });

  it('agrees with a scaled accuracy spread', () => {
    expectAgreement(MODEL_CATALOG[3]!, simOptions({ M: 3000, k_max: 64, sd_A_scale: 2.5 }), 'oracle-scaled', [4, 64]);
  });
});
