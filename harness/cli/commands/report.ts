import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { experimentModuleIn } from '../../experiments.js';
import * as msg from '../../messages.js';
import { defaultReportDir, displayPath } from '../../paths.js';
import { tierForReport } from '../tiering.js';
import { writeReport, type ReportResult } from '../../run/report.js';
import { exitCodes, println, type Io, type Output } from '../io.js';
import { dpi, options, text } from '../options.js';
import type { Command } from './command.js';
import { createStageProgress, progressSettings } from '../progress.js';

export function printReport(result: ReportResult, io: Io, out: Output): void {
  if ('none' in result) {
    println(io.stderr, result.none);
    return;
  }
  println(out, msg.reportWritten(result.written.length, displayPath(result.dir, io.cwd), result.entry === null ? undefined : displayPath(result.entry, io.cwd)));
  if (result.summary !== null) println(out, `\n${result.summary.trimEnd()}`);
  // Last, where they are seen: the report is of part of the study, or leaves failed trials out.
  if (result.partial) println(io.stderr, `\n${result.partial.warning}`);
  if (result.failures) println(io.stderr, `\n${result.failures.warning}`);
  if (result.mixedCode) println(io.stderr, `\n${result.mixedCode.warning}`);
  if (result.textOutsideFont) println(io.stderr, `\n${result.textOutsideFont.warning}`);
}

/**
 * A report as `--json` gives it: the folder and the entry page as the user would type them
 * (relative to the working folder), the files written (relative to the folder, sorted) and the
 * summary's text; or why there is none. A report of part of the study (an unfinished run) adds
 * `complete: false` and `trials: {done, expected}`; a complete one has neither, so its object is
 * what it always was. A report that leaves failed trials out adds `failed: {trials, warning}`.
 */
export type ReportJson =
  | {
      dir: string;
      entry: string | null;
      files: string[];
      summary: string | null;
      complete?: false;
      trials?: { done: number; expected: number };
      warning?: string;
      failed?: { trials: number; warning: string };
      /** The versions of the experiment's code that computed the trials, when more than one. */
      mixedCode?: { versions: { codeHash: string; runs: number[]; trials: number }[]; warning: string };
      /** The titles of figures with text their font lacks (null: a figure without one). */
      textOutsideFont?: { figures: (string | null)[]; warning: string };
    }
  | { none: string };

export function reportJson(result: ReportResult, cwd: string): ReportJson {
  if ('none' in result) return { none: result.none };
  return {
    dir: displayPath(result.dir, cwd),
    entry: result.entry === null ? null : displayPath(result.entry, cwd),
    files: [...result.written].sort(),
    summary: result.summary,
    ...(result.partial ? { complete: false as const, trials: { done: result.partial.done, expected: result.partial.expected }, warning: result.partial.warning } : {}),
    ...(result.failures ? { failed: { ...result.failures } } : {}),
    ...(result.mixedCode ? { mixedCode: result.mixedCode } : {}),
    ...(result.textOutsideFont ? { textOutsideFont: result.textOutsideFont } : {}),
  };
}

export const reportCommand: Command = {
  name: 'report',
  command: 'report <db>',
  describe: "Write a study's report (the experiment's report()) from its database",
  builder: (y) =>
    y
      .positional('db', { type: 'string', describe: 'Results database' })
      .options({ ...options('out', 'experiment', 'dpi', 'json'), out: { type: 'string', describe: 'Report folder [default: reports/<study> for results/<study>.sqlite, else reports/<study>--<db name>, or reports/<study>--<db folder> for one named as the study]' } })
      .example('$0 report results/paper.sqlite --dpi 600', 'PNG figures at 600 dpi, e.g. for a journal that asks for it')
      .epilogue(
        'Figures drawn before come from the figure cache (node_modules/.cache/harness/figures) with the same bytes; ' +
          'HARNESS_RENDER_CACHE=<folder> moves it, HARNESS_RENDER_CACHE=off draws every figure.',
      ),
  async run(args, io) {
    const out = text('out', args['out']);
    const experiment = text('experiment', args['experiment']);
    const pngDpi = dpi(args['dpi']);
    tierForReport();
    const dbPath = resolve(io.cwd, String(args['db']));
    const progress = createStageProgress(io.stderr, progressSettings(io));
    let result: ReportResult;
    try {
      result = await writeReport({
        dbPath,
        outDir: (study) => (out ? resolve(io.cwd, out) : defaultReportDir(study, io.cwd, dbPath)),
        out,
        experimentPath: experiment ? experimentModuleIn(experiment, io.cwd, '--experiment', 'the current folder') : undefined,
        log: (line) => println(io.stderr, line),
        progress,
        cwd: io.cwd,
        pngDpi,
      });
    } finally {
      progress.end();
    }
    // Asked for a report and none written: refused, so that a script does not go on as if there
    // were one (with --json, the refusal's object).
    if ('none' in result) throw new InputError(result.none);
    const json = args['json'] === true;
    printReport(result, io, json ? io.stderr : io.stdout);
    if (json) println(io.stdout, JSON.stringify({ db: displayPath(resolve(io.cwd, String(args['db'])), io.cwd), ...reportJson(result, io.cwd) }));
    return exitCodes.ok;
  },
};
