/**
 * Kernel throughput against the raw speed of its normal generator, measured in one process:
 * the raw rate fills a large buffer from one NormalSampler; the kernel rate counts the
 * normals a simulation consumes per second of its wall time (statistics included). Each rate
 * is the best of several interleaved rounds, so that load from other processes on the
 * machine does not favour one side.
 *
 *   npx tsx experiments/inference-scaling/scripts/throughput.ts
 */
import { findEntry, MODEL_CATALOG, SCENARIO_CATALOG } from '../catalog.js';
import { normalsConsumed, simulateCurves, type SimOptions } from '../kernel.js';
import { NormalSampler, stateFromSeed, Xoshiro128 } from '../rng.js';
import { rate } from '../../../bench/measure.js';

const SECONDS = 1;
const ROUNDS = 5;

const sampler = new NormalSampler(new Xoshiro128(stateFromSeed('throughput')));
const buffer = new Float64Array(1 << 16);
const rawWork = () => {
  sampler.fill(buffer);
  return buffer.length;
};

const model = findEntry(MODEL_CATALOG, 'gpt5', 'model');
const scenario = findEntry(SCENARIO_CATALOG, 'balanced', 'scenario');
const base: SimOptions = { M: 2000, k_max: scenario.k_max, P: scenario.P, step: 'P', sampling: 'crn', latency: 'paper', sd_A_scale: 1 };
const variants: [string, SimOptions][] = [
  ['crn, step P (default)', base],
  ['crn, step 1', { ...base, step: 1 }],
  ['crn, step P, waves', { ...base, latency: 'waves' }],
  ['independent, step P', { ...base, M: 200, sampling: 'independent' }],
];

let raw = 0;
const best = variants.map(() => 0);
for (let round = 0; round < ROUNDS; round++) {
  raw = Math.max(raw, rate(rawWork, SECONDS));
  variants.forEach(([, options], v) => {
    let seed = 0;
    best[v] = Math.max(best[v]!, rate(() => {
      simulateCurves(model, options, scenario, `throughput-${seed++}`);
      return normalsConsumed(options);
    }, SECONDS));
  });
}

const million = (x: number) => `${(x / 1e6).toFixed(1)} M/s`;
console.log(`raw normal generation (NormalSampler over xoshiro128**): ${million(raw)}`);
variants.forEach(([label, options], v) => {
  const r = best[v]!;
  console.log(`kernel ${label}, M=${options.M}, k_max=${options.k_max}: ${million(r)} normals consumed (${((100 * r) / raw).toFixed(0)}% of raw)`);
});
