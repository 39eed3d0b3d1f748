/**
 * Throughput per seed against the authors' notebook. The reference is a measurement made once
 * on the 2-core development machine (their numpy code: about 26 s per seed for the 3-scenario
 * x 9-model grid at M = 300); it is not rerun here. Ours is a whole `harness run` of the paper
 * study on every core, process start to exit, divided by its seeds.
 */
import { formatNumber } from '../format.js';
import { median } from '../measure.js';
import { figure, target, type Benchmark } from '../suite.js';

const NOTEBOOK_SECONDS_PER_SEED = 26;

export const referenceBenchmark: Benchmark = {
  name: 'reference',
  title: "Seeds per second of the paper study vs the authors' notebook",
  async run(ctx) {
    const repetitions = ctx.quick ? 1 : 3;
    const study = await ctx.paperStudy();
    const seeds = study.manifest.body.seeds;
    const runs = await ctx.paperRuns(ctx.cores, repetitions);
    const reports = await ctx.paperReports(1);
    const notebook = figure('notebook_seeds_per_s', "authors' notebook (documented, not rerun)", 'seeds/s', [1 / NOTEBOOK_SECONDS_PER_SEED]);
    const ours = figure('harness_seeds_per_s', `harness run paper (${ctx.cores} threads, whole process)`, 'seeds/s', runs.map((r) => seeds / r.run.wallSeconds), notebook);
    const engine = figure('engine_seeds_per_s', 'harness run paper, engine clock (no process start-up)', 'seeds/s', runs.map((r) => seeds / r.summary.seconds), notebook);
    const runSeconds = median(runs.map((r) => r.run.wallSeconds));
    const reportSeconds = reports[0]!.wallSeconds;
    const withReport = figure(
      'start_seeds_per_s',
      'run + report (what `npm start` does)',
      'seeds/s',
      [seeds / (runSeconds + reportSeconds)],
      notebook,
    );
    return {
      name: this.name,
      title: this.title,
      settings: { seeds, threads: ctx.cores, repetitions, notebook_seconds_per_seed: NOTEBOOK_SECONDS_PER_SEED },
      figures: [ours, engine, withReport],
      targets: [target('speedup_vs_notebook', 'speed-up of harness run over the notebook, per seed', ours.ratio!, 'x', '>=', 250)],
      notes: [
        `per seed: ${formatNumber(runSeconds / seeds)} s for the run, ${formatNumber((runSeconds + reportSeconds) / seeds)} s with the report ` +
          `(notebook: ${NOTEBOOK_SECONDS_PER_SEED} s); ${seeds} seeds take ${formatNumber(runSeconds)} s + ${formatNumber(reportSeconds)} s for the report.`,
      ],
    };
  },
};
