/**
 * 3. Scaling: trials per second of `harness run` on the paper study for 1, 2, 4, ... threads up
 * to the cores (or `--threads`), rounds interleaving the thread counts. The rate is the
 * engine's own (opening the database to the last commit: pool start-up, planning and writing
 * included; process start-up and study loading not). Efficiency on n threads is
 * rate(n) / (n rate(1)).
 */
import { Store } from '../../harness/store/store.js';
import type { StudyRun } from '../context.js';
import { formatNumber } from '../format.js';
import { median } from '../measure.js';
import { figure, target, type Benchmark, type Figure, type Target } from '../suite.js';

/** Share of the run's thread-seconds that workers spent inside runGroup (the store's duration_ms). */
export function workerBusyShare(run: StudyRun): number {
  const store = Store.open(run.db, 'read');
  try {
    const busyMs = store.db.prepare(`SELECT total(duration_ms) FROM trial`).pluck().get() as number;
    return busyMs / 1000 / (run.threads * run.summary.seconds);
  } finally {
    store.close();
  }
}

export const scalingBenchmark: Benchmark = {
  name: 'scaling',
  title: 'Trials per second of the paper study by thread count',
  async run(ctx) {
    const repetitions = ctx.quick ? 1 : 3;
    const counts = [...new Set([1, ...ctx.threadCounts])].sort((a, b) => a - b);
    // More threads get more seeds, so that every thread still has about as much work as on 2.
    const seedFactor = Math.max(1, Math.ceil(Math.max(...counts) / 2));
    const runsOn = (threads: number, count: number) => ctx.paperRuns(threads, count, seedFactor);
    for (let rep = 1; rep <= repetitions; rep++) {
      for (const threads of counts) await runsOn(threads, rep);
    }
    const figures: Figure[] = [];
    const targets: Target[] = [];
    const notes: string[] = [];
    const single = (await runsOn(1, repetitions)).map((r) => r.summary.trialsPerSecond);
    const base = figure('trials_per_s_1', 'trials/s on 1 thread', 'trials/s', single);
    figures.push(base);
    for (const threads of counts) {
      const runs = await runsOn(threads, repetitions);
      const rates = runs.map((r) => r.summary.trialsPerSecond);
      if (threads > 1) {
        const rate = figure(`trials_per_s_${threads}`, `trials/s on ${threads} threads`, 'trials/s', rates, base);
        const efficiency = figure(`efficiency_${threads}`, `parallel efficiency on ${threads} threads`, '', rates.map((r) => r / (threads * base.median)));
        figures.push(rate, efficiency);
        if (threads === 2) targets.push(target('efficiency_2', 'parallel efficiency on 2 threads', efficiency.median, '', '>=', 0.9));
      }
      const busy = median(runs.map(workerBusyShare));
      notes.push(
        `${threads} thread${threads > 1 ? 's' : ''}: workers inside runGroup ${(100 * busy).toFixed(0)}% of their thread-time; ` +
          `engine ${formatNumber(median(runs.map((r) => r.summary.seconds)))} s, whole process ${formatNumber(median(runs.map((r) => r.run.wallSeconds)))} s`,
      );
    }
    if (!counts.includes(2)) notes.push('2 threads were not among the thread counts: the 2-thread efficiency target was not checked');
    const cells = (await runsOn(1, 1))[0]!.summary.cells;
    return {
      name: this.name,
      title: this.title,
      settings: { study: 'paper', seed_factor: seedFactor, cells, threads: counts, repetitions },
      figures,
      targets,
      notes,
    };
  },
};
