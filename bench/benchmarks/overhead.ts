/**
 * 4. Harness overhead.
 * - The no-op fixture (bench/fixtures/noop.ts: groups of 8 trials that compute nothing) through
 *   `harness run`: every second is pool, thread boundary, planning and store.
 * - The share of the paper study's wall time the harness adds: a 1-thread `harness run` (the
 *   engine's clock) against the pure compute of the same groups, each `runGroup` timed one
 *   after another in a fresh process (bench/probe/compute.ts); repetition i pairs run i with
 *   compute measurement i.
 */
import { join } from 'node:path';
import { projectRoot } from '../../harness/paths.js';
import { noopGroupSize, paperStudyFile } from '../context.js';
import { formatNumber } from '../format.js';
import { median } from '../measure.js';
import { runScript } from '../processes.js';
import { figure, target, type Benchmark } from '../suite.js';
import { workerBusyShare } from './scaling.js';

const computeProbe = join(projectRoot, 'bench', 'probe', 'compute.ts');

export const overheadBenchmark: Benchmark = {
  name: 'overhead',
  title: 'Harness overhead: a no-op experiment, and the share of the paper study the harness adds',
  async run(ctx) {
    const repetitions = ctx.quick ? 1 : 3;
    const trials = ctx.quick ? 20_000 : 100_000;

    const noopFigures = [];
    for (const threads of [...new Set([1, ctx.cores])]) {
      const runs = await ctx.noopRuns(trials, threads, repetitions);
      noopFigures.push(
        figure(`noop_trials_per_s_${threads}`, `no-op trials/s, ${threads} thread${threads > 1 ? 's' : ''}`, 'trials/s', runs.map((r) => r.summary.trialsPerSecond)),
      );
    }
    const atDefault = noopFigures[noopFigures.length - 1]!;
    const fixed = (await ctx.noopRuns(noopGroupSize, 1, repetitions)).map((r) => r.summary.seconds);
    const fixedFigure = figure('run_fixed_s', 'fixed cost of a run: one no-op group, 1 thread (engine clock)', 's', fixed);

    const engine: number[] = [];
    const compute: number[] = [];
    for (let rep = 1; rep <= repetitions; rep++) {
      const run = (await ctx.paperRuns(1, rep))[rep - 1]!;
      ctx.log(`  pure compute of the paper study, ${rep} of ${repetitions}`);
      const probe = await runScript(computeProbe, [paperStudyFile, ...ctx.paperSets.flatMap((s) => ['--set', s])]);
      engine.push(run.summary.seconds);
      compute.push((JSON.parse(probe.stdout.trim().split('\n').pop()!) as { seconds: number }).seconds);
    }
    const computeFigure = figure('paper_compute_s', 'pure runGroup compute, one thread, in-process', 's', compute);
    const engineFigure = figure('paper_engine_s', 'harness run paper --threads 1 (engine clock)', 's', engine, computeFigure);
    const shares = engine.map((e, i) => 1 - compute[i]! / e);
    const share = figure('paper_harness_share', 'share of wall time the harness adds', '', shares);
    const busy = median((await ctx.paperRuns(1, repetitions)).map(workerBusyShare));
    return {
      name: this.name,
      title: this.title,
      settings: { noop_trials: trials, noop_trials_per_group: noopGroupSize, threads: [...new Set([1, ctx.cores])], repetitions, paper_cells: (await ctx.paperRuns(1, 1))[0]!.summary.cells },
      figures: [...noopFigures, fixedFigure, engineFigure, share],
      targets: [
        target('noop_trials_per_s', `no-op trials/s on ${ctx.cores} threads (the default)`, atDefault.median, 'trials/s', '>=', 20_000),
        target('paper_harness_share', 'share of the paper run the harness adds', share.median, '', '<=', 0.05),
      ],
      notes: [
        `of the 1-thread paper run's ${formatNumber(engineFigure.median)} s, the worker spent ${formatNumber(busy * engineFigure.median)} s inside runGroup ` +
          `(${formatNumber(computeFigure.median)} s when alone in a process) and ${formatNumber((1 - busy) * engineFigure.median)} s outside it: ` +
          `the run's fixed cost (${formatNumber(fixedFigure.median)} s: database, pool and worker start-up, last commit), ` +
          `messages, output checks, and waiting for the main thread between batches.`,
      ],
    };
  },
};
