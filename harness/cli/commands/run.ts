import { resolve } from 'node:path';
import { InputError, OnlyFailedTrialsError } from '../../errors.js';
import * as msg from '../../messages.js';
import { defaultReportDir, displayPath, pasteable } from '../../paths.js';
import { tierForReport } from '../tiering.js';
import { checkReportFolder, writeReport } from '../../run/report.js';
import { GroupPool } from '../../pool/pool.js';
import { runStudy, type RunSummary } from '../../run/run.js';
import type { Study } from '../../study/study.js';
import { checkShardFits, formatShard } from '../../run/shard.js';
import { withoutOption } from '../../text.js';
import { commandLine, exitCodes, println, resumeCommand, type StopSignal } from '../io.js';
import { dpi, options, optionTable, seconds, text, wholeNumber } from '../options.js';
import { createProgress, createStageProgress, progressSettings } from '../progress.js';
import type { Command } from './command.js';
import { dbPathOf, shardOf, studyOf, threadsOf } from './shared.js';
import { printReport, reportJson, type ReportJson } from './report.js';

/** Below this a worker cannot even load the engine and an experiment. */
export const minWorkerMemoryMb = 32;

export function exitCodeOf(summary: RunSummary): number {
  if (summary.status === 'interrupted') return exitCodes[summary.signal as StopSignal] ?? exitCodes.SIGINT;
  return summary.status === 'done' ? exitCodes.ok : exitCodes.incomplete;
}

export const runCommand: Command = {
  name: 'run',
  command: 'run <study>',
  describe: 'Run a study; rerunning resumes (only missing or failed trials are computed)',
  builder: (y) =>
    y
      .positional('study', { type: 'string', describe: 'Study file, or a study name from "harness list"' })
      .options({
        ...options('set', 'threads', 'db', 'fresh', 'same-code', 'shard', 'shard-count', 'task-timeout', 'max-failures', 'worker-memory', 'json', 'report'),
        out: { type: 'string', describe: 'Report folder, with --report [default: reports/<study> for results/<study>.sqlite; for another --db, reports/<study>--<db name>, or reports/<study>--<db folder> for one named as the study]' },
        dpi: { ...optionTable.dpi, describe: `With --report: ${optionTable.dpi.describe}` },
      })
      .example('$0 run paper', 'experiments/*/paper.yaml into results/paper.sqlite')
      .example('$0 run paper --set sim.M=300,1000 --db results/paper-M.sqlite', 'a sweep over sim.M: another study, its own database')
      .example('$0 run paper --shard 0/4', 'the first of four shards')
      .example('$0 run paper --report --out reports/paper-draft', 'run, then write the report there'),
  async run(args, io) {
    const threads = threadsOf(args);
    const taskTimeoutMs = seconds('task-timeout', args['task-timeout']);
    const maxFailures = wholeNumber('max-failures', args['max-failures'], 1);
    const workerMemoryMb = wholeNumber('worker-memory', args['worker-memory'], minWorkerMemoryMb);
    const shard = shardOf(args, io);
    const json = args['json'] === true;
    const out = text('out', args['out']);
    if (out !== undefined && args['report'] !== true) {
      throw new InputError(msg.optionInvalid('out', 'names the report folder, so it needs --report', out, `Add --report, or write the report later with "harness report <db> --out ${out}".`));
    }
    const pngDpi = dpi(args['dpi']);
    if (pngDpi !== undefined && args['report'] !== true) {
      throw new InputError(msg.optionInvalid('dpi', "sets the report's PNG resolution, so it needs --report", pngDpi, `Add --report, or write the report later with "harness report <db> --dpi ${pngDpi}".`));
    }
    // Every command the run prints names the shard, also where a job array's variables gave it.
    const resume = resumeCommand(io.argv, shard.source === '--shard' ? null : formatShard(shard.shard), io.cwd);
    const say = json ? io.stderr : io.stdout;
    const reportDir = (s: string) => (out ? resolve(io.cwd, out) : defaultReportDir(s, io.cwd, dbPath));
    // Workers boot (load tsx and the engine) while this thread loads the study.
    const pool = new GroupPool({ threads, taskTimeoutMs, resourceLimits: workerMemoryMb ? { maxOldGenerationSizeMb: workerMemoryMb } : undefined });
    const controller = new AbortController();
    const unsubscribe = io.onSignal?.((signal) => controller.abort(signal)) ?? (() => {});
    let study: Study;
    let dbPath: string;
    let summary: RunSummary;
    try {
      study = await studyOf(args, io);
      checkShardFits(shard, study.grid.blockCount);
      dbPath = dbPathOf(args, io, study.name, shard);
      // A report that cannot be written (no folder for it, or no report to write) is refused
      // before the study runs, not after.
      if (args['report'] === true) {
        if (!study.loaded.experiment.report) throw new InputError(msg.reportNone(study.loaded.experiment.name));
        checkReportFolder(reportDir(study.name), out, io.cwd);
      }
      if (shard.source && shard.source !== '--shard') println(say, msg.runShardSource(shard.source, formatShard(shard.shard)!));
      summary = await runStudy({
        study,
        dbPath,
        threads,
        shard: shard.shard,
        fresh: args['fresh'] === true,
        sameCode: args['same-code'] === true,
        taskTimeoutMs,
        maxFailures,
        pool,
        signal: controller.signal,
        progress: createProgress(io.stderr, { label: study.name, ...progressSettings(io) }),
        commandLine: commandLine(io.argv),
        cwd: io.cwd,
        freshCommand: `${resume} --fresh`,
        log: (line) => println(say, line),
      });
    } finally {
      unsubscribe();
      await pool.destroy();
    }
    const db = displayPath(dbPath, io.cwd);
    const reportLater = pasteable(commandLine(['report', db, ...(out ? ['--out', out] : []), ...(pngDpi === undefined ? [] : ['--dpi', String(pngDpi)])]), io.cwd);
    // A stop asked for as the run ended, too late to stop it (its trials are all stored): the
    // report is not written, and the command says how to write it.
    if (controller.signal.aborted && (summary.status === 'done' || summary.status === 'failed') && args['report'] === true) {
      const signal = String(controller.signal.reason) as StopSignal;
      println(io.stderr, msg.runStoppedBeforeReport(signal, db, reportLater));
      if (json) println(io.stdout, JSON.stringify({ ...summary, db, exitCode: exitCodes[signal], report: null }));
      return exitCodes[signal];
    }
    const code = exitCodeOf(summary);
    // Trials stopped at the run's own time limit would be stopped again by the same one: their
    // retry leaves it out, as the advice (a larger one, or none) and the report's retry do.
    const retry = summary.commonFailure !== null && msg.hitTimeLimit(summary.commonFailure) ? withoutOption(resume, '--task-timeout') : resume;
    if (summary.freshNotBegun) {
      println(io.stderr, msg.runStoppedBeforeFresh(String(summary.signal), db, `${resume} --fresh`));
    } else if (summary.status === 'interrupted') {
      println(io.stderr, msg.runInterrupted(summary.signal ?? 'a signal', summary.alreadyDone + summary.ok, summary.failed, summary.cells, db, resume, summary.commonFailure));
    } else if (summary.status === 'stopped') {
      println(io.stderr, msg.runStoppedAtMaxFailures(summary.failed, maxFailures ?? 0, retry, db, summary.commonFailure));
    } else if (summary.ok + summary.failed > 0) {
      println(say, msg.runFinished({ ok: summary.ok, failed: summary.failed, seconds: summary.seconds, rate: summary.trialsPerSecond, db, common: summary.commonFailure, retry }));
    }
    // Said at the start too; repeated where a run left overnight is read.
    if (summary.otherCode && summary.ok + summary.failed > 0) println(io.stderr, msg.runMixedCodeReminder(db, summary.otherCode));
    let report: ReportJson | null = null;
    if (args['report'] === true && (summary.status === 'done' || summary.status === 'failed')) {
      // Said before: a stop during the report ends the process at once (the report computes without
      // returning to take a signal), with no word after it. The earlier report stays whole.
      println(io.stderr, msg.runWritingReport(displayPath(reportDir(study.name), io.cwd), reportLater));
      tierForReport();
      const progress = createStageProgress(io.stderr, progressSettings(io));
      try {
        const result = await writeReport({
          dbPath,
          outDir: reportDir,
          out,
          resumeCommand: resume,
          log: (l) => println(io.stderr, l),
          progress,
          cwd: io.cwd,
          pngDpi,
        });
        progress.end();
        printReport(result, io, say);
        report = reportJson(result, io.cwd);
      } catch (thrown) {
        progress.end();
        // Every trial failed: the run's exit code says so (1), and this why there is no report.
        if (!(thrown instanceof OnlyFailedTrialsError)) throw thrown;
        println(io.stderr, thrown.message);
        report = { none: thrown.message };
      }
    }
    // One object, once the report is written too; `report` only with --report.
    if (json) println(io.stdout, JSON.stringify({ ...summary, db, exitCode: code, ...(args['report'] === true ? { report } : {}) }));
    return code;
  },
};

