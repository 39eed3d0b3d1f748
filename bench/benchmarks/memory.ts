/**
 * 6. Memory: peak resident set size of a whole `harness run` process (every thread; read by a
 * preloaded probe from getrusage at exit) for the no-op study at two grid sizes, ten times
 * apart, on the default thread count. Streaming planning and bounded batches should keep it
 * flat. A 1-thread run of the smaller grid separates what each extra worker costs.
 */
import { formatNumber } from '../format.js';
import { figure, target, type Benchmark } from '../suite.js';

export const memoryBenchmark: Benchmark = {
  name: 'memory',
  title: 'Peak memory of a run by grid size',
  async run(ctx) {
    const small = ctx.quick ? 10_000 : 100_000;
    const large = small * 10;
    const threads = ctx.cores;
    const suffix = `${threads} thread${threads > 1 ? 's' : ''}`;
    const [smallRun] = await ctx.noopRuns(small, threads, 1);
    const [largeRun] = await ctx.noopRuns(large, threads, 1);
    const base = figure(`peak_rss_mb_small`, `peak RSS, ${formatNumber(small)} trials, ${suffix}`, 'MB', [smallRun!.run.peakRssMb]);
    const big = figure(`peak_rss_mb_large`, `peak RSS, ${formatNumber(large)} trials, ${suffix}`, 'MB', [largeRun!.run.peakRssMb], base);
    const notes: string[] = [];
    if (threads > 1) {
      const [oneThread] = await ctx.noopRuns(small, 1, 1);
      const perWorker = (smallRun!.run.peakRssMb - oneThread!.run.peakRssMb) / (threads - 1);
      notes.push(
        `${formatNumber(small)} trials on 1 thread: ${formatNumber(oneThread!.run.peakRssMb)} MB; each further worker thread adds about ` +
          `${formatNumber(perWorker)} MB (its own V8 heap, the TypeScript loader and the experiment's modules).`,
      );
    }
    return {
      name: this.name,
      title: this.title,
      settings: { study: 'bench/fixtures/noop.yaml', trials: [small, large], threads, repetitions: 1 },
      figures: [big],
      targets: [
        target('rss_growth', `peak RSS growth for ${large / small}x the trials`, big.ratio!, 'x', '<=', 1.2),
        target('peak_rss_mb', `peak RSS at ${formatNumber(large)} trials (${suffix})`, big.median, 'MB', '<=', 300),
      ],
      notes,
    };
  },
};
