/**
 * The Monte Carlo kernel: one model, one set of simulation options -> per-k curves.
 *
 * Each call i draws three standard normals, in this order: input length, output length,
 * accuracy (STUDY.md section 2, clipping included):
 *   Lin  = clip(mu_in  + sd_in  z1, 1, 16 mu_in)
 *   Lout = clip(mu_out + sd_out z2, 1, 16 Lin)
 *   A    = clip(mu_A + sd_A sd_A_scale z3, 0, 1)
 *   C_i = c_in Lin + c_out Lout,  T_i = t_in Lin + t_out Lout
 * and k calls aggregate to C(k) = sum C_i, A(k) = max A_i and T(k) by the latency model:
 *   'paper': (1/P) sum T_i;  'waves': ceil(k/P) waves of P calls, each as slow as its slowest.
 *
 * Sampling 'crn' (common random numbers): trial t draws the calls of the largest candidate k
 * once, from substream t of the stream 'calls', and reads every candidate off that prefix with
 * running sums and maxima — curves are monotone and the work is O(M k_max).
 * Sampling 'independent' (the authors' way): candidate k has its own stream {calls: k}, and
 * trial t of it draws k fresh calls — the work is O(M k_max^2 / P).
 * Either way trial t's numbers depend only on (seed, stream, t), so runs that differ only in M
 * share their common trials, and scenarios of one model and seed share their draws.
 *
 * Memory is O(number of candidates): statistics stream through `StreamingSummary`.
 */
import { streamSeed } from '../../harness/identity.js';
import type { ModelSpec } from './catalog.js';
import type { Curves, MetricCurve } from './curves.js';
import { NormalSampler, stateFromSeed, substreamState, Xoshiro128 } from './rng.js';
import { StreamingSummary, type SeriesSummary } from './summary.js';

export type Step = 'P' | 1;
export type Sampling = 'crn' | 'independent';
export type LatencyModel = 'paper' | 'waves';

export interface SimOptions {
  /** Monte Carlo trials. */
  M: number;
  k_max: number;
  /** Calls that run at once. */
  P: number;
  /** Candidate k: multiples of P (the paper) or every k. */
  step: Step;
  sampling: Sampling;
  latency: LatencyModel;
  /** Multiplies every model's sd_A (a sensitivity knob; 1 = the catalog). */
  sd_A_scale: number;
}

export interface Budgets {
  C_max: number;
  T_max: number;
}

export type CallModel = Pick<ModelSpec, 'mu_in' | 'sd_in' | 'mu_out' | 'sd_out' | 'c_in' | 'c_out' | 't_in' | 't_out' | 'mu_A' | 'sd_A'>;

/** Normals each call consumes. */
export const NORMALS_PER_CALL = 3;

const TRIALS_PER_BLOCK = 16;

/** Candidate k values, ascending: {P, 2P, ...} <= k_max, or 1..k_max. */
export function candidateKs(k_max: number, P: number, step: Step): number[] {
  const stride = step === 'P' ? P : 1;
  const ks: number[] = [];
  for (let k = stride; k <= k_max; k += stride) ks.push(k);
  if (ks.length === 0) {
    throw new RangeError(
      `no candidate k: step 'P' with P=${P} > k_max=${k_max} leaves none. Raise k_max to at least ${P}, lower P, or use step 1.`,
    );
  }
  return ks;
}

function checkOptions(options: SimOptions): void {
  const integers: [keyof SimOptions, number][] = [['M', 1], ['k_max', 1], ['P', 1]];
  for (const [field, min] of integers) {
    const value = options[field];
    if (!Number.isInteger(value) || (value as number) < min) {
      throw new RangeError(`simulation option ${field} must be an integer >= ${min}, received ${String(value)}. Fix it under params.sim or in the scenario.`);
    }
  }
  if (!(options.sd_A_scale > 0) || !Number.isFinite(options.sd_A_scale)) {
    throw new RangeError(`simulation option sd_A_scale must be a finite number > 0, received ${options.sd_A_scale}. Use 1 for the catalog's sd_A.`);
  }
}

/** The prefix scan that turns one trial's normals into C(k), T(k), A(k). */
class CallScanner {
  private readonly sdA: number;
  private readonly waves: boolean;

  constructor(
    private readonly model: CallModel,
    private readonly P: number,
    latency: LatencyModel,
    sdAScale: number,
    private readonly ks: Int32Array,
  ) {
    this.sdA = model.sd_A * sdAScale;
    this.waves = latency === 'waves';
  }

  /**
   * Runs calls 1..count on normals z and, for candidates from index `from` on whose k <= count,
   * writes C(k), T(k), A(k) into row[c], row[n + c], row[2n + c] (n = number of candidates).
   */
  scan(z: Float64Array, count: number, from: number, row: Float64Array): void {
    const { mu_in: muIn, sd_in: sdIn, mu_out: muOut, sd_out: sdOut, mu_A: muA } = this.model;
    const { c_in: cIn, c_out: cOut, t_in: tIn, t_out: tOut } = this.model;
    const { sdA, waves, P, ks } = this;
    const maxIn = 16 * muIn;
    const n = ks.length;
    const invP = 1 / P;
    let sumC = 0, sumT = 0, maxA = 0;
    let finishedWaves = 0, waveMax = 0, inWave = 0;
    let cand = from;
    let next = cand < n ? ks[cand]! : -1;
    for (let i = 0, j = 0; i < count; i++, j += 3) {
      let lin = muIn + sdIn * z[j]!;
      lin = lin < 1 ? 1 : lin > maxIn ? maxIn : lin;
      let lout = muOut + sdOut * z[j + 1]!;
      const maxOut = 16 * lin;
      lout = lout < 1 ? 1 : lout > maxOut ? maxOut : lout;
      let a = muA + sdA * z[j + 2]!;
      a = a < 0 ? 0 : a > 1 ? 1 : a;
      sumC += cIn * lin + cOut * lout;
      const t = tIn * lin + tOut * lout;
      sumT += t;
      if (a > maxA) maxA = a;
      if (t > waveMax) waveMax = t;
      if (++inWave === P) {
        finishedWaves += waveMax;
        waveMax = 0;
        inWave = 0;
      }
      if (i + 1 === next) {
        row[cand] = sumC;
        row[n + cand] = waves ? finishedWaves + waveMax : sumT * invP;
        row[2 * n + cand] = maxA;
        cand++;
        next = cand < n ? ks[cand]! : -1;
      }
    }
  }
}

/** Simulates one model under `options`; `seed` is the group's hex seed. */
export function simulateCurves(model: CallModel, options: SimOptions, budgets: Budgets, seed: string): Curves {
  checkOptions(options);
  const kList = candidateKs(options.k_max, options.P, options.step);
  const ks = Int32Array.from(kList);
  const n = ks.length;
  const scanner = new CallScanner(model, options.P, options.latency, options.sd_A_scale, ks);
  const summary = new StreamingSummary(3 * n);
  const withinCost = new Float64Array(n);
  const withinLatency = new Float64Array(n);
  const withinBoth = new Float64Array(n);
  // Trials are summarized in blocks of rows: the summary then runs series by series.
  const block = new Float64Array(TRIALS_PER_BLOCK * 3 * n);
  const blockRows = Array.from({ length: TRIALS_PER_BLOCK }, (_, r) => block.subarray(r * 3 * n, (r + 1) * 3 * n));
  const z = new Float64Array(NORMALS_PER_CALL * ks[n - 1]!);
  const generator = new Xoshiro128(new Uint32Array(4));
  const normals = new NormalSampler(generator);
  const trialState = new Uint32Array(4);

  const draw = (root: Uint32Array, trial: number, calls: number): void => {
    substreamState(root, trial, trialState);
    generator.setState(trialState);
    normals.reset();
    normals.fill(z, 0, NORMALS_PER_CALL * calls);
  };

  const crnRoot = stateFromSeed(streamSeed(seed, 'calls'));
  const independentRoots = options.sampling === 'independent' ? kList.map((k) => stateFromSeed(streamSeed(seed, { calls: k }))) : [];

  for (let trial = 0; trial < options.M; trial++) {
    const slot = trial % TRIALS_PER_BLOCK;
    const row = blockRows[slot]!;
    if (options.sampling === 'crn') {
      draw(crnRoot, trial, ks[n - 1]!);
      scanner.scan(z, ks[n - 1]!, 0, row);
    } else {
      for (let cand = 0; cand < n; cand++) {
        draw(independentRoots[cand]!, trial, ks[cand]!);
        scanner.scan(z, ks[cand]!, cand, row);
      }
    }
    for (let cand = 0; cand < n; cand++) {
      const okCost = row[cand]! <= budgets.C_max;
      const okLatency = row[n + cand]! <= budgets.T_max;
      if (okCost) withinCost[cand]!++;
      if (okLatency) withinLatency[cand]!++;
      if (okCost && okLatency) withinBoth[cand]!++;
    }
    if (slot === TRIALS_PER_BLOCK - 1 || trial === options.M - 1) summary.addRows(block, slot + 1);
  }

  const stats = summary.finish();
  const share = (counts: Float64Array) => Array.from(counts, (c) => c / options.M);
  return {
    k: kList,
    cost: metricCurve(stats, 0, n),
    latency: metricCurve(stats, n, n),
    accuracy: metricCurve(stats, 2 * n, n),
    pCost: share(withinCost),
    pLatency: share(withinLatency),
    pBoth: share(withinBoth),
    trials: options.M,
  };
}

function metricCurve(stats: SeriesSummary, offset: number, n: number): MetricCurve {
  const take = (values: Float64Array) => Array.from(values.subarray(offset, offset + n));
  return {
    mean: take(stats.mean),
    sd: take(stats.sd),
    q025: take(stats.quantiles[0]),
    q50: take(stats.quantiles[1]),
    q975: take(stats.quantiles[2]),
  };
}

/** Standard normals one simulation consumes (for throughput accounting). */
export function normalsConsumed(options: SimOptions): number {
  const ks = candidateKs(options.k_max, options.P, options.step);
  const callsPerTrial = options.sampling === 'crn' ? ks[ks.length - 1]! : ks.reduce((a, b) => a + b, 0);
  return options.M * NORMALS_PER_CALL * callsPerTrial;
}
