/**
 * 2. Common random numbers vs the paper's procedure, on the paper study (3 scenarios x 9
 * models, M = 300, k_max = 128, k stepped by P = 4) with the paper's four selectors.
 *
 * Ours: one simulation per (scenario, model, seed), every candidate k read off one prefix of
 * k_max calls, all four selectors on it (one `runGroup` per group). The authors' way: every
 * selector re-simulates every k from its own stream (sampling `independent`, one `runGroup`
 * per cell). Both run in this process through the experiment's own `runGroup`.
 *
 * Agreement: per model and k, the mean C(k), T(k), A(k) of the two procedures, pooled over
 * seeds, must agree within their combined standard error. With n comparisons the largest |z|
 * stays below the Bonferroni bound z(1 - alpha / 2n) with probability at least 1 - alpha.
 */
import { findEntry, resolveScenarios } from '../../experiments/inference-scaling/catalog.js';
import { paramsSchema, simOptionsFor } from '../../experiments/inference-scaling/experiment.js';
import { candidateKs, normalsConsumed } from '../../experiments/inference-scaling/kernel.js';
import type { Experiment, GroupTask, Scalar } from '../../harness/experiment.js';
import { plannedGroups } from '../../harness/run/tasks.js';
import { normalQuantile } from '../../harness/stats/proportion.js';
import type { BenchContext } from '../context.js';
import { formatNumber } from '../format.js';
import { timed } from '../measure.js';
import { figure, target, type Benchmark } from '../suite.js';

const PAPER_SELECTORS = ['accuracy-max', 'max-cube', 'utopia', 'knee-paper'];
const SELECTOR_SET = `axes.selector=${PAPER_SELECTORS.join(',')}`;
const AGREEMENT_KS = [4, 16, 64, 128];
const METRICS = ['cost', 'latency', 'accuracy'] as const;
/** Family-wise error rate of the agreement check. */
const FAMILY_ALPHA = 0.01;

interface Planned {
  experiment: Experiment;
  tasks: GroupTask[];
  seeds: number;
}

async function plan(ctx: BenchContext, sets: string[]): Promise<Planned> {
  const study = await ctx.paperStudy(sets);
  return {
    experiment: study.loaded.experiment,
    tasks: [...plannedGroups(study, null, () => false)].map((g) => g.task),
    seeds: study.manifest.body.seeds,
  };
}

/** Monte Carlo trials behind one group's curve. */
function trialsOf(task: GroupTask): number {
  const params = paramsSchema.parse(task.params);
  const scenario = findEntry(resolveScenarios(params), String(task.cells[0]!.values['scenario']), 'scenario');
  return simOptionsFor(scenario, params.sim).M;
}

/** One estimate: a mean over `trials` Monte Carlo trials and their standard deviation. */
export interface Estimate {
  mean: number;
  sd: number;
  trials: number;
}

/**
 * z of the difference between two procedures' means, each pooled over independent seeds
 * (the pooled mean is the average of the seeds' means; its variance sum(sd^2 / trials) / S^2).
 */
export function pooledZ(a: readonly Estimate[], b: readonly Estimate[]): number {
  const pool = (xs: readonly Estimate[]) => ({
    mean: xs.reduce((s, x) => s + x.mean, 0) / xs.length,
    variance: xs.reduce((s, x) => s + (x.sd * x.sd) / x.trials, 0) / (xs.length * xs.length),
  });
  const pa = pool(a);
  const pb = pool(b);
  const se = Math.sqrt(pa.variance + pb.variance);
  const diff = pa.mean - pb.mean;
  return se > 0 ? diff / se : diff === 0 ? 0 : Infinity;
}

/** model -> k -> metric -> one estimate per seed. */
type Estimates = Map<string, Map<number, Record<(typeof METRICS)[number], Estimate[]>>>;

function estimatesOf(planned: Planned): Estimates {
  const out: Estimates = new Map();
  for (const task of planned.tasks) {
    const model = String(task.cells[0]!.values['model']);
    const trials = trialsOf(task);
    const byK = out.get(model) ?? new Map();
    out.set(model, byK);
    for (const row of planned.experiment.runGroup(task).curve) {
      const k = row['k'] as number;
      if (!AGREEMENT_KS.includes(k)) continue;
      const entry = byK.get(k) ?? { cost: [], latency: [], accuracy: [] };
      byK.set(k, entry);
      const read = (name: string): number => row[name] as Exclude<Scalar, string | null>;
      for (const metric of METRICS) entry[metric].push({ mean: read(`${metric}_mean`), sd: read(`${metric}_sd`), trials });
    }
  }
  return out;
}

export const crnBenchmark: Benchmark = {
  name: 'crn',
  title: "Common random numbers vs the paper's procedure (independent per-k streams, re-simulated per selector)",
  async run(ctx) {
    const timingSeeds = 1;
    const repetitions = ctx.quick ? 1 : 3;
    const agreementSeeds = ctx.quick ? 3 : 10;

    const ours = await plan(ctx, [`seeds=${timingSeeds}`, SELECTOR_SET]);
    const theirs = await plan(ctx, [`seeds=${timingSeeds}`, SELECTOR_SET, 'sim.sampling=independent']);
    const oursRates: number[] = [];
    const theirRates: number[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      ctx.log(`  timing both procedures, ${rep + 1} of ${repetitions}`);
      const a = timed(() => ours.tasks.forEach((task) => ours.experiment.runGroup(task)));
      const b = timed(() =>
        theirs.tasks.forEach((task) => task.cells.forEach((cell) => theirs.experiment.runGroup({ ...task, cells: [cell] }))),
      );
      oursRates.push(timingSeeds / a.seconds);
      theirRates.push(timingSeeds / b.seconds);
    }
    const baseline = figure('paper_procedure_seeds_per_s', "the authors' procedure (independent streams, per selector)", 'seeds/s', theirRates);
    const speed = figure('crn_seeds_per_s', 'ours (one CRN prefix simulation per group)', 'seeds/s', oursRates, baseline);

    ctx.log(`  agreement over ${agreementSeeds} seeds`);
    const balanced = [`seeds=${agreementSeeds}`, 'axes.scenario=balanced', SELECTOR_SET];
    const crn = estimatesOf(await plan(ctx, balanced));
    const independent = estimatesOf(await plan(ctx, [...balanced, 'sim.sampling=independent']));
    let worst = { z: 0, where: '' };
    const zs: number[] = [];
    for (const [model, byK] of crn) {
      for (const [k, metrics] of byK) {
        for (const metric of METRICS) {
          const other = independent.get(model)?.get(k)?.[metric];
          if (!other) throw new Error(`crn: no independent-stream estimate for ${model}, k=${k}, ${metric}`);
          const z = pooledZ(metrics[metric], other);
          zs.push(z);
          if (Math.abs(z) > Math.abs(worst.z)) worst = { z, where: `${model}, k=${k}, ${metric}` };
        }
      }
    }
    const bound = normalQuantile(1 - FAMILY_ALPHA / (2 * zs.length));
    const maxZ = figure('agreement_max_abs_z', `largest |z| of ${zs.length} mean comparisons`, '', [Math.abs(worst.z)]);
    const within = (limit: number) => `${((100 * zs.filter((z) => Math.abs(z) <= limit).length) / zs.length).toFixed(0)}%`;

    const scenario = findEntry(resolveScenarios({}), 'balanced', 'scenario');
    const sim = simOptionsFor(scenario, paramsSchema.parse({}).sim);
    const drawRatio = (PAPER_SELECTORS.length * normalsConsumed({ ...sim, sampling: 'independent' })) / normalsConsumed(sim);
    return {
      name: this.name,
      title: this.title,
      settings: {
        selectors: PAPER_SELECTORS,
        timing_seeds: timingSeeds,
        repetitions,
        agreement_seeds: agreementSeeds,
        agreement_scenario: 'balanced',
        agreement_k: AGREEMENT_KS.filter((k) => candidateKs(sim.k_max, sim.P, sim.step).includes(k)),
        M: sim.M,
        k_max: sim.k_max,
        P: sim.P,
      },
      figures: [speed, maxZ],
      targets: [target('agreement_max_abs_z', `max |z| (Bonferroni bound, family-wise ${FAMILY_ALPHA})`, maxZ.median, '', '<=', bound)],
      notes: [
        `speed ratio ${formatNumber(speed.ratio!)}x; the normals drawn differ by ${formatNumber(drawRatio)}x ` +
          `(${PAPER_SELECTORS.length} selectors x sum of k over k_max); selection, statistics and set-up are common to both.`,
        `agreement: mean C, T, A per model at k in {${AGREEMENT_KS.join(', ')}}, pooled over ${agreementSeeds} seeds x M=${sim.M} ` +
          `trials per procedure; |z| <= 1 for ${within(1)} and <= 2 for ${within(2)} of the comparisons (about 68% and 95% expected); ` +
          `largest at ${worst.where} (z = ${worst.z.toFixed(2)}).`,
      ],
    };
  },
};
