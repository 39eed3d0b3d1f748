/**
 * 7. Report: `harness report` on the paper study's database (wall time, CPU time and peak memory
 * of the whole process), against the time of the study itself: once with every figure drawn (an
 * empty figure cache, as after a new run) and once with the figures cached (the same results
 * reported again); and the report as `npm start` runs it, after the study in the same process.
 * The study, the report with every figure drawn and `npm start`'s run are timed in rounds, one
 * of each per round (BenchContext.paperRounds), so each ratio compares runs made side by side.
 * Then on databases with ten times the seeds (profiled) and with a million trials, both tiled
 * from the study's own database (bench/tile.ts). Time and memory per trial come from the
 * difference between the first two sizes; the million-trial run is attempted under a time
 * limit and recorded as it ends: finished, out of memory, or stopped.
 */
import { mkdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { projectRoot } from '../../harness/paths.js';
import type { BenchContext } from '../context.js';
import { formatNumber } from '../format.js';
import { median, medianUpperBound, timed } from '../measure.js';
import { ProcessError, runHarness, type ProcessRun } from '../processes.js';
import { formatProfiles, summarizeProfiles } from '../profile.js';
import { figure, target, type Benchmark, type Figure } from '../suite.js';
import { tileDatabase } from '../tile.js';

const MILLION = 1_000_000;
/** Longest the million-trial attempt may run. */
const ATTEMPT_SECONDS = 120;

async function tiled(ctx: BenchContext, seeds: number): Promise<{ db: string; trials: number; seconds: number }> {
  const [source] = await ctx.paperRuns(ctx.cores, 1);
  const study = await ctx.paperStudy([`seeds=${seeds}`]);
  const db = ctx.scratch(`paper-${seeds}-seeds`, '.sqlite');
  ctx.log(`  tiling the paper database to ${seeds} seeds`);
  const { seconds, value } = timed(() => tileDatabase(source!.db, study, db));
  return { db, trials: value.trials, seconds };
}

function reasonOf(attempt: Attempt): string {
  if (attempt.outcome === 'out of memory') return ': V8 stopped the process at its heap limit ("JavaScript heap out of memory")';
  if (attempt.outcome === 'stopped') return `: still running after ${ATTEMPT_SECONDS} s`;
  if (attempt.outcome === 'failed') return `: ${attempt.message.split('\n').slice(-1)[0]}`;
  return '';
}

type Attempt = { run: ProcessRun; outcome: 'finished' } | { run: ProcessRun; outcome: 'out of memory' | 'stopped' | 'failed'; message: string };

async function attemptReport(ctx: BenchContext, db: string): Promise<Attempt> {
  try {
    const run = await runHarness(['report', db, '--out', ctx.scratch('report-1m')], { timeoutSeconds: ATTEMPT_SECONDS, env: { HARNESS_RENDER_CACHE: ctx.scratch('figure-cache') } });
    return { run, outcome: 'finished' };
  } catch (thrown) {
    if (!(thrown instanceof ProcessError)) throw thrown;
    const oom = /heap out of memory|Reached heap limit/.test(thrown.run.stderr);
    return { run: thrown.run, outcome: oom ? 'out of memory' : thrown.timedOut ? 'stopped' : 'failed', message: thrown.message };
  }
}

export const reportBenchmark: Benchmark = {
  name: 'report',
  title: 'harness report: the paper study, ten times its seeds, and a million trials',
  async run(ctx) {
    const repetitions = ctx.quick ? 1 : 5;
    // The study, its report and the two in one process are timed side by side, round by round.
    const rounds = await ctx.paperRounds(repetitions);
    const seeds = (await ctx.paperStudy()).manifest.body.seeds;
    const trials = rounds[0]!.study.summary.cells;
    const study = figure('paper_study_s', `harness run paper, ${ctx.cores} threads (${formatNumber(trials)} trials, whole process)`, 's', rounds.map((r) => r.study.run.wallSeconds));
    const reports = rounds.map((r) => r.report);
    const warm = await ctx.paperReports(repetitions, 'warm');
    const seconds = figure('paper_report_s', 'harness report of it, every figure drawn (empty figure cache)', 's', reports.map((r) => r.wallSeconds), study);
    const warmSeconds = figure('paper_report_warm_s', 'harness report of it again, figures from the cache', 's', warm.map((r) => r.wallSeconds), study);
    // CPU time over every thread: on a machine whose cores both commands keep busy, the report's
    // time can fall below the study's only as far as its CPU time does.
    const studyCpu = figure('paper_study_cpu_s', 'CPU time of that study (user + system, every thread)', 's', rounds.map((r) => r.study.run.cpuSeconds));
    const reportCpu = figure('paper_report_cpu_s', 'CPU time of its report, every figure drawn', 's', reports.map((r) => r.cpuSeconds), studyCpu);
    const rss = figure('paper_report_peak_rss_mb', 'peak RSS of the report, every figure drawn', 'MB', reports.map((r) => r.peakRssMb));
    // As `npm start` runs it: the report follows the study in the process that ran it, so it
    // pays no start-up of its own. Its share is the whole run less the study of its round.
    const pipeline = figure('paper_run_report_s', 'harness run paper --report (study, then report, one process)', 's', rounds.map((r) => r.pipeline.wallSeconds), study);
    const stageSeconds = rounds.map((r) => r.pipeline.wallSeconds - r.study.run.wallSeconds);
    const stage = figure('paper_report_stage_s', '  of which the report (the whole less the study)', 's', stageSeconds, study);
    // The ratios of the rounds, each of two runs made side by side. A target on them is judged on
    // an upper confidence bound of their median (the worst round): the ratio of the medians
    // alone, a few percent either side of 1, can fall below it by the machine's drift.
    const perRound = rounds.map((r) => r.report.wallSeconds / r.study.run.wallSeconds);
    const stagePerRound = stageSeconds.map((s, i) => s / rounds[i]!.study.run.wallSeconds);
    const reportBound = medianUpperBound(perRound);
    const stageBound = medianUpperBound(stagePerRound);
    const confidence = `${formatNumber(reportBound.confidence * 100)}% upper bound of the median over ${perRound.length} rounds`;

    const tenfold = await tiled(ctx, seeds * 10);
    const profileDir = ctx.scratch('report-profile');
    mkdirSync(profileDir);
    ctx.log(`  harness report on ${formatNumber(tenfold.trials)} trials, profiled`);
    const big = await runHarness(['report', tenfold.db, '--out', ctx.scratch('report-10x')], { cpuProfileDir: profileDir, env: { HARNESS_RENDER_CACHE: ctx.scratch('figure-cache') } });
    const bigSeconds = figure('tenfold_report_s', `harness report, ${formatNumber(tenfold.trials)} trials (--cpu-prof)`, 's', [big.wallSeconds]);
    const bigRss = figure('tenfold_report_peak_rss_mb', 'peak RSS of that report', 'MB', [big.peakRssMb]);
    const added = tenfold.trials - trials;
    const secondsPerTrial = (big.wallSeconds - seconds.median) / added;
    const bytesPerTrial = ((big.peakRssMb - rss.median) * 1e6) / added;
    const heapLimitGb = getHeapStatistics().heap_size_limit / 1e9;
    const figures: Figure[] = [study, seconds, warmSeconds, studyCpu, reportCpu, rss, pipeline, stage, bigSeconds, bigRss];
    const busy = (runs: readonly ProcessRun[]) => formatNumber(median(runs.map((r) => r.cpuSeconds / r.wallSeconds)));
    const time =
      secondsPerTrial > 0
        ? `${formatNumber(secondsPerTrial * 1e6)} us (${formatNumber(seconds.median + secondsPerTrial * (MILLION - trials))} s at ${formatNumber(MILLION)} trials)`
        : 'no measurable time (the fixed cost and the load on the machine hide it)';
    const notes = [
      `report / study, round by round (each round times both, in a new order): ${perRound.map(formatNumber).join(', ')}; ` +
        `the report stage of harness run --report / study: ${stagePerRound.map(formatNumber).join(', ')}.`,
      `cores kept busy (CPU time / wall time, median of the rounds): the study ${busy(rounds.map((r) => r.study.run))}, the report ${busy(reports)}, of ${ctx.cores}.`,
      `per added trial: ${time} and ${formatNumber(bytesPerTrial / 1000)} kB of peak RSS ` +
        `(${formatNumber((rss.median * 1e6 + bytesPerTrial * (MILLION - trials)) / 1e9)} GB at ${formatNumber(MILLION)} trials; V8's heap limit here, which bounds the heap and not the RSS, much of which lies outside it: ${formatNumber(heapLimitGb)} GB).`,
      `profile of the ${formatNumber(tenfold.trials)}-trial report (${formatNumber(tenfold.seconds)} s to tile its database):\n` +
        formatProfiles(summarizeProfiles(profileDir, projectRoot), 5).join('\n'),
    ];

    if (!ctx.quick) {
      const perSeed = trials / seeds;
      const million = await tiled(ctx, Math.ceil(MILLION / perSeed));
      ctx.log(`  harness report on ${formatNumber(million.trials)} trials (stopped after ${ATTEMPT_SECONDS} s)`);
      const attempt = await attemptReport(ctx, million.db);
      figures.push(figure('million_report_s', `harness report, ${formatNumber(million.trials)} trials: ${attempt.outcome}`, 's', [attempt.run.wallSeconds]));
      if (attempt.outcome === 'finished') figures.push(figure('million_report_peak_rss_mb', 'peak RSS of that report', 'MB', [attempt.run.peakRssMb]));
      else notes.push(`the ${formatNumber(million.trials)}-trial report ended "${attempt.outcome}" after ${formatNumber(attempt.run.wallSeconds)} s${reasonOf(attempt)}`);
      notes.push(`tiling the ${formatNumber(million.trials)}-trial database took ${formatNumber(million.seconds)} s (not part of any figure).`);
    }
    return {
      name: this.name,
      title: this.title,
      settings: { trials, seeds, repetitions, tenfold_trials: tenfold.trials, million: !ctx.quick },
      figures,
      targets: [
        target('report_vs_study', `report time / study time, every figure drawn (worst round: ${confidence})`, reportBound.bound, 'x', '<=', 1),
        target('warm_report_vs_study', 'report time / study time, figures from the cache', warmSeconds.ratio!, 'x', '<=', 1),
        target('report_stage_vs_study', `report stage of harness run --report / study time, every figure drawn (worst round: ${confidence})`, stageBound.bound, 'x', '<=', 1),
      ],
      notes,
    };
  },
};
