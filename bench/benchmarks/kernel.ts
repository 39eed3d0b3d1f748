/**
 * 1. The Monte Carlo kernel against the ceiling set by its own normal generator: normals the
 * kernel consumes per second of its wall time (statistics included) vs the rate at which one
 * NormalSampler fills a large buffer in a tight loop. Rounds interleave the two, so load from
 * other processes falls on both sides alike.
 */
import { findEntry, MODEL_CATALOG, SCENARIO_CATALOG } from '../../experiments/inference-scaling/catalog.js';
import { paramsSchema, simOptionsFor } from '../../experiments/inference-scaling/experiment.js';
import { normalsConsumed, simulateCurves } from '../../experiments/inference-scaling/kernel.js';
import { NormalSampler, stateFromSeed, Xoshiro128 } from '../../experiments/inference-scaling/rng.js';
import { rate } from '../measure.js';
import { figure, target, type Benchmark } from '../suite.js';

export const kernelBenchmark: Benchmark = {
  name: 'kernel',
  title: 'Monte Carlo kernel vs the raw rate of its normal generator',
  async run(ctx) {
    const rounds = ctx.quick ? 3 : 5;
    const seconds = ctx.quick ? 0.3 : 0.75;
    const model = findEntry(MODEL_CATALOG, 'gpt5', 'model');
    const scenario = findEntry(SCENARIO_CATALOG, 'balanced', 'scenario');
    // The study's defaults: common random numbers, k stepped by P, the paper's latency formula.
    const options = simOptionsFor(scenario, paramsSchema.parse({}).sim);

    const sampler = new NormalSampler(new Xoshiro128(stateFromSeed('bench-kernel')));
    const buffer = new Float64Array(1 << 16);
    const raw = () => {
      sampler.fill(buffer);
      return buffer.length;
    };
    let seed = 0;
    const perSimulation = normalsConsumed(options);
    const kernel = () => {
      simulateCurves(model, options, scenario, `bench-kernel-${seed++}`);
      return perSimulation;
    };

    const rawRates: number[] = [];
    const kernelRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      rawRates.push(rate(raw, seconds));
      kernelRates.push(rate(kernel, seconds));
    }
    const baseline = figure('raw_normals_per_s', 'raw NormalSampler.fill over xoshiro128**', 'normals/s', rawRates);
    const consumed = figure('kernel_normals_per_s', 'simulateCurves, normals consumed', 'normals/s', kernelRates, baseline);
    return {
      name: this.name,
      title: this.title,
      settings: { model: model.id, scenario: scenario.id, ...options, rounds, seconds_per_round: seconds },
      figures: [consumed],
      targets: [target('kernel_share_of_raw', 'kernel rate / raw rate', consumed.ratio!, '', '>=', 0.5)],
      notes: [],
    };
  },
};
