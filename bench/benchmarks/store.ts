/**
 * 5. Store.
 * - Batched inserts through the engine's single writer (ResultWriter) into a paper-study
 *   database, trial rows and curve rows measured apart, against the same rows inserted with
 *   one prepared statement per table in transactions of the writer's batch size (what SQLite
 *   itself allows here). The rows are real: one seed of the paper study, computed and
 *   normalized as a worker would, repeated over the groups of a larger study.
 * - Resume start-up on a database of finished no-op trials with its last group missing: from
 *   loading the study to the first new result, in this process through the engine's runStudy
 *   (the time until the first new trial starts, plus that trial); and the same resume as a
 *   whole `harness run` process.
 */
import { copyFileSync } from 'node:fs';
import type { Scalar } from '../../harness/experiment.js';
import { projectRoot } from '../../harness/paths.js';
import { normalizeOutput } from '../../harness/pool/normalize.js';
import type { GroupOutcome } from '../../harness/pool/protocol.js';
import { openForStudy, runStudy } from '../../harness/run/run.js';
import { plannedGroups, type PlannedGroup } from '../../harness/run/tasks.js';
import { quoteIdent } from '../../harness/store/columns.js';
import { beginRun } from '../../harness/store/runs.js';
import { collectProvenance } from '../../harness/run/provenance.js';
import { curveColumnNames, trialColumnNames } from '../../harness/store/schema.js';
import { Store } from '../../harness/store/store.js';
import { ResultWriter } from '../../harness/store/writer.js';
import { loadStudy, type Study } from '../../harness/study/study.js';
import { noopGroupSize, noopStudyFile, type BenchContext } from '../context.js';
import { formatNumber } from '../format.js';
import { median, timed, timedAsync } from '../measure.js';
import { runHarness, runSummaryOf } from '../processes.js';
import { figure, target, type Benchmark, type Figure } from '../suite.js';

/** The writer's default batch: it commits once this many rows wait. */
const BATCH_ROWS = 5000;

/** A database sealed for `study`, with a run row to write under. */
function openSealed(ctx: BenchContext, study: Study): { store: Store; runId: number } {
  const store = openForStudy(study, ctx.scratch('store', '.sqlite'), '', new Date());
  const runId = beginRun(store, collectProvenance({ threads: 1, shard: null, commandLine: 'bench store' }), 'running', new Date());
  return { store, runId };
}

/** Seconds for the writer to take and commit every (group, outcome). */
function writerSeconds(ctx: BenchContext, study: Study, work: [PlannedGroup, GroupOutcome][]): { seconds: number; store: Store } {
  const { store, runId } = openSealed(ctx, study);
  const { seconds } = timed(() => {
    const writer = new ResultWriter(store, study.manifest.body, runId, { flushEveryMs: 0, maxPendingRows: BATCH_ROWS });
    for (const [group, outcome] of work) writer.add(group, outcome);
    writer.close();
  });
  return { seconds, store };
}

/** Seconds to insert `rows` into `table` of a fresh database: one prepared statement, batched transactions. */
function rawSeconds(ctx: BenchContext, study: Study, table: 'trial' | 'curve', rows: Scalar[][]): number {
  const { store } = openSealed(ctx, study);
  try {
    const columns = table === 'trial' ? trialColumnNames(study.manifest.body) : curveColumnNames(study.manifest.body);
    const insert = store.db.prepare(`INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const batch = store.db.transaction((from: number) => {
      for (let i = from; i < Math.min(rows.length, from + BATCH_ROWS); i++) insert.run(rows[i]!);
    });
    return timed(() => {
      for (let from = 0; from < rows.length; from += BATCH_ROWS) batch(from);
    }).seconds;
  } finally {
    store.close();
  }
}

async function insertFigures(ctx: BenchContext, repetitions: number): Promise<{ figures: Figure[]; settings: Record<string, number> }> {
  const sample = await ctx.paperStudy(['seeds=1']);
  const exp = sample.loaded.experiment;
  const outcomes = [...plannedGroups(sample, null, () => false)].map((g) => {
    const outcome = normalizeOutput(exp, g.task, exp.runGroup(g.task), 0);
    if (outcome.kind !== 'ok') throw new Error(`store: the paper study's group ${g.task.groupKey} failed: ${outcome.message}`);
    return outcome;
  });
  const wanted = ctx.quick ? 10_000 : 50_000;
  const perSeed = sample.grid.count;
  const study = await ctx.paperStudy([`seeds=${Math.ceil(wanted / perSeed)}`]);
  const groups = [...plannedGroups(study, null, () => false)];
  const trialWork = groups.map((g, i): [PlannedGroup, GroupOutcome] => [g, { ...outcomes[i % outcomes.length]!, curve: [] }]);
  const curveWork = groups.map((g, i): [PlannedGroup, GroupOutcome] => {
    const outcome = outcomes[i % outcomes.length]!;
    return [{ task: { ...g.task, cells: [] }, indices: [] }, { ...outcome, trials: [] }];
  });

  const samples = { trialWriter: [] as number[], trialRaw: [] as number[], curveWriter: [] as number[], curveRaw: [] as number[] };
  let trialRows = 0;
  let curveRows = 0;
  for (let rep = 0; rep < repetitions; rep++) {
    ctx.log(`  writer and raw inserts, ${rep + 1} of ${repetitions}`);
    for (const [table, work] of [['trial', trialWork], ['curve', curveWork]] as const) {
      const written = writerSeconds(ctx, study, work);
      // The raw side inserts exactly the rows the writer stored.
      const rows = written.store.db.prepare(`SELECT * FROM ${table}`).raw(true).all() as Scalar[][];
      written.store.close();
      const raw = rawSeconds(ctx, study, table, rows);
      if (table === 'trial') {
        trialRows = rows.length;
        samples.trialWriter.push(rows.length / written.seconds);
        samples.trialRaw.push(rows.length / raw);
      } else {
        curveRows = rows.length;
        samples.curveWriter.push(rows.length / written.seconds);
        samples.curveRaw.push(rows.length / raw);
      }
    }
  }
  const trialRaw = figure('trial_rows_per_s_raw', 'prepared INSERT, same rows and batches', 'rows/s', samples.trialRaw);
  const curveRaw = figure('curve_rows_per_s_raw', 'prepared INSERT, same rows and batches', 'rows/s', samples.curveRaw);
  return {
    figures: [
      figure('trial_rows_per_s', 'trial rows through ResultWriter', 'rows/s', samples.trialWriter, trialRaw),
      figure('curve_rows_per_s', 'curve rows through ResultWriter', 'rows/s', samples.curveWriter, curveRaw),
    ],
    settings: { trial_rows: trialRows, curve_rows: curveRows, batch_rows: BATCH_ROWS },
  };
}

/** A copy of a finished no-op database with its last group's trials removed. */
function resumableCopy(ctx: BenchContext, source: string, trials: number): string {
  const db = ctx.scratch('resume', '.sqlite');
  copyFileSync(source, db);
  const store = Store.open(db, 'write');
  store.db.prepare(`DELETE FROM trial WHERE cell_index >= ?`).run(trials - noopGroupSize);
  store.close();
  return db;
}

async function resumeFigures(ctx: BenchContext, repetitions: number): Promise<{ figures: Figure[]; trials: number; notes: string[] }> {
  const trials = ctx.quick ? 100_000 : 1_000_000;
  const sets = ctx.noopSets(trials);
  const [finished] = await ctx.noopRuns(trials, ctx.cores, 1);
  const toFirst: number[] = [];
  const toPlanned: number[] = [];
  const processWall: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    ctx.log(`  resume on ${formatNumber(trials)} finished trials, ${rep + 1} of ${repetitions}`);
    const db = resumableCopy(ctx, finished!.db, trials);
    let planned = Number.NaN;
    let first = Number.NaN;
    const start = performance.now();
    const seconds = () => (performance.now() - start) / 1000;
    const { value: summary } = await timedAsync(async () =>
      runStudy({
        study: await loadStudy(noopStudyFile, { cwd: projectRoot, sets }),
        dbPath: db,
        threads: ctx.cores,
        shard: null,
        commandLine: 'bench resume',
        progress: {
          start: () => (planned = seconds()),
          update: () => {
            if (Number.isNaN(first)) first = seconds();
          },
          finish: () => {},
        },
      }),
    );
    if (summary.ok !== noopGroupSize || summary.alreadyDone !== trials - noopGroupSize) {
      throw new Error(`resume computed ${summary.ok} trials over ${summary.alreadyDone} done; expected ${noopGroupSize} over ${trials - noopGroupSize}`);
    }
    toPlanned.push(planned);
    toFirst.push(first);
    const cliDb = resumableCopy(ctx, finished!.db, trials);
    const cli = await runHarness(['run', noopStudyFile, '--db', cliDb, '--threads', String(ctx.cores), '--json', ...sets.flatMap((s) => ['--set', s])]);
    if (runSummaryOf(cli).ok !== noopGroupSize) throw new Error('the resumed harness run did not compute exactly the missing group');
    processWall.push(cli.wallSeconds);
  }
  return {
    trials,
    figures: [
      figure('resume_first_result_s', `resume: load, plan, first new result (${formatNumber(trials)} done)`, 's', toFirst),
      figure('resume_planned_s', 'resume: load study, open, done bitset, count', 's', toPlanned),
      figure('resume_process_s', 'resume as a whole harness run process, to exit', 's', processWall),
    ],
    notes: [
      `between planning and the first result: finding the missing group behind ${formatNumber(trials / noopGroupSize - 1)} done groups, ` +
        `starting ${ctx.cores} worker(s), one group; ${formatNumber(median(toFirst) - median(toPlanned))} s.`,
    ],
  };
}

export const storeBenchmark: Benchmark = {
  name: 'store',
  title: 'Store: batched inserts through the single writer, and resume start-up',
  async run(ctx) {
    const repetitions = ctx.quick ? 1 : 3;
    const inserts = await insertFigures(ctx, repetitions);
    const resume = await resumeFigures(ctx, repetitions);
    const first = resume.figures[0]!;
    return {
      name: this.name,
      title: this.title,
      settings: { ...inserts.settings, resume_done_trials: resume.trials, threads: ctx.cores, repetitions },
      figures: [...inserts.figures, ...resume.figures],
      targets: [target('resume_first_result_s', `resume start-up on ${formatNumber(resume.trials)} finished trials`, first.median, 's', '<=', 2)],
      notes: resume.notes,
    };
  },
};
